// Where this process stands in a distributed job (issue #11), read from the environment the
// way torchrun sets it: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT. Under srun without torchrun, SLURM_PROCID / SLURM_NTASKS / SLURM_LOCALID /
// SLURM_NTASKS_PER_NODE stand in for the first four (MASTER_ADDR and MASTER_PORT must still be
// set, as for torch.distributed). Kubernetes jobs (PyTorchJob, JobSet) set torchrun's names.
#pragma once

#include <functional>
#include <string>

namespace fer::distributed {

struct LaunchEnv {
  int rank = 0, world_size = 1;
  int local_rank = 0, local_world_size = 1;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  /// Which variables it came from: "torchrun", "slurm" or "none" (one process).
  std::string source = "none";
  bool distributed() const { return world_size > 1; }
};

/// Reads the launcher's variables through `getenv` (the process environment by default). No
/// WORLD_SIZE (or SLURM_NTASKS) means one process. Throws fer::Error naming the variable when one
/// is malformed or inconsistent: a RANK outside [0, WORLD_SIZE), a port outside [1, 65535], a
/// distributed job without MASTER_ADDR or MASTER_PORT, RANK without WORLD_SIZE.
LaunchEnv read_launch_env(const std::function<const char*(const char*)>& getenv = nullptr);

}  // namespace fer::distributed
