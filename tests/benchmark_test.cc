// Throughput bookkeeping: analytic FLOP counts against the reference models' hook counts
// (tools/count_macs.py), and the comparison statistics: a benchmark against itself gives a
// ratio near 1 whose interval covers 1; a deliberate 2x slowdown is detected.
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

TEST_CASE("conv + linear MACs equal the reference models' hook counts", "[benchmark]") {
  // From tools/count_macs.py (forward hooks on Conv2d/Linear of the PyTorch reference, batch 1).
  struct Expected {
    ModelKind kind;
    Backbone backbone;
    int64_t size, macs;
  };
  const Expected cases[] = {
      {ModelKind::kSingleTask, Backbone::kDenseNet, 224, 2833144832},  // torchvision lists 2.83 "GFLOPS".
      {ModelKind::kSingleTask, Backbone::kDenseNet, 227, 2878590720},
      {ModelKind::kMultiTask, Backbone::kDenseNet, 112, 701371392},
      {ModelKind::kEmotionGcn, Backbone::kDenseNet, 227, 2878583552},
      {ModelKind::kSingleTask, Backbone::kBReGNeXt, 112, 5444297600},
      {ModelKind::kMultiTask, Backbone::kBReGNeXt, 48, 999974016},
      {ModelKind::kEmotionGcn, Backbone::kBReGNeXt, 112, 5444296704},
  };
  for (const auto& c : cases) {
    const fer::models::ModelSpec spec{c.kind, c.backbone};
    INFO(fer::models::to_string(c.backbone) << " " << fer::models::to_string(c.kind) << " at " << c.size);
    CHECK(fer::models::conv_linear_macs(spec, c.size) == c.macs);
  }
  const fer::models::ModelSpec gcn{ModelKind::kEmotionGcn, Backbone::kBReGNeXt};
  // gc1: 9x300x512 + 9x9x512; gc2: 9x512x128 + 9x9x128; x W^T: 128 x 9.
  CHECK(fer::models::graph_macs(gcn) == 9 * 300 * 512 + 81 * 512 + 9 * 512 * 128 + 81 * 128 + 128 * 9);
  CHECK(fer::models::graph_macs({ModelKind::kMultiTask, Backbone::kBReGNeXt}) == 0);
  CHECK(fer::models::train_step_flops(gcn, 112) == 3 * fer::models::forward_flops(gcn, 112));
}

TEST_CASE("bootstrap ratios: self-comparison covers 1, a 2x slowdown is excluded", "[benchmark]") {
  const std::vector<double> a = {100, 102, 98, 101, 99, 103, 97};
  const auto same = rp::bootstrap_ratio(a, a);
  CHECK(same.ratio == 1.0);
  CHECK(same.low <= 1.0);
  CHECK(same.high >= 1.0);
  std::vector<double> half;
  for (double v : a) half.push_back(v / 2);
  const auto slow = rp::bootstrap_ratio(a, half);
  CHECK_THAT(slow.ratio, Catch::Matchers::WithinAbs(0.5, 1e-12));
  CHECK(slow.high < 1.0);
}

TEST_CASE("compare_sessions marks only significant changes and fails on slowdowns", "[benchmark]") {
  const char* base = std::getenv("TEST_TMPDIR");
  const fs::path dir = fs::path(base ? base : "/tmp") / "compare";
  fs::remove_all(dir);
  fs::create_directories(dir);
  rp::ResultStore store((dir / "r.db").string());
  auto session = [&](const std::string& label, const std::string& device, double scale, double noise) {
    std::vector<rp::BenchResult> results;
    for (const std::string& name : std::vector<std::string>{"BM_Forward/densenet_emotion_gcn/bs:8/" + device + "/fp32/contiguous", "BM_Decode"}) {
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
  CHECK(rp::compare_sessions(store.db(), o).markdown.find("BM_Forward") == std::string::npos);  // Names differ by device.
  o.ignore = {"device"};
  auto gpu = rp::compare_sessions(store.db(), o);
  CHECK(gpu.exit_code == 0);
  CHECK(gpu.markdown.find("BM_Forward/densenet_emotion_gcn/bs:8/*/fp32/contiguous") != std::string::npos);
  CHECK(gpu.markdown.find("faster") != std::string::npos);

  REQUIRE_THROWS_WITH(rp::select_session(store.db(), "label:nope"), Catch::Contains("no benchmark session matches"));
  REQUIRE_THROWS_WITH(rp::select_session(store.db(), "branch:x"), Catch::Contains("unknown selector"));
}
