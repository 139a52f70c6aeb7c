// The label graph's flags (issue #32, item 3): names and combinations refused with the flag
// named, the reference's values left out of the stored JSON (so earlier hashes stay), every
// other value stored and hashed, and the typed options the engine receives.
#include "experiments/graph_flags.h"

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "experiments/config.h"
#include "experiments/train_options.h"
#include "tests/catch.h"
#include "tests/tiny_config.h"

namespace ex = fer::experiments;

namespace {

ex::RunConfig parse(std::vector<const char*> args) {
  return fer::testing::parse_resolved(std::move(args));
}

}  // namespace

TEST_CASE("the reference graph's values are not stored, so earlier hashes stay", "[graph]") {
  const ex::RunConfig plain = parse({});
  for (const char* key : {"graph_", "node_embeddings"})
    CHECK(ex::to_json(plain).find(key) == std::string::npos);
  const ex::RunConfig spelled = parse({"--graph_threshold", "0.1", "--graph_reweight", "0.5",
                                       "--graph_source", "train", "--node_embeddings", "auto"});
  CHECK(ex::to_json(spelled) == ex::to_json(plain));
  CHECK(ex::config_hash(spelled) == ex::config_hash(plain));
  CHECK_FALSE(ex::graph_differs_from_reference(plain));
}

TEST_CASE("every other graph value is stored and hashed", "[graph]") {
  const std::string plain = ex::config_hash(parse({}));
  const std::vector<std::pair<std::vector<const char*>, std::string>> variants = {
      {{"--graph_threshold", "0.3"}, "\"graph_threshold\":0.3"},
      {{"--graph_reweight", "0.2"}, "\"graph_reweight\":0.2"},
      {{"--graph_source", "affectnet"}, "\"graph_source\":\"affectnet\""},
      {{"--graph_source", "ones"}, "\"graph_source\":\"ones\""},
      {{"--graph_source", "none"}, "\"graph_source\":\"none\""},
      {{"--graph_expression_edges"}, "\"graph_expression_edges\":true"},
      {{"--node_embeddings", "random"}, "\"node_embeddings\":\"random\""},
      {{"--node_embeddings", "onehot"}, "\"node_embeddings\":\"onehot\""},
      {{"--node_embeddings", "fallback"}, "\"node_embeddings\":\"fallback\""},
  };
  std::vector<std::string> hashes;
  for (const auto& [args, stored] : variants) {
    const ex::RunConfig c = parse(args);
    INFO(stored);
    CHECK(ex::to_json(c).find(stored) != std::string::npos);
    CHECK(ex::config_hash(c) != plain);
    CHECK(ex::graph_differs_from_reference(c));
    for (const auto& h : hashes) CHECK(h != ex::config_hash(c));
    hashes.push_back(ex::config_hash(c));
  }
}

TEST_CASE("graph flags reach the engine's options", "[graph]") {
  const auto t = ex::train_options(parse({"--graph_threshold", "0.25", "--graph_reweight", "0.3",
                                          "--graph_source", "ones", "--graph_expression_edges"}),
                                   1);
  CHECK(t.graph_tau == 0.25);
  CHECK(t.graph_p == 0.3);
  CHECK(t.graph_source == fer::models::GraphSource::kOnes);
  CHECK(t.graph_expression_edges);
  const auto d = ex::train_options(parse({}), 1);
  CHECK(d.graph_tau == 0.1);
  CHECK(d.graph_p == 0.5);
  CHECK(d.graph_source == fer::models::GraphSource::kTrain);
  CHECK_FALSE(d.graph_expression_edges);
}

TEST_CASE("bad graph values and combinations name the flag", "[graph]") {
  CHECK_THROWS_WITH(
      parse({"--graph_source", "glove"}),
      Catch::Contains("graph_source") && Catch::Contains("valid: train, affectnet, ones, none"));
  CHECK_THROWS_WITH(parse({"--node_embeddings", "word2vec"}),
                    Catch::Contains("node_embeddings") &&
                        Catch::Contains("auto, glove, fallback, random, onehot, glove-6b-50d"));
  CHECK_THROWS_WITH(parse({"--model", "multi_task", "--graph_threshold", "0.3"}),
                    Catch::Contains("Emotion-GCN's"));
  CHECK_THROWS_WITH(parse({"--model", "single_task", "--node_embeddings", "onehot"}),
                    Catch::Contains("Emotion-GCN's"));
  CHECK_THROWS_WITH(parse({"--graph_source", "affectnet", "--graph_expression_edges"}),
                    Catch::Contains("graph_expression_edges") &&
                        Catch::Contains("no expression-expression values"));
  CHECK_THROWS_WITH(parse({"--node_embeddings", "glove"}), Catch::Contains("give --glove FILE"));
  CHECK_THROWS_WITH(parse({"--node_embeddings", "random", "--glove", "/g.txt"}),
                    Catch::Contains("does not read --glove"));
  CHECK_THROWS_WITH(parse({"--graph_reweight", "1"}),
                    Catch::Contains("--graph_reweight must be in [0, 1)"));
  CHECK(parse({"--graph_threshold", "0"}).graph_threshold == 0);
  CHECK(parse({"--graph_threshold", "1"}).graph_threshold == 1);
}

TEST_CASE("glove-6b-50d reads the file tools/fetch_glove6b.sh writes", "[graph]") {
  setenv("EMOGCN_GLOVE6B_DIR", "/somewhere/glove", 1);
  const ex::RunConfig c = parse({"--node_embeddings", "glove-6b-50d"});
  CHECK(c.glove == "/somewhere/glove/glove.6B.50d.txt");
  CHECK(ex::to_json(c).find("\"node_embeddings\":\"glove-6b-50d\"") != std::string::npos);
  // Resolving twice (the suite does) keeps it.
  CHECK(ex::resolve(c).glove == c.glove);
  CHECK_THROWS_WITH(parse({"--node_embeddings", "glove-6b-50d", "--glove", "/other.txt"}),
                    Catch::Contains("drop --glove"));
  unsetenv("EMOGCN_GLOVE6B_DIR");
  setenv("XDG_CACHE_HOME", "/xdg", 1);
  CHECK(ex::glove6b_path() == "/xdg/emogcn-bench/glove-6b-50d/glove.6B.50d.txt");
  unsetenv("XDG_CACHE_HOME");
}
