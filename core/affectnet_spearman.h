// The label-graph statistics the reference released for AffectNet (paper Sec. III-B;
// PanosAntoniadis/emotion-gcn data/spearman_affectnet.pkl, a pandas DataFrame over Neutral, Happy,
// Sad, Surprise, Fear, Disgust, Anger, Valence, Arousal): the Spearman correlation, over
// AffectNet's training annotations, of each expression's one-hot indicator with valence and with
// arousal, and of valence with arousal. The models build the paper's graph from them; the reports
// print them beside a dataset's own.
#pragma once

namespace fer {

/// AffectNet's expression order, the order of the arrays below.
inline constexpr const char* kAffectNetExpressions[7] = {"Neutral", "Happy",   "Sad",  "Surprise",
                                                         "Fear",    "Disgust", "Anger"};
inline constexpr double kAffectNetValenceCorrelation[7] = {-0.3351, 0.8611,  -0.4530, -0.0276,
                                                           -0.1218, -0.1764, -0.3837};
inline constexpr double kAffectNetArousalCorrelation[7] = {-0.2841, 0.0145, -0.4337, 0.3382,
                                                           0.2356,  0.1437, 0.4138};
inline constexpr double kAffectNetValenceArousalCorrelation = 0.0373;
/// The reference's gen_A keeps an edge where |correlation| >= this (expression-expression
/// correlations are dropped).
inline constexpr double kLabelGraphEdgeThreshold = 0.1;

}  // namespace fer
