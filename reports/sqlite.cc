#include "reports/sqlite.h"

#include <cmath>
#include <limits>

#include "datasets/error.h"

namespace fer::reports {

Database::Database(const std::string& path, int busy_timeout_ms) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error("open database", path, 0, "", msg);
  }
  if (sqlite3_busy_timeout(db_, busy_timeout_ms) != SQLITE_OK) fail("set busy timeout");
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA foreign_keys=ON");
  exec("PRAGMA synchronous=NORMAL");
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

std::vector<std::vector<Value>> Database::query(const std::string& sql, const std::vector<Value>& params) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    throw Error("prepare SQL", path_, 0, "", std::string(sqlite3_errmsg(db_)) + " (in: " + sql.substr(0, 120) + ")");
  }
  struct Finalizer {
    sqlite3_stmt* s;
    ~Finalizer() { sqlite3_finalize(s); }
  } finalizer{stmt};
  for (size_t i = 0; i < params.size(); ++i) {
    const int idx = static_cast<int>(i + 1);
    int rc = SQLITE_OK;
    const Value& p = params[i];
    if (std::holds_alternative<std::nullptr_t>(p)) rc = sqlite3_bind_null(stmt, idx);
    else if (auto* n = std::get_if<int64_t>(&p)) rc = sqlite3_bind_int64(stmt, idx, *n);
    else if (auto* d = std::get_if<double>(&p)) rc = std::isnan(*d) ? sqlite3_bind_null(stmt, idx) : sqlite3_bind_double(stmt, idx, *d);
    else rc = sqlite3_bind_text(stmt, idx, std::get<std::string>(p).c_str(), -1, SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) fail("bind parameter " + std::to_string(idx));
  }
  std::vector<std::vector<Value>> rows;
  while (true) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      throw Error("run SQL", path_, 0, "", std::string(sqlite3_errmsg(db_)) + " (in: " + sql.substr(0, 120) + ")");
    }
    std::vector<Value> row;
    for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_NULL: row.emplace_back(nullptr); break;
        case SQLITE_INTEGER: row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c))); break;
        case SQLITE_FLOAT: row.emplace_back(sqlite3_column_double(stmt, c)); break;
        default: row.emplace_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c))));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
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

}  // namespace fer::reports
