// Data-parallel scaling on this machine (issue #11): the same global batch trained as one rank
// with T threads and as R ranks of T/R threads each (Gloo on loopback), every mode in fresh
// processes and in the same run, so the ratios compare like with like:
//   kSingle         1 rank x T threads, batch R*B: the peer
//   kOverlap        R ranks, bucketed all-reduce overlapping backward (distributed::GradientSync)
//   kAfterBackward  R ranks, one all-reduce of every gradient after backward
//   kComputeOnly    R ranks, no gradient exchange (not a correct step: the all-reduce's cost is
//                   the difference)
// Each mode runs warm-up steps, then timed steps of experiments/train_step (forward, loss,
// backward, sync, SGD) that the ranks start together after a barrier.
#pragma once

#include <string>
#include <vector>

namespace fer::experiments {

struct ScalingOptions {
  std::string backbone = "densenet";  ///< densenet | bregnext
  std::string model = "single_task";  ///< single_task | multi_task | emotion_gcn
  int input_size = 64;                ///< Input pixels (square), >= 16.
  int batch = 8;                      ///< Per-rank batch; the peer's is ranks x batch.
  int steps = 8;                      ///< Timed steps per mode, >= 1.
  int warmup = 2;                     ///< Untimed steps per mode, >= 0.
  int ranks = 2;                      ///< Ranks of the data-parallel modes, >= 2.
  int threads = 2;                    ///< Threads in all; each rank gets max(1, threads / ranks).
};

enum class ScalingMode { kSingle, kOverlap, kAfterBackward, kComputeOnly };

struct ScalingRow {
  ScalingMode mode;
  std::string name;         ///< "2 ranks x 1 thread(s), all-reduce overlapping backward", ...
  double images_per_s = 0;  ///< Global images per second over the timed steps.
  double ms_per_step = 0;
};

/// Throws fer::Error naming the first option out of range or an unknown backbone/model.
void check_scaling_options(const ScalingOptions& o);

/// Measures every mode, in the order above, each in fresh processes forked from this one
/// (which must not have started LibTorch's thread pools). Throws fer::Error when a rank fails,
/// with its error.
std::vector<ScalingRow> measure_scaling(const ScalingOptions& o);

/// The Markdown table (images/s, ms/step, ratio to the peer) and the all-reduce cost per step.
std::string format_scaling(const ScalingOptions& o, const std::vector<ScalingRow>& rows);

}  // namespace fer::experiments
