// Throughput of the six models: forward (eval) and one full training step (forward, loss,
// backward, SGD step) at the paper's input sizes (227 DenseNet/AffectNet, 112 BReG-NeXt), by
// batch size, device, precision (autocast) and memory format. Items/s = images/s. On CUDA each
// iteration is synchronised and timed manually. Missing devices are reported with SkipWithError.
//   bazel run -c opt //models:models_benchmark -- --benchmark_filter=Forward/densenet
#include <benchmark/benchmark.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/optim/sgd.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <string>
#include <vector>

#include "metrics/losses.h"
#include "models/factory.h"
#include "third_party/torch_compat.h"
#include "third_party/torch_info.h"

namespace {

using fer::models::Backbone;
using fer::models::ModelKind;

struct Case {
  ModelKind kind;
  Backbone backbone;
  int64_t batch;
  std::string device, precision;
  bool channels_last;
};

void run_case(benchmark::State& state, const Case& c, bool train) {
  const c10::Device device(c.device);
  if (device.is_cuda() && !at::hasCUDA()) {
    state.SkipWithError("no CUDA device in this build/machine");
    return;
  }
  if (c.precision == "fp16" && !device.is_cuda()) {
    state.SkipWithError("fp16 autocast needs CUDA");
    return;
  }
  const int64_t size = c.backbone == Backbone::kDenseNet ? 227 : 112;
  // cuDNN picks its fastest algorithms per shape, as tools/gpu_python_eager.py lets PyTorch do.
  if (device.is_cuda()) at::globalContext().setBenchmarkCuDNN(true);
  at::manual_seed(0);
  auto model = fer::models::make_model({c.kind, c.backbone});
  model->to(device);
  at::Tensor x = at::randn({c.batch, 3, size, size}, at::TensorOptions().device(device));
  if (c.channels_last) {
    x = x.contiguous(at::MemoryFormat::ChannelsLast);
    at::NoGradGuard no_grad;
    for (auto& p : model->parameters()) {
      if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
    }
  }
  at::Tensor nodes = at::randn({9, 300}, at::TensorOptions().device(device));
  at::Tensor labels = at::randint(0, 7, {c.batch}, at::TensorOptions().dtype(at::kLong).device(device));
  at::Tensor va = at::rand({c.batch, 2}, at::TensorOptions().device(device)) * 2 - 1;
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.001).momentum(0.9).weight_decay(0.001));
  const bool autocast = c.precision != "fp32";
  const auto dtype = c.precision == "fp16" ? at::kHalf : at::kBFloat16;
  auto step = [&] {
    if (autocast) fer::compat::set_autocast(device.type(), /*enabled=*/true, dtype);
    if (train) {
      model->train();
      sgd.zero_grad();
      auto out = model->forward(x, nodes);
      auto loss = fer::metrics::multitask_loss(out.expression.to(at::kFloat), labels, at::Tensor(),
                                               out.valence_arousal.defined() ? out.valence_arousal.to(at::kFloat) : at::Tensor(),
                                               va, 1.0);
      loss.total.backward();
      sgd.step();
    } else {
      model->eval();
      at::NoGradGuard no_grad;
      auto out = model->forward(x, nodes);
      benchmark::DoNotOptimize(out.expression.data_ptr());
    }
    if (autocast) {
      fer::compat::set_autocast(device.type(), /*enabled=*/false);
      fer::compat::clear_autocast_cache();
    }
  };
  step();  // Warm-up (allocator, kernels) outside the timed loop.
  fer::compat::synchronize(device);
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    step();
    fer::compat::synchronize(device);
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  state.SetItemsProcessed(state.iterations() * c.batch);
  state.counters["input"] = static_cast<double>(size);
  state.counters["params"] = static_cast<double>(fer::models::parameter_count(*model));
}

std::string name_of(const char* what, const Case& c) {
  return std::string(what) + "/" + fer::models::to_string(c.backbone) + "_" + fer::models::to_string(c.kind) +
         "/bs:" + std::to_string(c.batch) + "/" + c.device + "/" + c.precision + "/" +
         (c.channels_last ? "channels_last" : "contiguous");
}

// Registered below themselves, one per combination (BM_Forward, BM_TrainStep).
[[maybe_unused]] const bool kRegistered = [] {
  // All cores by default (LibTorch may start with one); //experiments:throughput sets its
  // --threads after this runs.
  at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  benchmark::AddCustomContext("libtorch", fer::torch_build_summary());
  for (auto backbone : {Backbone::kDenseNet, Backbone::kBReGNeXt}) {
    for (auto kind : {ModelKind::kSingleTask, ModelKind::kMultiTask, ModelKind::kEmotionGcn}) {
      for (const std::string device : {"cpu", "cuda"}) {
        const std::vector<int64_t> batches = device == "cpu" ? std::vector<int64_t>{1, 8} : std::vector<int64_t>{35, 128};
        for (int64_t batch : batches) {
          for (const std::string precision : {"fp32", "bf16", "fp16"}) {
            for (bool cl : {false, true}) {
              const Case c{kind, backbone, batch, device, precision, cl};
              benchmark::RegisterBenchmark(name_of("BM_Forward", c).c_str(), [c](benchmark::State& s) { run_case(s, c, false); })
                  ->UseManualTime()->Unit(benchmark::kMillisecond);
              benchmark::RegisterBenchmark(name_of("BM_TrainStep", c).c_str(), [c](benchmark::State& s) { run_case(s, c, true); })
                  ->UseManualTime()->Unit(benchmark::kMillisecond);
            }
          }
        }
      }
    }
  }
  return true;
}();

}  // namespace
