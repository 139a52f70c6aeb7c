// render: writes the Markdown report (or, with --format latex, its tables as booktabs LaTeX) (paper
// tables beside published values, throughput, per-run curves and confusion matrices as PNG, CSV
// exports) from a result store.
#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>

#include "core/error.h"
#include "core/main.h"
#include "core/user_path.h"
#include "reports/render.h"
#include "reports/store.h"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  fer::reports::RenderOptions o;
  std::string db;
  po::options_description desc("render: Markdown report from a result store");
  desc.add_options()("help", "show this help")("db", po::value(&db)->required(),
                                               "result store (SQLite)")(
      "out", po::value(&o.out_markdown)->required(),
      "file to write: the Markdown report, or with --format latex a LaTeX document of its "
      "tables (PNG/CSV and each table's .tex go to <stem>_files/)")(
      "format", po::value(&o.format)->default_value(o.format),
      "markdown | latex (booktabs tables for papers)")(
      "paper_values", po::value(&o.paper_values)->default_value(o.paper_values),
      "published reference values (CSV)")("title", po::value(&o.title)->default_value(o.title),
                                          "report title")(
      "dataset", po::value(&o.datasets)->multitoken(), "only these datasets")(
      "no_details", "omit the per-run sections");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc;
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "render: " << e.what() << "\n" << desc;
    return 2;
  }
  o.run_details = vm.count("no_details") == 0;
  if (o.format != "markdown" && o.format != "latex") {
    std::cerr << "render: error: --format: unknown value '" << o.format
              << "'; valid: markdown, latex\n";
    return 2;
  }
  db = fer::user_path(db);
  o.out_markdown = fer::user_path(o.out_markdown);
  if (!vm["paper_values"].defaulted()) o.paper_values = fer::user_path(o.paper_values);
  return fer::run_main("render", [&] {
    if (!std::ifstream(db)) throw fer::Error("open result store", db, 0, "db", "file not found");
    fer::reports::ResultStore store = fer::reports::ResultStore::open_read_only(db);
    fer::reports::render_report(store.db(), o);
    std::cout << "wrote " << o.out_markdown << "\n";
    return 0;
  });
}
