// Training equivalence with the PyTorch reference (issues #15, #14): from the same weights
// (fill_deterministic, on both sides) and the same fixed batch sequence (seeded, no
// augmentation), 20 steps of training/train_step.h (the runner's own step: class-weighted
// cross-entropy, the CCC term on float64, SGD with momentum and weight decay) give the losses the
// reference's training loop gives (tools/make_training_fixtures.py), step by step, for each of
// the six models.
//
// The reference's losses come from $EMOGCN_SGD_STEPS when set: tests/e2e/training_parity_test.sh
// runs the reference on this machine, in the PyTorch of the LibTorch under test, so both sides
// use the same CPU kernels and agree to about 1e-11 over 20 steps; the tolerance is 1e-6.
// Otherwise the committed fixture of this LibTorch major version is read (sgd_steps.txt,
// sgd_steps_libtorch2.txt) with a tolerance of 1e-3: it is that exact only on a CPU that runs the
// kernels of the machine that wrote it. DenseNet-121 trained on batches of 4 amplifies rounding
// differences about tenfold per step; another CPU (an AVX-512 EPYC against the AVX2 one that wrote
// the files) drifts past 1e-3 by step 3 and past 10% by step 9, and so does 1.13 against 2.x.
#include <ATen/ATen.h>
#include <torch/optim/sgd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "metrics/losses.h"
#include "models/factory.h"
#include "tests/catch.h"
#include "tests/model_fixtures.h"
#include "third_party/torch_info.h"
#include "training/amp.h"
#include "training/train_step.h"

namespace {

fer::models::ModelSpec spec_for(const std::string& name) {
  fer::models::ModelSpec spec;
  const auto us = name.find('_');
  spec.backbone = fer::models::parse_backbone(name.substr(0, us));
  spec.kind = fer::models::parse_model_kind(name.substr(us + 1));
  spec.num_classes = 7;
  spec.embedding_dim = 300;
  return spec;
}

}  // namespace

TEST_CASE("20 training steps give the reference's losses, model by model", "[runner]") {
  const bool libtorch1 = fer::torch_info().version.rfind("1.", 0) == 0;
  const char* live = std::getenv("EMOGCN_SGD_STEPS");
  const bool here = live != nullptr && *live != 0;
  const auto fixture =
      fer::testing::read_fixture(here        ? std::string(live)
                                 : libtorch1 ? "tests/testdata/models/sgd_steps.txt"
                                             : "tests/testdata/models/sgd_steps_libtorch2.txt");
  if (here) {
    // make_training_fixtures.py names its output by its PyTorch's major version.
    const bool reference1 = std::string(live).find("sgd_steps_libtorch2") == std::string::npos;
    INFO("reference losses " << live << " for LibTorch " << fer::torch_info().version);
    REQUIRE(reference1 == libtorch1);
  }
  // A missing term, a wrong weight or a wrong update moves the losses by far more than either
  // tolerance from the first steps on.
  const double tolerance = here ? 1e-6 : 1e-3;
  const std::string name =
      GENERATE("densenet_single_task", "densenet_multi_task", "densenet_emotion_gcn",
               "bregnext_single_task", "bregnext_multi_task", "bregnext_emotion_gcn");
  INFO(name);
  const auto& expected = fixture.at(name);
  const int64_t size = std::stoll(expected.header_args.at(0)),
                steps = std::stoll(expected.header_args.at(1));
  const int64_t batch = std::stoll(expected.header_args.at(2));
  const double lr = std::stod(expected.header_args.at(3));

  auto model = fer::models::make_model(spec_for(name));
  fer::testing::fill_deterministic(*model);
  model->train();
  at::manual_seed(3);
  const at::Tensor nodes = at::randn({9, 300});
  torch::optim::SGD optimizer(model->parameters(),
                              torch::optim::SGDOptions(lr).momentum(0.9).weight_decay(0.001));
  fer::training::GradScaler scaler(/*enabled=*/false, c10::Device(c10::kCPU));
  const auto weights =
      fer::metrics::class_weights({74874, 134415, 25459, 14090, 6378, 3803, 24882});
  const std::vector<double> want_total = expected.values("loss"),
                            want_ce = expected.values("expression");
  REQUIRE(static_cast<int64_t>(want_total.size()) == steps);
  double worst = 0;
  for (int64_t step = 0; step < steps; ++step) {
    INFO("step " << step);
    at::manual_seed(100 + step);  // The fixture's batch(): the same draws in the same order.
    fer::training::StepInputs in;
    in.images = at::randn({batch, 3, size, size});
    in.labels = at::randint(0, 7, {batch});
    in.valence_arousal = at::rand({batch, 2}) * 2 - 1;
    in.nodes = nodes;
    in.class_weights = weights;
    const auto loss =
        fer::training::train_step(model, optimizer, scaler, in, /*lambda=*/1.0,
                                  fer::training::Precision::kFp32, c10::Device(c10::kCPU));
    worst = std::max(
        worst, std::abs(loss.total.item<double>() - want_total[step]) / std::abs(want_total[step]));
    CHECK_THAT(loss.total.item<double>(), Catch::Matchers::WithinRel(want_total[step], tolerance));
    CHECK_THAT(loss.expression.item<double>(),
               Catch::Matchers::WithinRel(want_ce[step], tolerance));
    if (loss.valence_arousal.defined()) {
      CHECK_THAT(
          loss.valence_arousal.item<double>(),
          Catch::Matchers::WithinRel(expected.values("valence_arousal").at(step), tolerance));
    }
  }
  WARN(name << ": largest relative loss difference over " << steps << " steps: " << worst);
}
