// The label graph a report's runs trained with (paper Sec. III-B): for each dataset index, the
// Spearman correlation of every expression with valence and arousal over its training split
// (stored with the run, datasets.label_correlation), beside the values the reference released
// for AffectNet (core/affectnet_spearman.h), with the graph's edges (|r| >= 0.1, as the
// reference's gen_A) and whether they are AffectNet's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/sqlite.h"

namespace fer::reports {

/// Markdown: one table per distinct (dataset, index digest) among run_ids that recorded a label
/// correlation; empty when none did (runs stored before schema 4). Throws fer::Error naming the
/// database and the run when a stored matrix is malformed.
std::string render_label_graph(Database& db, const std::vector<int64_t>& run_ids);

}  // namespace fer::reports
