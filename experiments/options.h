// Command-line parsing shared by the runner, suites, evaluate and predict (Boost.Program_options):
// one place that turns Boost's errors into fer::Error naming the flag.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace fer::experiments {

/// Parses argv against `desc` into `vm` (notified). With allow_unknown, the options `desc` does
/// not know are returned in order (for another parser); without, they are errors. Throws
/// fer::Error ("parse options") with Boost's message, which names the flag.
std::vector<std::string> parse_options(int argc, const char* const* argv,
                                       const boost::program_options::options_description& desc,
                                       boost::program_options::variables_map* vm,
                                       bool allow_unknown = false);

}  // namespace fer::experiments
