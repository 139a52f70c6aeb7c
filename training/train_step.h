// One optimisation step exactly as the runner trains (paper Sec. III-C, Eq. 6): forward under
// autocast, class-weighted cross-entropy plus lambda * (1 - CCC) in float32/float64 as the
// reference computes them, (scaled) backward, and the optimizer's step. The trainer calls it for
// every batch; tests/training/training_parity_test.cc runs it for 20 steps against the PyTorch
// reference.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <torch/optim/optimizer.h>

#include <string>

#include "distributed/grad_sync.h"
#include "metrics/losses.h"
#include "models/factory.h"
#include "training/amp.h"

namespace fer::training {

/// The inputs of one step (on the model's device).
struct StepInputs {
  at::Tensor images;           // [N, 3, S, S] float32.
  at::Tensor labels;           // [N] int64.
  at::Tensor valence_arousal;  // [N, 2] float32 (ignored by single-task models).
  at::Tensor nodes;            // Label-graph node embeddings [K + 2, D] (Emotion-GCN).
  at::Tensor class_weights;    // [K] float32, or undefined for plain cross-entropy.
};

/// Zeroes the gradients, runs forward and backward, and steps `optimizer` unless the scaler
/// found non-finite gradients (fp16). Returns the loss parts; *out (if given) receives the
/// model's outputs. precision: autocast's. With `sync` (data-parallel
/// runs), the gradients are averaged over the ranks between backward and the step.
metrics::LossParts train_step(models::EmotionModel& model, torch::optim::Optimizer& optimizer,
                              GradScaler& scaler, const StepInputs& inputs, double lambda,
                              Precision precision, const c10::Device& device,
                              models::ModelOutput* out = nullptr,
                              distributed::GradientSync* sync = nullptr);

}  // namespace fer::training
