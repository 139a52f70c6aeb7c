#include "distributed/failure_context.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace fer::distributed {

std::string failure_context(Group& group, const std::string& what, double dist_timeout_s) {
  const auto wait =
      std::chrono::milliseconds(static_cast<int64_t>(std::min(5.0, dist_timeout_s) * 1000));
  group.failures().post(what, wait);
  return group.rank() == 0 ? group.failures().explain(wait) : std::string();
}

}  // namespace fer::distributed
