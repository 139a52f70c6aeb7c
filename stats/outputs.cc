#include "stats/outputs.h"

#include <stdexcept>

#include "metrics/classification.h"
#include "metrics/regression.h"

namespace fer::stats {
namespace {

const char* const kNames[] = {"accuracy", "mean_class_accuracy", "macro_f1", "ccc_valence",
                              "ccc_arousal"};

metrics::ConfusionMatrix confusion_on(const SampleOutputs& o, const std::vector<int32_t>* rows) {
  metrics::ConfusionMatrix m(o.num_classes);
  if (rows == nullptr) {
    m.add(o.truth, o.predicted);
  } else {
    for (int32_t r : *rows) m.add(o.truth[r], o.predicted[r]);
  }
  return m;
}

double mean_class_accuracy(const metrics::ConfusionMatrix& m) {
  const std::vector<double> recall = m.per_class_recall();
  double sum = 0;
  int present = 0;
  for (int k = 0; k < m.num_classes(); ++k) {
    int64_t count = 0;
    for (int j = 0; j < m.num_classes(); ++j) count += m.count(k, j);
    if (count == 0) continue;
    sum += recall[k];
    ++present;
  }
  return present == 0 ? 0.0 : sum / present;
}

double ccc_on(const std::vector<double>& pred, const std::vector<double>& truth,
              const std::vector<int32_t>* rows) {
  if (rows == nullptr) return metrics::ccc(pred, truth);
  std::vector<double> p, t;
  p.reserve(rows->size());
  t.reserve(rows->size());
  for (int32_t r : *rows) {
    p.push_back(pred[r]);
    t.push_back(truth[r]);
  }
  return metrics::ccc(p, t);
}

}  // namespace

std::string metric_name(Metric metric) { return kNames[static_cast<int>(metric)]; }

Metric parse_metric(const std::string& name) {
  for (int i = 0; i < 5; ++i) {
    if (name == kNames[i]) return static_cast<Metric>(i);
  }
  throw std::invalid_argument("unknown metric '" + name +
                              "'; valid: accuracy, mean_class_accuracy, macro_f1, ccc_valence, "
                              "ccc_arousal");
}

SampleOutputs from_record(const metrics::SampleRecord& r) {
  SampleOutputs o;
  o.num_classes = r.num_classes;
  o.truth.assign(r.truth.begin(), r.truth.end());
  o.predicted.assign(r.predicted.begin(), r.predicted.end());
  for (size_t i = 0; i < r.va_pred.size() / 2; ++i) {
    o.valence_pred.push_back(r.va_pred[2 * i]);
    o.arousal_pred.push_back(r.va_pred[2 * i + 1]);
    o.valence_true.push_back(r.va_true[2 * i]);
    o.arousal_true.push_back(r.va_true[2 * i + 1]);
  }
  return o;
}

bool has_metric(const SampleOutputs& o, Metric metric) {
  return (metric != Metric::kCccValence && metric != Metric::kCccArousal) || o.has_va();
}

void check_outputs(const SampleOutputs& o) {
  if (o.num_classes <= 0) throw std::invalid_argument("outputs: no classes");
  const size_t n = o.truth.size();
  if (o.predicted.size() != n) throw std::invalid_argument("outputs: predictions != truths");
  const bool va = !o.valence_pred.empty() || !o.valence_true.empty() || !o.arousal_pred.empty() ||
                  !o.arousal_true.empty();
  if (va && (o.valence_pred.size() != n || o.valence_true.size() != n ||
             o.arousal_pred.size() != n || o.arousal_true.size() != n)) {
    throw std::invalid_argument("outputs: valence/arousal for some samples only");
  }
  for (size_t i = 0; i < n; ++i) {
    if (o.truth[i] < 0 || o.truth[i] >= o.num_classes || o.predicted[i] < 0 ||
        o.predicted[i] >= o.num_classes) {
      throw std::invalid_argument("outputs: sample " + std::to_string(i) +
                                  ": class index outside [0, " + std::to_string(o.num_classes) +
                                  ")");
    }
  }
}

double metric_on(const SampleOutputs& o, Metric metric, const std::vector<int32_t>* rows) {
  switch (metric) {
    case Metric::kAccuracy: {
      if (rows == nullptr) return confusion_on(o, rows).accuracy();
      int64_t correct = 0;  // The bootstrap's hot path: no confusion matrix.
      for (int32_t r : *rows) correct += o.truth[r] == o.predicted[r];
      return rows->empty() ? 0.0 : static_cast<double>(correct) / rows->size();
    }
    case Metric::kMeanClassAccuracy:
      return mean_class_accuracy(confusion_on(o, rows));
    case Metric::kMacroF1:
      return confusion_on(o, rows).macro_f1();
    case Metric::kCccValence:
      return ccc_on(o.valence_pred, o.valence_true, rows);
    case Metric::kCccArousal:
      return ccc_on(o.arousal_pred, o.arousal_true, rows);
  }
  throw std::logic_error("metric_on: unknown metric");
}

}  // namespace fer::stats
