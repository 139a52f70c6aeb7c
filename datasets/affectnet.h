// AffectNet (Mollahosseini et al., IEEE TAC 2017), manually annotated release, read from its
// original training.csv / validation.csv (paper Sec. IV-A):
//   subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal
// facial_landmarks: 136 ';'-separated numbers (68 x,y points); eye centres are the means of
// points 36-41 and 42-47. Expression codes: 0 Neutral, 1 Happy, 2 Sad, 3 Surprise, 4 Fear,
// 5 Disgust, 6 Anger, 7 Contempt, 8 None, 9 Uncertain, 10 No-Face.
//
// Documented drops (counted per code in the report): expression codes outside the kept set
// (7-10 in the paper's 7-class setting, 8-10 with eight_classes), and kept rows whose valence
// or arousal is -2 (AffectNet's "uncertain / no face" mark). Everything else that does not
// parse is a malformed row (file, line, field), and so are a second kept row of the same image
// ("duplicate row") and a validation row of an image kept for training ("image in both splits";
// skipping drops the validation row).
//
// The CSV is read as other tools write it (datasets/csv.h: RFC 4180 quoting, CRLF, a UTF-8 BOM,
// blank lines). A first row naming subDirectory_filePath is a header, and maps the columns by
// name (other columns, such as pandas' unnamed index, are ignored); without one, as in the
// published validation.csv, the nine columns are taken in the order above.
#pragma once

#include <string>
#include <vector>

#include "datasets/sample.h"

namespace fer::datasets {

/// Neutral, Happy, Sad, Surprise, Fear, Disgust, Anger (+ Contempt with eight_classes).
std::vector<std::string> affectnet_class_names(bool eight_classes);

/// The names of AffectNet's expression codes 0-10 (Neutral ... Contempt, None, Uncertain, No-Face).
std::vector<std::string> affectnet_code_names();

/// The CSV's header line as AffectNet publishes it.
extern const char kAffectNetHeader[];

/// Reads one CSV (with or without the header line; the real validation.csv has none).
/// image_root: directory that the subDirectory_filePath values are relative to. Throws
/// fer::Error for an unreadable file, a header without one of the nine columns and (with
/// BadRowPolicy::kError) malformed rows.
Split read_affectnet_csv(const std::string& csv_path, const std::string& image_root,
                         const std::string& split_name, const ReadOptions& options);

/// Reads <root>/training.csv and <root>/validation.csv; images under the first directory of
/// <root>/Manually_Annotated_Images and <root>/Manually_Annotated/Manually_Annotated_Images that
/// exists, else <root>.
/// Throws fer::Error for missing files and (with BadRowPolicy::kError) malformed rows.
DatasetIndex read_affectnet(const std::string& root, const ReadOptions& options);

}  // namespace fer::datasets
