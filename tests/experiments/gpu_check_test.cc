// The pieces of the GPU check that a CPU can prove (issue #29): benchmark names with Google
// Benchmark's "/manual_time" parse and compare; the tables render C++ against eager case by case;
// the eager CSV's defects are named; BM_TrainStep runs the runner's own training step with the
// paper's recipe (class weights, autocast over the forward pass only); loader workers default to
// the cores of a GPU machine.
#include <ATen/ATen.h>

#include <fstream>

#include "core/error.h"
#include "experiments/config.h"
#include "experiments/train_step_bench.h"
#include "metrics/losses.h"
#include "models/bench_case.h"
#include "reports/bench_name.h"
#include "reports/compare.h"
#include "reports/gpu_tables.h"
#include "reports/store.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"

namespace rp = fer::reports;
namespace ex = fer::experiments;
namespace fm = fer::models;

namespace {

rp::BenchResult result(const std::string& name, int64_t repetition, double rate, double flops = 0) {
  rp::BenchResult r;
  r.name = name;
  r.repetition = repetition;
  r.images_per_s = rate;
  r.real_time_ms = 1;
  r.iterations = 1;
  r.flops_per_image = flops;
  return r;
}

}  // namespace

TEST_CASE("model benchmark names parse with Google Benchmark's suffixes", "[gpu_check]") {
  const auto b = rp::parse_bench_name(
      "BM_TrainStep/densenet_emotion_gcn/bs:35/cuda/bf16/channels_last/manual_time");
  REQUIRE(b.has_value());
  CHECK(b->what == "TrainStep");
  CHECK(b->model == "densenet_emotion_gcn");
  CHECK(b->batch == 35);
  CHECK(b->device == "cuda");
  CHECK(b->precision == "bf16");
  CHECK(b->memory_format == "channels_last");
  CHECK(b->suffix == "manual_time");
  CHECK(b->key() == "BM_TrainStep/densenet_emotion_gcn/bs:35/cuda/bf16/channels_last");
  CHECK(rp::parse_bench_name("BM_Forward/bregnext_single_task/bs:1/cpu/fp32/contiguous")
            ->suffix.empty());
  CHECK(rp::parse_bench_name("BM_Forward/m/bs:8/cpu/fp32/contiguous/iterations:5/manual_time")
            ->suffix == "iterations:5/manual_time");
  // The registered names themselves (models/bench_case.h) parse back to their case.
  const fm::BenchCase c{
      fm::ModelKind::kMultiTask, fm::Backbone::kBReGNeXt, 128, "cuda", "fp16", false};
  CHECK(rp::parse_bench_name(fm::bench_name("Forward", c) + "/manual_time")->key() ==
        fm::bench_name("Forward", c));
  for (const char* other :
       {"BM_Decode", "BM_Loader/workers:2", "BM_Forward/m/bs:0/cpu/fp32/contiguous",
        "BM_Forward/m/bs:x/cpu/fp32/contiguous", "BM_Forward/m/bs:8/cpu/fp32/contiguous/extra",
        "BM_Forward/m/8/cpu/fp32/contiguous"}) {
    INFO(other);
    CHECK_FALSE(rp::parse_bench_name(other).has_value());
  }
}

TEST_CASE("comparisons match /manual_time benchmarks loosely by precision", "[gpu_check]") {
  const auto dir = fer::testing::temp_dir("gpu_check_compare");
  rp::ResultStore store((dir / "bench.db").string());
  const std::string fp32 = "BM_Forward/densenet_single_task/bs:8/cpu/fp32/contiguous/manual_time";
  const std::string bf16 = "BM_Forward/densenet_single_task/bs:8/cpu/bf16/contiguous/manual_time";
  store.record_benchmarks({"base", "v", "cpu", "", 1}, {},
                          {result(fp32, 0, 100), result(fp32, 1, 100)});
  store.record_benchmarks({"cand", "v", "cpu", "", 1}, {},
                          {result(bf16, 0, 200), result(bf16, 1, 200)});
  rp::CompareOptions o;
  o.baseline = "label:base";
  o.candidate = "label:cand";
  o.ignore = {"precision"};
  const auto r = rp::compare_sessions(store.db(), o);
  INFO(r.markdown);
  CHECK(r.exit_code == 0);
  CHECK(r.markdown.find("2.000") != std::string::npos);
}

TEST_CASE("benchmark results are stored benchmark by benchmark", "[gpu_check]") {
  const auto dir = fer::testing::temp_dir("gpu_check_partial");
  const std::string path = (dir / "bench.db").string();
  rp::ResultStore store(path);
  const int64_t id =
      store.begin_bench_session({"partial", "v", "cuda", "", 1}, {{"gpu_name", "H200"}});
  store.add_bench_results(
      id, {result("BM_TrainStep/a_b/bs:35/cuda/fp32/contiguous/manual_time", 0, 10)});
  // A reader sees the first benchmark while the session is still being written.
  rp::ResultStore reader = rp::ResultStore::open_read_only(path);
  CHECK(fer::as_double(reader.db().query("SELECT COUNT(*) FROM bench_results WHERE session_id = ?1",
                                         {id})[0][0]) == 1);
}

TEST_CASE("the GPU tables put C++ beside eager, case by case", "[gpu_check]") {
  const auto dir = fer::testing::temp_dir("gpu_check_tables");
  rp::ResultStore store((dir / "gpu.db").string());
  const std::string t = "BM_TrainStep/densenet_emotion_gcn/bs:";
  store.record_benchmarks(
      {"cuda", "v", "cuda", "", 500000}, {{"gpu_name", "NVIDIA H200"}, {"cudnn", "9.10.2"}},
      {result(t + "35/cuda/fp32/contiguous/manual_time", 0, 900),
       result(t + "35/cuda/fp32/contiguous/manual_time", 1, 1100),
       result(t + "35/cuda/fp32/contiguous/manual_time", 2, 1000),
       result(t + "128/cuda/bf16/channels_last/manual_time", 0, 4000),
       result("BM_Forward/densenet_emotion_gcn/bs:128/cuda/bf16/channels_last/manual_time", 0,
              20000, 5e9),
       [&] {
         auto r = result(t + "35/cuda/fp16/contiguous/manual_time", 0, 0);
         r.error = "cut off";
         return r;
       }(),
       result("BM_Decode", 0, 3000)});
  const std::vector<rp::EagerRow> eager = {
      {"densenet_emotion_gcn", "fp32", "contiguous", "cuda", "2.11.0", 35, 500}};
  const std::string md = rp::render_gpu_tables(store.db(), 0, eager);
  INFO(md);
  CHECK(md.find("NVIDIA H200") != std::string::npos);
  CHECK(md.find("cuDNN 9.10.2") != std::string::npos);
  CHECK(md.find("500.0 TFLOP/s") != std::string::npos);
  CHECK(md.find("| densenet_emotion_gcn | 35 | fp32 | contiguous | 1000 | 500 | 2.00 |") !=
        std::string::npos);
  CHECK(md.find("| densenet_emotion_gcn | 128 | bf16 | channels_last | 4000 | - | - |") !=
        std::string::npos);
  CHECK(md.find("| densenet_emotion_gcn | bs 128, bf16, channels_last | 4000 | 500 | 8.00 |") !=
        std::string::npos);
  CHECK(md.find("| densenet_emotion_gcn | 128 | bf16 | channels_last | 20000 | 100.0 |") !=
        std::string::npos);
  CHECK(md.find("- BM_TrainStep/densenet_emotion_gcn/bs:35/cuda/fp16/contiguous: cut off") !=
        std::string::npos);
  CHECK(md.find("BM_Decode") == std::string::npos);
  // A later session with inference only: the training tables still come from the first.
  store.record_benchmarks(
      {"cuda-forward", "v", "cuda", "", 500000}, {},
      {result("BM_Forward/bregnext_single_task/bs:128/cuda/fp32/contiguous/manual_time", 0, 30000,
              1e10)});
  const std::string both = rp::render_gpu_tables(store.db(), 0, eager);
  CHECK(both.find("| densenet_emotion_gcn | 35 | fp32 | contiguous | 1000 | 500 | 2.00 |") !=
        std::string::npos);
  CHECK(both.find("| bregnext_single_task | 128 | fp32 | contiguous | 30000 | 300.0 |") !=
        std::string::npos);
  CHECK(both.find("| densenet_emotion_gcn | 128 | bf16 | channels_last | 20000 |") ==
        std::string::npos);
  CHECK(rp::render_gpu_tables(store.db(), 1, eager).find("bregnext_single_task") ==
        std::string::npos);
  rp::ResultStore empty((dir / "empty.db").string());
  CHECK(rp::render_gpu_tables(empty.db(), 0, {}).find("No benchmark session") != std::string::npos);
}

TEST_CASE("the eager CSV's defects are named with file, line and field", "[gpu_check]") {
  const auto dir = fer::testing::temp_dir("gpu_check_eager");
  auto write = [&](const std::string& body) {
    const std::string path = (dir / "eager.csv").string();
    std::ofstream(path) << body;
    return path;
  };
  const std::string header = "model,batch,precision,memory_format,device,torch,images_per_s\n";
  CHECK(rp::read_eager_csv((dir / "missing.csv").string()).empty());
  const auto rows = rp::read_eager_csv(
      write(header + "densenet_emotion_gcn,35,fp32,contiguous,cuda,2.11.0,812.5\n"));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].batch == 35);
  CHECK(rows[0].images_per_s == 812.5);
  REQUIRE_THROWS_WITH(rp::read_eager_csv(write("model,batch\n")),
                      Catch::Contains(":1: field 'header'"));
  REQUIRE_THROWS_WITH(
      rp::read_eager_csv(write(
          header + "m,35,fp32,contiguous,cuda,2.11.0,1\nm,0,fp32,contiguous,cuda,2.11.0,1\n")),
      Catch::Contains(":3: field 'batch'"));
  REQUIRE_THROWS_WITH(rp::read_eager_csv(write(header + "m,35,fp32,contiguous,cuda,2.11.0,nan\n")),
                      Catch::Contains(":2: field 'images_per_s'"));
  REQUIRE_THROWS_WITH(rp::read_eager_csv(write(header + "m,35,fp32\n")),
                      Catch::Contains(":2: field 'memory_format'"));
}

TEST_CASE("BM_TrainStep is the runner's training step with the paper's recipe", "[gpu_check]") {
  // bf16 autocast on the CPU: the scope of autocast (forward only) and the class weights both
  // change the step's arithmetic, so any difference from the runner's step shows in the weights.
  const fm::BenchCase c{
      fm::ModelKind::kEmotionGcn, fm::Backbone::kDenseNet, 2, "cpu", "bf16", false};
  ex::TrainStepBench bench(c);
  REQUIRE(bench.inputs().class_weights.defined());
  const auto bench_loss = bench.step();

  // The runner's side, from the paper schedule's resolved config.
  const char* argv[] = {"runner",     "--dataset", "affectnet",   "--data_root", "/data/affectnet",
                        "--backbone", "densenet",  "--precision", "bf16"};
  ex::RunConfig config;
  REQUIRE(ex::parse_run_config(9, argv, &config));
  config = ex::resolve(config);
  REQUIRE(config.class_weights == "on");
  auto setup = fm::make_bench_setup(c);
  setup.model->train();
  torch::optim::SGD sgd(setup.model->parameters(), torch::optim::SGDOptions(config.lr)
                                                       .momentum(config.momentum)
                                                       .weight_decay(config.weight_decay));
  fer::training::GradScaler scaler(config.precision == "fp16", c10::kCPU);
  const at::Tensor weights = fer::metrics::class_weights(ex::affectnet_train_counts());
  // The reference's weights (tools/reference/reference_models.py: 3803 / count).
  CHECK(weights[0].item<float>() == static_cast<float>(3803.0 / 74874.0));
  const auto runner_loss = fer::training::train_step(
      setup.model, sgd, scaler,
      {setup.images, setup.labels, setup.valence_arousal, setup.nodes, weights}, config.lambda,
      fer::training::parse_precision(config.precision), c10::kCPU);
  CHECK(bench_loss.total.item<double>() == runner_loss.total.item<double>());
  const auto a = bench.model()->parameters(), b = setup.model->parameters();
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) REQUIRE(at::equal(a[i], b[i]));
}

TEST_CASE("loader workers default to a GPU machine's cores", "[gpu_check]") {
  CHECK(ex::default_workers("cpu", 16) == 2);
  CHECK(ex::default_workers("cpu", 2) == 2);
  CHECK(ex::default_workers("cuda", 16) == 14);
  CHECK(ex::default_workers("cuda:1", 16) == 14);
  CHECK(ex::default_workers("cuda", 2) == 2);
  CHECK(ex::default_workers("cuda", 64) == 16);
}
