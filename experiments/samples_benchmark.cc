// What keeping per-sample validation outputs costs a run (issue #32), with peers measured in the
// same process: BM_EvaluationFromOutputs is one epoch's validation metrics from the gathered
// outputs of AffectNet's 3,999 validation images (7 classes, valence/arousal), which now include
// building the per-sample record; BM_FinishRun stores a run's final record without (samples:0)
// and with (samples:1) its per-sample BLOB. Run alone:
//   bazel run -c opt //experiments:samples_benchmark -- --benchmark_repetitions=5
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include <boost/filesystem.hpp>

#include "reports/store.h"
#include "training/evaluator.h"

namespace fs = boost::filesystem;

namespace {

constexpr int64_t kSamples = 3999, kClasses = 7;

fer::training::SplitOutputs outputs() {
  at::manual_seed(0);
  fer::training::SplitOutputs o;
  o.indices = at::arange(kSamples, at::kLong);
  o.logits = at::randn({kSamples, kClasses});
  o.labels = at::randint(0, kClasses, {kSamples}, at::kLong);
  o.va_pred = at::rand({kSamples, 2}) * 2 - 1;
  o.va_true = at::rand({kSamples, 2}) * 2 - 1;
  return o;
}

void BM_EvaluationFromOutputs(benchmark::State& state) {
  at::set_num_threads(1);
  const fer::training::SplitOutputs o = outputs();
  fer::training::EvalSetup setup;
  setup.num_classes = kClasses;
  for (auto _ : state) {
    fer::training::Evaluation e = fer::training::evaluation_from_outputs(o, setup, 35);
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations() * kSamples);
}
BENCHMARK(BM_EvaluationFromOutputs)->Unit(benchmark::kMillisecond);

void BM_FinishRun(benchmark::State& state) {
  const bool with_samples = state.range(0) != 0;
  fer::training::EvalSetup setup;
  setup.num_classes = kClasses;
  fer::metrics::FinalRecord f;
  const fer::training::Evaluation e = fer::training::evaluation_from_outputs(outputs(), setup, 35);
  f.val = e.metrics;
  f.per_class_recall = e.per_class;
  f.confusion = e.confusion;
  if (with_samples) f.samples = e.samples;
  const fs::path dir = fs::temp_directory_path() / fs::unique_path("samples-bench-%%%%%%%%");
  fs::create_directories(dir);
  {
    fer::reports::ResultStore store((dir / "r.db").string());
    const fer::reports::RunRecord run{"r",        "{}",         "h",     "code", 0,     "affectnet",
                                      "densenet", "multi_task", "paper", "cpu",  "fp32"};
    fer::reports::DatasetRecord data;
    data.name = "affectnet";
    data.val_size = kSamples;
    for (auto _ : state) {
      const int64_t id = store.begin_run(run, {{"host", "h"}}, data);
      store.finish_run(id, f);
    }
  }
  fs::remove_all(dir);
  state.SetLabel(with_samples ? "with the per-sample BLOB" : "final record only");
}
BENCHMARK(BM_FinishRun)->ArgName("samples")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
