// Allowed ranges of every numeric runner flag, checked before any work or database write. A
// value outside its range (zero, negative, NaN, infinite or huge) is an error naming the flag and
// the range; nothing is silently replaced by a default.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "experiments/config.h"

namespace fer::experiments {

struct FlagRange {
  std::string flag;  // Without "--".
  double min, max;   // Inclusive bounds unless open.
  bool min_open = false, max_open = false;
  std::string rule;                               // Extra rule in words ("" when none).
  std::function<double(const RunConfig&)> value;  // The field's value.
  std::function<bool(const RunConfig&)> extra;    // Extra rule (nullptr when none).
};

/// One entry per numeric flag of the runner.
const std::vector<FlagRange>& flag_ranges();

/// Throws fer::Error (operation "check options", field = flag) for the first flag that `check`
/// selects whose value is outside its range. The message names the flag, the value and the
/// allowed range, e.g. "--lr must be in (0, 10], got -1".
void check_flag_ranges(const RunConfig& config,
                       const std::function<bool(const std::string&)>& check);

/// The smallest input size each backbone can take (DenseNet-121: 29, so that three 2x2 average
/// pools after the stride-4 stem leave one pixel; BReG-NeXt: a multiple of 4, so that the
/// strided shortcut's average pool and the strided convolution agree), as text for messages.
std::string input_size_rule(const std::string& backbone);
/// True when `size` suits `backbone`.
bool input_size_ok(const std::string& backbone, double size);

}  // namespace fer::experiments
