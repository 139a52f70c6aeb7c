// Checks made before any training starts, so that a mistake in a long run's inputs costs
// seconds, not the hours of the runs before it (README "Running on your AffectNet"): the
// dataset folder named, the GloVe file, the ImageNet weights, the result store and the
// checkpoint folder. The dataset's rows and images are checked when it is opened, before the
// first step.
#pragma once

#include <ostream>
#include <set>
#include <string>

#include "experiments/config.h"

namespace fer::experiments {

/// Checks the inputs and outputs of a resolved config and prints one line per check to `log`
/// (and warnings: Emotion-GCN on a real dataset without --glove; little free space). Throws
/// fer::Error naming the flag and the file: a real dataset's --data_root that is not a readable
/// directory; a --glove file that is missing or whose first line is not "word v1 ... vD"; a
/// --pretrained file that is not torchvision's DenseNet-121 (loaded into a fresh model); a --db
/// that cannot be opened or created as a result store; a --checkpoint_dir in which no file can
/// be written.
/// `done`, when given, holds the checks already made (a suite checks each input once for all
/// its configurations); checks in it are skipped, new ones added.
void preflight(const RunConfig& config, std::ostream& log, std::set<std::string>* done = nullptr);

/// Free bytes on the file system holding `path` (its nearest existing parent); -1 if unknown.
int64_t free_bytes(const std::string& path);

}  // namespace fer::experiments
