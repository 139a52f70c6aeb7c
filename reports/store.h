// The result store (SQLite; this folder owns the schema): runs with their resolved config and
// hash, provenance, dataset identity, per-epoch metrics, final metrics, per-sample validation
// outputs (schema 6) and checkpoint paths.
// WAL mode and a busy timeout let several runners write one file at once; every logical write
// is one transaction, so readers never see partial runs. The schema is versioned and migrated
// forward on open.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/sqlite.h"
#include "metrics/recorder.h"
#include "metrics/records.h"

namespace fer::reports {

constexpr int kSchemaVersion = 6;

struct RunRecord {
  std::string name, config_json, config_hash, code_version;
  int64_t seed = 0;
  std::string dataset, backbone, model, schedule, device, precision;
};

/// Provenance: key -> value (git_commit, git_dirty, host, cpu_model, cores, gpu_name,
/// gpu_driver, cuda_version, libtorch, opencv, blas, compiler, build_mode, threads, workers, ...).
using Provenance = std::map<std::string, std::string>;

struct DatasetRecord {
  std::string name, root, index_digest, class_names_json, report_text;
  int64_t train_size = 0, val_size = 0;
  /// The label graph's input: the (K+2) x (K+2) Spearman matrix of the training split (classes,
  /// valence, arousal; datasets/label_stats.h) as a JSON array of rows, NaN as null; empty: none.
  std::string label_correlation_json;
};

/// One benchmark measurement (a repetition of a Google Benchmark run).
struct BenchResult {
  std::string name;  // e.g. BM_TrainStep/densenet_emotion_gcn/bs:35/cuda/bf16/channels_last
  int64_t repetition = 0;
  double images_per_s = 0, real_time_ms = 0;
  int64_t iterations = 0;
  double flops_per_image = 0;  // 0 when not a model benchmark.
  std::string error;           // Non-empty when the benchmark was skipped (e.g. no CUDA device).
};

struct BenchSession {
  std::string label, code_version, device, filter;
  double peak_gflops = 0;  // Large matrix product measured in the same run.
};

/// A run's per-sample validation outputs read from `db` (also a store opened read-only at an
/// older schema, which has none); std::nullopt when the run has none. Throws fer::Error for a
/// damaged BLOB.
std::optional<metrics::SampleRecord> read_samples(Database& db, int64_t run_id);

class ResultStore {
 public:
  /// Opens or creates the database and migrates it to kSchemaVersion. Throws fer::Error if
  /// the file is newer than this code or not a result store.
  explicit ResultStore(const std::string& path);
  /// Opens an existing store for reading: neither the file nor its WAL is written (a read-only
  /// copy works; a shared store is left as it is). An older schema is migrated in a copy in
  /// memory. Throws fer::Error if the file is missing, newer than this code or not a store.
  static ResultStore open_read_only(const std::string& path);
  /// The store's random id (8 hex digits), part of its checkpoint file names.
  std::string store_id();

  /// A finished run with this config hash and code version, if any.
  std::optional<int64_t> find_finished(const std::string& config_hash,
                                       const std::string& code_version);
  /// The newest interrupted or failed run with this config hash that has a resume state.
  std::optional<std::pair<int64_t, std::string>> find_resumable(const std::string& config_hash);
  /// The index digest of the dataset a run was trained on ("" when the run has no dataset row).
  std::string dataset_digest(int64_t run_id);

  /// Inserts the run (status 'running'), its provenance and dataset in one transaction.
  int64_t begin_run(const RunRecord& run, const Provenance& provenance,
                    const DatasetRecord& dataset);
  /// Re-opens an interrupted run for --resume (status back to 'running'). When it was started
  /// under another code version, its code version becomes "unknown" (a run trained by two
  /// versions of the code is never reused) and provenance records both. Returns the version the
  /// run was started with.
  std::string reopen_run(int64_t run_id, const std::string& code_version);
  void record_epoch(int64_t run_id, const metrics::EpochRecord& epoch);
  void set_resume_state(int64_t run_id, const std::string& path);
  /// Final metrics + status 'finished' + end time, in one transaction.
  void finish_run(int64_t run_id, const metrics::FinalRecord& final_record);
  /// The run's per-sample validation outputs (its best epoch's, or its evaluation's); none for
  /// runs stored before schema 6 or not finished. Throws fer::Error for a damaged BLOB.
  std::optional<metrics::SampleRecord> samples_of(int64_t run_id);
  /// status: 'interrupted' or 'failed'; message is stored with it.
  void mark_run(int64_t run_id, const std::string& status, const std::string& message);

  /// A benchmark session with its provenance (no results yet); returns its id. With
  /// add_bench_results after each benchmark, a run cut off keeps every benchmark that finished.
  int64_t begin_bench_session(const BenchSession& session, const Provenance& provenance);
  /// Appends one benchmark's repetitions to a session, in one transaction.
  void add_bench_results(int64_t session_id, const std::vector<BenchResult>& results);
  /// A benchmark session with its provenance and results, in one transaction.
  int64_t record_benchmarks(const BenchSession& session, const Provenance& provenance,
                            const std::vector<BenchResult>& results);

  Database& db() { return db_; }
  int schema_version();

 private:
  ResultStore(Database db, bool migrate_schema);
  void migrate();
  Database db_;
};

/// Fields of runs.config_json that do not change a run's results and so are left out of its
/// config hash: where it is stored and named, loader workers, an evaluation's checkpoint path
/// (its SHA-256 is hashed). The hash is FNV-1a 64 of the remaining fields as compact JSON.
const std::vector<std::string>& unhashed_config_fields();

/// The config hash of a run's config JSON (16 hex digits): FNV-1a 64 of its canonical compact
/// text (core/json.h) without unhashed_config_fields(). Throws fer::Error for malformed JSON.
std::string config_hash_of_json(const std::string& config_json);

/// The store as the Recorder of one run (begun with begin_run or reopened with reopen_run).
class StoreRecorder final : public metrics::Recorder {
 public:
  StoreRecorder(ResultStore& store, int64_t run_id) : store_(store), run_id_(run_id) {}
  void record_epoch(const metrics::EpochRecord& epoch) override {
    store_.record_epoch(run_id_, epoch);
  }
  void record_resume_state(const std::string& path) override {
    store_.set_resume_state(run_id_, path);
  }
  void finish(const metrics::FinalRecord& final_record) override {
    store_.finish_run(run_id_, final_record);
  }
  void mark(const std::string& status, const std::string& message) override {
    store_.mark_run(run_id_, status, message);
  }
  int64_t run_id() const { return run_id_; }

 private:
  ResultStore& store_;
  int64_t run_id_;
};

}  // namespace fer::reports
