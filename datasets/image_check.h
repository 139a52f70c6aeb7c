// image_check: the defects only the image files show, found before any training starts
// (issue #13): missing files, corrupt and truncated JPEGs (libjpeg's recoverable warnings such as
// "premature end of data" count as errors), CMYK JPEGs (an unexpected channel count), a frame of
// another size than the rest of its video (Aff-Wild2's cropped_aligned frames share one size),
// face boxes that do not overlap the image, and eye landmarks outside it (AffectNet).
//
// Each defect is one RowError in the split's report (file: the image path; defect: its class).
// Under BadRowPolicy::kSkip the defective samples leave the split (and are listed); under kError
// they stay, and open_dataset's enforce_policy turns the report into an error.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "datasets/sample.h"

namespace fer::datasets {

enum class ImageCheckMode {
  kOff,     // Trust the files (the readers still check that each exists).
  kHeader,  // Read each header: format, size, channels, geometry against the size.
  kDecode,  // kHeader plus a full entropy decode (at 1/8 scale, which reads every coefficient).
};

/// "off", "header", "decode".
std::string to_string(ImageCheckMode mode);
std::optional<ImageCheckMode> parse_image_check_mode(const std::string& text);

struct ImageCheckOptions {
  ImageCheckMode mode = ImageCheckMode::kDecode;
  int threads = 0;  // 0: one per hardware thread.
  /// Called on the calling thread now and then, and once at the end: (images done, total).
  std::function<void(int64_t done, int64_t total)> progress;
  /// Polled before every image (any thread): true stops the check, which then throws
  /// fer::Interrupted (Ctrl-C or SIGTERM while AffectNet's 420k images are checked).
  std::function<bool()> cancelled;
};

/// Checks every kept sample of both splits of `index`. Appends one RowError per defective image;
/// with `policy` kSkip also removes those samples (SplitReport::kept follows). A bad image is
/// never an exception, only a RowError (an image too large to decode included: its allocation
/// failure or OpenCV's exception becomes the row's message). Throws fer::Interrupted when
/// options.cancelled says so.
void check_images(DatasetIndex& index, const ImageCheckOptions& options, BadRowPolicy policy);

/// Reports (one RowError per split, defect::kAbsentClass) every class with no kept sample in a
/// split, naming them. Nothing can be skipped for it: training without a class is the user's call.
void check_class_coverage(DatasetIndex& index);

}  // namespace fer::datasets
