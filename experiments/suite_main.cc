// suite: runs a list of ablations (the Bazel grid targets call it with --ablations) and renders
// the report. Every runner flag passes through (--data_root, --device, --schedule, --db, ...),
// --nproc and launching under torchrun / srun included: each configuration then trains
// data-parallel (experiments/job.h).
#include <iostream>

#include "core/error.h"
#include "distributed/launch_env.h"
#include "experiments/job.h"
#include "experiments/suite.h"

int main(int argc, char** argv) {
  namespace ex = fer::experiments;
  try {
    ex::SuiteConfig config;
    if (!ex::parse_suite_config(argc, argv, &config)) return 0;
    return ex::run_job("suite", config.base, argc, argv,
                       [&](std::ostream& log, fer::distributed::Group* group) {
                         return ex::run_suite(config, log, group);
                       });
  } catch (const fer::Error& e) {
    std::cerr << "suite: error: " << e.what() << "\n";
    fer::distributed::write_launcher_error_file(e.what());  // Under torchrun; once per process.
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "suite: error: " << e.what() << "\n";
    fer::distributed::write_launcher_error_file(e.what());
    return 1;
  }
}
