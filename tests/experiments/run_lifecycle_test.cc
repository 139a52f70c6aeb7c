// experiments/run_lifecycle.h: the steps every stored run takes. A run begun in a store is found
// finished by the same configuration and code (and skipped, unless --force); a failure inside a
// run marks it failed with the error and its context, and still propagates.
#include "experiments/run_lifecycle.h"

#include <sstream>
#include <stdexcept>

#include "datasets/dataset.h"
#include "experiments/code_version.h"
#include "experiments/config.h"
#include "experiments/run_data.h"
#include "metrics/recorder.h"
#include "reports/store.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"
#include "tests/tiny_config.h"

namespace ex = fer::experiments;

TEST_CASE("a finished run of the same config and code is skipped, unless --force",
          "[experiments]") {
  const auto dir = fer::testing::temp_dir("lifecycle_skip");
  ex::RunConfig c = ex::resolve(fer::testing::tiny_config(dir, "single_task"));
  std::ostringstream log;
  const ex::RunStart start = ex::start_run(c, log);
  CHECK(log.str().find("config " + start.hash + ": {") != std::string::npos);
  CHECK(log.str().find("code version " + start.code) != std::string::npos);
  fer::reports::ResultStore store(c.db);
  CHECK_FALSE(ex::finished_run(store, c, start, log));
  const fer::datasets::Dataset data = ex::open_run_data(c);
  const int64_t id = ex::begin_run(store, c, start, data, {{"world_size", "1"}});
  CHECK_FALSE(ex::finished_run(store, c, start, log));  // Begun is not finished.
  fer::reports::StoreRecorder(store, id).finish(fer::metrics::FinalRecord());
  if (fer::experiments::reusable_code_version(start.code)) {
    std::ostringstream skip;
    REQUIRE(ex::finished_run(store, c, start, skip) == id);
    CHECK(skip.str().find("already finished as run #" + std::to_string(id)) != std::string::npos);
    c.force = true;
    CHECK_FALSE(ex::finished_run(store, c, start, skip));
  } else {
    std::ostringstream never;
    CHECK_FALSE(ex::finished_run(store, c, start, never));
    CHECK(never.str().find("never reused") != std::string::npos);
  }
}

TEST_CASE("a failure inside a run marks it failed, with its context, and propagates",
          "[experiments]") {
  fer::metrics::MemoryRecorder recorder;
  REQUIRE_THROWS_WITH(ex::mark_failed_on_error(
                          recorder, [] { throw std::runtime_error("rank 1 lost"); },
                          [](const std::string& what) { return "first failure: " + what; }),
                      "rank 1 lost");
  CHECK(recorder.status == "failed");
  CHECK(recorder.message == "rank 1 lost; first failure: rank 1 lost");
  fer::metrics::MemoryRecorder fine;
  bool ran = false;
  ex::mark_failed_on_error(fine, [&] { ran = true; });
  CHECK(ran);
  CHECK(fine.status.empty());
}
