#include "experiments/job.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>
#include <vector>

#include "core/error.h"
#include "distributed/failure_context.h"
#include "distributed/launch_env.h"
#include "distributed/launcher.h"
#include "experiments/runner.h"
#include "training/interrupt.h"

namespace fer::experiments {
namespace {

int run_as_rank(const std::string& program, const distributed::LaunchEnv& env, RunConfig& config,
                const JobWork& work) {
  // The testing aid kills a rank in the first attempt only, so that a restarted attempt of an
  // elastic job (torchrun --max-restarts) can show that it resumes.
  if (env.restart_count > 0) config.testing_die_rank = -1;
  if (config.threads < 0) {
    config.threads = default_rank_threads(static_cast<int>(std::thread::hardware_concurrency()),
                                          env.local_world_size);
  }
  if (config.workers < 0 && config.device.rfind("cuda", 0) == 0) {
    config.workers =
        std::max(2, default_workers(config.device, std::thread::hardware_concurrency()) /
                        std::max(1, env.local_world_size));
  }
  // torchrun's convention: one GPU per local rank.
  if (config.device == "cuda") config.device = "cuda:" + std::to_string(env.local_rank);
  config.dist_backend = distributed::resolve_backend(config.dist_backend, config.device);
  distributed::GroupOptions o;
  o.backend = config.dist_backend;
  o.device = c10::Device(config.device);
  o.timeout = std::chrono::milliseconds(static_cast<int64_t>(config.dist_timeout * 1000));
  const auto group = distributed::Group::join(env, o);
  std::ostream discard(nullptr);
  std::ostream& log = env.rank == 0 ? std::cout : discard;
  try {
    return work(log, group.get());
  } catch (const std::exception& e) {
    // Rank 0 says which rank failed first (the others' errors are on their own consoles,
    // perhaps on other machines).
    const std::string context = distributed::failure_context(*group, e.what(), config.dist_timeout);
    if (!context.empty()) std::cerr << program << ": rank " << env.rank << ": " << context << "\n";
    distributed::write_launcher_error_file(std::string(e.what()) +
                                           (context.empty() ? "" : "; " + context));
    throw;
  }
}

}  // namespace

int default_rank_threads(int hardware_threads, int local_world_size) {
  return std::max(1, std::max(1, hardware_threads) / std::max(1, local_world_size));
}

int run_job(const std::string& program, RunConfig& config, int argc, char** argv,
            const JobWork& work) {
  const distributed::LaunchEnv env = distributed::read_launch_env();
  if (config.nproc > 1 && env.distributed()) {
    throw Error("parse options", "", 0, "nproc",
                "--nproc starts local ranks itself; this process is already rank " +
                    std::to_string(env.rank) + " of a " + env.source + " job of " +
                    std::to_string(env.world_size));
  }
  if (config.nproc > 1) {
    distributed::LaunchOptions o;
    o.nproc = config.nproc;
    o.grace_s = config.dist_timeout + 10;
    return distributed::launch_local_ranks(
        "/proc/self/exe",
        distributed::without_nproc(std::vector<std::string>(argv + 1, argv + argc)), o, std::cout);
  }
  training::install_interrupt_handler();
  if (!env.distributed()) return work(std::cout, nullptr);
  return run_as_rank(program, env, config, work);
}

void require_one_process(const std::string& program) {
  const distributed::LaunchEnv env = distributed::read_launch_env();
  if (!env.distributed()) return;
  throw Error("check the launch", "", 0, env.source == "slurm" ? "SLURM_NTASKS" : "WORLD_SIZE",
              program + " runs in one process, but was started as rank " +
                  std::to_string(env.rank) + " of a " + env.source + " job of " +
                  std::to_string(env.world_size) + "; start it directly (one copy)");
}

}  // namespace fer::experiments
