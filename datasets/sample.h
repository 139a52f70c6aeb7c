// What a dataset reader produces: samples with image path, labels and face geometry, per-split
// validation reports, and the dataset's label set. No LibTorch or OpenCV types here.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fer::datasets {

struct Point {
  float x = 0, y = 0;
};

/// One image with its labels. Coordinates are pixels of the original image.
struct Sample {
  std::string image;       // Path relative to the dataset's image root.
  int32_t expression = 0;  // Index into DatasetIndex::class_names.
  float valence = 0, arousal = 0;
  bool has_geometry = false;  // Face box and eye centres present (AffectNet); else use whole image.
  float box_x = 0, box_y = 0, box_w = 0, box_h = 0;
  Point left_eye, right_eye;  // Means of landmarks 36-41 and 42-47.
};

/// The classes of defect a copy of a dataset can have; each RowError names one, and the
/// report counts them (so --skip_bad_rows says what it skipped, class by class).
namespace defect {
inline constexpr const char* kMalformed = "malformed field";  // A value that does not parse.
inline constexpr const char* kDuplicate = "duplicate row";    // A second kept row of one image.
inline constexpr const char* kInBothSplits =
    "image in both splits";  // Validation leaks into training.
inline constexpr const char* kMissingImage = "missing image";
inline constexpr const char* kUndecodable = "corrupt or truncated image";
inline constexpr const char* kChannels = "unexpected channel count";  // CMYK JPEG.
inline constexpr const char* kSize = "unexpected image size";         // A frame unlike its video's.
inline constexpr const char* kBoxOutside = "face box outside the image";
inline constexpr const char* kEyesOutside = "eye landmarks outside the image";
inline constexpr const char* kAbsentClass =
    "class absent from the split";  // Not skippable: listed.
}  // namespace defect

/// A face box may be at most this many times its image's width and height: the reference
/// crops the box (padded with black), so a larger one would allocate w x h x 3 bytes of padding.
inline constexpr double kMaxFaceBoxScale = 4;

/// One defective row (or image): where, what class of defect, and why. For defects found in the
/// image itself `file` is the image's path and line is 0.
struct RowError {
  std::string file;
  int64_t line = 0;
  std::string field;
  std::string message;
  std::string defect = defect::kMalformed;
  std::string image;  // The image file a defect concerns (image defects, missing images), else "".
};

/// What loading one split found. Dropped rows carry a documented annotation code
/// (see each reader); malformed rows are errors, listed in full.
struct SplitReport {
  std::string split;
  int64_t rows_read = 0;
  int64_t kept = 0;
  std::map<std::string, int64_t> dropped_by_code;
  std::vector<RowError> errors;
};

struct Split {
  std::vector<Sample> samples;
  SplitReport report;
};

/// A dataset as read from disk: both splits and the label set.
struct DatasetIndex {
  std::string name;                      // "affectnet", "affwild2", "synth-affectnet", ...
  std::string root;                      // Directory given by the user (or the synthetic cache).
  std::string image_root;                // Sample::image is relative to this.
  std::vector<std::string> class_names;  // In label order (differs between datasets).
  Split train, val;
  std::string digest;  // Hex digest of the parsed content (provenance).
  std::string layout;  // The release layout the reader found, in words.
};

/// What to do with malformed rows.
enum class BadRowPolicy { kError, kSkip };

/// Options common to the readers.
struct ReadOptions {
  BadRowPolicy bad_rows = BadRowPolicy::kError;
  /// Check that every image file exists (stat). Decoding is left to validate().
  bool check_images_exist = true;
  /// AffectNet: keep codes 0-7 (with Contempt) instead of the paper's 0-6. Kept on purpose
  /// although no runner flag sets it yet: AffectNet's 8-class protocol and ABAW's 8-expression
  /// Aff-Wild2 releases (issue #13) need it.
  bool eight_classes = false;
};

}  // namespace fer::datasets
