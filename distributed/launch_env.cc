#include "distributed/launch_env.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "core/error.h"

namespace fer::distributed {
namespace {

constexpr const char* kOperation = "read the launcher's environment";

// The variable as an integer in [min, max], or `fallback` when unset.
int int_var(const std::function<const char*(const char*)>& getenv, const char* name, int min,
            int max, int fallback) {
  const char* text = getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*end != '\0' || value < min || value > max) {
    throw Error(kOperation, "", 0, name,
                "expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) +
                    "], got '" + text + "'");
  }
  return static_cast<int>(value);
}

bool is_set(const std::function<const char*(const char*)>& getenv, const char* name) {
  const char* text = getenv(name);
  return text != nullptr && *text != '\0';
}

std::function<const char*(const char*)> or_process_env(
    const std::function<const char*(const char*)>& getenv) {
  if (getenv) return getenv;
  return [](const char* name) -> const char* { return std::getenv(name); };
}

// The entry for node `node` of a Slurm task count list ("2(x3),1": 2 tasks on each of nodes 0-2,
// then 1 on node 3), or 0 when the list does not reach that node.
int tasks_on_node(const char* name, const std::string& list, int node) {
  const auto malformed = [&] {
    return Error(kOperation, "", 0, name,
                 "expected a Slurm task count list such as 2(x3),1, got '" + list + "'");
  };
  size_t pos = 0;
  int64_t first = 0;
  int found = 0;  // The whole list is read: a malformed tail is an error on every node.
  while (pos < list.size()) {
    size_t used = 0;
    int tasks = 0, repeat = 1;
    try {
      tasks = std::stoi(list.substr(pos), &used);
      pos += used;
      if (list.compare(pos, 2, "(x") == 0) {
        repeat = std::stoi(list.substr(pos + 2), &used);
        pos += 2 + used;
        if (list.compare(pos, 1, ")") != 0) throw malformed();
        ++pos;
      }
    } catch (const std::logic_error&) {  // stoi: no digits, or out of range.
      throw malformed();
    }
    if (tasks < 1 || repeat < 1 || (pos < list.size() && list[pos++] != ',')) throw malformed();
    if (pos == list.size() && list.back() == ',') throw malformed();
    if (node >= first && node < first + repeat) found = tasks;
    first += repeat;
  }
  return found;
}

// The ranks srun starts on this node: SLURM_NTASKS_PER_NODE (set with --ntasks-per-node), else
// this node's entry of the step's (or the job's) task count list; 1 when Slurm says nothing.
int slurm_local_world_size(const std::function<const char*(const char*)>& getenv, int world_size) {
  if (is_set(getenv, "SLURM_NTASKS_PER_NODE"))
    return int_var(getenv, "SLURM_NTASKS_PER_NODE", 1, world_size, 1);
  const int node = int_var(getenv, "SLURM_NODEID", 0, 1 << 20, 0);
  for (const char* name : {"SLURM_STEP_TASKS_PER_NODE", "SLURM_TASKS_PER_NODE"}) {
    if (!is_set(getenv, name)) continue;
    const int tasks = tasks_on_node(name, getenv(name), node);
    if (tasks < 1 || tasks > world_size) {
      throw Error(kOperation, "", 0, name,
                  std::string("'") + getenv(name) + "' gives node " + std::to_string(node) +
                      " (SLURM_NODEID) " + std::to_string(tasks) +
                      " tasks; expected 1 to SLURM_NTASKS = " + std::to_string(world_size));
    }
    return tasks;
  }
  return 1;
}

}  // namespace

LaunchEnv read_launch_env(const std::function<const char*(const char*)>& getenv_or_null) {
  const std::function<const char*(const char*)> getenv = or_process_env(getenv_or_null);
  LaunchEnv env;
  const bool torchrun = is_set(getenv, "WORLD_SIZE") || is_set(getenv, "RANK");
  const bool slurm = !torchrun && is_set(getenv, "SLURM_NTASKS") && is_set(getenv, "MASTER_ADDR");
  if (!torchrun && !slurm) return env;
  const char* world = torchrun ? "WORLD_SIZE" : "SLURM_NTASKS";
  const char* rank = torchrun ? "RANK" : "SLURM_PROCID";
  if (!is_set(getenv, world))
    throw Error(kOperation, "", 0, world, "RANK is set but WORLD_SIZE is not");
  env.source = torchrun ? "torchrun" : "slurm";
  env.world_size = int_var(getenv, world, 1, 1 << 20, 1);
  env.rank = int_var(getenv, rank, 0, env.world_size - 1, -1);
  if (env.rank < 0)
    throw Error(kOperation, "", 0, rank, std::string(world) + " is set but " + rank + " is not");
  // Without LOCAL_RANK / LOCAL_WORLD_SIZE: one process on its machine or pod (Kubernetes'
  // PyTorchJob sets only RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT); a LOCAL_RANK alone says
  // at least that many ranks share the machine.
  const char* local_rank = torchrun ? "LOCAL_RANK" : "SLURM_LOCALID";
  env.local_rank = int_var(getenv, local_rank, 0, env.world_size - 1, 0);
  if (!torchrun) {
    env.local_world_size = slurm_local_world_size(getenv, env.world_size);
  } else if (is_set(getenv, "LOCAL_WORLD_SIZE")) {
    env.local_world_size = int_var(getenv, "LOCAL_WORLD_SIZE", 1, env.world_size, 1);
  } else {
    env.local_world_size = env.local_rank + 1;
  }
  if (env.local_rank >= env.local_world_size) {
    throw Error(kOperation, "", 0, local_rank,
                std::to_string(env.local_rank) + " is not below the ranks on this machine, " +
                    std::to_string(env.local_world_size) +
                    (torchrun ? " (LOCAL_WORLD_SIZE)" : " (Slurm's tasks per node)"));
  }
  if (!env.distributed()) return env;
  for (const char* name : {"MASTER_ADDR", "MASTER_PORT"}) {
    if (!is_set(getenv, name)) {
      throw Error(kOperation, "", 0, name,
                  "a job of " + std::to_string(env.world_size) + " processes needs " + name +
                      " (rank 0's address and a free port)");
    }
  }
  env.master_addr = getenv("MASTER_ADDR");
  env.master_port = int_var(getenv, "MASTER_PORT", 1, 65535, 0);
  // Python's own spelling, as torch.distributed compares it: str(True).
  const char* agent = getenv("TORCHELASTIC_USE_AGENT_STORE");
  env.agent_store = agent != nullptr && std::string(agent) == "True";
  env.restart_count = int_var(getenv, "TORCHELASTIC_RESTART_COUNT", 0, 1 << 30, 0);
  return env;
}

std::string write_launcher_error_file(
    const std::string& message, const std::function<const char*(const char*)>& getenv_or_null) {
  static std::atomic<bool> written{false};
  try {
    const auto getenv = or_process_env(getenv_or_null);  // Its strings live as long as it does.
    const char* path = getenv("TORCHELASTIC_ERROR_FILE");
    if (path == nullptr || *path == '\0' || written.exchange(true)) return "";
    nlohmann::json data;
    data["message"]["message"] = message;
    // No Python call stack exists; torchrun prints this field as the failure's traceback.
    data["message"]["extraInfo"]["py_callstack"] = message;
    data["message"]["extraInfo"]["timestamp"] =
        std::to_string(static_cast<long long>(std::time(nullptr)));
    std::ofstream out(path, std::ios::trunc);
    out << data.dump();
    out.close();
    return out ? std::string(path) : std::string();
  } catch (...) {  // Reporting must not replace the error being reported.
    return "";
  }
}

}  // namespace fer::distributed
