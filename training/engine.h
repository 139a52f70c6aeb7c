// What one training run trains with (paper Sec. IV-B): the model built from the options (with
// torchvision's ImageNet DenseNet-121 weights when given), SGD with momentum and weight decay,
// fp16's loss scaler, the label-graph node embeddings, the reference's class weights, the
// gradient averager of a data-parallel job, and the two loaders (training: shuffled, augmented,
// this rank's shard; validation: in order, every sample).
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <torch/optim/sgd.h>

#include <memory>
#include <ostream>

#include "datasets/dataset.h"
#include "datasets/loader.h"
#include "distributed/collective.h"
#include "models/factory.h"
#include "training/amp.h"
#include "training/evaluator.h"
#include "training/options.h"

namespace fer::training {

struct Engine {
  /// Seeds LibTorch with options.seed, then builds everything in the order the reference does
  /// (so the initial weights are the seed's). Rank 0 alone reads options.pretrained; every rank
  /// then starts from rank 0's weights (a broadcast; the identity in a world of one). Throws
  /// fer::Error for --pretrained with a backbone other than DenseNet-121, an unreadable weights
  /// file, or a class without training samples when class weights are on.
  Engine(const TrainOptions& options, const datasets::Dataset& data, distributed::Collective& world,
         std::ostream& log);

  c10::Device device;
  GradScaler scaler;  ///< Enabled for fp16 only.
  models::EmotionModel model{nullptr};
  std::unique_ptr<torch::optim::SGD> sgd;
  std::unique_ptr<distributed::GradientSync> sync;  ///< Null in a world of one.
  at::Tensor nodes;          ///< [K + 2, D] label-node embeddings on `device`.
  at::Tensor class_weights;  ///< On `device`, or undefined (unweighted).
  std::unique_ptr<datasets::BatchLoader> train_loader, val_loader;
  EvalSetup eval;  ///< What evaluation of `model` needs (no progress line).
};

/// Moves `model` to `device`, its 4-d weights to channels-last memory when asked (LibTorch
/// modules have no memory-format to(); the weights are converted in place).
void place_model(models::EmotionModelImpl& model, const c10::Device& device, bool channels_last);

/// The validation loader of a run: its batch size, workers and input size, in order, without
/// augmentation, every sample kept (pinned memory on CUDA).
datasets::LoaderOptions evaluation_loader_options(const DataOptions& data, uint64_t seed,
                                                  const c10::Device& device);

/// What evaluating a model trained with `options` on `data` needs, on `device`: precision,
/// memory format, the label-node embeddings, the class weights (when options.class_weights), the
/// loss weight and the class count; no progress line. Throws as class_weights_for.
EvalSetup eval_setup(const TrainOptions& options, const datasets::Dataset& data,
                     const c10::Device& device);

/// The reference's cross-entropy class weights (min count / count over the training split, a
/// CPU tensor). Throws fer::Error naming a class without training samples.
at::Tensor class_weights_for(const datasets::Dataset& data);

}  // namespace fer::training
