#include "reports/merge.h"

#include <boost/filesystem.hpp>
#include <memory>
#include <sstream>

#include "core/error.h"
#include "core/sqlite.h"
#include "reports/store.h"

namespace fer::reports {
namespace fs = boost::filesystem;

namespace {

constexpr const char* kOperation = "merge result stores";

// A copy of one input at the current schema, in a temporary file: the input itself is opened
// read-only and never changed, even when its schema is older than this program's.
class Snapshot {
 public:
  explicit Snapshot(const std::string& input) : input_(input) {
    if (!fs::exists(input)) throw Error(kOperation, input, 0, "", "file not found");
    Database source = Database::open_read_only(input);
    const auto tables =
        source.query("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'runs'");
    if (as_int(tables.at(0).at(0)) == 0)
      throw Error(kOperation, input, 0, "", "not a result store (no runs table)");
    const int64_t version = as_int(source.query("PRAGMA user_version").at(0).at(0));
    if (version > kSchemaVersion) {
      throw Error(kOperation, input, 0, "",
                  "schema version " + std::to_string(version) + " is newer than this program's " +
                      std::to_string(kSchemaVersion));
    }
    path_ =
        (fs::temp_directory_path() / fs::unique_path("emogcn-merge-%%%%-%%%%-%%%%.db")).string();
    // VACUUM INTO reads a consistent snapshot (WAL included) through a read-only connection.
    source.query("VACUUM INTO ?1", {path_});
    store_ = std::make_unique<ResultStore>(path_);
  }
  ~Snapshot() {
    store_.reset();
    boost::system::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path_ + suffix, ignored);
  }
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  Database& db() { return store_->db(); }
  const std::string& input() const { return input_; }

 private:
  std::string input_, path_;
  std::unique_ptr<ResultStore> store_;
};

std::vector<std::string> columns_of(Database& db, const std::string& table) {
  std::vector<std::string> names;
  for (const auto& row : db.query("SELECT name FROM pragma_table_info(?1)", {table}))
    names.push_back(as_string(row[0]));
  return names;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out;
}

// "?1, ?2, ..., ?n"
std::string placeholders(size_t n) {
  std::string out;
  for (size_t i = 1; i <= n; ++i) out += (i > 1 ? ", ?" : "?") + std::to_string(i);
  return out;
}

// Copies table's rows whose key column is old_id, with the key set to new_id.
void copy_children(Database& src, Database& out, const std::string& table, const std::string& key,
                   int64_t old_id, int64_t new_id) {
  const auto columns = columns_of(src, table);
  Statement select(src, "SELECT " + join(columns) + " FROM " + table + " WHERE " + key + " = ?1");
  Statement insert(out, "INSERT INTO " + table + " (" + join(columns) + ") VALUES (" +
                            placeholders(columns.size()) + ")");
  select.bind({old_id});
  while (select.step()) {
    std::vector<Value> row;
    for (int c = 0; c < select.columns(); ++c)
      row.push_back(columns[c] == key ? Value(new_id) : select.column(c));
    insert.bind(row);
    for (int c = 0; c < select.columns(); ++c) {  // BLOBs stay BLOBs, byte for byte.
      if (select.column_is_blob(c)) {
        const std::string bytes = select.column_blob(c);
        insert.bind_blob(c + 1, bytes.data(), bytes.size());
      }
    }
    while (insert.step()) {
    }
  }
}

// Inserts row (named columns, id left out) into table and returns the new id.
int64_t insert_row(Database& out, const std::string& table, const std::vector<std::string>& columns,
                   const std::vector<Value>& row) {
  Statement insert(out, "INSERT INTO " + table + " (" + join(columns) + ") VALUES (" +
                            placeholders(columns.size()) + ")");
  insert.run(row);
  return out.last_insert_id();
}

std::vector<Value> column_values(const std::vector<std::string>& columns,
                                 const std::vector<std::string>& wanted,
                                 const std::vector<Value>& row) {
  std::vector<Value> values;
  for (const auto& w : wanted) {
    for (size_t c = 0; c < columns.size(); ++c) {
      if (columns[c] == w) values.push_back(row[c]);
    }
  }
  return values;
}

std::string describe_run(const std::vector<std::string>& columns, const std::vector<Value>& row) {
  const auto v = column_values(
      columns, {"dataset", "backbone", "model", "seed", "config_hash", "code_version"}, row);
  std::ostringstream s;
  s << as_string(v[0]) << " " << as_string(v[1]) << " " << as_string(v[2]) << " seed "
    << as_int(v[3]) << ", config " << as_string(v[4]) << ", code " << as_string(v[5]);
  return s.str();
}

struct InputCounts {
  int64_t runs_added = 0, runs_duplicate = 0, sessions_added = 0, sessions_duplicate = 0;
};

void merge_runs(Snapshot& in, Database& out, const MergeOptions& o, InputCounts* counts,
                std::ostream& log) {
  auto columns = columns_of(in.db(), "runs");
  columns.erase(columns.begin());  // id: remapped.
  const auto rows = in.db().query("SELECT id, " + join(columns) + " FROM runs ORDER BY id");
  for (const auto& full : rows) {
    const int64_t old_id = as_int(full[0]);
    const std::vector<Value> row(full.begin() + 1, full.end());
    auto key = column_values(columns,
                             {"config_hash", "seed", "code_version", "status", "started_at"}, row);
    const bool finished = as_string(key[3]) == "finished";
    const auto same =
        finished
            ? out.query(
                  "SELECT id FROM runs WHERE config_hash = ?1 AND seed = ?2 AND code_version = ?3 "
                  "AND status = 'finished' ORDER BY id LIMIT 1",
                  {key[0], key[1], key[2]})
            : out.query(
                  "SELECT id FROM runs WHERE config_hash = ?1 AND seed = ?2 AND code_version = ?3 "
                  "AND status = ?4 AND started_at = ?5 ORDER BY id LIMIT 1",
                  key);
    if (!same.empty()) {
      const std::string what = in.input() + " run " + std::to_string(old_id) + " (" +
                               describe_run(columns, row) + ") duplicates " + o.out + " run " +
                               std::to_string(as_int(same[0][0]));
      if (o.strict) throw Error(kOperation, in.input(), 0, "", what + " (--strict)");
      log << "  duplicate: " << what << "; skipped\n";
      ++counts->runs_duplicate;
      continue;
    }
    if (as_string(key[3]) == "running") {
      log << "  note: " << in.input() << " run " << old_id
          << " is marked running (still training there, or its "
          << "process died); merged as it is\n";
    }
    const int64_t new_id = insert_row(out, "runs", columns, row);
    for (const char* table : {"provenance", "datasets", "epochs", "final_metrics", "run_samples"}) {
      copy_children(in.db(), out, table, "run_id", old_id, new_id);
    }
    // The first merge names the origin; later merges of the merged store keep it.
    out.query(
        "INSERT OR IGNORE INTO provenance (run_id, key, value) VALUES (?1, 'merged_from', ?2)",
        {new_id, fs::absolute(in.input()).string() + " run " + std::to_string(old_id)});
    ++counts->runs_added;
  }
}

void merge_sessions(Snapshot& in, Database& out, InputCounts* counts) {
  auto columns = columns_of(in.db(), "bench_sessions");
  columns.erase(columns.begin());  // id: remapped.
  const auto rows =
      in.db().query("SELECT id, " + join(columns) + " FROM bench_sessions ORDER BY id");
  for (const auto& full : rows) {
    const std::vector<Value> row(full.begin() + 1, full.end());
    const auto key =
        column_values(columns, {"label", "started_at", "code_version", "device", "filter"}, row);
    const auto same = out.query(
        "SELECT id FROM bench_sessions WHERE label = ?1 AND started_at = ?2 AND "
        "code_version = ?3 AND device = ?4 AND filter IS ?5",
        key);
    if (!same.empty()) {
      ++counts->sessions_duplicate;
      continue;
    }
    const int64_t new_id = insert_row(out, "bench_sessions", columns, row);
    for (const char* table : {"bench_provenance", "bench_results"}) {
      copy_children(in.db(), out, table, "session_id", as_int(full[0]), new_id);
    }
    ++counts->sessions_added;
  }
}

void check_inputs(const MergeOptions& o) {
  if (o.out.empty()) throw Error(kOperation, "", 0, "out", "no output store given");
  if (o.inputs.empty()) throw Error(kOperation, o.out, 0, "", "no input store given");
  for (const auto& input : o.inputs) {
    boost::system::error_code ec;
    if (fs::exists(o.out) && fs::exists(input) && fs::equivalent(input, o.out, ec)) {
      throw Error(kOperation, input, 0, "out",
                  "an input is the output store; merge into a new file");
    }
  }
}

}  // namespace

MergeSummary merge_stores(const MergeOptions& o, std::ostream& log) {
  check_inputs(o);
  // Every input is read and migrated before the output is touched.
  std::vector<std::unique_ptr<Snapshot>> snapshots;
  for (const auto& input : o.inputs) snapshots.push_back(std::make_unique<Snapshot>(input));
  const bool created = !fs::exists(o.out);
  MergeSummary total;
  try {
    ResultStore store(o.out);
    store.db().transaction([&] {
      for (auto& in : snapshots) {
        InputCounts c;
        merge_runs(*in, store.db(), o, &c, log);
        merge_sessions(*in, store.db(), &c);
        log << in->input() << ": " << c.runs_added << " run(s) added, " << c.runs_duplicate
            << " duplicate(s) skipped; " << c.sessions_added << " benchmark session(s) added, "
            << c.sessions_duplicate << " already present\n";
        total.runs_added += c.runs_added;
        total.runs_duplicate += c.runs_duplicate;
        total.sessions_added += c.sessions_added;
        total.sessions_duplicate += c.sessions_duplicate;
      }
    });
  } catch (...) {
    boost::system::error_code ignored;
    if (created) {
      for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(o.out + suffix, ignored);
    }
    throw;
  }
  return total;
}

}  // namespace fer::reports
