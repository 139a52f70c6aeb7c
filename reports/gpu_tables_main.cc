// gpu_tables: the GPU check's throughput tables (reports/gpu_tables.h) from a result store and
// the eager peer's CSV, written atomically (a check cut off mid-write leaves the previous tables).
//   gpu_tables --db gpu.db --eager eager.csv --out gpu_tables.md
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/main.h"
#include "reports/compare.h"
#include "reports/gpu_tables.h"
#include "reports/store.h"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  std::string db, eager, out, selector;
  po::options_description desc("gpu_tables: throughput tables, C++ against eager PyTorch");
  desc.add_options()("help", "show this help")("db", po::value(&db)->required(),
                                               "result store with the benchmark session (SQLite)")(
      "eager", po::value(&eager)->default_value(""),
      "tools/gpu_python_eager.py's CSV (missing: no eager columns)")(
      "session", po::value(&selector)->default_value(""),
      "label:NAME | session:ID | ... (default: the newest)")("out", po::value(&out)->required(),
                                                             "Markdown file to write");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc;
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "gpu_tables: " << e.what() << "\n" << desc;
    return 2;
  }
  return fer::run_main("gpu_tables", [&] {
    std::string markdown;
    if (!std::ifstream(db)) {
      markdown =
          "# GPU throughput\n\nNo result store at " + db + " (the throughput step did not run).\n";
    } else {
      fer::reports::ResultStore store = fer::reports::ResultStore::open_read_only(db);
      const int64_t session =
          selector.empty() ? 0 : fer::reports::select_session(store.db(), selector);
      markdown =
          fer::reports::render_gpu_tables(store.db(), session,
                                          eager.empty() ? std::vector<fer::reports::EagerRow>{}
                                                        : fer::reports::read_eager_csv(eager));
    }
    fer::write_file_atomically(out, markdown, "write GPU tables");
    std::cout << markdown;
    return 0;
  });
}
