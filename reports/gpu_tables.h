// The GPU check's throughput tables (tools/gpu_check_bundle.sh -> gpu_tables.md), from a result
// store's benchmark session (experiments/throughput) and the eager PyTorch peer's CSV
// (tools/gpu_python_eager.py): the training step, C++ against eager, case by case; the best C++
// configuration against the reference recipe (eager fp32, contiguous, batch 35); inference.
// Medians over repetitions; a case not measured (skipped, or cut off by a time limit) shows '-'.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/sqlite.h"

namespace fer::reports {

/// One row of tools/gpu_python_eager.py's CSV.
struct EagerRow {
  std::string model, precision, memory_format, device, torch;
  int64_t batch = 0;
  double images_per_s = 0;
};

/// Reads the eager CSV (header model,batch,precision,memory_format,device,torch,images_per_s).
/// A missing file reads as no rows (the eager step did not run). Throws fer::Error naming the
/// file, line and field for a wrong header, a short row, a batch that is not a positive integer
/// or a rate that is not a finite number >= 0.
std::vector<EagerRow> read_eager_csv(const std::string& path);

/// The Markdown tables of `session`; 0: of the newest session that measured each kind of
/// benchmark (training step, forward), with the newest session's provenance. No session: a note.
std::string render_gpu_tables(Database& db, int64_t session, const std::vector<EagerRow>& eager);

}  // namespace fer::reports
