// compare_throughput: images/s ratios between two benchmark sessions with 95% bootstrap
// intervals; exits 1 on a significant slowdown beyond --threshold, 2 when nothing compares.
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>

#include "core/error.h"
#include "core/main.h"
#include "reports/compare.h"
#include "reports/store.h"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  std::string db;
  fer::reports::CompareOptions o;
  po::options_description desc("compare_throughput: candidate vs baseline benchmark session");
  desc.add_options()("help", "show this help")("db", po::value(&db)->required(),
                                               "result store (SQLite)")(
      "baseline", po::value(&o.baseline)->required(),
      "label:NAME | session:ID | commit:SHA | device:NAME")(
      "candidate", po::value(&o.candidate)->required(), "same forms as --baseline")(
      "ignore", po::value(&o.ignore)->multitoken(),
      "name parts to match loosely: device precision memory_format")(
      "threshold", po::value(&o.threshold)->default_value(0.05),
      "fail on significant slowdowns beyond this fraction");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc;
      return 0;
    }
    po::notify(vm);
    fer::check_flag_range("threshold", o.threshold, 0, 0.99);
  } catch (const po::error& e) {
    std::cerr << "compare_throughput: " << e.what() << "\n" << desc;
    return 2;
  } catch (const fer::Error& e) {
    std::cerr << "compare_throughput: error: " << e.what() << "\n";
    return 2;
  }
  return fer::run_main("compare_throughput", [&] {
    if (!std::ifstream(db)) throw fer::Error("open result store", db, 0, "db", "file not found");
    fer::reports::ResultStore store = fer::reports::ResultStore::open_read_only(db);
    const auto result = fer::reports::compare_sessions(store.db(), o);
    std::cout << result.markdown;
    return result.exit_code;
  });
}
