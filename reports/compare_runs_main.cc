// compare_runs: two selections of stored runs compared sample by sample (paired bootstrap with
// intervals and p-values, McNemar's exact test for single-seed pairs, a verdict). Exits 0 when
// compared, 2 when the runs cannot be paired or the arguments are wrong.
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>

#include "core/error.h"
#include "core/main.h"
#include "reports/compare_runs.h"
#include "reports/store.h"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  std::string db, baseline, candidate;
  fer::stats::BootstrapOptions o;
  po::options_description desc("compare_runs: candidate vs baseline runs, sample by sample");
  desc.add_options()("help", "show this help")("db", po::value(&db)->required(),
                                               "result store (SQLite)")(
      "baseline", po::value(&baseline)->required(),
      "run:ID[,ID...] | config:ID (the report's 16-hex configuration id)")(
      "candidate", po::value(&candidate)->required(), "same forms as --baseline")(
      "resamples", po::value(&o.resamples)->default_value(o.resamples),
      "bootstrap resamples (sacreBLEU's 1000)")("seed", po::value(&o.seed)->default_value(o.seed),
                                                "bootstrap seed (sacreBLEU's 12345)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc;
      return 0;
    }
    po::notify(vm);
    fer::check_flag_range("resamples", o.resamples, 100, 1000000);
  } catch (const po::error& e) {
    std::cerr << "compare_runs: " << e.what() << "\n" << desc;
    return 2;
  } catch (const fer::Error& e) {
    std::cerr << "compare_runs: error: " << e.what() << "\n";
    return 2;
  }
  return fer::run_main("compare_runs", [&] {
    if (!std::ifstream(db)) throw fer::Error("open result store", db, 0, "db", "file not found");
    fer::reports::ResultStore store = fer::reports::ResultStore::open_read_only(db);
    const auto result = fer::reports::compare_runs(store.db(), baseline, candidate, o);
    std::cout << result.markdown;
    return result.exit_code;
  });
}
