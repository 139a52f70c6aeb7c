#include "experiments/options.h"

#include "core/error.h"

namespace fer::experiments {
namespace po = boost::program_options;

std::vector<std::string> parse_options(int argc, const char* const* argv,
                                       const po::options_description& desc, po::variables_map* vm,
                                       bool allow_unknown) {
  try {
    po::command_line_parser parser(argc, argv);
    parser.options(desc);
    if (allow_unknown) parser.allow_unregistered();
    const po::parsed_options parsed = parser.run();
    po::store(parsed, *vm);
    po::notify(*vm);
    return allow_unknown ? po::collect_unrecognized(parsed.options, po::include_positional)
                         : std::vector<std::string>();
  } catch (const po::error& e) {
    throw Error("parse options", "", 0, "", std::string(e.what()) + " (see --help)");
  }
}

}  // namespace fer::experiments
