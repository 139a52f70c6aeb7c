// Inference throughput of the six models (BM_Forward): eval-mode forward at the paper's input
// sizes, by batch size, device, precision (autocast) and memory format (models/bench_case.h).
// Items/s = images/s; every iteration is synchronised and timed manually. The training step
// (BM_TrainStep) is the runner's own and is measured in experiments/train_step_benchmark.cc.
//   bazel run -c opt //models:models_benchmark -- --benchmark_filter=Forward/densenet
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>

#include <algorithm>
#include <thread>

#include "models/bench_case.h"
#include "third_party/torch_compat.h"
#include "third_party/torch_info.h"

namespace {

using fer::models::BenchCase;

void forward_case(benchmark::State& state, const BenchCase& c) {
  const c10::Device device(c.device);
  auto s = fer::models::make_bench_setup(c);
  s.model->eval();
  const bool autocast = c.precision != "fp32";
  const auto dtype = c.precision == "fp16" ? at::kHalf : at::kBFloat16;
  fer::models::time_bench_steps(state, c, fer::models::parameter_count(*s.model), [&] {
    if (autocast) fer::compat::set_autocast(device.type(), /*enabled=*/true, dtype);
    {
      at::NoGradGuard no_grad;
      auto out = s.model->forward(s.images, s.nodes);
      benchmark::DoNotOptimize(out.expression.data_ptr());
    }
    if (autocast) {
      fer::compat::set_autocast(device.type(), /*enabled=*/false);
      fer::compat::clear_autocast_cache();
    }
  });
}

void BM_Forward(benchmark::State& state, const BenchCase& c) {
  fer::models::run_bench_case(state, c, [&] { forward_case(state, c); });
}

[[maybe_unused]] const bool kRegistered = [] {
  // All cores by default (LibTorch may start with one); //experiments:throughput sets its
  // --threads after this runs.
  at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  benchmark::AddCustomContext("libtorch", fer::torch_build_summary());
  fer::models::for_each_bench_case("Forward", [](const BenchCase& c) {
    benchmark::RegisterBenchmark(fer::models::bench_name("Forward", c).c_str(),
                                 [c](benchmark::State& s) { BM_Forward(s, c); })
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  });
  return true;
}();

}  // namespace
