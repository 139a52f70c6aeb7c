// --nproc N: the runner as its own launcher on one machine (issue #11). It starts N copies of
// itself with torchrun's variables (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR
// 127.0.0.1, MASTER_PORT a free port) and watches them as torchrun does: when a rank fails (a
// non-zero exit or a signal), it is named, and the others, which stop on their own once their
// next collective fails or times out, are terminated if they outlive a grace period.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace fer::distributed {

struct LaunchOptions {
  int nproc = 2;
  /// How long the other ranks may take to stop after one failed before they get SIGTERM (then
  /// SIGKILL 10 s later): the job's collective timeout plus a margin.
  double grace_s = 610;
};

/// The arguments without --nproc (as "--nproc N" or "--nproc=N").
std::vector<std::string> without_nproc(const std::vector<std::string>& args);

/// Runs `program` with `args` (argv[1..]) as nproc local ranks and waits for them. Returns 0 when
/// every rank exited 0; else the first failing rank's exit code (128 + signal for a signal).
/// Ctrl-C reaches the ranks through the terminal's process group; the launcher waits for them
/// to save their state. Throws fer::Error when a rank cannot be started.
int launch_local_ranks(const std::string& program, const std::vector<std::string>& args,
                       const LaunchOptions& options, std::ostream& log);

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0).
int free_local_port();

}  // namespace fer::distributed
