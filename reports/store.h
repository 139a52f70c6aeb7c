// The result store (SQLite; this folder owns the schema): runs with their resolved config and
// hash, provenance, dataset identity, per-epoch metrics, final metrics and checkpoint paths.
// WAL mode and a busy timeout let several runners write one file at once; every logical write
// is one transaction, so readers never see partial runs. The schema is versioned and migrated
// forward on open.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reports/sqlite.h"

namespace fer::reports {

constexpr int kSchemaVersion = 2;

/// Validation metrics of one evaluation (whole split), as stored per epoch and finally.
struct EvalMetrics {
  double loss = 0, loss_expression = 0, loss_va = 0;
  double accuracy = 0, macro_f1 = 0;
  double ccc_valence = 0, ccc_arousal = 0, pcc_valence = 0, pcc_arousal = 0;
  double rmse_valence = 0, rmse_arousal = 0, sagr_valence = 0, sagr_arousal = 0;
  double affwild2_expression = 0, affwild2_va = 0;
  bool has_va = false;  // False for single-task models: VA columns are stored as NULL.
};

struct EpochRecord {
  int64_t epoch = 0;
  double lr = 0;
  double train_loss = 0, train_loss_expression = 0, train_loss_va = 0, train_accuracy = 0;
  EvalMetrics val;
  double train_images_per_s = 0, eval_images_per_s = 0;
  double data_wait_s = 0, compute_s = 0;
  double peak_rss_mb = 0, peak_cuda_mb = 0;
};

struct FinalRecord {
  int64_t best_epoch = 0;
  EvalMetrics val;
  std::vector<double> per_class_accuracy;
  std::vector<int64_t> confusion;  // Row-major K x K (true x predicted).
  double train_images_per_s = 0, eval_images_per_s = 0;
  double peak_rss_mb = 0, peak_cuda_mb = 0;
  std::string checkpoint_path;
};

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
};

/// One benchmark measurement (a repetition of a Google Benchmark run).
struct BenchResult {
  std::string name;          // e.g. BM_TrainStep/densenet_emotion_gcn/bs:35/cuda/bf16/channels_last
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

class ResultStore {
 public:
  /// Opens or creates the database and migrates it to kSchemaVersion. Throws fer::Error if
  /// the file is newer than this code or not a result store.
  explicit ResultStore(const std::string& path);

  /// A finished run with this config hash and code version, if any.
  std::optional<int64_t> find_finished(const std::string& config_hash, const std::string& code_version);
  /// The newest interrupted or failed run with this config hash that has a resume state.
  std::optional<std::pair<int64_t, std::string>> find_resumable(const std::string& config_hash);

  /// Inserts the run (status 'running'), its provenance and dataset in one transaction.
  int64_t begin_run(const RunRecord& run, const Provenance& provenance, const DatasetRecord& dataset);
  /// Re-opens an interrupted run for --resume (status back to 'running'). When it was started
  /// under another code version, its code version becomes "unknown" (a run trained by two
  /// versions of the code is never reused) and provenance records both. Returns the version the
  /// run was started with.
  std::string reopen_run(int64_t run_id, const std::string& code_version);
  void record_epoch(int64_t run_id, const EpochRecord& epoch);
  void set_resume_state(int64_t run_id, const std::string& path);
  /// Final metrics + status 'finished' + end time, in one transaction.
  void finish_run(int64_t run_id, const FinalRecord& final_record);
  /// status: 'interrupted' or 'failed'; message is stored with it.
  void mark_run(int64_t run_id, const std::string& status, const std::string& message);

  /// A benchmark session with its provenance and results, in one transaction.
  int64_t record_benchmarks(const BenchSession& session, const Provenance& provenance,
                            const std::vector<BenchResult>& results);

  Database& db() { return db_; }
  int schema_version();

 private:
  void migrate();
  Database db_;
};

/// JSON helpers shared by the store and the reports (numbers printed with %.17g).
std::string json_array(const std::vector<double>& values);
std::string json_array(const std::vector<int64_t>& values);
std::string json_array(const std::vector<std::string>& values);
std::string json_escape(const std::string& s);
/// Parses a flat JSON array of numbers (as written by json_array).
std::vector<double> parse_number_array(const std::string& json);

}  // namespace fer::reports
