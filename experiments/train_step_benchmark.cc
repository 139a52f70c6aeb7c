// Training throughput of the six models (BM_TrainStep): one full step of the runner's own
// training code (experiments/train_step_bench.h) per iteration, for every case of
// models/bench_case.h. Items/s = images/s; every iteration is synchronised and timed manually.
//   bazel run -c opt //experiments:train_step_benchmark -- --benchmark_filter=densenet_emotion_gcn
#include <benchmark/benchmark.h>

#include "experiments/train_step_bench.h"

namespace {

using fer::models::BenchCase;

void BM_TrainStep(benchmark::State& state, const BenchCase& c) {
  fer::models::run_bench_case(state, c, [&] {
    fer::experiments::TrainStepBench bench(c);
    fer::models::time_bench_steps(state, c, fer::models::parameter_count(*bench.model()),
                                  [&] { bench.step(); });
  });
}

[[maybe_unused]] const bool kRegistered = [] {
  fer::models::for_each_bench_case("TrainStep", [](const BenchCase& c) {
    benchmark::RegisterBenchmark(fer::models::bench_name("TrainStep", c).c_str(),
                                 [c](benchmark::State& s) { BM_TrainStep(s, c); })
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  });
  return true;
}();

}  // namespace
