#include "distributed/launcher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>

#include "core/error.h"

namespace fer::distributed {
namespace {

constexpr const char* kOperation = "launch local ranks";

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "exited with code " + std::to_string(WEXITSTATUS(status));
}

int exit_code_of(int status) {
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

pid_t start_rank(const std::string& program, const std::vector<std::string>& args, int rank,
                 int nproc, int port) {
  const pid_t pid = ::fork();
  if (pid < 0)
    throw Error(kOperation, program, 0, "nproc",
                std::string("fork failed: ") + std::strerror(errno));
  if (pid > 0) return pid;
  // The child: torchrun's variables, then the program itself.
  ::setenv("RANK", std::to_string(rank).c_str(), 1);
  ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
  ::setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
  ::setenv("LOCAL_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
  ::setenv("MASTER_ADDR", "127.0.0.1", 1);
  ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
  ::signal(SIGINT, SIG_DFL);
  std::vector<char*> argv = {const_cast<char*>(program.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(program.c_str(), argv.data());
  std::fprintf(stderr, "launcher: cannot start %s: %s\n", program.c_str(), std::strerror(errno));
  ::_exit(127);
}

// SIGTERM to the launcher (a scheduler's stop): passed on to every rank, which then stops as
// for Ctrl-C.
volatile std::sig_atomic_t g_terminate_requested = 0;
void on_sigterm(int) { g_terminate_requested = 1; }

}  // namespace

std::vector<std::string> without_nproc(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--nproc") {
      ++i;  // And its value.
    } else if (args[i].rfind("--nproc=", 0) != 0) {
      out.push_back(args[i]);
    }
  }
  return out;
}

int free_local_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    throw Error(kOperation, "", 0, "MASTER_PORT", std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string message = std::strerror(errno);
    ::close(fd);
    throw Error(kOperation, "", 0, "MASTER_PORT", "no free port on 127.0.0.1: " + message);
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

int launch_local_ranks(const std::string& program, const std::vector<std::string>& args,
                       const LaunchOptions& o, std::ostream& log) {
  const int port = free_local_port();
  log << "launcher: starting " << o.nproc << " ranks of " << program
      << " (Gloo on 127.0.0.1:" << port << ")\n"
      << std::flush;
  // The terminal's Ctrl-C reaches every rank (same process group); the launcher waits for them.
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGTERM, on_sigterm);
  std::vector<pid_t> pids;
  for (int r = 0; r < o.nproc; ++r) pids.push_back(start_rank(program, args, r, o.nproc, port));
  int result = 0, running = o.nproc;
  std::chrono::steady_clock::time_point failed_at;
  bool terminated = false, killed = false, forwarded = false;
  while (running > 0) {
    if (g_terminate_requested && !forwarded) {
      log << "launcher: SIGTERM: passing it on to the ranks\n" << std::flush;
      for (pid_t p : pids) {
        if (p > 0) ::kill(p, SIGTERM);
      }
      forwarded = true;
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      for (int r = 0; r < o.nproc; ++r) {
        if (pids[static_cast<size_t>(r)] != pid) continue;
        pids[static_cast<size_t>(r)] = -1;
        --running;
        const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!ok)
          log << "launcher: rank " << r << " (pid " << pid << ") " << describe_status(status)
              << "\n"
              << std::flush;
        if (!ok && result == 0) {
          result = exit_code_of(status);
          failed_at = std::chrono::steady_clock::now();
        }
      }
      continue;
    }
    if (result != 0 && running > 0) {
      const double waited =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - failed_at).count();
      const int signal = !terminated && waited > o.grace_s    ? SIGTERM
                         : !killed && waited > o.grace_s + 10 ? SIGKILL
                                                              : 0;
      if (signal != 0) {
        log << "launcher: " << running << " rank(s) still running " << static_cast<int>(waited)
            << " s after the first failure; sending signal " << signal << "\n"
            << std::flush;
        for (pid_t p : pids) {
          if (p > 0) ::kill(p, signal);
        }
        (signal == SIGTERM ? terminated : killed) = true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  return result;
}

}  // namespace fer::distributed
