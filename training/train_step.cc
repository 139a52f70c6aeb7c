#include "training/train_step.h"

namespace fer::training {

metrics::LossParts train_step(models::EmotionModel& model, torch::optim::Optimizer& optimizer,
                              GradScaler& scaler, const StepInputs& in, double lambda,
                              Precision precision, const c10::Device& device,
                              models::ModelOutput* out, distributed::GradientSync* sync) {
  optimizer.zero_grad();
  if (sync != nullptr) sync->prepare();
  models::ModelOutput result;
  {
    AutocastGuard autocast(precision, device);
    result = model->forward(in.images, in.nodes);
  }
  metrics::LossParts loss = metrics::multitask_loss(
      result.expression.to(at::kFloat), in.labels, in.class_weights,
      result.valence_arousal.defined() ? result.valence_arousal.to(at::kFloat) : at::Tensor(),
      in.valence_arousal, lambda);
  scaler.scale(loss.total).backward();
  if (sync != nullptr) sync->finish();
  if (scaler.unscale(model->parameters())) optimizer.step();
  if (out != nullptr) *out = std::move(result);
  return loss;
}

}  // namespace fer::training
