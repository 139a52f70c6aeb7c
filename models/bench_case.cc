#include "models/bench_case.h"

#include <ATen/ATen.h>
#include <ATen/Context.h>

#include <chrono>
#include <vector>

#include "third_party/torch_compat.h"

namespace fer::models {

std::string bench_name(const std::string& what, const BenchCase& c) {
  return "BM_" + what + "/" + to_string(c.backbone) + "_" + to_string(c.kind) +
         "/bs:" + std::to_string(c.batch) + "/" + c.device + "/" + c.precision + "/" +
         (c.channels_last ? "channels_last" : "contiguous");
}

std::string bench_skip_reason(const BenchCase& c) {
  const c10::Device device(c.device);
  if (device.is_cuda() && !at::hasCUDA()) return "no CUDA device in this build/machine";
  if (c.precision == "fp16" && !device.is_cuda()) return "fp16 autocast needs CUDA";
  return "";
}

BenchSetup make_bench_setup(const BenchCase& c) {
  const c10::Device device(c.device);
  const int64_t size = c.input_size();
  if (device.is_cuda()) at::globalContext().setBenchmarkCuDNN(true);
  at::manual_seed(0);
  BenchSetup s{make_model({c.kind, c.backbone}), {}, {}, {}, {}};
  s.model->to(device);
  const auto on = at::TensorOptions().device(device);
  s.images = at::randn({c.batch, 3, size, size}, on);
  if (c.channels_last) {
    s.images = s.images.contiguous(at::MemoryFormat::ChannelsLast);
    at::NoGradGuard no_grad;
    for (auto& p : s.model->parameters()) {
      if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
    }
  }
  s.nodes = at::randn({9, 300}, on);
  s.labels = at::randint(0, 7, {c.batch}, on.dtype(at::kLong));
  s.valence_arousal = at::rand({c.batch, 2}, on) * 2 - 1;
  return s;
}

void time_bench_steps(benchmark::State& state, const BenchCase& c, int64_t parameters,
                      const std::function<void()>& step) {
  const c10::Device device(c.device);
  step();  // Warm-up (allocator, kernels, cuDNN's autotuning) outside the timed loop.
  compat::synchronize(device);
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    step();
    compat::synchronize(device);
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  state.SetItemsProcessed(state.iterations() * c.batch);
  state.counters["input"] = static_cast<double>(c.input_size());
  state.counters["params"] = static_cast<double>(parameters);
}

void run_bench_case(benchmark::State& state, const BenchCase& c,
                    const std::function<void()>& body) {
  if (const std::string why = bench_skip_reason(c); !why.empty()) {
    state.SkipWithError(why.c_str());
    return;
  }
  try {
    body();
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

void for_each_bench_case(const std::string& what, const std::function<void(const BenchCase&)>& fn) {
  const int64_t smallest = what == "TrainStep" ? 2 : 1;
  for (auto backbone : {Backbone::kDenseNet, Backbone::kBReGNeXt}) {
    for (auto kind : {ModelKind::kSingleTask, ModelKind::kMultiTask, ModelKind::kEmotionGcn}) {
      for (const std::string device : {"cpu", "cuda"}) {
        const std::vector<int64_t> batches =
            device == "cpu" ? std::vector<int64_t>{smallest, 8} : std::vector<int64_t>{35, 128};
        for (int64_t batch : batches) {
          for (const std::string precision : {"fp32", "bf16", "fp16"}) {
            for (bool cl : {false, true}) fn({kind, backbone, batch, device, precision, cl});
          }
        }
      }
    }
  }
}

}  // namespace fer::models
