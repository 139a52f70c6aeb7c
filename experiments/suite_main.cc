// suite: runs a list of ablations (the Bazel grid targets call it with --ablations) and renders
// the report. Every runner flag passes through (--data_root, --device, --schedule, --db, ...),
// --nproc and launching under torchrun / srun included: each configuration then trains
// data-parallel (experiments/job.h).
#include <string>

#include "core/main.h"
#include "distributed/launch_env.h"
#include "experiments/job.h"
#include "experiments/suite.h"

int main(int argc, char** argv) {
  namespace ex = fer::experiments;
  return fer::run_main(
      "suite",
      [&] {
        ex::SuiteConfig config;
        if (!ex::parse_suite_config(argc, argv, &config)) return 0;
        return ex::run_job("suite", config.base, argc, argv,
                           [&](std::ostream& log, fer::distributed::Group* group) {
                             return ex::run_suite(config, log, group);
                           });
      },
      // Under torchrun, the launcher's error file names this rank's error (once per process).
      [](const std::string& what) { fer::distributed::write_launcher_error_file(what); });
}
