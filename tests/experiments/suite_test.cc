// The suites' command line: the ablation list and --shard I/N, which splits a grid across
// machines (issue #11): every shard computes the same split, the shards are disjoint, cover the
// grid and are balanced.
#include "experiments/suite.h"

#include <stdlib.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "tests/catch.h"

namespace ex = fer::experiments;

namespace {

ex::SuiteConfig parse(std::vector<const char*> args) {
  args.insert(args.begin(), "suite");
  ex::SuiteConfig c;
  REQUIRE(ex::parse_suite_config(static_cast<int>(args.size()), args.data(), &c));
  return c;
}

}  // namespace

TEST_CASE("--shard I/N deals the grid's runs round-robin: disjoint, complete, balanced",
          "[suite]") {
  const auto ablations = ex::parse_ablations(
      "affectnet:densenet:single_task,affectnet:densenet:multi_task,affectnet:densenet:emotion_gcn,"
      "affectnet:bregnext:single_task,affectnet:bregnext:multi_task,affectnet:bregnext:emotion_"
      "gcn");
  const int seeds = GENERATE(1, 3);
  const int shards = GENERATE(1, 2, 4, 7, 25);
  std::set<std::pair<std::string, int>> seen;
  size_t smallest = 1000, largest = 0;
  for (int shard = 1; shard <= shards; ++shard) {
    const auto runs = ex::shard_runs(ablations, seeds, shard, shards);
    smallest = std::min(smallest, runs.size());
    largest = std::max(largest, runs.size());
    for (const auto& r : runs) {
      const bool fresh = seen.insert({r.ablation.backbone + ":" + r.ablation.model, r.seed}).second;
      CHECK(fresh);  // No run is in two shards.
    }
  }
  CHECK(seen.size() == ablations.size() * seeds);  // Every run is in one shard.
  CHECK(largest - smallest <= 1);
  // Round-robin: shard 1 of 2 starts with the first run and takes every other one.
  const auto first = ex::shard_runs(ablations, 1, 1, 2);
  REQUIRE(first.size() == 3);
  CHECK(first[0].ablation.model == "single_task");
  CHECK(first[1].ablation.backbone == "densenet");
  CHECK(first[1].ablation.model == "emotion_gcn");
  CHECK(first[2].ablation.backbone == "bregnext");
  CHECK(first[2].ablation.model == "multi_task");
}

TEST_CASE("an ablation may be a named variant with its own runner flags", "[suite]") {
  const auto a = ex::parse_ablations(
      "affectnet:densenet:emotion_gcn:reference,affectnet:densenet:emotion_gcn:tau_0.3:"
      "graph_threshold=0.3+graph_expression_edges");
  REQUIRE(a.size() == 2);
  CHECK(a[0].variant == "reference");
  CHECK(a[0].flags.empty());
  CHECK(a[1].variant == "tau_0.3");
  CHECK(a[1].flags ==
        std::vector<std::string>{"--graph_threshold=0.3", "--graph_expression_edges"});
  CHECK(ex::parse_ablations("affwild2:bregnext:single_task")[0].variant.empty());
  for (const char* bad : {"affectnet:densenet", "affectnet::emotion_gcn",
                          "affectnet:densenet:emotion_gcn::graph_threshold=0.3",
                          "affectnet:densenet:emotion_gcn:v:=0.3", "a:b:c:d:e:f"}) {
    INFO(bad);
    CHECK_THROWS_WITH(ex::parse_ablations(bad), Catch::Contains("ablations"));
  }
}

TEST_CASE("a target's synthetic defaults apply unless the user gives the flag or real data",
          "[suite]") {
  const char* defaults = "--synthetic_defaults=epochs=3";
  CHECK(parse({"--ablations=affectnet:densenet:emotion_gcn", defaults}).base.epochs == 3);
  CHECK(parse({"--ablations=affectnet:densenet:emotion_gcn", defaults, "--epochs", "2"})
            .base.epochs == 2);
  CHECK(parse({"--ablations=affectnet:densenet:emotion_gcn", defaults, "--epochs=4"}).base.epochs ==
        4);
  // With real data the paper schedule's value, resolved per run.
  CHECK(parse({"--ablations=affectnet:densenet:emotion_gcn", defaults, "--data_root", "/d"})
            .base.epochs == -1);
  CHECK(parse({"--ablations=affectnet:densenet:emotion_gcn"}).base.epochs == -1);
  const char* bad[] = {"suite", "--ablations=affectnet:densenet:emotion_gcn",
                       "--synthetic_defaults=epochs=3++lr=1"};
  ex::SuiteConfig c;
  CHECK_THROWS_WITH(ex::parse_suite_config(3, bad, &c), Catch::Contains("synthetic_defaults"));
}

TEST_CASE("suites parse --shard and refuse malformed or out-of-range shards", "[suite]") {
  const char* grid = "--ablations=affectnet:densenet:single_task,affectnet:bregnext:single_task";
  auto c = parse({grid});
  CHECK(c.shard == 1);
  CHECK(c.shards == 1);
  c = parse({grid, "--shard", "2/3", "--seeds", "2"});
  CHECK(c.shard == 2);
  CHECK(c.shards == 3);
  CHECK(c.seeds == 2);
  for (const char* bad : {"0/2", "3/2", "1/0", "2", "a/b", "1/2x", "/2", "1/", "-1/2", "1/20000"}) {
    INFO(bad);
    ex::SuiteConfig out;
    std::vector<const char*> args = {"suite", grid, "--shard", bad};
    try {
      ex::parse_suite_config(static_cast<int>(args.size()), args.data(), &out);
      FAIL("accepted --shard " << bad);
    } catch (const fer::Error& e) {
      CHECK(e.field() == "shard");
      CHECK_THAT(e.what(), Catch::Matchers::Contains(bad));
    }
  }
}

TEST_CASE("under bazel run, relative path flags mean the directory the user ran it from",
          "[suite]") {
  const char* grid = "--ablations=affectnet:densenet:single_task";
  ::setenv("BUILD_WORKING_DIRECTORY", "/home/me/work", 1);
  auto c = parse({grid, "--db", "runs/a.db", "--data_root", "/data/AffectNet", "--report", "r.md"});
  ::unsetenv("BUILD_WORKING_DIRECTORY");
  CHECK(c.base.db == "/home/me/work/runs/a.db");
  CHECK(c.base.data_root == "/data/AffectNet");  // Absolute: unchanged.
  CHECK(c.report == "/home/me/work/r.md");
  CHECK(c.base.glove.empty());             // Unset stays unset.
  c = parse({grid, "--db", "runs/a.db"});  // Not under bazel run: as given.
  CHECK(c.base.db == "runs/a.db");
}
