// experiments/config_fields.h: one table gives every RunConfig field its role. The stored JSON
// and the config hash it yields are pinned here (results in existing stores must keep matching
// their configurations), and each list the code used to keep by hand is now read from the table.
#include "experiments/config_fields.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "experiments/config.h"
#include "reports/store.h"
#include "tests/catch.h"

namespace ex = fer::experiments;

namespace {

ex::RunConfig resolved(std::vector<const char*> args) {
  args.insert(args.begin(), "runner");
  ex::RunConfig c;
  REQUIRE(ex::parse_run_config(static_cast<int>(args.size()), args.data(), &c));
  return ex::resolve(c);
}

std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

// Pinned with the hand-written field lists this table replaced (commit 7eee4fc).
constexpr const char* kTrainingJson =
    R"({"augment":false,"backbone":"densenet","batch_size":32,"cache_dir":"",)"
    R"("channels_last":false,"checkpoint_dir":"/r/checkpoints","class_weights":"on",)"
    R"("color_jitter":0,"data_root":"","dataset":"synth-affectnet","db":"/r/results.db",)"
    R"("decode":"scaled","device":"cpu","early_stop":10,"epochs":5,"glove":"",)"
    R"("image_check":"decode","input_size":32,"lambda":1,"lr":0.01,"lr_gamma":0.1,"lr_step":4,)"
    R"("model":"emotion_gcn","momentum":0.9,"precision":"fp32","preprocess":"fast",)"
    R"("pretrained":"","run_name":"synth-affectnet_densenet_emotion_gcn_s3",)"
    R"("schedule":"smoke","seed":3,"shuffle_train_labels":false,"skip_bad_rows":false,)"
    R"("synth_label_noise":0.05,"synth_train_per_class":140,"synth_val_per_class":30,)"
    R"("threads":2,"weight_decay":0.001,"workers":2})";

}  // namespace

TEST_CASE("the stored JSON and the hash of a configuration are unchanged", "[experiments]") {
  ex::RunConfig c = resolved({"--db", "/r/results.db", "--seed", "3", "--threads", "2"});
  CHECK(ex::to_json(c) == kTrainingJson);
  CHECK(ex::config_hash(c) == "05708548d8b9d6a4");
  // A job of two ranks evaluating saved weights: the conditional fields appear.
  c.world_size = 2;
  c.dist_backend = "gloo";
  c.checkpoint = "/w/best.pth";
  c.checkpoint_sha256 = "ab12";
  const nlohmann::json j = nlohmann::json::parse(ex::to_json(c));
  CHECK(j.at("world_size") == 2);
  CHECK(j.at("dist_backend") == "gloo");
  CHECK(j.at("checkpoint") == "/w/best.pth");
  CHECK(j.at("checkpoint_sha256") == "ab12");
  CHECK(j.size() == nlohmann::json::parse(kTrainingJson).size() + 4);
  CHECK(ex::config_hash(c) == "c20879990b76daf6");
}

TEST_CASE("the hash leaves out exactly the placement fields", "[experiments]") {
  CHECK(as_set(ex::field_names(ex::FieldRole::kPlacement)) ==
        as_set(fer::reports::unhashed_config_fields()));
  const ex::RunConfig base = resolved({"--seed", "3", "--threads", "2"});
  for (const auto& f : ex::config_fields()) {
    if (f.role == ex::FieldRole::kNotStored) CHECK(f.value(base).is_null());
  }
  ex::RunConfig moved = base;
  moved.db = "/elsewhere/results.db";
  moved.run_name = "renamed";
  moved.workers = 7;
  moved.checkpoint_dir = "/ckpt";
  CHECK(ex::config_hash(moved) == ex::config_hash(base));
  ex::RunConfig other = base;
  other.threads = 1;  // Each machine's own, but part of the result's record.
  CHECK(ex::config_hash(other) != ex::config_hash(base));
}

TEST_CASE("the ranks share the result fields, not each machine's paths", "[experiments]") {
  ex::RunConfig a = resolved({"--seed", "3", "--threads", "2"});
  ex::RunConfig b = a;
  b.data_root = "/mnt/copy";
  b.glove = "/opt/glove.txt";
  b.pretrained = "/opt/densenet.pth";
  b.threads = 8;
  b.db = "/other.db";
  CHECK(ex::result_fields(a) == ex::result_fields(b));
  b.lr = 0.5;
  CHECK(ex::result_fields(a) != ex::result_fields(b));
  const auto result = as_set(ex::field_names(ex::FieldRole::kResult));
  for (const char* own : {"data_root", "glove", "pretrained", "threads", "db", "workers"})
    CHECK(result.count(own) == 0);
}

TEST_CASE("evaluate's refused flags come from the table", "[experiments]") {
  CHECK(as_set(ex::field_names(ex::FieldUse::kTraining)) ==
        std::set<std::string>{"resume", "interrupt_after_steps", "shuffle_train_labels",
                              "pretrained", "graph_threshold", "graph_reweight", "graph_source",
                              "graph_expression_edges"});
  const auto dp = as_set(ex::field_names(ex::FieldUse::kDataParallel));
  for (const char* flag : {"nproc", "dist_backend", "dist_timeout"}) CHECK(dp.count(flag) == 1);
  std::set<std::string> names;
  for (const auto& f : ex::config_fields()) CHECK(names.insert(f.name).second);  // Unique.
}
