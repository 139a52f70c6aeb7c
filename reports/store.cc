#include "reports/store.h"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "core/error.h"
#include "core/hash.h"
#include "core/json.h"
#include "reports/sample_blob.h"

namespace fer::reports {
using metrics::EpochRecord;
using metrics::EvalMetrics;
using metrics::FinalRecord;

namespace {

// Each entry migrates from version i to i + 1.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  config_json TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  code_version TEXT NOT NULL,
  seed INTEGER NOT NULL,
  dataset TEXT NOT NULL, backbone TEXT NOT NULL, model TEXT NOT NULL, schedule TEXT NOT NULL,
  device TEXT NOT NULL, precision TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'interrupted', 'failed')),
  message TEXT,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  resume_state TEXT
);
CREATE INDEX runs_by_hash ON runs (config_hash, status);
CREATE TABLE provenance (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
);
CREATE TABLE datasets (
  run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  name TEXT NOT NULL, root TEXT NOT NULL, train_size INTEGER NOT NULL, val_size INTEGER NOT NULL,
  index_digest TEXT NOT NULL, class_names TEXT NOT NULL, report TEXT NOT NULL
);
CREATE TABLE epochs (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL, lr REAL,
  train_loss REAL, train_loss_expression REAL, train_loss_va REAL, train_accuracy REAL,
  val_loss REAL, val_loss_expression REAL, val_loss_va REAL, val_accuracy REAL, val_macro_f1 REAL,
  val_ccc_valence REAL, val_ccc_arousal REAL, val_pcc_valence REAL, val_pcc_arousal REAL,
  val_rmse_valence REAL, val_rmse_arousal REAL, val_sagr_valence REAL, val_sagr_arousal REAL,
  val_affwild2_expression REAL, val_affwild2_va REAL,
  train_images_per_s REAL, eval_images_per_s REAL, data_wait_s REAL, compute_s REAL,
  peak_rss_mb REAL, peak_cuda_mb REAL,
  PRIMARY KEY (run_id, epoch)
);
CREATE TABLE final_metrics (
  run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  best_epoch INTEGER NOT NULL,
  loss REAL, loss_expression REAL, loss_va REAL, accuracy REAL NOT NULL, macro_f1 REAL NOT NULL,
  ccc_valence REAL, ccc_arousal REAL, pcc_valence REAL, pcc_arousal REAL,
  rmse_valence REAL, rmse_arousal REAL, sagr_valence REAL, sagr_arousal REAL,
  affwild2_expression REAL, affwild2_va REAL,
  per_class_accuracy TEXT NOT NULL, confusion TEXT NOT NULL,
  train_images_per_s REAL, eval_images_per_s REAL, peak_rss_mb REAL, peak_cuda_mb REAL,
  checkpoint_path TEXT
);
)sql",
    R"sql(
CREATE TABLE bench_sessions (
  id INTEGER PRIMARY KEY,
  label TEXT NOT NULL, started_at TEXT NOT NULL, code_version TEXT NOT NULL, device TEXT NOT NULL,
  filter TEXT, peak_gflops REAL
);
CREATE TABLE bench_provenance (
  session_id INTEGER NOT NULL REFERENCES bench_sessions (id) ON DELETE CASCADE,
  key TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (session_id, key)
);
CREATE TABLE bench_results (
  session_id INTEGER NOT NULL REFERENCES bench_sessions (id) ON DELETE CASCADE,
  name TEXT NOT NULL, repetition INTEGER NOT NULL,
  images_per_s REAL, real_time_ms REAL, iterations INTEGER, flops_per_image REAL, error TEXT,
  PRIMARY KEY (session_id, name, repetition)
);
)sql",
    // Version 3: per-class values are recalls, and are named so; a config hash is that of
    // config_hash_of_json() (canonical JSON through a library), no longer of hand-written JSON.
    // fer_config_hash is registered by the ResultStore constructor.
    R"sql(
ALTER TABLE final_metrics RENAME COLUMN per_class_accuracy TO per_class_recall;
UPDATE runs SET config_hash = fer_config_hash(config_json);
)sql",
    // Version 4: the training split's label correlation matrix (the report prints the label graph).
    R"sql(
ALTER TABLE datasets ADD COLUMN label_correlation TEXT;
)sql",
    // Version 5: the store's own random id; checkpoint and resume-state files carry it, so the
    // stores that share a checkpoint folder (their run ids all start at 1) never overwrite
    // each other's files.
    R"sql(
CREATE TABLE IF NOT EXISTS store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO store_info VALUES ('store_id', lower(hex(randomblob(4))));
)sql",
    // Version 6: each run's per-sample validation outputs (reports/sample_blob.h), which
    // comparisons between configurations resample. Older runs have none.
    R"sql(
CREATE TABLE IF NOT EXISTS run_samples (
  run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  count INTEGER NOT NULL, num_classes INTEGER NOT NULL, has_va INTEGER NOT NULL,
  data BLOB NOT NULL
);
)sql",
};
constexpr int kNumMigrations = sizeof(kMigrations) / sizeof(kMigrations[0]);
static_assert(kNumMigrations == kSchemaVersion, "one migration per schema version");

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// The SQL function fer_config_hash(config_json) (migration 3); errors become SQL errors.
void sql_config_hash(sqlite3_context* context, int, sqlite3_value** args) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(args[0]));
  try {
    const std::string hash = config_hash_of_json(text ? text : "");
    sqlite3_result_text(context, hash.c_str(), -1, SQLITE_TRANSIENT);
  } catch (const std::exception& e) {
    sqlite3_result_error(context, e.what(), -1);
  }
}

double nan_unless(bool present, double v) { return present ? v : std::nan(""); }

// The VA-dependent values of EvalMetrics, in column order, NULL (NaN) without VA.
std::vector<Value> eval_values(const EvalMetrics& m) {
  return {m.loss,
          m.loss_expression,
          nan_unless(m.has_va, m.loss_va),
          m.accuracy,
          m.macro_f1,
          nan_unless(m.has_va, m.ccc_valence),
          nan_unless(m.has_va, m.ccc_arousal),
          nan_unless(m.has_va, m.pcc_valence),
          nan_unless(m.has_va, m.pcc_arousal),
          nan_unless(m.has_va, m.rmse_valence),
          nan_unless(m.has_va, m.rmse_arousal),
          nan_unless(m.has_va, m.sagr_valence),
          nan_unless(m.has_va, m.sagr_arousal),
          m.affwild2_expression,
          nan_unless(m.has_va, m.affwild2_va)};
}

}  // namespace

const std::vector<std::string>& unhashed_config_fields() {
  static const std::vector<std::string> fields = {
      "run_name", "db", "cache_dir", "checkpoint_dir", "workers", "checkpoint", "image_check"};
  return fields;
}

std::string config_hash_of_json(const std::string& config_json) {
  nlohmann::json fields =
      canonical(parse_json(config_json, "hash configuration", "", "config_json"));
  if (!fields.is_object())
    throw Error("hash configuration", "", 0, "config_json", "not a JSON object");
  for (const auto& name : unhashed_config_fields()) fields.erase(name);
  return fnv1a_hex(fields.dump());
}

ResultStore::ResultStore(const std::string& path)
    : ResultStore(Database(path), /*migrate_schema=*/true) {}

ResultStore::ResultStore(Database db, bool migrate_schema) : db_(std::move(db)) {
  if (sqlite3_create_function_v2(db_.handle(), "fer_config_hash", 1,
                                 SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, sql_config_hash,
                                 nullptr, nullptr, nullptr) != SQLITE_OK) {
    db_.fail("register fer_config_hash");
  }
  if (migrate_schema) migrate();
}

ResultStore ResultStore::open_read_only(const std::string& path) {
  Database file = Database::open_read_only(path);
  const auto rows = file.query("PRAGMA user_version");
  const int64_t version = rows.empty() ? 0 : as_int(rows[0][0]);
  if (version == kSchemaVersion) return ResultStore(std::move(file), /*migrate_schema=*/false);
  if (version > kSchemaVersion ||
      file.query("SELECT 1 FROM sqlite_master WHERE name = 'runs'").empty()) {
    throw Error("open result store", path, 0, "",
                version > kSchemaVersion
                    ? "schema version " + std::to_string(version) +
                          " is newer than this program's " + std::to_string(kSchemaVersion)
                    : "not a result store (no runs table)");
  }
  // An older schema is migrated in a copy in memory: the file stays as it is.
  Database memory(":memory:");
  memory.copy_from(file);
  return ResultStore(std::move(memory), /*migrate_schema=*/true);
}

std::string ResultStore::store_id() {
  const auto rows = db_.query("SELECT value FROM store_info WHERE key = 'store_id'");
  if (rows.empty())
    throw Error("read result store", db_.path(), 0, "store_info", "no store_id row");
  return as_string(rows[0][0]);
}

int ResultStore::schema_version() {
  auto rows = db_.query("PRAGMA user_version");
  return static_cast<int>(as_int(rows.at(0).at(0)));
}

void ResultStore::migrate() {
  db_.transaction([&] {
    const int version = schema_version();
    if (version > kSchemaVersion) {
      throw Error("open result store", db_.path(), 0, "",
                  "schema version " + std::to_string(version) + " is newer than this program's " +
                      std::to_string(kSchemaVersion));
    }
    for (int v = version; v < kSchemaVersion; ++v) db_.exec(kMigrations[v]);
    db_.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
  });
}

std::optional<int64_t> ResultStore::find_finished(const std::string& hash,
                                                  const std::string& code) {
  auto rows = db_.query(
      "SELECT id FROM runs WHERE config_hash = ?1 AND code_version = ?2 AND status = 'finished' "
      "ORDER BY id DESC LIMIT 1",
      {hash, code});
  if (rows.empty()) return std::nullopt;
  return as_int(rows[0][0]);
}

std::optional<std::pair<int64_t, std::string>> ResultStore::find_resumable(
    const std::string& hash) {
  auto rows = db_.query(
      "SELECT id, resume_state FROM runs WHERE config_hash = ?1 AND status IN ('interrupted', "
      "'failed', 'running') "
      "AND resume_state IS NOT NULL ORDER BY id DESC LIMIT 1",
      {hash});
  if (rows.empty()) return std::nullopt;
  return std::make_pair(as_int(rows[0][0]), as_string(rows[0][1]));
}

std::string ResultStore::dataset_digest(int64_t run_id) {
  const auto rows = db_.query("SELECT index_digest FROM datasets WHERE run_id = ?1", {run_id});
  return rows.empty() ? std::string() : as_string(rows[0][0]);
}

int64_t ResultStore::begin_run(const RunRecord& r, const Provenance& p, const DatasetRecord& d) {
  int64_t id = 0;
  db_.transaction([&] {
    db_.query(
        "INSERT INTO runs (name, config_json, config_hash, code_version, seed, dataset, backbone, "
        "model, "
        "schedule, device, precision, status, started_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
        "?9, ?10, "
        "?11, 'running', ?12)",
        {r.name, r.config_json, r.config_hash, r.code_version, r.seed, r.dataset, r.backbone,
         r.model, r.schedule, r.device, r.precision, now_utc()});
    id = db_.last_insert_id();
    for (const auto& [key, value] : p) {
      db_.query("INSERT INTO provenance (run_id, key, value) VALUES (?1, ?2, ?3)",
                {id, key, value});
    }
    db_.query(
        "INSERT INTO datasets (run_id, name, root, train_size, val_size, index_digest, "
        "class_names, report, "
        "label_correlation) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULLIF(?9, ''))",
        {id, d.name, d.root, d.train_size, d.val_size, d.index_digest, d.class_names_json,
         d.report_text, d.label_correlation_json});
  });
  return id;
}

std::string ResultStore::reopen_run(int64_t run_id, const std::string& code_version) {
  std::string started_with;
  db_.transaction([&] {
    const auto rows = db_.query("SELECT code_version FROM runs WHERE id = ?1", {run_id});
    if (rows.empty())
      throw Error("reopen run", db_.path(), 0, "run_id", "no run #" + std::to_string(run_id));
    started_with = as_string(rows[0][0]);
    db_.query("UPDATE runs SET status = 'running', message = NULL, ended_at = NULL WHERE id = ?1",
              {run_id});
    if (started_with != code_version) {
      db_.query("UPDATE runs SET code_version = 'unknown' WHERE id = ?1", {run_id});
      db_.query(
          "INSERT OR REPLACE INTO provenance (run_id, key, value) VALUES (?1, "
          "'code_version_resumed_with', ?2)",
          {run_id, code_version});
    }
  });
  return started_with;
}

void ResultStore::record_epoch(int64_t run_id, const EpochRecord& e) {
  std::vector<Value> values = {run_id,
                               e.epoch,
                               e.lr,
                               e.train_loss,
                               e.train_loss_expression,
                               nan_unless(e.val.has_va, e.train_loss_va),
                               e.train_accuracy};
  for (auto& v : eval_values(e.val)) values.push_back(v);
  for (double v : {e.train_images_per_s, e.eval_images_per_s, e.data_wait_s, e.compute_s,
                   e.peak_rss_mb, e.peak_cuda_mb}) {
    values.push_back(v);
  }
  db_.transaction([&] {
    db_.query(
        "INSERT OR REPLACE INTO epochs VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
        "?13, ?14, "
        "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)",
        values);
  });
}

void ResultStore::set_resume_state(int64_t run_id, const std::string& path) {
  db_.transaction([&] {
    db_.query("UPDATE runs SET resume_state = ?2 WHERE id = ?1", {run_id, path});
  });
}

void ResultStore::finish_run(int64_t run_id, const FinalRecord& f) {
  std::vector<Value> values = {run_id, f.best_epoch};
  for (auto& v : eval_values(f.val)) values.push_back(v);
  values.push_back(number_array(f.per_class_recall).dump());
  values.push_back(nlohmann::json(f.confusion).dump());
  for (double v : {f.train_images_per_s, f.eval_images_per_s, f.peak_rss_mb, f.peak_cuda_mb})
    values.push_back(v);
  values.push_back(f.checkpoint_path);
  db_.transaction([&] {
    db_.query(
        "INSERT OR REPLACE INTO final_metrics VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
        "?11, ?12, "
        "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
        values);
    if (!f.samples.empty()) {
      const std::string blob = encode_samples(f.samples);
      Statement insert(db_, "INSERT OR REPLACE INTO run_samples VALUES (?1, ?2, ?3, ?4, ?5)");
      insert.bind({run_id, static_cast<int64_t>(f.samples.size()),
                   static_cast<int64_t>(f.samples.num_classes),
                   static_cast<int64_t>(f.samples.has_va() ? 1 : 0)});
      insert.bind_blob(5, blob.data(), blob.size());
      while (insert.step()) {
      }
    }
    db_.query(
        "UPDATE runs SET status = 'finished', message = NULL, resume_state = NULL, ended_at = ?2 "
        "WHERE id = ?1",
        {run_id, now_utc()});
  });
}

std::optional<metrics::SampleRecord> ResultStore::samples_of(int64_t run_id) {
  return read_samples(db_, run_id);
}

std::optional<metrics::SampleRecord> read_samples(Database& db, int64_t run_id) {
  const auto tables =
      db.query("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'run_samples'");
  if (as_int(tables.at(0).at(0)) == 0) return std::nullopt;  // A store older than schema 6.
  Statement select(db, "SELECT data FROM run_samples WHERE run_id = ?1");
  select.bind({run_id});
  if (!select.step()) return std::nullopt;
  return decode_samples(select.column_blob(0), db.path() + " run " + std::to_string(run_id));
}

void ResultStore::mark_run(int64_t run_id, const std::string& status, const std::string& message) {
  db_.transaction([&] {
    db_.query("UPDATE runs SET status = ?2, message = ?3, ended_at = ?4 WHERE id = ?1",
              {run_id, status, message, now_utc()});
  });
}

namespace {

int64_t insert_bench_session(Database& db, const BenchSession& s, const Provenance& p) {
  db.query(
      "INSERT INTO bench_sessions (label, started_at, code_version, device, filter, peak_gflops) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
      {s.label, now_utc(), s.code_version, s.device, s.filter, s.peak_gflops});
  const int64_t id = db.last_insert_id();
  for (const auto& [key, value] : p) {
    db.query("INSERT INTO bench_provenance (session_id, key, value) VALUES (?1, ?2, ?3)",
             {id, key, value});
  }
  return id;
}

void insert_bench_results(Database& db, int64_t id, const std::vector<BenchResult>& results) {
  for (const auto& r : results) {
    db.query("INSERT INTO bench_results VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
             {id, r.name, r.repetition, r.images_per_s, r.real_time_ms, r.iterations,
              r.flops_per_image, r.error.empty() ? Value(nullptr) : Value(r.error)});
  }
}

}  // namespace

int64_t ResultStore::begin_bench_session(const BenchSession& s, const Provenance& p) {
  int64_t id = 0;
  db_.transaction([&] { id = insert_bench_session(db_, s, p); });
  return id;
}

void ResultStore::add_bench_results(int64_t session_id, const std::vector<BenchResult>& results) {
  db_.transaction([&] { insert_bench_results(db_, session_id, results); });
}

int64_t ResultStore::record_benchmarks(const BenchSession& s, const Provenance& p,
                                       const std::vector<BenchResult>& results) {
  int64_t id = 0;
  db_.transaction([&] {
    id = insert_bench_session(db_, s, p);
    insert_bench_results(db_, id, results);
  });
  return id;
}

}  // namespace fer::reports
