#include "experiments/runner.h"

#include <boost/filesystem.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "core/error.h"
#include "distributed/agreement.h"
#include "distributed/collective.h"
#include "distributed/failure_context.h"
#include "experiments/config_fields.h"
#include "experiments/preflight.h"
#include "experiments/provenance.h"
#include "experiments/run_data.h"
#include "experiments/run_lifecycle.h"
#include "experiments/train_options.h"
#include "metrics/recorder.h"
#include "training/trainer.h"

namespace fer::experiments {
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

void warn_about(const RunConfig& c, std::ostream& log) {
  if (c.schedule == "paper" && c.pretrained.empty() && c.backbone == "densenet") {
    log << "WARNING: the paper trained DenseNet-121 from ImageNet weights (--pretrained "
           "densenet121-*.pth);\n"
           "WARNING: this run starts from random weights, so its numbers are NOT comparable to the "
           "paper's.\n";
  }
}

// Rank 0's store, after the checks made before anything runs (inputs, store, checkpoints).
std::unique_ptr<reports::ResultStore> open_store(const RunConfig& c, std::ostream& log) {
  preflight(c, log);
  const boost::filesystem::path db_dir = boost::filesystem::path(c.db).parent_path();
  if (!db_dir.empty()) boost::filesystem::create_directories(db_dir);
  return std::make_unique<reports::ResultStore>(c.db);
}

// With --resume: the interrupted run of this config to continue (its id and resume state), or
// none when there is none, or when its annotations changed since it stopped.
std::optional<std::pair<int64_t, std::string>> resumable_run(reports::ResultStore& store,
                                                             const RunConfig& c, const RunStart& s,
                                                             const datasets::Dataset& data,
                                                             std::ostream& log) {
  auto found = store.find_resumable(s.hash);
  const std::string trained_on = found ? store.dataset_digest(found->first) : std::string();
  if (found && trained_on != data.index.digest) {
    // The hash names the folder, not its contents: continuing would train one run on two
    // datasets.
    log << "WARNING: run #" << found->first << " was trained on data with digest " << trained_on
        << "; " << c.data_root << " now reads to " << data.index.digest
        << ", so it is not resumed; starting a new run\n";
    return std::nullopt;
  }
  if (!found) {
    log << "nothing to resume for config " << s.hash << "; starting a new run\n";
    return std::nullopt;
  }
  const std::string started_with = store.reopen_run(found->first, s.code);
  if (started_with != s.code) {
    log << "WARNING: run #" << found->first << " was started with code " << started_with
        << " and resumes with " << s.code
        << "; its result will not be reused by later runs (code version 'unknown')\n";
  }
  return found;
}

// Trains the begun run (`outcome.run_id`, every rank) and records its end.
void train_run(const RunConfig& c, const datasets::Dataset& data, const std::string& resume_from,
               metrics::Recorder& recorder, RunOutcome& outcome, std::ostream& log,
               distributed::Group* group) {
  const bool rank0 = group == nullptr || group->rank() == 0;
  const std::unique_ptr<distributed::Collective> world = collective_of(group);
  const training::TrainResult result =
      training::train(train_options(c, outcome.run_id), data, recorder, resume_from, log, *world);
  outcome.final_record = result.final_record;
  if (result.outcome == training::Outcome::kInterrupted) {
    outcome.status = "interrupted";
    recorder.mark("interrupted", "interrupted; continue with --resume");
    log << "interrupted: state saved; continue with the same flags plus --resume\n";
    return;
  }
  outcome.status = "finished";
  recorder.finish(result.final_record);
  // A finished run is never resumed: its state (tens of MB) would only fill the disk.
  if (rank0) {
    boost::system::error_code ignored;
    boost::filesystem::remove(resume_state_path(c, outcome.run_id), ignored);
  }
  log << "finished run #" << outcome.run_id << ": best epoch " << result.final_record.best_epoch + 1
      << ", accuracy " << result.final_record.val.accuracy << ", macro F1 "
      << result.final_record.val.macro_f1 << "; checkpoint " << result.final_record.checkpoint_path
      << "\n";
}

}  // namespace

RunOutcome run_experiment(const RunConfig& raw, std::ostream& log, distributed::Group* group) {
  RunConfig c = resolve(raw);
  if (group != nullptr) c.world_size = group->size();
  const bool rank0 = group == nullptr || group->rank() == 0;
  const RunStart start = start_run(c, log);
  if (group != nullptr) {
    distributed::require_agreement(*group, "configuration", shared_config(c));
    log << "data-parallel: rank " << group->rank() << " of " << group->size() << " ("
        << group->backend() << "); per-rank batch " << c.batch_size << ", global batch "
        << c.batch_size * group->size() << "; " << group->transport() << "\n";
  }
  warn_about(c, log);
  // Only rank 0 touches the result store (on multi-node jobs it may exist only on its machine).
  std::unique_ptr<reports::ResultStore> store = rank0 ? open_store(c, log) : nullptr;
  RunOutcome outcome;
  const int64_t finished_id =
      from_rank0(group, rank0 ? finished_run(*store, c, start, log).value_or(-1) : -1,
                 "rank 0's check for a finished run");
  if (finished_id >= 0) {
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
  if (rank0) {
    std::optional<std::pair<int64_t, std::string>> resumed;
    if (c.resume) resumed = resumable_run(*store, c, start, data, log);
    if (resumed) {
      std::tie(outcome.run_id, resume_from) = *resumed;
    } else {
      reports::Provenance extra = {{"world_size", std::to_string(c.world_size)}};
      if (group != nullptr) extra["dist_backend"] = group->backend();
      outcome.run_id = begin_run(*store, c, start, data, extra);
    }
  }
  // From here on rank 0 has a row in the store: any failure (a collective with a rank gone
  // included) marks it failed.
  std::unique_ptr<metrics::Recorder> recorder;
  if (rank0) {
    recorder = std::make_unique<reports::StoreRecorder>(*store, outcome.run_id);
  } else {
    recorder = std::make_unique<metrics::DiscardingRecorder>();
  }
  const auto context = [&](const std::string& what) {
    return group == nullptr ? std::string()
                            : distributed::failure_context(*group, what, c.dist_timeout);
  };
  mark_failed_on_error(
      *recorder,
      [&] {
        outcome.run_id = from_rank0(group, outcome.run_id, "rank 0's run id");
        resume_from = from_rank0(group, resume_from, "rank 0's resume state");
        c.store_id =
            from_rank0(group, rank0 ? store->store_id() : std::string(), "rank 0's store id");
        log << "run #" << outcome.run_id << " '" << c.run_name << "' -> " << c.db << "\n";
        train_run(c, data, resume_from, *recorder, outcome, log, group);
      },
      context);
  return outcome;
}

}  // namespace fer::experiments
