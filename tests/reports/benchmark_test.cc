// Throughput bookkeeping: analytic operation counts against PyTorch's own counts on the reference
// models (tools/count_macs.py), and the comparison statistics: two samples of one distribution give
// a ratio near 1 whose interval covers 1; real speed-ups and slowdowns are excluded from 1.
#include <boost/filesystem.hpp>
#include <cstdlib>

#include "models/factory.h"
#include "models/flops.h"
#include "reports/compare.h"
#include "reports/store.h"
#include "tests/catch.h"

namespace fs = boost::filesystem;
namespace rp = fer::reports;
using fer::models::Backbone;
using fer::models::ModelKind;

TEST_CASE("operation counts equal PyTorch's own counts on the reference models", "[benchmark]") {
  // tools/count_macs.py on the PyTorch reference, batch 1: conv + linear MACs from forward hooks;
  // forward and forward + backward FLOPs from torch.utils.flop_counter (PyTorch 2.11).
  struct Expected {
    ModelKind kind;
    Backbone backbone;
    int64_t size, macs;
    double forward, train;
  };
  const Expected cases[] = {
      // torchvision lists DenseNet-121 at 224 as 2.83 "GFLOPS" (MACs).
      {ModelKind::kSingleTask, Backbone::kDenseNet, 224, 2833144832, 5666289664, 16762841088},
      {ModelKind::kSingleTask, Backbone::kDenseNet, 227, 2878590720, 5757181440, 17027011584},
      {ModelKind::kSingleTask, Backbone::kDenseNet, 112, 701369344, 1402738688, 4149209088},
      {ModelKind::kMultiTask, Backbone::kDenseNet, 227, 2878592768, 5757185536, 17027023872},
      {ModelKind::kMultiTask, Backbone::kDenseNet, 112, 701371392, 1402742784, 4149221376},
      {ModelKind::kEmotionGcn, Backbone::kDenseNet, 227, 2878583552, 5769639268, 17061365604},
      {ModelKind::kEmotionGcn, Backbone::kDenseNet, 112, 701362176, 1415196516, 4183563108},
      {ModelKind::kSingleTask, Backbone::kBReGNeXt, 112, 5444297600, 10888595200, 32644109568},
      {ModelKind::kSingleTask, Backbone::kBReGNeXt, 48, 999973760, 1999947520, 5995861248},
      {ModelKind::kMultiTask, Backbone::kBReGNeXt, 112, 5444297856, 10888595712, 32644111104},
      {ModelKind::kMultiTask, Backbone::kBReGNeXt, 48, 999974016, 1999948032, 5995862784},
      {ModelKind::kEmotionGcn, Backbone::kBReGNeXt, 112, 5444296704, 10892646756, 32653389924},
      {ModelKind::kEmotionGcn, Backbone::kBReGNeXt, 48, 999972864, 2003999076, 6005141604},
  };
  for (const auto& c : cases) {
    const fer::models::ModelSpec spec{c.kind, c.backbone};
    INFO(fer::models::to_string(c.backbone)
         << " " << fer::models::to_string(c.kind) << " at " << c.size);
    CHECK(fer::models::conv_linear_macs(spec, c.size) == c.macs);
    CHECK(fer::models::forward_flops(spec, c.size) == c.forward);
    CHECK(fer::models::train_step_flops(spec, c.size) == c.train);
  }
  CHECK(fer::models::graph_macs({ModelKind::kMultiTask, Backbone::kBReGNeXt}) == 0);
}

TEST_CASE("bootstrap ratios: two samples of one distribution cover 1, a real change is excluded",
          "[benchmark]") {
  // Two different samples from the same noise (no shared values): the ratio of medians is near 1
  // and its 95% interval covers 1.
  const std::vector<double> a = {100, 102, 98, 101, 99, 103, 97};
  const std::vector<double> b = {99.5, 101.5, 97.5, 100.5, 102.5, 98.5, 100.2};
  const auto same = rp::bootstrap_ratio(a, b);
  CHECK_THAT(same.ratio, Catch::Matchers::WithinAbs(100.2 / 100.0, 1e-12));
  CHECK(same.low < 1.0);
  CHECK(same.high > 1.0);
  CHECK(same.low <= same.ratio);
  CHECK(same.ratio <= same.high);
  // 5% faster with the same noise: the interval holds 1.05 and excludes 1.
  std::vector<double> faster;
  for (double v : b) faster.push_back(1.05 * v);
  const auto up = rp::bootstrap_ratio(a, faster);
  CHECK_THAT(up.ratio, Catch::Matchers::WithinAbs(1.05 * 100.2 / 100.0, 1e-12));
  CHECK(up.low > 1.0);
  CHECK(up.low <= 1.05 * 100.2 / 100.0);
  // Twice as slow: the interval lies well below 1.
  std::vector<double> half;
  for (double v : b) half.push_back(v / 2);
  const auto slow = rp::bootstrap_ratio(a, half);
  CHECK_THAT(slow.ratio, Catch::Matchers::WithinAbs(100.2 / 200.0, 1e-12));
  CHECK(slow.high < 0.6);
  // More noise gives a wider interval.
  const std::vector<double> noisy = {80, 120, 90, 110, 100, 125, 75};
  const auto wide = rp::bootstrap_ratio(a, noisy);
  CHECK(wide.high - wide.low > same.high - same.low);
}

TEST_CASE("compare_sessions marks only significant changes and fails on slowdowns", "[benchmark]") {
  const char* base = std::getenv("TEST_TMPDIR");
  const fs::path dir = fs::path(base ? base : "/tmp") / "compare";
  fs::remove_all(dir);
  fs::create_directories(dir);
  rp::ResultStore store((dir / "r.db").string());
  auto session = [&](const std::string& label, const std::string& device, double scale,
                     double noise) {
    std::vector<rp::BenchResult> results;
    for (const std::string& name : std::vector<std::string>{
             "BM_Forward/densenet_emotion_gcn/bs:8/" + device + "/fp32/contiguous", "BM_Decode"}) {
      for (int r = 0; r < 6; ++r) {
        rp::BenchResult b;
        b.name = name;
        b.repetition = r;
        b.images_per_s = scale * (100 + noise * ((r * 37) % 7 - 3));
        results.push_back(b);
      }
    }
    return store.record_benchmarks({label, "abc123", device, "", 100}, {{"host", "h"}}, results);
  };
  session("main", "cpu", 1.0, 1.0);
  session("main-again", "cpu", 1.0, 1.0);
  session("slow", "cpu", 0.5, 1.0);
  session("gpu", "cuda", 20.0, 5.0);

  rp::CompareOptions o{"label:main", "label:main-again"};
  auto self = rp::compare_sessions(store.db(), o);
  CHECK(self.exit_code == 0);
  CHECK(self.markdown.find("| 1.000 |") != std::string::npos);
  CHECK(self.markdown.find("slower") == std::string::npos);

  o.candidate = "label:slow";
  auto slow = rp::compare_sessions(store.db(), o);
  CHECK(slow.exit_code == 1);
  CHECK(slow.markdown.find("| 0.500 |") != std::string::npos);
  CHECK(slow.markdown.find("**slower**") != std::string::npos);

  o.candidate = "device:cuda";
  CHECK(rp::compare_sessions(store.db(), o).markdown.find("BM_Forward") ==
        std::string::npos);  // Names differ by device.
  o.ignore = {"device"};
  auto gpu = rp::compare_sessions(store.db(), o);
  CHECK(gpu.exit_code == 0);
  CHECK(gpu.markdown.find("BM_Forward/densenet_emotion_gcn/bs:8/*/fp32/contiguous") !=
        std::string::npos);
  CHECK(gpu.markdown.find("faster") != std::string::npos);

  REQUIRE_THROWS_WITH(rp::select_session(store.db(), "label:nope"),
                      Catch::Contains("no benchmark session matches"));
  REQUIRE_THROWS_WITH(rp::select_session(store.db(), "branch:x"),
                      Catch::Contains("unknown selector"));
}
