// merge: unions result stores from several machines (a grid sharded with --shard I/N) into one,
// so one report renders the whole grid:
//   bazel run //reports:merge -- --out all.db a.db b.db ...
// Exits 0 when merged, 2 on an error (nothing is written then).
#include <boost/program_options.hpp>
#include <iostream>

#include "core/error.h"
#include "core/main.h"
#include "core/user_path.h"
#include "reports/merge.h"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  fer::reports::MergeOptions o;
  po::options_description desc(
      "merge: union result stores into one (run ids remapped, duplicates skipped)");
  desc.add_options()("help", "show this help")("out", po::value(&o.out)->required(),
                                               "output result store (created if missing)")(
      "inputs", po::value(&o.inputs)->multitoken(),
      "input result stores (also positional); never modified")(
      "strict", "a duplicate run is an error instead of being skipped");
  po::positional_options_description positional;
  positional.add("inputs", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << desc;
      return 0;
    }
    po::notify(vm);
    o.strict = vm.count("strict") > 0;
    o.out = fer::user_path(o.out);
    for (auto& input : o.inputs) input = fer::user_path(input);
  } catch (const po::error& e) {
    std::cerr << "merge: " << e.what() << "\n" << desc;
    return 2;
  }
  return fer::run_main("merge", [&] {
    const auto s = fer::reports::merge_stores(o, std::cout);
    std::cout << o.out << ": " << s.runs_added << " run(s) and " << s.sessions_added
              << " benchmark session(s) merged from " << o.inputs.size() << " store(s); "
              << s.runs_duplicate << " duplicate run(s) skipped\n";
    return 0;
  });
}
