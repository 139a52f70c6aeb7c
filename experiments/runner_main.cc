// runner: trains and evaluates one ablation (dataset x backbone x model) and stores everything
// in SQLite. `runner --help` lists every flag with its default. Under torchrun or srun (RANK,
// WORLD_SIZE, MASTER_ADDR, MASTER_PORT set) it joins the job as one rank (torchrun's agent
// store and error file included); with --nproc N it starts N local ranks itself
// (experiments/job.h).
#include <string>

#include "core/main.h"
#include "distributed/launch_env.h"
#include "experiments/config.h"
#include "experiments/job.h"
#include "experiments/runner.h"

int main(int argc, char** argv) {
  namespace ex = fer::experiments;
  return fer::run_main(
      "runner",
      [&] {
        ex::RunConfig config;
        if (!ex::parse_run_config(argc, argv, &config)) return 0;
        return ex::run_job(
            "runner", config, argc, argv, [&](std::ostream& log, fer::distributed::Group* group) {
              return ex::run_experiment(config, log, group).status == "interrupted" ? 130 : 0;
            });
      },
      // Under torchrun, the launcher's error file names this rank's error (once per process).
      [](const std::string& what) { fer::distributed::write_launcher_error_file(what); });
}
