// A thin, checked wrapper over SQLite: every sqlite3_* return is checked and failures throw
// fer::Error with the operation, the database path and sqlite3_errmsg.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace fer::reports {

using Value = std::variant<std::nullptr_t, int64_t, double, std::string>;

class Statement;

class Database {
 public:
  /// Opens (creating) the database in WAL mode with a busy timeout, so several processes can
  /// write one file. Throws fer::Error on failure.
  explicit Database(const std::string& path, int busy_timeout_ms = 60000);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Runs SQL without results (several statements allowed).
  void exec(const std::string& sql);
  /// Runs one statement with bound parameters (?1, ?2, ...) and returns all rows.
  std::vector<std::vector<Value>> query(const std::string& sql, const std::vector<Value>& params = {});
  int64_t last_insert_id() const;
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }

  /// Runs fn inside BEGIN IMMEDIATE ... COMMIT (ROLLBACK on exception, then rethrow): one
  /// transaction per logical write, so a crash never leaves a partial row set.
  template <typename Fn>
  void transaction(Fn&& fn) {
    exec("BEGIN IMMEDIATE");
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
  sqlite3* db_ = nullptr;
  std::string path_;
};

/// Helpers to read result values.
int64_t as_int(const Value& v);
double as_double(const Value& v);          // NaN for NULL.
std::string as_string(const Value& v);     // "" for NULL.
bool is_null(const Value& v);

}  // namespace fer::reports
