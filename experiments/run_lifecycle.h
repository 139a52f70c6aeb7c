// The steps every stored run takes, whatever it does in between (issue #31): set the threads,
// print what runs and on what (the build, the resolved config and its hash, the code version),
// skip a configuration the store already finished with the same code, begin the run's rows
// (config, provenance, dataset), and mark the run failed if its work throws. The runner (train)
// and `evaluate` (saved weights) go through these, so both print, skip and record alike;
// `predict` (a CSV, no stored run) opens with start_work, so it prints alike.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "datasets/dataset.h"
#include "experiments/config.h"
#include "metrics/recorder.h"
#include "reports/store.h"

namespace fer::experiments {

/// What the start of a run fixed.
struct RunStart {
  std::string hash;           ///< config_hash of the resolved config.
  std::string code;           ///< The code version of this binary.
  int openblas_threads = -1;  ///< As training::set_threads reported it.
};

/// The opening of every binary's work, stored run or not (`predict` stores none): sets
/// LibTorch's and OpenBLAS's threads to `threads` (training::set_threads) and prints the build
/// summary, `header` (lines the caller adds, each ending in "\n"), "config HASH: JSON" and the
/// code version. `json` is the resolved configuration, `hash` what identifies it.
RunStart start_work(int threads, const std::string& hash, const std::string& json,
                    std::ostream& log, const std::string& header = "");

/// start_work for a stored run: config.threads, config_hash(config) and to_json(config).
/// `config` must be resolved.
RunStart start_run(const RunConfig& config, std::ostream& log, const std::string& header = "");

/// The id of a finished run of the same configuration and code in `store`, printed as skipped;
/// none with --force, or when this binary's code version cannot be trusted (built outside a
/// git checkout: said once in the log).
std::optional<int64_t> finished_run(reports::ResultStore& store, const RunConfig& config,
                                    const RunStart& start, std::ostream& log);

/// Begins the run's rows: the config (its JSON and hash), this machine's provenance (plus
/// `extra`, which wins on a shared key) and the dataset. Returns the run id.
int64_t begin_run(reports::ResultStore& store, const RunConfig& config, const RunStart& start,
                  const datasets::Dataset& data, const reports::Provenance& extra = {});

/// Runs `work`; if it throws, marks the run failed in `recorder` with the error's text (plus
/// `context(text)` when given and not empty) and rethrows.
void mark_failed_on_error(metrics::Recorder& recorder, const std::function<void()>& work,
                          const std::function<std::string(const std::string&)>& context = nullptr);

/// The dataset as the result store records it (name, root, digest, classes, read report).
reports::DatasetRecord dataset_record(const datasets::Dataset& data);

}  // namespace fer::experiments
