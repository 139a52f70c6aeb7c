#include "experiments/train_step_bench.h"

#include "metrics/losses.h"

namespace fer::experiments {

const std::vector<int64_t>& affectnet_train_counts() {
  static const std::vector<int64_t> kCounts = {74874, 134415, 25459, 14090, 6378, 3803, 24882};
  return kCounts;
}

TrainStepBench::TrainStepBench(const models::BenchCase& c)
    : case_(c),
      setup_(models::make_bench_setup(c)),
      scaler_(c.precision == "fp16", c10::Device(c.device)),
      precision_(training::parse_precision(c.precision)) {
  const c10::Device device(c.device);
  inputs_ = {setup_.images, setup_.labels, setup_.valence_arousal, setup_.nodes,
             metrics::class_weights(affectnet_train_counts()).to(device)};
  sgd_ = std::make_unique<torch::optim::SGD>(
      setup_.model->parameters(),
      torch::optim::SGDOptions(0.001).momentum(0.9).weight_decay(0.001));
  setup_.model->train();
}

metrics::LossParts TrainStepBench::step() {
  return training::train_step(setup_.model, *sgd_, scaler_, inputs_, /*lambda=*/1.0, precision_,
                              c10::Device(case_.device));
}

}  // namespace fer::experiments
