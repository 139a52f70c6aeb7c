// A thin, checked wrapper over SQLite: every sqlite3_* return is checked and failures throw
// fer::Error with the operation, the database path and sqlite3_errmsg.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace fer {

using Value = std::variant<std::nullptr_t, int64_t, double, std::string>;

class Database {
 public:
  /// Opens (creating) the database in WAL mode with a busy timeout, so several processes can
  /// write one file. The connection is for one thread at a time (SQLITE_OPEN_NOMUTEX: no lock
  /// per call); threads open their own. Throws fer::Error on failure.
  explicit Database(const std::string& path, int busy_timeout_ms = 60000);
  /// Opens an existing database read-only, changing nothing in it (not even its journal mode):
  /// for reading another machine's store. Throws fer::Error if it does not exist.
  /// A WAL database in a folder this process cannot write (a read-only copy, whose -shm file
  /// cannot be made) is opened as immutable instead.
  static Database open_read_only(const std::string& path, int busy_timeout_ms = 60000);
  /// Replaces this database's contents with a copy of `source` (SQLite's online backup).
  void copy_from(Database& source);
  Database(Database&& other) noexcept : db_(other.db_), path_(std::move(other.path_)) {
    other.db_ = nullptr;
  }
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Runs SQL without results (several statements allowed).
  void exec(const std::string& sql);
  /// Runs one statement with bound parameters (?1, ?2, ...) and returns all rows.
  std::vector<std::vector<Value>> query(const std::string& sql,
                                        const std::vector<Value>& params = {});
  int64_t last_insert_id() const;
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }

  /// Runs fn inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK on exception, then rethrow): one
  /// transaction per logical write, so a crash never leaves a partial row set.
  template <typename Fn>
  void transaction(Fn&& fn) {
    run_in_transaction("BEGIN IMMEDIATE", fn);
  }
  /// Runs fn inside BEGIN DEFERRED ... COMMIT: a consistent snapshot for reads that never
  /// blocks other readers.
  template <typename Fn>
  void read_transaction(Fn&& fn) {
    run_in_transaction("BEGIN DEFERRED", fn);
  }
  template <typename Fn>
  void run_in_transaction(const char* begin, Fn& fn) {
    exec(begin);
    try {
      fn();
      exec("COMMIT");
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  [[noreturn]] void fail(const std::string& operation) const;

 private:
  Database(const std::string& path, int busy_timeout_ms, int open_flags);
  sqlite3* db_ = nullptr;
  std::string path_;
};

/// A prepared statement, for statements run many times (bulk inserts, large reads): bind,
/// step through the rows, reset. Every failure throws fer::Error with sqlite3_errmsg.
class Statement {
 public:
  Statement(Database& db, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Binds ?1, ?2, ... (NaN binds NULL) after clearing the previous execution.
  void bind(const std::vector<Value>& params);
  /// Binds one parameter (1-based) as a BLOB copied from bytes.
  void bind_blob(int index, const void* bytes, size_t n);
  /// Advances to the next row; false when the statement is done.
  bool step();
  /// Runs an insert/update to completion.
  void run(const std::vector<Value>& params) {
    bind(params);
    while (step()) {
    }
  }
  int columns() const;
  Value column(int c) const;
  int64_t column_int(int c) const;
  double column_double(int c) const;  // NaN for NULL.
  std::string column_text(int c) const;
  /// The column's BLOB bytes (empty for NULL).
  std::string column_blob(int c) const;
  /// Whether the current row's column holds a BLOB (column() returns its bytes as a string,
  /// which bind() would store as TEXT: bind those with bind_blob).
  bool column_is_blob(int c) const;

 private:
  Database& db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
};

/// Helpers to read result values.
int64_t as_int(const Value& v);
double as_double(const Value& v);       // NaN for NULL.
std::string as_string(const Value& v);  // "" for NULL.
bool is_null(const Value& v);

}  // namespace fer
