// throughput: runs the model and data-pipeline benchmarks (Google Benchmark; all --benchmark_*
// flags pass through) and stores every repetition in the result store with the training runs'
// provenance, the model FLOPs per image and the device's measured matrix-product peak.
//   bazel run //experiments:throughput -- --db results.db --label cpu-main
//   bazel run //experiments:throughput -- --quick            (a few small benchmarks, seconds)
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <iostream>
#include <regex>

#include "core/error.h"
#include "core/main.h"
#include "experiments/config.h"
#include "experiments/provenance.h"
#include "models/factory.h"
#include "models/flops.h"
#include "reports/store.h"
#include "third_party/torch_info.h"
#include "training/device.h"

namespace po = boost::program_options;

namespace {

// Stores each benchmark's repetitions as soon as it finishes (a run cut off at a time limit
// keeps what it measured) while printing as the console reporter does.
class Recorder : public benchmark::ConsoleReporter {
 public:
  Recorder(fer::reports::ResultStore& store, int64_t session) : store_(store), session_(session) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    std::vector<fer::reports::BenchResult> results;
    for (const auto& run : runs) {
      if (run.run_type != Run::RT_Iteration) continue;
      fer::reports::BenchResult r;
      r.name = run.benchmark_name();
      r.repetition = run.repetition_index;
      r.iterations = run.iterations;
      r.real_time_ms =
          run.GetAdjustedRealTime() * (run.time_unit == benchmark::kMillisecond   ? 1.0
                                       : run.time_unit == benchmark::kMicrosecond ? 1e-3
                                                                                  : 1e-6);
      auto it = run.counters.find("items_per_second");
      r.images_per_s = it == run.counters.end() ? 0 : static_cast<double>(it->second);
      if (run.error_occurred) r.error = run.error_message;
      r.flops_per_image = model_flops(r.name);
      results.push_back(r);
    }
    ConsoleReporter::ReportRuns(runs);
    store_.add_bench_results(session_, results);
    recorded += results.size();
  }
  size_t recorded = 0;

 private:
  fer::reports::ResultStore& store_;
  int64_t session_;
  // BM_Forward/<backbone>_<kind>/... at the benchmark's input size (227 DenseNet, 112 BReG-NeXt).
  static double model_flops(const std::string& name) {
    static const std::regex kModel(R"(^BM_(Forward|TrainStep)/(densenet|bregnext)_(\w+?)/bs:)");
    std::smatch m;
    if (!std::regex_search(name, m, kModel)) return 0;
    fer::models::ModelSpec spec;
    spec.backbone = fer::models::parse_backbone(m[2]);
    spec.kind = fer::models::parse_model_kind(m[3]);
    const int64_t size = spec.backbone == fer::models::Backbone::kDenseNet ? 227 : 112;
    return m[1] == "Forward" ? fer::models::forward_flops(spec, size)
                             : fer::models::train_step_flops(spec, size);
  }
};

// GFLOP/s of a 2048^3 fp32 matrix product, best of 5 after a warm-up.
double peak_gflops(const c10::Device& device) {
  const int64_t n = 2048;
  at::Tensor a = at::randn({n, n}, at::TensorOptions().device(device)),
             b = at::randn({n, n}, at::TensorOptions().device(device));
  at::matmul(a, b);
  fer::training::synchronize(device);
  double best = 1e30;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    at::Tensor c = at::matmul(a, b);
    fer::training::synchronize(device);
    best = std::min(best,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return 2.0 * n * n * n / best / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  std::string db, label, device_name;
  int threads = 0;
  po::options_description desc(
      "throughput: run and record the benchmarks (other flags go to Google Benchmark)");
  desc.add_options()("help", "show this help")(
      "db", po::value(&db)->default_value(fer::experiments::default_db_path()), "result store")(
      "label", po::value(&label)->default_value("default"),
      "session label (for compare_throughput label:NAME)")(
      "device", po::value(&device_name)->default_value("cpu"),
      "device whose peak is measured: cpu | cuda")("threads", po::value(&threads)->default_value(0),
                                                   "intra-op/OpenBLAS threads (0: all cores)")(
      "quick", "a few small CPU benchmarks with short timings (the CI smoke test)");
  po::variables_map vm;
  std::vector<std::string> rest;
  try {
    auto parsed = po::command_line_parser(argc, argv).options(desc).allow_unregistered().run();
    po::store(parsed, vm);
    po::notify(vm);
    rest = po::collect_unrecognized(parsed.options, po::include_positional);
    fer::check_flag_range("threads", threads, 0, 1024);
  } catch (const po::error& e) {
    std::cerr << "throughput: " << e.what() << "\n" << desc;
    return 2;
  } catch (const fer::Error& e) {
    std::cerr << "throughput: error: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout
        << desc
        << "\nGoogle Benchmark flags, e.g. --benchmark_filter=REGEX --benchmark_repetitions=N\n";
    return 0;
  }
  return fer::run_main("throughput", [&] {
    const c10::Device device = fer::training::parse_device(device_name);
    if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int blas_threads = fer::training::set_threads(threads);
    std::vector<std::string> args = {argv[0]};
    bool has_filter = false, has_reps = false;
    for (const auto& r : rest) {
      has_filter |= r.rfind("--benchmark_filter", 0) == 0;
      has_reps |= r.rfind("--benchmark_repetitions", 0) == 0;
      args.push_back(r);
    }
    if (vm.count("quick")) {
      if (!has_filter)
        args.push_back(
            "--benchmark_filter=BM_Forward/bregnext_single_task/bs:1/cpu/fp32/"
            "contiguous|BM_AlignAugmentNormalize|BM_Decode");
      args.push_back("--benchmark_min_time=0.05");
      if (!has_reps) args.push_back("--benchmark_repetitions=3");
    } else {
      if (!has_filter)
        args.push_back("--benchmark_filter=BM_(Forward|TrainStep)/.*/bs:8/" + device.str() +
                       "/fp32/contiguous|BM_(Decode|Align|Whole|Loader)");
      if (!has_reps) args.push_back("--benchmark_repetitions=5");
    }
    std::string filter;
    for (const auto& a : args) {
      if (a.rfind("--benchmark_filter=", 0) == 0) filter = a.substr(19);
    }
    std::cout << fer::torch_build_summary() << "\n";
    const double peak = peak_gflops(device);
    std::cout << "peak " << device.str() << " fp32 matmul: " << peak << " GFLOP/s\n";
    std::vector<char*> cargs;
    for (auto& a : args) cargs.push_back(a.data());
    int cargc = static_cast<int>(cargs.size());
    benchmark::Initialize(&cargc, cargs.data());
    fer::reports::ResultStore store(db);
    fer::reports::BenchSession session{label, fer::experiments::code_version(), device.str(),
                                       filter, peak};
    const int64_t id = store.begin_bench_session(
        session, fer::experiments::collect_provenance(threads, blas_threads, 0, device.str()));
    std::cout << "recording into benchmark session #" << id << " ('" << label << "') in " << db
              << ", each benchmark as it finishes" << std::endl;
    Recorder recorder(store, id);
    benchmark::RunSpecifiedBenchmarks(&recorder);
    std::cout << "recorded " << recorder.recorded << " measurement(s) as benchmark session #" << id
              << " ('" << label << "') in " << db << "\n";
    return recorder.recorded == 0 ? 1 : 0;
  });
}
