#include "core/sqlite.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "core/error.h"

namespace fer {

Database::Database(const std::string& path, int busy_timeout_ms)
    : Database(path, busy_timeout_ms, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) {
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA foreign_keys=ON");
  exec("PRAGMA synchronous=NORMAL");
}

namespace {

// A path as an SQLite URI's path part ('%', '?' and '#' percent-encoded).
std::string uri_path(const std::string& path) {
  std::string out;
  for (char ch : path) {
    if (ch == '%' || ch == '?' || ch == '#') {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", static_cast<unsigned char>(ch));
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace

Database Database::open_read_only(const std::string& path, int busy_timeout_ms) {
  {
    Database db(path, busy_timeout_ms, SQLITE_OPEN_READONLY);
    // The first read opens the WAL index; in a folder we cannot write it fails (SQLITE_CANTOPEN).
    if (sqlite3_exec(db.db_, "PRAGMA schema_version", nullptr, nullptr, nullptr) == SQLITE_OK)
      return db;
  }
  Database db("file:" + uri_path(path) + "?immutable=1", busy_timeout_ms,
              SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
  db.path_ = path;
  db.exec("PRAGMA schema_version");
  return db;
}

void Database::copy_from(Database& source) {
  sqlite3_backup* backup = sqlite3_backup_init(db_, "main", source.db_, "main");
  if (backup == nullptr) fail("copy database " + source.path());
  const int rc = sqlite3_backup_step(backup, -1);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) fail("copy database " + source.path());
}

Database::Database(const std::string& path, int busy_timeout_ms, int open_flags) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, open_flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error("open database", path, 0, "", msg);
  }
  if (sqlite3_busy_timeout(db_, busy_timeout_ms) != SQLITE_OK) fail("set busy timeout");
}

Database::~Database() { sqlite3_close(db_); }

void Database::fail(const std::string& operation) const {
  throw Error(operation, path_, 0, "", sqlite3_errmsg(db_));
}

void Database::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw Error("execute SQL", path_, 0, "", msg + " (in: " + sql.substr(0, 120) + ")");
  }
}

std::vector<std::vector<Value>> Database::query(const std::string& sql,
                                                const std::vector<Value>& params) {
  Statement stmt(*this, sql);
  stmt.bind(params);
  std::vector<std::vector<Value>> rows;
  while (stmt.step()) {
    std::vector<Value> row;
    for (int c = 0; c < stmt.columns(); ++c) row.push_back(stmt.column(c));
    rows.push_back(std::move(row));
  }
  return rows;
}

Statement::Statement(Database& db, const std::string& sql) : db_(db), sql_(sql) {
  if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) {
    throw Error("prepare SQL", db.path(), 0, "",
                std::string(sqlite3_errmsg(db.handle())) + " (in: " + sql.substr(0, 120) + ")");
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::bind(const std::vector<Value>& params) {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  for (size_t i = 0; i < params.size(); ++i) {
    const int idx = static_cast<int>(i + 1);
    int rc = SQLITE_OK;
    const Value& p = params[i];
    if (std::holds_alternative<std::nullptr_t>(p))
      rc = sqlite3_bind_null(stmt_, idx);
    else if (auto* n = std::get_if<int64_t>(&p))
      rc = sqlite3_bind_int64(stmt_, idx, *n);
    else if (auto* d = std::get_if<double>(&p))
      rc = std::isnan(*d) ? sqlite3_bind_null(stmt_, idx) : sqlite3_bind_double(stmt_, idx, *d);
    else
      rc = sqlite3_bind_text(stmt_, idx, std::get<std::string>(p).c_str(), -1, SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) db_.fail("bind parameter " + std::to_string(idx));
  }
}

void Statement::bind_blob(int index, const void* bytes, size_t n) {
  if (sqlite3_bind_blob64(stmt_, index, bytes, n, SQLITE_TRANSIENT) != SQLITE_OK) {
    db_.fail("bind parameter " + std::to_string(index));
  }
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw Error("run SQL", db_.path(), 0, "",
              std::string(sqlite3_errmsg(db_.handle())) + " (in: " + sql_.substr(0, 120) + ")");
}

int Statement::columns() const { return sqlite3_column_count(stmt_); }

Value Statement::column(int c) const {
  switch (sqlite3_column_type(stmt_, c)) {
    case SQLITE_NULL:
      return nullptr;
    case SQLITE_INTEGER:
      return static_cast<int64_t>(sqlite3_column_int64(stmt_, c));
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt_, c);
    case SQLITE_BLOB:
      return column_blob(c);
    default:
      return column_text(c);
  }
}

bool Statement::column_is_blob(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_BLOB; }

int64_t Statement::column_int(int c) const { return sqlite3_column_int64(stmt_, c); }

double Statement::column_double(int c) const {
  return sqlite3_column_type(stmt_, c) == SQLITE_NULL ? std::numeric_limits<double>::quiet_NaN()
                                                      : sqlite3_column_double(stmt_, c);
}

std::string Statement::column_text(int c) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
  return text ? std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, c)))
              : std::string();
}

std::string Statement::column_blob(int c) const {
  const void* bytes = sqlite3_column_blob(stmt_, c);
  return bytes ? std::string(static_cast<const char*>(bytes),
                             static_cast<size_t>(sqlite3_column_bytes(stmt_, c)))
               : std::string();
}

int64_t Database::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

int64_t as_int(const Value& v) {
  if (auto* n = std::get_if<int64_t>(&v)) return *n;
  if (auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  return 0;
}

double as_double(const Value& v) {
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* n = std::get_if<int64_t>(&v)) return static_cast<double>(*n);
  return std::numeric_limits<double>::quiet_NaN();
}

std::string as_string(const Value& v) {
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* n = std::get_if<int64_t>(&v)) return std::to_string(*n);
  if (auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  return "";
}

bool is_null(const Value& v) { return std::holds_alternative<std::nullptr_t>(v); }

}  // namespace fer
