// The runner's configuration: every flag, the schedules ("paper" = the reference training
// recipe, "smoke" = the small fast variant for the synthetic sets), resolution of defaults from
// the schedule, the JSON the database stores, and the hash that identifies a result.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/synthetic.h"

namespace fer::experiments {

struct RunConfig {
  // What to train.
  std::string dataset = "synth-affectnet", data_root, backbone = "densenet", model = "emotion_gcn";
  std::string schedule = "auto";  // auto -> smoke for synthetic sets, paper otherwise.
  // Optimisation. In this struct a negative value means "not given: use the schedule's default"
  // (resolve() fills it in); on the command line every given value is range-checked, so "-1"
  // there is an error, never "unset" (experiments/config_ranges.h lists the ranges).
  int epochs = -1;
  int64_t batch_size = -1;
  double lr = -1, momentum = -1, weight_decay = -1, lambda = -1;
  int lr_step = -1;
  double lr_gamma = -1;
  int early_stop = -1;                 // Epochs without validation-accuracy gain before stopping.
  int input_size = -1;                 // 227 / 112 (paper), 32 DenseNet / 16 BReG-NeXt (smoke).
  std::string class_weights = "auto";  // auto | on | off.
  int augment = -1;                    // 1 on, 0 off, -1 the schedule's (paper on, smoke off).
  double color_jitter = 0;
  // JPEG decoding: "scaled" (the smallest DCT scale that covers the crop at input_size) or
  // "full" (every pixel, then resized).
  std::string decode = "scaled";
  // Preprocessing: "reference" (the reference's own chain, datasets/reference_transforms.h; the
  // paper schedule's default), "fast" (one affine warp, datasets/transforms.h; smoke's default)
  // or "auto".
  std::string preprocess = "auto";
  uint64_t seed = 0;
  // Execution.
  std::string device = "cpu", precision = "fp32";
  bool channels_last = false;
  int threads = -1, workers = -1;
  // Emotion-GCN's label graph and node embeddings (experiments/graph_flags.h); the defaults are
  // the reference's, and stay out of the stored JSON.
  double graph_threshold = 0.1, graph_reweight = 0.5;
  std::string graph_source = "train";
  bool graph_expression_edges = false;
  std::string node_embeddings = "auto";
  // Inputs and outputs.
  std::string pretrained, glove, db, run_name, cache_dir, checkpoint_dir;
  bool resume = false, force = false, skip_bad_rows = false;
  // Images checked when the index is built: decode | header | off (datasets/image_check.h).
  std::string image_check = "decode";
  // The synthetic twin's size and label noise (defaults: the generator's own).
  int synth_train_per_class = datasets::SyntheticOptions{}.train_per_class;
  int synth_val_per_class = datasets::SyntheticOptions{}.val_per_class;
  // Share of synthetic training images drawn with a random expression instead of their label's.
  double synth_label_noise = datasets::SyntheticOptions{}.label_noise;
  // Deliberately broken training (the regression gate's own test): training labels permuted.
  bool shuffle_train_labels = false;
  // Testing aid: behave as if Ctrl-C arrived after this many training steps (0 = never).
  int64_t interrupt_after_steps = 0;
  // Data-parallel training (issue #11). world_size is the job's, read from the launcher's
  // environment (distributed/launch_env.h) by the runner, not a flag; with more than one process
  // it and the backend are part of the JSON and the hash (the global batch is batch_size x
  // world_size), and a single-process run's JSON is unchanged. nproc > 0: the runner starts that
  // many local ranks itself. dist_timeout: seconds the rendezvous and each collective may take.
  int world_size = 1;
  std::string dist_backend =
      "auto";  // Resolved by distributed::resolve_backend in a distributed run.
  int nproc = 0;
  double dist_timeout = 600;
  // Testing aid (the fault tests): this rank (>= 0) exits abruptly, as if killed, after
  // testing_die_after_steps steps.
  int testing_die_rank = -1;
  int64_t testing_die_after_steps = 0;
  // Evaluation of saved weights (experiments/evaluate.h): the file and its SHA-256; empty for
  // training runs (and then absent from the JSON and the hash, so training hashes are unchanged).
  std::string checkpoint, checkpoint_sha256;
  // The result store's id (reports::ResultStore::store_id), set by the runner, never a flag nor
  // in the JSON: it prefixes the run's checkpoint and resume-state file names.
  std::string store_id;
};

/// Parses argv (Boost.Program_options). Returns false (after printing help) for --help.
/// Throws fer::Error naming the flag for unknown flags, bad values, values outside the flag's
/// range (check_flag_ranges), and unknown names (with the valid ones listed).
bool parse_run_config(int argc, const char* const* argv, RunConfig* config);
/// The --help text.
std::string run_config_help();

/// Fills every schedule-dependent default (schedule, epochs, lr, input size, threads, db path,
/// run name, ...) and validates names and every numeric range. Throws fer::Error for invalid
/// values and combinations.
RunConfig resolve(RunConfig config);

/// Compact, sorted-key JSON of the resolved config's stored fields (experiments/config_fields.h;
/// nlohmann/json; numbers as core/json.h).
std::string to_json(const RunConfig& config);
/// reports::config_hash_of_json(to_json(config)): the stored fields less the placement ones
/// (FieldRole::kPlacement: db, run_name, workers, cache and checkpoint paths, image_check).
std::string config_hash(const RunConfig& config);

/// The loader's default worker count: 2 on the CPU, where training needs the cores; on a GPU,
/// where the cores only decode and augment, all of them but two (at least 2, at most 16).
int default_workers(const std::string& device, unsigned cores);

std::vector<std::string> schedule_names();
std::vector<std::string> precision_names();

/// Where results go by default: $BUILD_WORKSPACE_DIRECTORY/results.db under `bazel run`,
/// ./results.db otherwise.
std::string default_db_path();

}  // namespace fer::experiments
