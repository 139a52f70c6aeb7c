// scaling_benchmark (issue #11): data-parallel scaling on this machine, every mode measured in
// the same run with the same global batch (experiments/scaling.h). Prints a Markdown table:
// global images/s, ms per step and the ratio to one rank with all the threads.
//   bazel run -c opt //experiments:scaling_benchmark -- --backbone densenet --input_size 64
#include <boost/program_options.hpp>
#include <iostream>

#include "core/error.h"
#include "experiments/options.h"
#include "experiments/scaling.h"

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  namespace ex = fer::experiments;
  ex::ScalingOptions s;
  po::options_description desc(
      "scaling_benchmark: data-parallel training steps, ranks x threads, on this machine");
  desc.add_options()("help", "show this help")(
      "backbone", po::value(&s.backbone)->default_value(s.backbone), "densenet | bregnext")(
      "model", po::value(&s.model)->default_value(s.model),
      "single_task | multi_task | emotion_gcn")(
      "input_size", po::value(&s.input_size)->default_value(s.input_size), "input pixels (>= 16)")(
      "batch", po::value(&s.batch)->default_value(s.batch),
      "per-rank batch (the peer's is ranks x batch)")(
      "steps", po::value(&s.steps)->default_value(s.steps), "timed steps per mode")(
      "warmup", po::value(&s.warmup)->default_value(s.warmup), "untimed steps per mode")(
      "ranks", po::value(&s.ranks)->default_value(s.ranks),
      "ranks of the data-parallel modes (>= 2)")("threads",
                                                 po::value(&s.threads)->default_value(s.threads),
                                                 "threads in all (split between the ranks)");
  try {
    po::variables_map vm;
    ex::parse_options(argc, argv, desc, &vm);
    if (vm.count("help")) {
      std::cout << desc;
      return 0;
    }
    std::cout << ex::format_scaling(s, ex::measure_scaling(s)) << std::flush;
    return 0;
  } catch (const fer::Error& e) {
    std::cerr << "scaling_benchmark: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "scaling_benchmark: error: " << e.what() << "\n";
    return 1;
  }
}
