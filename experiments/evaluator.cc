#include "experiments/evaluator.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "experiments/amp.h"
#include "experiments/device.h"
#include "experiments/progress.h"
#include "metrics/losses.h"
#include "metrics/regression.h"

namespace fer::experiments {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

Evaluation evaluate_model(models::EmotionModelImpl& model, datasets::BatchLoader& loader, const EvalSetup& setup) {
  model.eval();
  torch::NoGradGuard no_grad;
  loader.start_epoch(0);
  metrics::ConfusionMatrix confusion(setup.num_classes);
  std::vector<double> vp, vt, ap, at_;
  double loss = 0, loss_expression = 0, loss_va = 0;
  int64_t batches = 0, va_batches = 0, images = 0;
  const auto start = Clock::now();
  std::unique_ptr<Progress> progress;
  if (setup.progress) progress = std::make_unique<Progress>(*setup.progress, "evaluate", loader.num_batches());
  while (auto batch = loader.next()) {
    at::Tensor x = batch->images.to(setup.device);
    if (setup.channels_last) x = x.contiguous(at::MemoryFormat::ChannelsLast);
    at::Tensor labels = batch->expression.to(setup.device), va = batch->valence_arousal.to(setup.device);
    models::ModelOutput out;
    {
      AutocastGuard autocast(setup.precision, setup.device);
      out = model.forward(x, setup.nodes);
    }
    at::Tensor logits = out.expression.to(at::kFloat);
    const bool with_va = out.valence_arousal.defined() && labels.size(0) >= 2;
    auto parts = metrics::multitask_loss(logits, labels, setup.class_weights,
                                         with_va ? out.valence_arousal.to(at::kFloat) : at::Tensor(), va, setup.lambda);
    loss += parts.total.item<double>();
    loss_expression += parts.expression.item<double>();
    if (with_va) {
      loss_va += parts.valence_arousal.item<double>();
      ++va_batches;
    }
    ++batches;
    const at::Tensor pred = logits.argmax(1).cpu();
    const auto p_acc = pred.accessor<int64_t, 1>();
    const auto t_acc = batch->expression.accessor<int64_t, 1>();
    for (int64_t i = 0; i < pred.size(0); ++i) confusion.add(static_cast<int>(t_acc[i]), static_cast<int>(p_acc[i]));
    if (out.valence_arousal.defined()) {
      const at::Tensor p = out.valence_arousal.to(at::kDouble).cpu().contiguous();
      const auto pa = p.accessor<double, 2>();
      const auto ta = batch->valence_arousal.accessor<float, 2>();
      for (int64_t i = 0; i < p.size(0); ++i) {
        vp.push_back(pa[i][0]);
        ap.push_back(pa[i][1]);
        vt.push_back(ta[i][0]);
        at_.push_back(ta[i][1]);
      }
    }
    images += labels.size(0);
    if (progress) progress->update(batches, loss / batches, images / std::max(1e-9, seconds_since(start)));
  }
  if (progress) progress->finish();
  synchronize(setup.device);
  Evaluation e;
  e.images_per_s = images / std::max(1e-9, seconds_since(start));
  e.metrics = evaluation_metrics(confusion, vp, vt, ap, at_);
  e.metrics.loss = loss / std::max<int64_t>(1, batches);
  e.metrics.loss_expression = loss_expression / std::max<int64_t>(1, batches);
  // The reference averages the CCC loss over batches; batches of one sample have no variance.
  e.metrics.loss_va = va_batches ? loss_va / va_batches : 0;
  e.per_class = confusion.per_class_recall();
  e.confusion = confusion.counts();
  return e;
}

metrics::EvalMetrics evaluation_metrics(const metrics::ConfusionMatrix& confusion,
                                        const std::vector<double>& vp, const std::vector<double>& vt,
                                        const std::vector<double>& ap, const std::vector<double>& at_) {
  metrics::EvalMetrics m;
  m.accuracy = confusion.accuracy();
  m.macro_f1 = confusion.macro_f1();
  m.affwild2_expression = metrics::affwild2_expression_score(m.macro_f1, m.accuracy);
  m.has_va = !vp.empty();
  if (m.has_va) {
    const auto v = metrics::regression_scores(vp, vt), a = metrics::regression_scores(ap, at_);
    m.ccc_valence = v.ccc;
    m.ccc_arousal = a.ccc;
    m.pcc_valence = v.pcc;
    m.pcc_arousal = a.pcc;
    m.rmse_valence = v.rmse;
    m.rmse_arousal = a.rmse;
    m.sagr_valence = v.sagr;
    m.sagr_arousal = a.sagr;
    m.affwild2_va = metrics::affwild2_va_score(v.ccc, a.ccc);
  }
  return m;
}

}  // namespace fer::experiments
