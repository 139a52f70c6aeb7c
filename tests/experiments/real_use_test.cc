// Issue #28, the path users take: the runner never trains other data than the user named,
// suites continue where they stopped without retraining finished work, every input is checked
// before the first run, stores that share a checkpoint folder keep their own files, a finished
// run leaves no resume state, and failed writes leave no temporary file.
#include <sys/stat.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "core/atomic_file.h"
#include "core/error.h"
#include "experiments/config.h"
#include "experiments/runner.h"
#include "experiments/suite.h"
#include "reports/store.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"
#include "tests/tiny_config.h"

namespace ex = fer::experiments;
namespace fs = boost::filesystem;
using fer::testing::temp_dir;
using fer::testing::tiny_config;

namespace {

ex::RunConfig parse(std::vector<const char*> args) {
  args.insert(args.begin(), "runner");
  ex::RunConfig c;
  REQUIRE(ex::parse_run_config(static_cast<int>(args.size()), args.data(), &c));
  return c;
}

int64_t count(const std::string& db, const std::string& where) {
  fer::reports::ResultStore store(db);
  return fer::as_int(store.db().query("SELECT COUNT(*) FROM runs WHERE " + where).at(0).at(0));
}

ex::SuiteConfig tiny_suite(const fs::path& dir, const std::vector<ex::Ablation>& ablations) {
  ex::SuiteConfig s;
  s.ablations = ablations;
  s.base = tiny_config(dir);
  s.base.epochs = 2;
  s.render = false;
  return s;
}

}  // namespace

TEST_CASE("--data_root never trains the synthetic twin: it needs the dataset named", "[real_use]") {
  // The README's torchrun lines used to be written so: the default dataset is synth-affectnet.
  REQUIRE_THROWS_WITH(ex::resolve(parse({"--data_root", "/data/AffectNet"})),
                      Catch::Contains("field 'data_root'") &&
                          Catch::Contains("--dataset is 'synth-affectnet'") &&
                          Catch::Contains("--dataset affectnet"));
  REQUIRE_THROWS_WITH(ex::resolve(parse({"--dataset", "synth-affwild2", "--data_root", "/d"})),
                      Catch::Contains("--dataset is 'synth-affwild2'"));
  CHECK(ex::resolve(parse({"--dataset", "affectnet", "--data_root", "/d"})).dataset == "affectnet");
}

TEST_CASE("--pretrained with BReG-NeXt is refused before anything runs", "[real_use]") {
  REQUIRE_THROWS_WITH(
      ex::resolve(parse({"--backbone", "bregnext", "--pretrained", "/w/densenet121.pth"})),
      Catch::Contains("field 'pretrained'") && Catch::Contains("--backbone is 'bregnext'"));
}

TEST_CASE("a suite checks every input before its first run", "[real_use]") {
  const fs::path dir = temp_dir("real_use_preflight");
  ex::SuiteConfig s = tiny_suite(
      dir, {{"affectnet", "densenet", "single_task"}, {"affectnet", "bregnext", "emotion_gcn"}});
  std::ostringstream log;
  SECTION("a missing GloVe file") {
    s.base.glove = (dir / "glove.txt").string();
    REQUIRE_THROWS_WITH(ex::run_suite(s, log),
                        Catch::Contains("glove.txt") && Catch::Contains("field 'glove'"));
  }
  SECTION("a GloVe file that is not one") {
    s.base.glove = (dir / "glove.txt").string();
    std::ofstream(s.base.glove) << "<html>not found</html>\n";
    REQUIRE_THROWS_WITH(ex::run_suite(s, log),
                        Catch::Contains("glove.txt:1") && Catch::Contains("not a GloVe"));
  }
  SECTION("ImageNet weights that are not DenseNet-121's") {
    s.base.pretrained = (dir / "densenet121.pth").string();
    std::ofstream(s.base.pretrained) << "not a torch file";
    REQUIRE_THROWS_WITH(ex::run_suite(s, log), Catch::Contains("densenet121.pth") &&
                                                   Catch::Contains("field 'pretrained'"));
  }
  SECTION("a checkpoint folder that cannot be made") {
    std::ofstream((dir / "file").string()) << "x";
    s.base.checkpoint_dir = (dir / "file" / "checkpoints").string();
    REQUIRE_THROWS_WITH(ex::run_suite(s, log), Catch::Contains("field 'checkpoint_dir'"));
  }
  // Nothing trained: no run row in the store (when it was made at all).
  CHECK((!fs::exists(s.base.db) || count(s.base.db, "1") == 0));
}

TEST_CASE("a suite's --pretrained is for its DenseNet-121 configurations only", "[real_use]") {
  ex::SuiteConfig s =
      tiny_suite(temp_dir("real_use_pretrained"), {{"affectnet", "bregnext", "single_task"}});
  s.base.pretrained = "/nowhere/densenet121.pth";  // Not read: no DenseNet configuration.
  s.base.epochs = 1;
  std::ostringstream log;
  REQUIRE(ex::run_suite(s, log) == 0);
  CHECK(log.str().find("applies to the DenseNet-121 configurations") != std::string::npos);
  fer::reports::ResultStore store(s.base.db);
  const auto config = fer::as_string(store.db().query("SELECT config_json FROM runs").at(0).at(0));
  CHECK(config.find("\"pretrained\":\"\"") != std::string::npos);
}

TEST_CASE("re-running an interrupted suite continues it without retraining finished runs",
          "[real_use]") {
  const fs::path dir = temp_dir("real_use_suite_resume");
  const std::vector<ex::Ablation> grid = {{"affectnet", "densenet", "single_task"},
                                          {"affectnet", "densenet", "multi_task"}};
  std::ostringstream log;
  // The first configuration finishes; the second is interrupted after two steps.
  ex::SuiteConfig first = tiny_suite(dir, {grid[0]});
  REQUIRE(ex::run_suite(first, log) == 0);
  ex::SuiteConfig interrupted = tiny_suite(dir, grid);
  interrupted.base.interrupt_after_steps = 2;
  REQUIRE(ex::run_suite(interrupted, log) == 130);
  const std::string db = first.base.db;
  REQUIRE(count(db, "status = 'interrupted'") == 1);
  // The same command, once with --resume and once without: both continue, nothing trains twice.
  ex::SuiteConfig again = tiny_suite(dir, grid);
  again.base.resume = GENERATE(false, true);
  std::ostringstream rerun;
  REQUIRE(ex::run_suite(again, rerun) == 0);
  INFO(rerun.str());
  CHECK(rerun.str().find("already finished as run #1") != std::string::npos);
  CHECK(rerun.str().find("resumed from") != std::string::npos);
  CHECK(count(db, "1") == 2);
  CHECK(count(db, "status = 'finished'") == 2);
  // And a third time: everything is skipped.
  std::ostringstream third;
  REQUIRE(ex::run_suite(again, third) == 0);
  CHECK(third.str().find("2 already in") != std::string::npos);
  CHECK(count(db, "1") == 2);
}

TEST_CASE("runner --resume never trains a finished configuration again", "[real_use]") {
  ex::RunConfig c = tiny_config(temp_dir("real_use_resume_finished"), "single_task");
  c.epochs = 1;
  std::ostringstream log;
  const auto first = ex::run_experiment(c, log);
  REQUIRE(first.status == "finished");
  c.resume = true;
  const auto again = ex::run_experiment(c, log);
  CHECK(again.status == "skipped");
  CHECK(again.run_id == first.run_id);
}

TEST_CASE(
    "stores sharing a checkpoint folder keep their own files; a finished run keeps no resume state",
    "[real_use]") {
  const fs::path dir = temp_dir("real_use_checkpoints");
  ex::RunConfig a = tiny_config(dir, "single_task"), b = a;
  a.epochs = b.epochs = 1;
  a.db = (dir / "fp32.db").string();
  b.db = (dir / "other.db").string();
  a.checkpoint_dir = b.checkpoint_dir = (dir / "checkpoints").string();
  std::ostringstream log;
  const auto ra = ex::run_experiment(a, log), rb = ex::run_experiment(b, log);
  REQUIRE(ra.run_id == rb.run_id);  // Both stores' first run.
  CHECK(ra.final_record.checkpoint_path != rb.final_record.checkpoint_path);
  CHECK(fs::exists(ra.final_record.checkpoint_path));
  CHECK(fs::exists(rb.final_record.checkpoint_path));
  for (const auto& entry : fs::directory_iterator(a.checkpoint_dir)) {
    CHECK(entry.path().string().find(".resume.pt") == std::string::npos);
  }
  CHECK(count(a.db, "resume_state IS NOT NULL") == 0);
}

TEST_CASE("a failed atomic write leaves no temporary file and the old file as it was",
          "[real_use]") {
  const fs::path dir = temp_dir("real_use_atomic");
  const std::string path = (dir / "state.pt").string();
  std::ofstream(path) << "old";
  // The temporary file is a link to /dev/full: every write fails with ENOSPC (a full disk).
  REQUIRE(symlink("/dev/full", (path + ".tmp").c_str()) == 0);
  REQUIRE_THROWS_WITH(
      fer::write_file_atomically(path, std::string(1 << 16, 'x'), "write resume state"),
      Catch::Contains("state.pt") && Catch::Contains("No space left"));
  CHECK_FALSE(fs::exists(fs::symlink_status(path + ".tmp")));
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == "old");
  fer::write_file_atomically(path, "new", "write");
  std::ifstream again(path);
  CHECK(std::string((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>()) ==
        "new");
}
