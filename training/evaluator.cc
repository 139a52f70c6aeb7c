#include "training/evaluator.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "metrics/losses.h"
#include "metrics/regression.h"
#include "training/amp.h"
#include "training/device.h"
#include "training/progress.h"

namespace fer::training {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

SplitOutputs collect_outputs(models::EmotionModelImpl& model, datasets::BatchLoader& loader,
                             const EvalSetup& setup) {
  model.eval();
  torch::NoGradGuard no_grad;
  loader.start_epoch(0);
  std::vector<at::Tensor> indices, logits, labels, va_pred, va_true;
  int64_t batches = 0, images = 0;
  const auto start = Clock::now();
  std::unique_ptr<Progress> progress;
  if (setup.progress)
    progress = std::make_unique<Progress>(*setup.progress, "evaluate", loader.num_batches());
  while (auto batch = loader.next()) {
    at::Tensor x = batch->images.to(setup.device);
    if (setup.channels_last) x = x.contiguous(at::MemoryFormat::ChannelsLast);
    models::ModelOutput out;
    {
      AutocastGuard autocast(setup.precision, setup.device);
      out = model.forward(x, setup.nodes);
    }
    indices.push_back(at::tensor(batch->indices, at::kLong));
    logits.push_back(out.expression.to(at::kFloat).cpu());
    labels.push_back(batch->expression);
    // fp16 and bf16 outputs are exact in float32.
    if (out.valence_arousal.defined()) va_pred.push_back(out.valence_arousal.to(at::kFloat).cpu());
    va_true.push_back(batch->valence_arousal);
    ++batches;
    images += batch->expression.size(0);
    if (progress)
      progress->update(batches, std::nan(""), images / std::max(1e-9, seconds_since(start)));
  }
  if (progress) progress->finish();
  synchronize(setup.device);
  SplitOutputs o;
  o.images_per_s = images / std::max(1e-9, seconds_since(start));
  const auto cat = [](const std::vector<at::Tensor>& parts, at::Tensor empty) {
    return parts.empty() ? empty : at::cat(parts, 0);
  };
  o.indices = cat(indices, at::empty({0}, at::kLong));
  o.logits = cat(logits, at::empty({0, setup.num_classes}, at::kFloat));
  o.labels = cat(labels, at::empty({0}, at::kLong));
  if (!va_pred.empty()) o.va_pred = at::cat(va_pred, 0);
  o.va_true = cat(va_true, at::empty({0, 2}, at::kFloat));
  return o;
}

namespace {

// The outputs row by row in split order (sorted by sample index), for comparisons between runs.
metrics::SampleRecord sample_record(const SplitOutputs& o, const at::Tensor& pred,
                                    int num_classes) {
  metrics::SampleRecord r;
  r.num_classes = num_classes;
  const at::Tensor order = o.indices.argsort();
  const auto ints = [&](const at::Tensor& t) {
    const at::Tensor sorted = t.index_select(0, order).to(at::kInt).contiguous();
    return std::vector<int32_t>(sorted.data_ptr<int32_t>(),
                                sorted.data_ptr<int32_t>() + sorted.numel());
  };
  const auto floats = [&](const at::Tensor& t) {
    const at::Tensor sorted = t.index_select(0, order).to(at::kFloat).contiguous();
    return std::vector<float>(sorted.data_ptr<float>(), sorted.data_ptr<float>() + sorted.numel());
  };
  r.index = ints(o.indices);
  r.truth = ints(o.labels);
  r.predicted = ints(pred);
  r.probabilities = floats(at::softmax(o.logits.to(at::kFloat), 1));
  if (o.va_pred.defined()) {
    r.va_pred = floats(o.va_pred);
    r.va_true = floats(o.va_true);
  }
  return r;
}

}  // namespace

Evaluation evaluation_from_outputs(const SplitOutputs& o, const EvalSetup& setup,
                                   int64_t batch_size) {
  metrics::ConfusionMatrix confusion(setup.num_classes);
  std::vector<double> vp, vt, ap, at_;
  double loss = 0, loss_expression = 0, loss_va = 0;
  int64_t batches = 0, va_batches = 0;
  const int64_t n = o.labels.size(0);
  // The outputs are already on the CPU (collect_outputs): the per-batch losses are computed there.
  const at::Tensor class_weights =
      setup.class_weights.defined() ? setup.class_weights.cpu() : at::Tensor();
  for (int64_t begin = 0; begin < n; begin += batch_size) {
    const int64_t rows = std::min(batch_size, n - begin);
    const bool with_va = o.va_pred.defined() && rows >= 2;
    auto parts = metrics::multitask_loss(o.logits.narrow(0, begin, rows),
                                         o.labels.narrow(0, begin, rows), class_weights,
                                         with_va ? o.va_pred.narrow(0, begin, rows) : at::Tensor(),
                                         o.va_true.narrow(0, begin, rows), setup.lambda);
    loss += parts.total.item<double>();
    loss_expression += parts.expression.item<double>();
    if (with_va) {
      loss_va += parts.valence_arousal.item<double>();
      ++va_batches;
    }
    ++batches;
  }
  const at::Tensor pred = o.logits.argmax(1);
  const auto p_acc = pred.accessor<int64_t, 1>();
  const auto t_acc = o.labels.accessor<int64_t, 1>();
  for (int64_t i = 0; i < n; ++i)
    confusion.add(static_cast<int>(t_acc[i]), static_cast<int>(p_acc[i]));
  if (o.va_pred.defined()) {
    const at::Tensor p = o.va_pred.to(at::kDouble).contiguous();
    const auto pa = p.accessor<double, 2>();
    const auto ta = o.va_true.accessor<float, 2>();
    for (int64_t i = 0; i < n; ++i) {
      vp.push_back(pa[i][0]);
      ap.push_back(pa[i][1]);
      vt.push_back(ta[i][0]);
      at_.push_back(ta[i][1]);
    }
  }
  Evaluation e;
  e.samples = sample_record(o, pred, setup.num_classes);
  e.images_per_s = o.images_per_s;
  e.metrics = evaluation_metrics(confusion, vp, vt, ap, at_);
  e.metrics.loss = loss / std::max<int64_t>(1, batches);
  e.metrics.loss_expression = loss_expression / std::max<int64_t>(1, batches);
  // The reference averages the CCC loss over batches; batches of one sample have no variance.
  e.metrics.loss_va = va_batches ? loss_va / va_batches : 0;
  e.per_class = confusion.per_class_recall();
  e.confusion = confusion.counts();
  return e;
}

Evaluation evaluate_model(models::EmotionModelImpl& model, datasets::BatchLoader& loader,
                          const EvalSetup& setup) {
  return evaluation_from_outputs(collect_outputs(model, loader, setup), setup,
                                 loader.options().batch_size);
}

metrics::EvalMetrics evaluation_metrics(const metrics::ConfusionMatrix& confusion,
                                        const std::vector<double>& vp,
                                        const std::vector<double>& vt,
                                        const std::vector<double>& ap,
                                        const std::vector<double>& at_) {
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

}  // namespace fer::training
