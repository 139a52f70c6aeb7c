// Aff-Wild2 (Kollias & Zafeiriou, 2021 ABAW challenge release) read from its original layout
// (paper Sec. IV-A):
//   EXPR_Set/{Train_Set,Validation_Set}/<video>.txt  header Neutral,Anger,Disgust,Fear,Happiness,
//                                                    Sadness,Surprise; one label per frame, -1 =
//                                                    none
//   VA_Set/{Train_Set,Validation_Set}/<video>.txt    header valence,arousal; one row per frame,
//                                                    -5 = none
//   cropped_aligned/<video>/00001.jpg                 1-based frames, 112x112, absent without a
//   face
//                                                    (also cropped_aligned/cropped_aligned/, as the
//                                                    zip unpacks, or images/cropped_aligned/)
// Multi-task samples are frames with an expression label, a valence/arousal label and an image:
// train = EXPR Train_Set videos, val = EXPR Validation_Set videos, VA looked up in either VA split.
//
// Later releases are read too, and the layout found is named in DatasetIndex::layout: the
// annotation folders may sit under annotations/ (or annotations/annotations/), and be named
// EXPR_Classification_Challenge / EXPR_Recognition_Challenge and VA_Estimation_Challenge (ABAW
// 2022 and later); their EXPR files may carry an eighth expression, "...,Surprise,Other" (label 7).
//
// Documented drops (counted per code): "expression -1 (unlabelled)", "expression 7 Other" (the
// paper's seven classes), "valence/arousal -5 (unlabelled)", "no VA annotation for the video",
// "frame beyond the VA file", "no face image".
// Anything that does not parse is a malformed row (file, line, field); a video annotated in both
// EXPR sets is an "image in both splits" defect (skipping leaves it out of validation).
#pragma once

#include <string>
#include <vector>

#include "datasets/sample.h"

namespace fer::datasets {

/// Neutral, Anger, Disgust, Fear, Happiness, Sadness, Surprise (Aff-Wild2's own order).
std::vector<std::string> affwild2_class_names();

/// The EXPR and VA annotation folders of the release under root (each holds Train_Set and
/// Validation_Set). Throws fer::Error, listing every place looked at, when there are none.
std::vector<std::string> affwild2_annotation_folders(const std::string& root);

/// Reads the whole layout under root. Throws fer::Error when no known annotation folder is found
/// (listing every place looked at), a set directory is missing, or (with BadRowPolicy::kError)
/// on malformed rows.
DatasetIndex read_affwild2(const std::string& root, const ReadOptions& options);

}  // namespace fer::datasets
