// What one training run is, as typed values (paper Sec. IV-B): the model, the data pipeline,
// SGD with StepLR, the loss weights, early stopping, execution and where its files go. The
// defaults are the paper's recipe (DenseNet-121 Emotion-GCN on AffectNet); experiments/
// train_options.h fills every field from a resolved RunConfig. No flags, no JSON, no SQLite.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/names.h"

namespace fer::training {

/// Autocast precision: off (float32), CUDA float16 with loss scaling, or bfloat16.
enum class Precision { kFp32, kFp16, kBf16 };
/// The preprocessing chain: the reference's own (datasets/reference_transforms.h) or one warp.
enum class Preprocess { kReference, kFast };
/// JPEG decoding: the smallest DCT scale that covers the crop, or every pixel then resize.
enum class Decode { kScaled, kFull };

/// "fp32" | "fp16" | "bf16" (the runner's flag values).
Precision parse_precision(const std::string& name);
std::string to_string(Precision precision);
/// "reference" | "fast" and "scaled" | "full"; throw std::invalid_argument naming the valid ones.
Preprocess parse_preprocess(const std::string& name);
Decode parse_decode(const std::string& name);

/// The loaders of a run (validation: in order, unaugmented; training: shuffled).
struct DataOptions {
  int64_t batch_size = 35;  ///< Per process (the global batch is batch_size x world size).
  int workers = 2;          ///< Loader threads.
  int input_size = 227;     ///< Square input, pixels (227 DenseNet on AffectNet, else 112).
  bool augment = true;      ///< Flip and rotation of training images (paper on).
  double color_jitter = 0;  ///< Fast chain only; the reference's ColorJitter() is a no-op.
  Decode decode = Decode::kScaled;
  Preprocess preprocess = Preprocess::kReference;
};

/// SGD with momentum and weight decay, stepped by StepLR (the reference's optimiser).
struct OptimOptions {
  double lr = 0.001;  ///< Initial learning rate.
  double momentum = 0.9;
  double weight_decay = 0.001;
  int lr_step = 10;       ///< StepLR step, epochs.
  double lr_gamma = 0.1;  ///< StepLR factor.
  /// lr * gamma^(epoch / step) for a 0-based epoch, as StepLR gives it.
  double lr_for(int64_t epoch) const;
};

/// Test-only faults (the resume and fault-tolerance tests); all off by default.
struct TestingOptions {
  int64_t interrupt_after_steps = 0;  ///< Act as if Ctrl-C came after this step (0 never).
  int die_rank = -1;                  ///< In a job, this rank kills itself ...
  int64_t die_after_steps = 0;        ///< ... after this many steps.
};

struct TrainOptions {
  models::ModelKind model = models::ModelKind::kEmotionGcn;
  models::Backbone backbone = models::Backbone::kDenseNet;
  /// Emotion-GCN's label graph (models/label_graph.h); the defaults are the reference's graph.
  models::GraphSource graph_source = models::GraphSource::kTrain;
  double graph_tau = 0.1;               ///< Edge threshold on |correlation| (tau, Eq. 3).
  double graph_p = 0.5;                 ///< Weight of a node's neighbours (p, Eq. 4).
  bool graph_expression_edges = false;  ///< Keep expression-expression edges.
  DataOptions data;
  OptimOptions optim;
  int epochs = 10;
  int early_stop = 10;         ///< Epochs without validation-accuracy gain before stopping.
  double lambda = 1.0;         ///< Weight of the 1 - CCC term (paper Eq. 6).
  bool class_weights = true;   ///< min count / count cross-entropy weights (AffectNet on).
  uint64_t seed = 0;           ///< Initial weights, batch order and augmentation.
  std::string device = "cpu";  ///< "cpu", "cuda" or "cuda:N".
  Precision precision = Precision::kFp32;
  bool channels_last = false;
  std::string pretrained;            ///< torchvision DenseNet-121 ImageNet weights, or none.
  std::string checkpoint_dir;        ///< Created if missing (by rank 0).
  std::string best_checkpoint_path;  ///< The best epoch's checkpoint (reference format).
  std::string resume_state_path;     ///< Where an interrupted run's state goes.
  TestingOptions testing;
};

}  // namespace fer::training
