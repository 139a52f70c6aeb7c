// Where this process stands in a distributed job (issue #11), read from the environment the
// way torchrun sets it: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT. Under srun without torchrun, SLURM_PROCID / SLURM_NTASKS / SLURM_LOCALID and the
// node's task count (SLURM_NTASKS_PER_NODE, else this SLURM_NODEID's entry of
// SLURM_STEP_TASKS_PER_NODE or SLURM_TASKS_PER_NODE, lists such as "2(x3),1") stand in for the
// first four (MASTER_ADDR and MASTER_PORT must still be set, as for torch.distributed).
// Kubernetes jobs set torchrun's names; a PyTorchJob without torchrun sets only RANK, WORLD_SIZE,
// MASTER_ADDR and MASTER_PORT, one process per pod: LOCAL_RANK defaults to 0 and
// LOCAL_WORLD_SIZE to LOCAL_RANK + 1.
// torchrun's agent serves the rendezvous store itself at MASTER_ADDR:MASTER_PORT and says so
// with TORCHELASTIC_USE_AGENT_STORE=True (every rank is then its client, as torch.distributed's
// env:// rendezvous does), and asks each worker to write its error to TORCHELASTIC_ERROR_FILE,
// from which it reports the first failure.
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
  /// torchrun's agent serves the store (TORCHELASTIC_USE_AGENT_STORE=True); rank 0 must not.
  bool agent_store = false;
  /// TORCHELASTIC_RESTART_COUNT: which attempt of an elastic job this is (keys are per attempt).
  int restart_count = 0;
  bool distributed() const { return world_size > 1; }
};

/// Reads the launcher's variables through `getenv` (the process environment by default). No
/// WORLD_SIZE (or SLURM_NTASKS) means one process. Throws fer::Error naming the variable when one
/// is malformed or inconsistent: a RANK outside [0, WORLD_SIZE), a port outside [1, 65535], a
/// distributed job without MASTER_ADDR or MASTER_PORT, RANK without WORLD_SIZE, a local rank not
/// below the local world size, a Slurm task count list that does not parse.
LaunchEnv read_launch_env(const std::function<const char*(const char*)>& getenv = nullptr);

/// Writes `message` where torchrun's agent reads a failed worker's error (the JSON of PyTorch's
/// ErrorHandler.record_exception: {"message": {"message", "extraInfo": {"py_callstack",
/// "timestamp"}}}), so torchrun's summary shows it and picks the earliest as the root cause.
/// The file is $TORCHELASTIC_ERROR_FILE (read through `getenv`); without it nothing is written.
/// The first call of the process writes; later calls are ignored (the first error is the one).
/// Returns the path written, or "". Never throws.
std::string write_launcher_error_file(
    const std::string& message, const std::function<const char*(const char*)>& getenv = nullptr);

}  // namespace fer::distributed
