// Provenance of a result: code version (git commit and dirty flag), host, CPU, GPU, library
// versions, BLAS, compiler and build mode, so numbers can be compared across machines and months.
#pragma once

#include <string>

#include "reports/store.h"

namespace fer::experiments {

/// The code version stamped at build time (experiments/code_version.h): "<sha>",
/// "<sha>-dirty-<digest>" or "unknown".
std::string code_version();

/// Everything known about this process's environment. threads/workers are the resolved counts.
reports::Provenance collect_provenance(int threads, int openblas_threads, int workers,
                                       const std::string& device);

}  // namespace fer::experiments
