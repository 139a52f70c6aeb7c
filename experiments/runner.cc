#include "experiments/runner.h"

#include <algorithm>
#include <boost/filesystem.hpp>
#include <chrono>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "core/error.h"
#include "core/hash.h"
#include "datasets/dataset.h"
#include "datasets/report.h"
#include "distributed/agreement.h"
#include "distributed/collective.h"
#include "distributed/failure_context.h"
#include "experiments/code_version.h"
#include "experiments/config_fields.h"
#include "experiments/preflight.h"
#include "experiments/provenance.h"
#include "experiments/train_options.h"
#include "metrics/recorder.h"
#include "third_party/torch_info.h"
#include "training/device.h"
#include "training/interrupt.h"
#include "training/trainer.h"

namespace fer::experiments {
namespace {

// Permutes (expression, valence, arousal) across training samples: the gate's broken model.
void shuffle_labels(datasets::Dataset& d, uint64_t seed) {
  auto& samples = d.index.train.samples;
  uint64_t state = seed ^ 0x5DEECE66Dull;
  for (size_t i = samples.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(splitmix64(state) % i);
    std::swap(samples[i - 1].expression, samples[j].expression);
    std::swap(samples[i - 1].valence, samples[j].valence);
    std::swap(samples[i - 1].arousal, samples[j].arousal);
  }
}

}  // namespace

datasets::Dataset open_run_data(const RunConfig& c, std::ostream* log) {
  datasets::DatasetOptions o;
  o.name = c.dataset;
  o.root = c.data_root;
  o.cache_root = c.cache_dir;
  o.glove_path = c.glove;
  o.read.bad_rows =
      c.skip_bad_rows ? datasets::BadRowPolicy::kSkip : datasets::BadRowPolicy::kError;
  o.image_check.mode =
      *datasets::parse_image_check_mode(c.image_check);  // resolve() checked the name.
  o.image_check.threads = std::max(1, c.workers);
  o.image_check.cancelled = [] { return training::g_interrupt_requested.load(); };
  if (log != nullptr) {
    o.image_check.progress = [log, mode = c.image_check](int64_t done, int64_t total) {
      *log << "checking images (" << mode << "): " << done << "/" << total << "\n" << std::flush;
    };
  }
  o.synthetic.train_per_class = c.synth_train_per_class;
  o.synthetic.val_per_class = c.synth_val_per_class;
  o.synthetic.label_noise = c.synth_label_noise;
  return datasets::open_dataset(o);
}

reports::DatasetRecord dataset_record(const datasets::Dataset& d) {
  reports::DatasetRecord r;
  r.name = d.index.name;
  r.root = d.index.root;
  r.index_digest = d.index.digest;
  r.class_names_json = nlohmann::json(d.index.class_names).dump();
  r.report_text = datasets::format_report(d.index.train.report) + "\n" +
                  datasets::format_report(d.index.val.report) +
                  "\nnode embeddings: " + d.embedding_source + "\nlayout: " + d.index.layout;
  r.train_size = static_cast<int64_t>(d.index.train.samples.size());
  r.val_size = static_cast<int64_t>(d.index.val.samples.size());
  const size_t n = d.index.class_names.size() + 2;
  if (d.correlation.size() == n * n) {
    nlohmann::json rows = nlohmann::json::array();
    for (size_t i = 0; i < n; ++i) {
      nlohmann::json row = nlohmann::json::array();
      for (size_t j = 0; j < n; ++j) {
        const double v = d.correlation[i * n + j];
        row.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr));
      }
      rows.push_back(row);
    }
    r.label_correlation_json = rows.dump();
  }
  return r;
}

namespace {

// What the training loop runs against: the job's ranks, or a world of one.
std::unique_ptr<distributed::Collective> collective_of(distributed::Group* group) {
  if (group == nullptr) return std::make_unique<distributed::WorldOfOne>();
  return std::make_unique<distributed::GroupCollective>(*group);
}

// Rank 0's decision, on every rank (a no-op without a group).
int64_t from_rank0(distributed::Group* group, int64_t value, const std::string& what) {
  return group == nullptr ? value : group->broadcast_int(value, 0, what);
}

std::string from_rank0(distributed::Group* group, const std::string& value,
                       const std::string& what) {
  return group == nullptr ? value : group->broadcast_string(value, 0, what);
}

// Opens the run's data: rank 0 first (it may generate the synthetic set and write the index
// cache), the other ranks after it, from its cache.
datasets::Dataset open_data_in_turn(const RunConfig& c, std::ostream& log,
                                    distributed::Group* group) {
  const bool first = group == nullptr || group->rank() == 0;
  if (!first) group->barrier("waiting for rank 0 to open the dataset");
  datasets::Dataset data = open_run_data(c, &log);
  if (first && group != nullptr) group->barrier("waiting for rank 0 to open the dataset");
  return data;
}

// What every rank of a job must share: the code version and the fields that decide the result
// (experiments/config_fields.h, FieldRole::kResult), with the device's type only (each machine
// picks its own GPU index). Each machine's paths, threads and placement may differ; the data's
// contents are compared by shared_data.
nlohmann::json shared_config(const RunConfig& c) {
  nlohmann::json fields = result_fields(c);
  fields["device"] = c.device.substr(0, c.device.find(':'));
  fields["code_version"] = code_version();  // The same program on every machine.
  return fields;
}

// The data every rank must read: the parsed index (paths relative to the root) and the graph's
// node embeddings, wherever the copy is mounted.
nlohmann::json shared_data(const datasets::Dataset& d) {
  const auto& e = d.node_embeddings;
  const std::string_view embeddings(reinterpret_cast<const char*>(e.data()),
                                    e.size() * sizeof(float));
  return {{"index_digest", d.index.digest},
          {"train_samples", d.index.train.samples.size()},
          {"val_samples", d.index.val.samples.size()},
          {"classes", d.index.class_names},
          {"node_embeddings", fnv1a_hex(embeddings)}};
}

}  // namespace

RunOutcome run_experiment(const RunConfig& raw, std::ostream& log, distributed::Group* group) {
  RunConfig resolved_config = resolve(raw);
  if (group != nullptr) resolved_config.world_size = group->size();
  const RunConfig c = resolved_config;
  const bool rank0 = group == nullptr || group->rank() == 0;
  const int openblas_threads = training::set_threads(c.threads);
  const std::string hash = config_hash(c), code = code_version();
  log << torch_build_summary() << "\n"
      << "config " << hash << ": " << to_json(c) << "\n"
      << "code version " << code << "\n";
  if (group != nullptr) {
    distributed::require_agreement(*group, "configuration", shared_config(c));
    log << "data-parallel: rank " << group->rank() << " of " << group->size() << " ("
        << group->backend() << "); per-rank batch " << c.batch_size << ", global batch "
        << c.batch_size * group->size() << "; " << group->transport() << "\n";
  }
  if (c.schedule == "paper" && c.pretrained.empty() && c.backbone == "densenet") {
    log << "WARNING: the paper trained DenseNet-121 from ImageNet weights (--pretrained "
           "densenet121-*.pth);\n"
           "WARNING: this run starts from random weights, so its numbers are NOT comparable to the "
           "paper's.\n";
  }
  // Only rank 0 touches the result store (on multi-node jobs it may exist only on its machine).
  std::unique_ptr<reports::ResultStore> store;
  if (rank0) {
    preflight(c, log);
    boost::filesystem::path db_dir = boost::filesystem::path(c.db).parent_path();
    if (!db_dir.empty()) boost::filesystem::create_directories(db_dir);
    store = std::make_unique<reports::ResultStore>(c.db);
  }
  RunOutcome outcome;
  int64_t finished_id = -1;
  if (!reusable_code_version(code)) {
    log << "code version " << code
        << ": this binary was built outside a git checkout, so earlier results "
        << "are never reused\n";
  } else if (!c.force && rank0) {
    // --resume continues unfinished work only: a finished run is never trained again.
    if (auto id = store->find_finished(hash, code)) finished_id = *id;
  }
  finished_id = from_rank0(group, finished_id, "rank 0's check for a finished run");
  if (finished_id >= 0) {
    log << "run '" << c.run_name << "' already finished as run #" << finished_id << " with code "
        << code << " in " << c.db << "; skipping (--force to run again)\n";
    outcome.run_id = finished_id;
    outcome.status = "skipped";
    return outcome;
  }
  std::optional<datasets::Dataset> opened;
  try {
    opened = open_data_in_turn(c, log, group);
  } catch (const fer::Interrupted& e) {
    // Nothing is stored yet: the same command starts over, the index check included.
    log << "interrupted while opening the dataset (" << e.what() << "); nothing was stored\n";
    outcome.status = "interrupted";
    return outcome;
  }
  datasets::Dataset data = std::move(*opened);
  if (group != nullptr) distributed::require_agreement(*group, "dataset", shared_data(data));
  if (c.shuffle_train_labels) {
    shuffle_labels(data, c.seed);
    log << "WARNING: --shuffle_train_labels: training labels permuted; this model is broken on "
           "purpose\n";
  }
  log << "dataset " << data.index.name << " (" << data.index.train.samples.size() << " train / "
      << data.index.val.samples.size() << " val, digest " << data.index.digest << ")\n";
  if (!data.cache_error.empty())
    log << "WARNING: dataset index not cached: " << data.cache_error << "\n";
  std::string resume_from;
  if (c.resume && rank0) {
    auto found = store->find_resumable(hash);
    const std::string trained_on = found ? store->dataset_digest(found->first) : std::string();
    if (found && trained_on != data.index.digest) {
      // The annotations changed since it stopped (the hash names the folder, not its contents):
      // continuing would train one run on two datasets.
      log << "WARNING: run #" << found->first << " was trained on data with digest " << trained_on
          << "; " << c.data_root << " now reads to " << data.index.digest
          << ", so it is not resumed; starting a new run\n";
      found.reset();
    } else if (found) {
      outcome.run_id = found->first;
      resume_from = found->second;
      const std::string started_with = store->reopen_run(outcome.run_id, code);
      if (started_with != code) {
        log << "WARNING: run #" << outcome.run_id << " was started with code " << started_with
            << " and resumes with " << code
            << "; its result will not be reused by later runs (code version 'unknown')\n";
      }
    } else if (trained_on.empty()) {
      log << "nothing to resume for config " << hash << "; starting a new run\n";
    }
  }
  if (outcome.run_id < 0 && rank0) {
    reports::RunRecord run{
        c.run_name, to_json(c), hash,    code,       static_cast<int64_t>(c.seed),
        c.dataset,  c.backbone, c.model, c.schedule, c.device,
        c.precision};
    reports::Provenance provenance =
        collect_provenance(c.threads, openblas_threads, c.workers, c.device);
    provenance["world_size"] = std::to_string(c.world_size);
    if (group != nullptr) provenance["dist_backend"] = group->backend();
    outcome.run_id = store->begin_run(run, provenance, dataset_record(data));
  }
  // From here on rank 0 has a row in the store: any failure (a collective with a rank gone
  // included) marks it failed.
  std::unique_ptr<metrics::Recorder> recorder;
  if (rank0) {
    recorder = std::make_unique<reports::StoreRecorder>(*store, outcome.run_id);
  } else {
    recorder = std::make_unique<metrics::DiscardingRecorder>();
  }
  try {
    outcome.run_id = from_rank0(group, outcome.run_id, "rank 0's run id");
    resume_from = from_rank0(group, resume_from, "rank 0's resume state");
    RunConfig run_config = c;
    run_config.store_id =
        from_rank0(group, rank0 ? store->store_id() : std::string(), "rank 0's store id");
    log << "run #" << outcome.run_id << " '" << c.run_name << "' -> " << c.db << "\n";
    std::unique_ptr<distributed::Collective> world = collective_of(group);
    const training::TrainResult result = training::train(train_options(run_config, outcome.run_id),
                                                         data, *recorder, resume_from, log, *world);
    const bool finished = result.outcome == training::Outcome::kFinished;
    outcome.status = finished ? "finished" : "interrupted";
    outcome.final_record = result.final_record;
    if (finished) {
      recorder->finish(result.final_record);
      // A finished run is never resumed: its state (tens of MB) would only fill the disk.
      if (rank0) {
        boost::system::error_code ignored;
        boost::filesystem::remove(resume_state_path(run_config, outcome.run_id), ignored);
      }
      log << "finished run #" << outcome.run_id << ": best epoch "
          << result.final_record.best_epoch + 1 << ", accuracy " << result.final_record.val.accuracy
          << ", macro F1 " << result.final_record.val.macro_f1 << "; checkpoint "
          << result.final_record.checkpoint_path << "\n";
    } else {
      recorder->mark("interrupted", "interrupted; continue with --resume");
      log << "interrupted: state saved; continue with the same flags plus --resume\n";
    }
  } catch (const std::exception& e) {
    std::string message = e.what();
    const std::string context =
        group == nullptr ? "" : distributed::failure_context(*group, message, c.dist_timeout);
    if (!context.empty()) message += "; " + context;
    recorder->mark("failed", message);
    throw;
  }
  return outcome;
}

}  // namespace fer::experiments
