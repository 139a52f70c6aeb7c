// How a training entry point (the runner, the ablation suites) runs as a job (issue #11): as one
// process; as one rank of a launcher's data-parallel job (torchrun, srun, Kubernetes: RANK,
// WORLD_SIZE, MASTER_ADDR, MASTER_PORT set), joining its process group; or, with --nproc N, as
// the launcher of N local ranks of itself. The rank-0-only console, the per-rank thread default,
// torchrun's one-GPU-per-local-rank convention and the failure report (failure board, torchrun's
// error file) live here, so that every entry point behaves the same.
#pragma once

#include <functional>
#include <ostream>
#include <string>

#include "distributed/group.h"
#include "experiments/config.h"

namespace fer::experiments {

/// The work of one process. `log` is standard output in one process and on rank 0, a stream
/// that discards on the other ranks (a launcher would interleave their consoles); `group` is
/// null in one process. Returns the process's exit code.
using JobWork = std::function<int(std::ostream& log, distributed::Group* group)>;

/// The intra-op threads of a rank when --threads is not given: the machine's hardware threads
/// shared evenly by the ranks on it (local_world_size), at least 1, so that N ranks on one machine
/// do not oversubscribe its cores N-fold.
int default_rank_threads(int hardware_threads, int local_world_size);

/// Runs `work` as this process's part of the job. `program` names the binary in messages;
/// `argv` is the process's own (an --nproc launcher restarts /proc/self/exe with it, less
/// --nproc). `config` is the parsed, unresolved base config; in a rank it is adjusted before
/// `work` runs: threads (when not given), device cuda -> cuda:LOCAL_RANK, dist_backend resolved,
/// and the testing aid testing_die_rank dropped on an elastic restart. Installs the Ctrl-C /
/// SIGTERM handler. Returns the exit code: work's, or for --nproc the first failing rank's.
/// Throws fer::Error for --nproc inside a launched job and for a malformed launch environment;
/// a rank whose work throws posts the error on the job's failure board, and rank 0 prints which
/// rank failed first (standard error), before the exception propagates. Under torchrun the
/// error is written to TORCHELASTIC_ERROR_FILE.
int run_job(const std::string& program, RunConfig& config, int argc, char** argv,
            const JobWork& work);

/// For the tools that run in one process (evaluate, predict): throws fer::Error (field
/// WORLD_SIZE) when a launcher started this process as one rank of a job, where every copy
/// would write the same results; also for a malformed launch environment.
void require_one_process(const std::string& program);

}  // namespace fer::experiments
