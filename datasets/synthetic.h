// The embedded default datasets: synthetic faces written to disk in exactly AffectNet's and
// Aff-Wild2's on-disk formats, so every target runs the real parsing, alignment, training,
// metrics and reporting path on a fresh machine. Deterministic: the same options and
// kSyntheticVersion give byte-identical files.
#pragma once

#include <cstdint>
#include <string>

namespace fer::datasets {

/// Bump when the generator's output changes (it is part of the cache directory name).
constexpr int kSyntheticVersion = 3;

struct SyntheticOptions {
  uint64_t seed = 2021;
  /// Mean training images per class (classes are imbalanced). 140: with the smoke schedule,
  /// twice the images for half the epochs of 70 made Emotion-GCN's valence/arousal converge on
  /// every seed tried (README, "Main job").
  int train_per_class = 140;
  int val_per_class = 30;  // Validation is balanced, as AffectNet's.
  /// Fraction of training images drawn with a random expression's face (their own in 1 of 7
  /// cases) instead of their label's: label noise, as real annotations have.
  double label_noise = 0.05;
};

/// Writes training.csv, validation.csv and Manually_Annotated_Images/ under dir (created).
/// Includes rows with codes 7-10 and valence/arousal -2, as the real files do.
void write_synthetic_affectnet(const std::string& dir, const SyntheticOptions& options);

/// Writes EXPR_Set/, VA_Set/ and cropped_aligned/ under dir (created): videos with
/// unlabelled (-1 / -5) frames, frames without a face image, and a video without VA.
void write_synthetic_affwild2(const std::string& dir, const SyntheticOptions& options);

/// The cache directory for a synthetic set ("synth-affectnet" or "synth-affwild2"), generated
/// on first use (into a temporary directory, then renamed, so concurrent runs are safe).
/// Throws fer::Error for an unknown name or an unwritable cache.
std::string ensure_synthetic(const std::string& name, const std::string& cache_root,
                             const SyntheticOptions& options);

/// $EMOGCN_CACHE, else $XDG_CACHE_HOME/emogcn-bench, else $HOME/.cache/emogcn-bench,
/// else /tmp/emogcn-bench-cache.
std::string default_cache_root();

}  // namespace fer::datasets
