// Face alignment and augmentation (paper Sec. IV-A; reference aligner.py and main.py), composed
// into ONE affine warp per image instead of rotating whole images (a crop downscaled by more
// than 2x is first shrunk by an integer factor with area averaging, the crop's region only):
//   align    rotate about the eyes' midpoint so the eye line is horizontal (AffectNet),
//   crop     the annotated face box mapped through that rotation (the whole frame for Aff-Wild2),
//   resize   to output_size x output_size,
//   augment  (training) random horizontal flip, random rotation in [-30, 30] degrees about the
//            centre (zero fill), optional colour jitter (the reference's ColorJitter() is a no-op),
//   normalise with ImageNet mean/std into float RGB CHW.
// Randomness comes only from a 64-bit seed, so results are identical whatever thread runs them.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>

#include "datasets/sample.h"

namespace fer::datasets {

struct TransformOptions {
  int output_size = 227;         // 227 for DenseNet on AffectNet, 112 otherwise (paper).
  bool augment = false;          // Training augmentation on/off.
  bool flip = true;              // Random horizontal flip (p = 0.5) when augmenting.
  double max_rotation_deg = 30;  // Uniform in [-max, max] when augmenting.
  double color_jitter = 0;       // Brightness/contrast/saturation factors in [1-j, 1+j].
};

struct Augmentation {
  bool flip = false;
  double rotation_deg = 0;
  double brightness = 1, contrast = 1, saturation = 1;
};

/// Deterministic draw from `seed` (identity when !options.augment).
Augmentation draw_augmentation(const TransformOptions& options, uint64_t seed);

/// Forward 2x3 affine from source pixels to output pixels (pixel centres at integers).
cv::Matx23d sample_affine(const Sample& sample, int source_width, int source_height,
                          const TransformOptions& options, const Augmentation& aug);

/// Warps a BGR 8-bit image and writes normalised RGB float CHW into out
/// (3 * output_size^2 floats).
void render_sample(const cv::Mat& bgr, const Sample& sample, const TransformOptions& options,
                   const Augmentation& aug, float* out);

/// As above, for an image decoded at a fraction of its size (image_io's DecodedImage): sample's
/// coordinates stay in full-resolution pixels.
void render_sample(const cv::Mat& bgr, int full_width, int full_height, double decoded_scale,
                   const Sample& sample, const TransformOptions& options, const Augmentation& aug,
                   float* out);

/// The smallest decode scale (fraction of full size) at which the sample's crop (its face box,
/// or the whole width x height image without geometry) still spans twice output_size pixels both
/// ways, so a scaled decode loses no detail the model sees (tested against the full decode in
/// tests/imaging/image_io_test.cc). Always > 0; 1 or more means "full size".
double required_decode_scale(const Sample& sample, int width, int height,
                             const TransformOptions& options);

/// ToTensor + Normalize (ImageNet mean/std) of a square 8-bit image (BGR, or RGB with
/// bgr = false) into RGB float CHW (3 * rows^2 floats).
void normalise_to_chw(const cv::Mat& image, bool bgr, float* out);

/// Seed of (run seed, epoch, sample index): what makes augmentation independent of threading.
uint64_t sample_seed(uint64_t seed, int64_t epoch, int64_t index);

}  // namespace fer::datasets
