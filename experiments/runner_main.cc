// runner: trains and evaluates one ablation (dataset x backbone x model) and stores everything
// in SQLite. `runner --help` lists every flag with its default. Under torchrun or srun (RANK,
// WORLD_SIZE, MASTER_ADDR, MASTER_PORT set) it joins the job as one rank (torchrun's agent
// store and error file included); with --nproc N it starts N local ranks itself.
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "core/error.h"
#include "distributed/group.h"
#include "distributed/launch_env.h"
#include "experiments/config.h"
#include "experiments/launcher.h"
#include "experiments/runner.h"
#include "experiments/trainer.h"

namespace {

int run(int argc, char** argv) {
  namespace ex = fer::experiments;
  ex::RunConfig config;
  if (!ex::parse_run_config(argc, argv, &config)) return 0;
  const fer::distributed::LaunchEnv env = fer::distributed::read_launch_env();
  if (config.nproc > 1 && env.distributed()) {
    throw fer::Error("parse options", "", 0, "nproc",
                     "--nproc starts local ranks itself; this process is already rank " + std::to_string(env.rank) +
                         " of a " + env.source + " job of " + std::to_string(env.world_size));
  }
  if (config.nproc > 1 && !env.distributed()) {
    ex::LaunchOptions o;
    o.nproc = config.nproc;
    o.grace_s = config.dist_timeout + 10;
    return ex::launch_local_ranks("/proc/self/exe", ex::without_nproc(std::vector<std::string>(argv + 1, argv + argc)),
                                  o, std::cout);
  }
  ex::install_interrupt_handler();
  if (!env.distributed()) return ex::run_experiment(config, std::cout).status == "interrupted" ? 130 : 0;
  // The testing aid kills a rank in the first attempt only, so that a restarted attempt of an
  // elastic job (torchrun --max-restarts) can show that it resumes.
  if (env.restart_count > 0) config.testing_die_rank = -1;
  // torchrun's convention: one GPU per local rank.
  if (config.device == "cuda") config.device = "cuda:" + std::to_string(env.local_rank);
  config.dist_backend = fer::distributed::resolve_backend(config.dist_backend, config.device);
  fer::distributed::GroupOptions o;
  o.backend = config.dist_backend;
  o.device = c10::Device(config.device);
  o.timeout = std::chrono::milliseconds(static_cast<int64_t>(config.dist_timeout * 1000));
  const auto group = fer::distributed::Group::join(env, o);
  // Rank 0 prints the run; the others only their errors (torchrun would interleave them).
  std::ostream discard(nullptr);
  std::ostream& log = env.rank == 0 ? std::cout : discard;
  try {
    return ex::run_experiment(config, log, group.get()).status == "interrupted" ? 130 : 0;
  } catch (const std::exception& e) {
    // Rank 0 says which rank failed first (the others' errors are on their own consoles,
    // perhaps on other machines).
    const std::string context = ex::failure_context(*group, e.what(), config.dist_timeout);
    if (!context.empty()) std::cerr << "runner: rank " << env.rank << ": " << context << "\n";
    fer::distributed::write_launcher_error_file(std::string(e.what()) + (context.empty() ? "" : "; " + context));
    throw;
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const fer::Error& e) {
    std::cerr << "runner: error: " << e.what() << "\n";
    fer::distributed::write_launcher_error_file(e.what());  // Under torchrun; once per process.
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "runner: error: " << e.what() << "\n";
    fer::distributed::write_launcher_error_file(e.what());
    return 1;
  }
}
