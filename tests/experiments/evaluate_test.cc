// Evaluating saved weights: which model a state dict holds (all six, DataParallel prefixes,
// overrides), clear refusals of truncated and foreign files, SHA-256 of checkpoint files, and an
// evaluation that reproduces exactly the metrics the trainer stored for the same weights.
#include "experiments/evaluate.h"

#include <ATen/ATen.h>

#include <boost/filesystem.hpp>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/sha256.h"
#include "experiments/runner.h"
#include "models/checkpoint.h"
#include "models/factory.h"
#include "models/model_inference.h"
#include "models/state_dict.h"
#include "reports/gate.h"
#include "reports/render.h"
#include "reports/summary.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"
#include "tests/tiny_config.h"

namespace ex = fer::experiments;
namespace fm = fer::models;
namespace rp = fer::reports;

namespace {

fm::NamedTensors state_of(fm::ModelKind kind, fm::Backbone backbone, int64_t classes = 7) {
  fm::ModelSpec spec;
  spec.kind = kind;
  spec.backbone = backbone;
  spec.num_classes = classes;
  return fm::state_dict(*fm::make_model(spec));
}

}  // namespace

TEST_CASE("SHA-256 matches the FIPS 180-4 test vectors", "[evaluate]") {
  CHECK(fer::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(fer::sha256_hex("abc") ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(fer::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(fer::sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  const auto dir = fer::testing::temp_dir("sha256");
  std::ofstream((dir / "abc.txt").string()) << "abc";
  CHECK(fer::sha256_file((dir / "abc.txt").string()) == fer::sha256_hex("abc"));
  REQUIRE_THROWS_WITH(fer::sha256_file((dir / "missing.pth").string()),
                      Catch::Contains("missing.pth"));
}

TEST_CASE("the six models are identified from their keys and shapes", "[evaluate]") {
  const auto kind =
      GENERATE(fm::ModelKind::kSingleTask, fm::ModelKind::kMultiTask, fm::ModelKind::kEmotionGcn);
  const auto backbone = GENERATE(fm::Backbone::kDenseNet, fm::Backbone::kBReGNeXt);
  INFO(fm::to_string(backbone) << " " << fm::to_string(kind));
  const auto state = state_of(kind, backbone);
  const fm::ModelSpec spec = fm::infer_model_spec(state, "model.pth");
  CHECK(spec.kind == kind);
  CHECK(spec.backbone == backbone);
  CHECK(spec.num_classes == 7);
  CHECK(spec.embedding_dim == 300);
  // torch.nn.DataParallel's "module." prefix is removed; the weights load and give the same
  // outputs.
  fm::NamedTensors wrapped;
  for (const auto& [name, t] : state) wrapped.emplace_back("module." + name, t);
  const fm::EmotionModel model = fm::load_model_from_state(wrapped, "wrapped.pth");
  const auto loaded = fm::state_dict(*model);
  REQUIRE(loaded.size() == state.size());
  for (size_t i = 0; i < state.size(); ++i) CHECK(at::equal(loaded[i].second, state[i].second));
}

TEST_CASE("torchvision-derived files load: legacy DenseNet names, no batch counters",
          "[evaluate]") {
  // A torchvision DenseNet-121 with a 7-way classifier, saved before PyTorch 0.4.1.
  const auto state = state_of(fm::ModelKind::kSingleTask, fm::Backbone::kDenseNet);
  fm::NamedTensors legacy;
  for (const auto& [name, t] : state) {
    if (name.find("num_batches_tracked") != std::string::npos) continue;
    std::string key = name;
    for (const char* part : {".norm1.", ".norm2.", ".conv1.", ".conv2."}) {
      const auto at = key.find(part);
      if (at != std::string::npos && key.find("denselayer") != std::string::npos) {
        key = key.substr(0, at) + "." + std::string(part).substr(1, 4) + "." +
              std::string(1, part[5]) + key.substr(at + 6);
      }
    }
    legacy.emplace_back(key, t);
  }
  bool renamed = false;
  for (const auto& [name, t] : legacy)
    renamed = renamed || name.find("denselayer1.norm.1.weight") != std::string::npos;
  REQUIRE(renamed);
  const fm::EmotionModel model = fm::load_model_from_state(legacy, "torchvision.pth");
  const auto loaded = fm::state_dict(*model);
  for (size_t i = 0; i < state.size(); ++i) {
    if (state[i].first.find("num_batches_tracked") == std::string::npos)
      CHECK(at::equal(loaded[i].second, state[i].second));
  }
}

TEST_CASE("files written by Python's torch.save are identified and load", "[evaluate]") {
  const std::string dir = "tests/testdata/checkpoints/";  // tools/make_checkpoint_fixtures.py
  struct Case {
    std::string file;
    fm::ModelKind kind;
    fm::Backbone backbone;
    int64_t classes;
  };
  for (const Case& c :
       {Case{"bregnext_emotion_gcn_state_dict.pt", fm::ModelKind::kEmotionGcn,
             fm::Backbone::kBReGNeXt, 7},
        Case{"densenet_multi_task_reference.pth", fm::ModelKind::kMultiTask,
             fm::Backbone::kDenseNet, 7},
        // torchvision's ImageNet DenseNet-121 (legacy format and names): 1000 classes.
        Case{"densenet121_legacy.pth", fm::ModelKind::kSingleTask, fm::Backbone::kDenseNet,
             1000}}) {
    INFO(c.file);
    const auto ckpt = fm::read_checkpoint(dir + c.file);
    const fm::ModelSpec spec = fm::infer_model_spec(ckpt.model_state, c.file);
    CHECK(spec.kind == c.kind);
    CHECK(spec.backbone == c.backbone);
    CHECK(spec.num_classes == c.classes);
    CHECK_NOTHROW(fm::load_model_from_state(ckpt.model_state, c.file));
  }
}

TEST_CASE("class counts and embedding sizes come from the shapes", "[evaluate]") {
  CHECK(fm::infer_model_spec(state_of(fm::ModelKind::kSingleTask, fm::Backbone::kDenseNet, 8), "x")
            .num_classes == 8);
  CHECK(fm::infer_model_spec(state_of(fm::ModelKind::kMultiTask, fm::Backbone::kBReGNeXt, 5), "x")
            .num_classes == 5);
  fm::ModelSpec gcn;
  gcn.embedding_dim = 50;
  CHECK(fm::infer_model_spec(fm::state_dict(*fm::make_model(gcn)), "x").embedding_dim == 50);
}

TEST_CASE("truncated, foreign and mismatched state dicts are refused with the differences",
          "[evaluate]") {
  auto state = state_of(fm::ModelKind::kEmotionGcn, fm::Backbone::kDenseNet);
  auto truncated = state;
  truncated.erase(truncated.begin() + 10);
  const std::string dropped = state[10].first;
  REQUIRE_THROWS_WITH(
      fm::load_model_from_state(truncated, "truncated.pth"),
      Catch::Contains("truncated.pth") && Catch::Contains("missing key " + dropped));
  auto reshaped = state;
  reshaped[5].second = at::zeros({3});
  REQUIRE_THROWS_WITH(fm::load_model_from_state(reshaped, "reshaped.pth"),
                      Catch::Contains("shape mismatch"));
  const fm::NamedTensors foreign = {{"encoder.layer0.weight", at::zeros({4, 4})}};
  REQUIRE_THROWS_WITH(fm::infer_model_spec(foreign, "foreign.pth"),
                      Catch::Contains("foreign.pth") && Catch::Contains("looked for") &&
                          Catch::Contains("encoder.layer0.weight"));
  REQUIRE_THROWS_WITH(fm::infer_model_spec({}, "empty.pth"),
                      Catch::Contains("the state dict is empty"));
  // --model multi_task on a single-task file: the strict load names both sides.
  REQUIRE_THROWS_WITH(
      fm::load_model_from_state(state_of(fm::ModelKind::kSingleTask, fm::Backbone::kDenseNet),
                                "single.pth", fm::ModelKind::kMultiTask),
      Catch::Contains("missing key lin_cat.weight") &&
          Catch::Contains("unexpected key classifier.weight"));
}

TEST_CASE("evaluating a checkpoint reproduces the trainer's metrics and is stored as its own row",
          "[evaluate]") {
  const auto dir = fer::testing::temp_dir("evaluate_run");
  // Single-task: a DenseNet trained for a few steps can overflow in eval mode (BatchNorm
  // statistics barely updated), and the CCC of such outputs is NaN, which proves nothing.
  ex::RunConfig train = fer::testing::tiny_config(dir, "single_task");
  std::ostringstream log;
  const auto trained = ex::run_experiment(train, log);
  REQUIRE(trained.status == "finished");

  const char* argv[] = {"evaluate",
                        "--checkpoint",
                        trained.final_record.checkpoint_path.c_str(),
                        "--db",
                        train.db.c_str(),
                        "--cache_dir",
                        train.cache_dir.c_str(),
                        "--batch_size",
                        "6",
                        "--input_size",
                        "48",
                        "--threads",
                        "1",
                        "--synth_train_per_class",
                        "3",
                        "--synth_val_per_class",
                        "2"};
  ex::EvaluateConfig e;
  REQUIRE(ex::parse_evaluate_config(static_cast<int>(std::size(argv)), argv, &e));
  const auto evaluated = ex::evaluate_checkpoint(e, log);
  INFO(log.str());
  REQUIRE(evaluated.status == "finished");
  CHECK(evaluated.spec.kind == fm::ModelKind::kSingleTask);
  CHECK(evaluated.checkpoint_epoch == trained.final_record.best_epoch);
  const auto& a = trained.final_record.val;
  const auto& b = evaluated.evaluation.metrics;
  CHECK(a.accuracy == b.accuracy);
  CHECK(a.macro_f1 == b.macro_f1);
  REQUIRE(std::isfinite(a.loss));
  CHECK(a.loss == b.loss);
  CHECK(a.loss_expression == b.loss_expression);
  CHECK(trained.final_record.per_class_recall == evaluated.evaluation.per_class);
  CHECK(trained.final_record.confusion == evaluated.evaluation.confusion);

  // The evaluation stores its per-sample outputs, the same as the trained run's best epoch
  // (issue #32): the same weights on the same rows.
  {
    rp::ResultStore outputs(train.db);
    const auto from_training = outputs.samples_of(trained.run_id);
    const auto from_evaluation = outputs.samples_of(evaluated.run_id);
    REQUIRE(from_training.has_value());
    REQUIRE(from_evaluation.has_value());
    CHECK(from_evaluation->predicted == from_training->predicted);
    CHECK(from_evaluation->truth == from_training->truth);
    CHECK(from_evaluation->index == from_training->index);
    CHECK(from_evaluation->probabilities == from_training->probabilities);
    CHECK_FALSE(from_evaluation->has_va());  // Single-task.
  }

  // Stored once; the same evaluation again is skipped, --force repeats it.
  CHECK(ex::evaluate_checkpoint(e, log).status == "skipped");
  e.run.force = true;
  CHECK(ex::evaluate_checkpoint(e, log).status == "finished");

  // The paper table shows it as its own row, beside the trained one.
  rp::ResultStore store(train.db);
  const auto summaries = rp::summarize(store.db());
  REQUIRE(summaries.size() == 2);
  const std::string table = rp::render_paper_table(summaries, {}, "synth-affectnet");
  // (The repeated evaluation replaces the first: one run per configuration counts.)
  CHECK(table.find("| DenseNet-121 | Single-task | checkpoint | 1 |") != std::string::npos);
  CHECK(table.find("| DenseNet-121 | Single-task | smoke | 1 |") != std::string::npos);
  CHECK(fer::as_string(store.db().query("SELECT value FROM provenance WHERE run_id = ?1 AND key = "
                                        "'checkpoint_sha256'",
                                        {evaluated.run_id})[0][0]) ==
        fer::sha256_file(trained.final_record.checkpoint_path));

  // The gate can check an evaluation: one deterministic run, decided by the tolerance.
  std::vector<rp::ConfigSummary> evaluations;
  for (const auto& s : summaries) {
    if (s.schedule == "checkpoint") evaluations.push_back(s);
  }
  const auto baseline_path = (dir / "baseline.txt").string();
  std::ofstream(baseline_path) << rp::write_baseline(evaluations, {"accuracy", "macro_f1"}, 0.005);
  const auto gate = rp::check_against_baseline(summaries, rp::read_baseline(baseline_path));
  INFO(gate.markdown);
  CHECK(gate.exit_code == 0);
  CHECK(gate.markdown.find("synth-affectnet densenet single_task checkpoint") != std::string::npos);

  // Flags for training only are refused; a model the file does not hold is an error.
  const char* resume[] = {"evaluate", "--checkpoint", "x.pth", "--resume"};
  REQUIRE_THROWS_WITH(ex::parse_evaluate_config(4, resume, &e), Catch::Contains("training flag"));
  const char* missing[] = {"evaluate"};
  REQUIRE_THROWS_WITH(ex::parse_evaluate_config(1, missing, &e),
                      Catch::Contains("--checkpoint FILE is required"));
  const char* wrong[] = {
      "evaluate",      "--checkpoint", trained.final_record.checkpoint_path.c_str(),
      "--model",       "emotion_gcn",  "--db",
      train.db.c_str()};
  REQUIRE(ex::parse_evaluate_config(static_cast<int>(std::size(wrong)), wrong, &e));
  REQUIRE_THROWS_WITH(ex::evaluate_checkpoint(e, log), Catch::Contains("missing key gc1.weight"));
}
