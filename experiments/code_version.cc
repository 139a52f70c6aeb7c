#include "experiments/code_version.h"

namespace fer::experiments {

bool reusable_code_version(const std::string& version) {
  return !version.empty() && version != "unknown";
}

}  // namespace fer::experiments
