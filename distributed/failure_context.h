// What a data-parallel rank that failed adds to its error (issue #11): it posts its failure on
// the job's failure board, and rank 0 learns which rank failed first and which posted nothing
// (a rank that died), so the run's stored error names the rank at fault.
#pragma once

#include <string>

#include "distributed/group.h"

namespace fer::distributed {

/// Posts `what` as this rank's failure. On rank 0 returns which rank failed first and which
/// posted no error (FailureBoard::explain, waiting at most min(5 s, dist_timeout_s)); elsewhere,
/// and when nothing is to be added, "". Never throws.
std::string failure_context(Group& group, const std::string& what, double dist_timeout_s);

}  // namespace fer::distributed
