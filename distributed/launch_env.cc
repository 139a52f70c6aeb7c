#include "distributed/launch_env.h"

#include <atomic>
#include <cstdlib>
#include <ctime>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace fer::distributed {
namespace {

constexpr const char* kOperation = "read the launcher's environment";

// The variable as an integer in [min, max], or `fallback` when unset.
int int_var(const std::function<const char*(const char*)>& getenv, const char* name, int min, int max,
            int fallback) {
  const char* text = getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*end != '\0' || value < min || value > max) {
    throw Error(kOperation, "", 0, name,
                "expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "], got '" + text + "'");
  }
  return static_cast<int>(value);
}

bool is_set(const std::function<const char*(const char*)>& getenv, const char* name) {
  const char* text = getenv(name);
  return text != nullptr && *text != '\0';
}

std::function<const char*(const char*)> or_process_env(const std::function<const char*(const char*)>& getenv) {
  if (getenv) return getenv;
  return [](const char* name) -> const char* { return std::getenv(name); };
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
  if (!is_set(getenv, world)) throw Error(kOperation, "", 0, world, "RANK is set but WORLD_SIZE is not");
  env.source = torchrun ? "torchrun" : "slurm";
  env.world_size = int_var(getenv, world, 1, 1 << 20, 1);
  env.rank = int_var(getenv, rank, 0, env.world_size - 1, -1);
  if (env.rank < 0) throw Error(kOperation, "", 0, rank, std::string(world) + " is set but " + rank + " is not");
  env.local_rank = int_var(getenv, torchrun ? "LOCAL_RANK" : "SLURM_LOCALID", 0, env.world_size - 1, env.rank);
  env.local_world_size =
      int_var(getenv, torchrun ? "LOCAL_WORLD_SIZE" : "SLURM_NTASKS_PER_NODE", 1, env.world_size, env.world_size);
  if (!env.distributed()) return env;
  for (const char* name : {"MASTER_ADDR", "MASTER_PORT"}) {
    if (!is_set(getenv, name)) {
      throw Error(kOperation, "", 0, name, "a job of " + std::to_string(env.world_size) + " processes needs " + name +
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

std::string write_launcher_error_file(const std::string& message,
                                      const std::function<const char*(const char*)>& getenv_or_null) {
  static std::atomic<bool> written{false};
  try {
    const auto getenv = or_process_env(getenv_or_null);  // Its strings live as long as it does.
    const char* path = getenv("TORCHELASTIC_ERROR_FILE");
    if (path == nullptr || *path == '\0' || written.exchange(true)) return "";
    nlohmann::json data;
    data["message"]["message"] = message;
    // No Python call stack exists; torchrun prints this field as the failure's traceback.
    data["message"]["extraInfo"]["py_callstack"] = message;
    data["message"]["extraInfo"]["timestamp"] = std::to_string(static_cast<long long>(std::time(nullptr)));
    std::ofstream out(path, std::ios::trunc);
    out << data.dump();
    out.close();
    return out ? std::string(path) : std::string();
  } catch (...) {  // Reporting must not replace the error being reported.
    return "";
  }
}

}  // namespace fer::distributed
