// check: the accuracy regression gate. Compares the result store with a committed baseline and
// prints a Markdown diff table; exits 0 (pass), 1 (regression) or 2 (missing or incomplete data).
// With --write_baseline it derives a baseline (mean, seed spread, tolerance) from the store.
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/main.h"
#include "reports/gate.h"
#include "reports/store.h"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  std::string db, baseline, write, metrics, ignore;
  double tolerance = 0.005;
  int check_seeds = 0, runs = 0;
  po::options_description desc("check: accuracy regression gate over a result store");
  desc.add_options()("help", "show this help")(
      "db", po::value(&db)->required(), "result store (SQLite)")("baseline", po::value(&baseline),
                                                                 "baseline file to check against")(
      "write_baseline", po::value(&write),
      "write a baseline derived from the store's seeds to this file")(
      "metrics", po::value(&metrics)->default_value("accuracy,macro_f1"),
      "metrics for --write_baseline")(
      "tolerance", po::value(&tolerance)->default_value(tolerance),
      "the drop that does not matter, in the metric's unit (--write_baseline; a regression is "
      "a drop whose 95% interval over seeds lies beyond it)")(
      "check_seeds", po::value(&check_seeds)->default_value(0),
      "runs a check needs per config (0: as measured; --write_baseline)")(
      "runs", po::value(&runs)->default_value(0),
      "runs each entry needs (0: the baseline's seeds column); fewer widen the interval")(
      "ignore_fields", po::value(&ignore),
      "comma-separated configuration fields left out of the match, for a "
      "deliberate comparison (e.g. shuffle_train_labels: the gate's self-test)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc;
      return 0;
    }
    po::notify(vm);
    if (vm.count("baseline") == vm.count("write_baseline")) {
      throw po::error("give exactly one of --baseline and --write_baseline");
    }
    fer::check_flag_range("tolerance", tolerance, 0, 1);
    fer::check_flag_range("check_seeds", check_seeds, 0, 1000);
    fer::check_flag_range("runs", runs, 0, 1000);
  } catch (const po::error& e) {
    std::cerr << "check: " << e.what() << "\n" << desc;
    return 2;
  } catch (const fer::Error& e) {
    std::cerr << "check: error: " << e.what() << "\n";
    return 2;
  }
  return fer::run_main("check", [&] {
    if (!std::ifstream(db)) throw fer::Error("open result store", db, 0, "db", "file not found");
    fer::reports::ResultStore store = fer::reports::ResultStore::open_read_only(db);
    const auto summaries = fer::reports::summarize(store.db());
    if (!write.empty()) {
      std::vector<std::string> list;
      std::stringstream ss(metrics);
      for (std::string m; std::getline(ss, m, ',');) list.push_back(m);
      // Derived in full before the file is touched: a refused baseline leaves no empty file.
      const std::string text =
          fer::reports::write_baseline(summaries, list, tolerance, check_seeds);
      fer::write_file_atomically(write, text, "write baseline");
      std::cout << "wrote " << write << "\n";
      return 0;
    }
    std::vector<std::string> ignored;
    std::stringstream fields(ignore);
    for (std::string f; std::getline(fields, f, ',');) {
      if (!f.empty()) ignored.push_back(f);
    }
    const auto result = fer::reports::check_against_baseline(
        summaries, fer::reports::read_baseline(baseline), ignored, runs);
    std::cout << result.markdown;
    return result.exit_code;
  });
}
