// The training loop writes only through a metrics::Recorder: with an in-memory recorder and no
// result store, a tiny run records every epoch and its resume states, and the outcome it returns
// is the best recorded epoch's.
#include "metrics/recorder.h"

#include <sstream>

#include "distributed/collective.h"
#include "experiments/run_data.h"
#include "experiments/train_options.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"
#include "tests/tiny_config.h"
#include "training/trainer.h"

namespace ex = fer::experiments;

TEST_CASE("the trainer records through a Recorder, without a result store", "[runner]") {
  const auto dir = fer::testing::temp_dir("memory_recorder");
  const ex::RunConfig c = ex::resolve(fer::testing::tiny_config(dir, "single_task"));
  const fer::datasets::Dataset data = ex::open_run_data(c);
  fer::metrics::MemoryRecorder recorder;
  std::ostringstream log;
  fer::distributed::WorldOfOne world;
  const fer::training::TrainResult result =
      fer::training::train(ex::train_options(c, /*run_id=*/7), data, recorder,
                           /*resume_from=*/"", log, world);
  REQUIRE(result.outcome == fer::training::Outcome::kFinished);
  REQUIRE(recorder.epochs.size() == static_cast<size_t>(c.epochs));
  for (size_t e = 0; e < recorder.epochs.size(); ++e)
    CHECK(recorder.epochs[e].epoch == static_cast<int64_t>(e));
  CHECK(recorder.resume_states.size() == static_cast<size_t>(c.epochs));  // One after each epoch.
  CHECK(recorder.resume_states.back() == ex::resume_state_path(c, 7));
  CHECK(recorder.status.empty());  // Finishing the run is the caller's decision.
  const auto& best = recorder.epochs.at(static_cast<size_t>(result.final_record.best_epoch));
  CHECK(result.final_record.val.accuracy == best.val.accuracy);
  CHECK(result.final_record.val.macro_f1 == best.val.macro_f1);
  CHECK(result.final_record.checkpoint_path == ex::best_checkpoint_path(c, 7));
  CHECK_FALSE(boost::filesystem::exists(c.db));  // Nothing wrote a database.
}
