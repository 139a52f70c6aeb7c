// Parsing the runner's flags as the runner does, and the runner configuration the tests train
// with: a few seconds on a tiny synthetic AffectNet
// (3 training and 2 validation images per class, 48 px, 2 epochs of batches of 6), results in a
// fresh store under `dir`, the synthetic images shared between tests; and a bitwise comparison
// of two runs' checkpoints.
#pragma once

#include <boost/filesystem.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "experiments/config.h"
#include "models/checkpoint.h"

namespace fer::testing {

/// The runner's flags `args` (without the program name) parsed and resolved, as the runner does.
inline experiments::RunConfig parse_resolved(std::vector<const char*> args) {
  args.insert(args.begin(), "runner");
  experiments::RunConfig c;
  experiments::parse_run_config(static_cast<int>(args.size()), args.data(), &c);
  return experiments::resolve(c);
}

inline experiments::RunConfig tiny_config(const boost::filesystem::path& dir,
                                          const std::string& model = "multi_task") {
  experiments::RunConfig c;
  c.dataset = "synth-affectnet";
  c.backbone = "densenet";
  c.model = model;
  c.epochs = 2;
  c.batch_size = 6;
  c.input_size = 48;
  c.threads = 1;
  c.workers = 2;
  c.synth_train_per_class = 3;
  c.synth_val_per_class = 2;
  c.db = (dir / "results.db").string();
  const char* tmp = std::getenv("TEST_TMPDIR");
  c.cache_dir = std::string(tmp ? tmp : "/tmp") + "/runner_cache_shared";
  return c;
}

/// True when both checkpoint files hold the same keys with bit-identical tensors.
inline bool same_weights(const std::string& a, const std::string& b) {
  const auto x = models::read_checkpoint(a).model_state, y = models::read_checkpoint(b).model_state;
  if (x.size() != y.size() || x.empty()) return false;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i].first != y[i].first || !x[i].second.equal(y[i].second)) return false;
  }
  return true;
}

}  // namespace fer::testing
