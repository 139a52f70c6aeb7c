// Checkpoint I/O against files written by Python torch.save (tools/make_checkpoint_fixtures.py):
// a bare state dict (zip), the reference script's checkpoint, torchvision's legacy DenseNet-121
// file; our own checkpoints round-trip; bad files give clear errors.
#include "models/checkpoint.h"

#include <ATen/ATen.h>

#include <boost/filesystem.hpp>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "core/error.h"
#include "models/factory.h"
#include "models/state_dict.h"
#include "models/torch_file.h"
#include "tests/catch.h"

namespace fs = boost::filesystem;
namespace fm = fer::models;

namespace {

const std::string kDir = "tests/testdata/checkpoints/";

fs::path temp_file(const std::string& name) {
  const char* base = std::getenv("TEST_TMPDIR");
  return fs::path(base ? base : "/tmp") / name;
}

// Every entry of the fixture state dicts is the constant (index + 1) / 1000 (or index + 1).
void check_constants(const fm::NamedTensors& state) {
  for (size_t i = 0; i < state.size(); ++i) {
    INFO(state[i].first);
    const at::Tensor& t = state[i].second;
    const double expected = t.is_floating_point() ? (i + 1) / 1000.0 : static_cast<double>(i + 1);
    REQUIRE(t.numel() > 0);
    CHECK(t.to(at::kDouble)
              .eq(at::tensor(expected, at::kDouble).to(t.scalar_type()).to(at::kDouble))
              .all()
              .item<bool>());
  }
}

void truncate_copy(const std::string& from, const fs::path& to, double fraction) {
  std::ifstream in(from, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(to.string(), std::ios::binary)
      << bytes.substr(0, static_cast<size_t>(bytes.size() * fraction));
}

}  // namespace

TEST_CASE("a Python state dict (OrderedDict with _metadata, zip) loads into Emotion-GCN",
          "[checkpoint]") {
  const auto ckpt = fm::read_checkpoint(kDir + "bregnext_emotion_gcn_state_dict.pt");
  CHECK(ckpt.epoch == -1);
  CHECK_FALSE(ckpt.has_optimizer);
  auto model = fm::make_model({fm::ModelKind::kEmotionGcn, fm::Backbone::kBReGNeXt});
  fm::load_state_dict(*model, ckpt.model_state, "fixture");
  check_constants(fm::state_dict(*model));
}

TEST_CASE("the reference script's checkpoint loads with its optimizer state", "[checkpoint]") {
  const auto ckpt = fm::read_checkpoint(kDir + "densenet_multi_task_reference.pth");
  CHECK(ckpt.epoch == 7);
  REQUIRE(ckpt.has_optimizer);
  CHECK(ckpt.sgd.lr == 0.001);
  CHECK(ckpt.sgd.momentum == 0.9);
  CHECK(ckpt.sgd.weight_decay == 0.001);
  auto model = fm::make_model({fm::ModelKind::kMultiTask, fm::Backbone::kDenseNet});
  fm::load_state_dict(*model, ckpt.model_state, "fixture");
  check_constants(fm::state_dict(*model));
  const auto params = model->parameters();
  REQUIRE(ckpt.sgd.momentum_buffers.size() == params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    REQUIRE(ckpt.sgd.momentum_buffers[i].defined());
    CHECK(ckpt.sgd.momentum_buffers[i].sizes() == params[i].sizes());
    INFO("momentum buffer " << i << " starts with "
                            << ckpt.sgd.momentum_buffers[i].flatten()[0].item<float>());
    CHECK(ckpt.sgd.momentum_buffers[i]
              .eq(static_cast<float>(-static_cast<double>(i + 1) / 1000.0))
              .all()
              .item<bool>());
  }
}

TEST_CASE("torchvision's legacy DenseNet-121 file loads into every DenseNet backbone",
          "[checkpoint]") {
  const auto file = fm::read_checkpoint(kDir + "densenet121_legacy.pth");
  REQUIRE(file.model_state.size() == 606);
  CHECK(file.model_state[5].first == "features.denseblock1.denselayer1.norm.1.weight");
  const auto features = fm::torchvision_densenet_features(file.model_state);
  CHECK(features[5].first == "denseblock1.denselayer1.norm1.weight");
  std::map<std::string, at::Tensor> expected(features.begin(), features.end());
  const fm::ModelKind kind =
      GENERATE(fm::ModelKind::kSingleTask, fm::ModelKind::kMultiTask, fm::ModelKind::kEmotionGcn);
  auto model = fm::make_model({kind, fm::Backbone::kDenseNet});
  const std::string prefix = kind == fm::ModelKind::kMultiTask ? "model_base." : "features.";
  at::Tensor classifier_before;
  for (const auto& [name, t] : fm::state_dict(*model)) {
    if (name == "classifier.weight") classifier_before = t.clone();
  }
  fm::load_pretrained_densenet(*model, kDir + "densenet121_legacy.pth");
  size_t loaded = 0;
  for (const auto& [name, t] : fm::state_dict(*model)) {
    if (name.rfind(prefix, 0) != 0) continue;
    auto it = expected.find(name.substr(prefix.size()));
    if (name.find("num_batches_tracked") != std::string::npos) {
      CHECK(it == expected.end());  // Absent in the old file: stays 0.
      CHECK(t.item<int64_t>() == 0);
      continue;
    }
    INFO(name);
    REQUIRE(it != expected.end());
    CHECK(t.equal(it->second.contiguous()));
    ++loaded;
  }
  CHECK(loaded == expected.size());
  if (classifier_before.defined()) {
    for (const auto& [name, t] : fm::state_dict(*model)) {
      if (name == "classifier.weight")
        CHECK(t.equal(classifier_before));  // The 1000-way head is ignored.
    }
  }
}

TEST_CASE("our checkpoints round-trip in the reference format", "[checkpoint]") {
  at::manual_seed(5);
  auto model = fm::make_model({fm::ModelKind::kEmotionGcn, fm::Backbone::kBReGNeXt});
  fm::SgdState sgd;
  sgd.lr = 0.0001;
  for (const auto& p : model->parameters()) sgd.momentum_buffers.push_back(at::randn(p.sizes()));
  sgd.momentum_buffers[3] = at::Tensor();  // A parameter without state yet.
  const std::string path = temp_file("roundtrip.pth").string();
  fm::save_reference_checkpoint(path, *model, 4, sgd);
  const auto back = fm::read_checkpoint(path);
  CHECK(back.epoch == 4);
  CHECK(back.sgd.lr == 0.0001);
  at::manual_seed(6);
  auto fresh = fm::make_model({fm::ModelKind::kEmotionGcn, fm::Backbone::kBReGNeXt});
  fm::load_state_dict(*fresh, back.model_state, path);
  const auto a = fm::state_dict(*model), b = fm::state_dict(*fresh);
  for (size_t i = 0; i < a.size(); ++i) {
    INFO(a[i].first);
    CHECK(a[i].second.equal(b[i].second));
  }
  REQUIRE(back.sgd.momentum_buffers.size() == sgd.momentum_buffers.size());
  CHECK_FALSE(back.sgd.momentum_buffers[3].defined());
  CHECK(back.sgd.momentum_buffers[7].equal(sgd.momentum_buffers[7]));
}

TEST_CASE("our checkpoints name only globals weights-only torch.load accepts", "[checkpoint]") {
  at::manual_seed(7);
  auto model = fm::make_model({fm::ModelKind::kMultiTask, fm::Backbone::kDenseNet});
  fm::SgdState sgd;
  for (const auto& p : model->parameters()) sgd.momentum_buffers.push_back(at::zeros(p.sizes()));
  const std::string path = temp_file("globals.pth").string();
  fm::save_reference_checkpoint(path, *model, 2, sgd);
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // GLOBAL opcodes are 'c' module '\n' name '\n'. Weights-only loading (PyTorch >= 2.6 default)
  // allows tensor rebuilding, storages and OrderedDict, and refuses TorchScript's type tags.
  std::set<std::string> globals;
  for (size_t i = 0; i + 1 < bytes.size(); ++i) {
    if (bytes[i] != 'c') continue;
    const size_t nl1 = bytes.find('\n', i + 1),
                 nl2 = nl1 == std::string::npos ? nl1 : bytes.find('\n', nl1 + 1);
    if (nl2 == std::string::npos || nl2 - i > 64) continue;
    const std::string module = bytes.substr(i + 1, nl1 - i - 1);
    if (module.rfind("torch", 0) == 0 || module == "collections")
      globals.insert(module + "." + bytes.substr(nl1 + 1, nl2 - nl1 - 1));
  }
  INFO([&] {
    std::string all;
    for (const auto& g : globals) all += g + " ";
    return all;
  }());
  CHECK(globals.count("torch._utils._rebuild_tensor_v2") == 1);
  CHECK(globals.count("torch.FloatStorage") == 1);
  for (const auto& g : globals) {
    INFO(g);
    CHECK((g == "torch._utils._rebuild_tensor_v2" || g == "collections.OrderedDict" ||
           g == "torch.FloatStorage" || g == "torch.LongStorage"));
  }
  CHECK(bytes.find("torch.jit") == std::string::npos);
  CHECK(fm::read_checkpoint(path).epoch == 2);
}

TEST_CASE("bad checkpoint files give clear errors", "[checkpoint]") {
  SECTION("truncated zip") {
    const fs::path p = temp_file("truncated.pt");
    truncate_copy(kDir + "bregnext_emotion_gcn_state_dict.pt", p, 0.6);
    REQUIRE_THROWS_WITH(fm::read_checkpoint(p.string()), Catch::Contains(p.string()));
  }
  SECTION("truncated legacy file") {
    const fs::path p = temp_file("truncated_legacy.pth");
    truncate_copy(kDir + "densenet121_legacy.pth", p, 0.9);
    REQUIRE_THROWS_WITH(fm::read_checkpoint(p.string()),
                        Catch::Contains("truncated") && Catch::Contains(p.string()));
  }
  SECTION("not a torch file") {
    const fs::path p = temp_file("junk.pth");
    std::ofstream(p.string()) << "hello, this is not a checkpoint";
    REQUIRE_THROWS_WITH(fm::read_checkpoint(p.string()),
                        Catch::Contains("neither a zip archive nor a legacy pickle"));
    REQUIRE_THROWS_WITH(fm::read_checkpoint("/nonexistent.pth"),
                        Catch::Contains("cannot open file"));
  }
  SECTION("wrong architecture names every mismatch") {
    const auto ckpt = fm::read_checkpoint(kDir + "bregnext_emotion_gcn_state_dict.pt");
    auto densenet = fm::make_model({fm::ModelKind::kEmotionGcn, fm::Backbone::kDenseNet});
    REQUIRE_THROWS_WITH(fm::load_state_dict(*densenet, ckpt.model_state, "bregnext.pt"),
                        Catch::Contains("bregnext.pt") &&
                            Catch::Contains("missing key features.conv0.weight") &&
                            Catch::Contains("unexpected key model._conv0.weight") &&
                            Catch::Contains("shape mismatch for gc2.weight"));
    REQUIRE_THROWS_WITH(
        fm::load_pretrained_densenet(*densenet, kDir + "bregnext_emotion_gcn_state_dict.pt"),
        Catch::Contains("not a torchvision DenseNet file"));
  }
  SECTION("wrong shapes are listed and nothing is copied") {
    auto model = fm::make_model({fm::ModelKind::kSingleTask, fm::Backbone::kBReGNeXt});
    auto state = fm::state_dict(*model);
    const at::Tensor before = state[0].second.clone();
    fm::NamedTensors bad;
    for (const auto& [name, t] : state)
      bad.emplace_back(name, name == "_fc0.weight" ? at::zeros({8, 128}) : at::zeros_like(t));
    REQUIRE_THROWS_WITH(
        fm::load_state_dict(*model, bad, "x.pth"),
        Catch::Contains("shape mismatch for _fc0.weight: checkpoint [8, 128], model [7, 128]"));
    CHECK(fm::state_dict(*model)[0].second.equal(before));
  }
}
