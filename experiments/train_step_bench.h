// The runner's training step (training/train_step.h) on a benchmark case (models/bench_case.h),
// set up as the paper's recipe trains: SGD (lr 0.001, momentum 0.9, weight decay 0.001), the
// class-weighted cross-entropy with the weights of AffectNet's official training split, lambda 1,
// autocast over the forward pass only, and dynamic loss scaling in fp16. BM_TrainStep
// (experiments/train_step_benchmark.cc) times it; tools/gpu_python_eager.py is its eager peer.
#pragma once

#include <torch/optim/sgd.h>

#include <cstdint>
#include <vector>

#include "models/bench_case.h"
#include "training/amp.h"
#include "training/train_step.h"

namespace fer::experiments {

/// Training-split counts of AffectNet's seven classes (neutral, happy, sad, surprise, fear,
/// disgust, anger) as the reference weights them (min / count).
const std::vector<int64_t>& affectnet_train_counts();

class TrainStepBench {
 public:
  /// Builds the seeded model and inputs on the case's device. Precondition:
  /// models::bench_skip_reason(c) is "".
  explicit TrainStepBench(const models::BenchCase& c);
  /// One optimisation step (training::train_step); returns its loss parts.
  metrics::LossParts step();
  models::EmotionModel& model() { return setup_.model; }
  const training::StepInputs& inputs() const { return inputs_; }

 private:
  models::BenchCase case_;
  models::BenchSetup setup_;
  training::StepInputs inputs_;
  std::unique_ptr<torch::optim::SGD> sgd_;
  training::GradScaler scaler_;
  training::Precision precision_;
};

}  // namespace fer::experiments
