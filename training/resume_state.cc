#include "training/resume_state.h"

#include <ATen/ATen.h>
#include <ATen/core/Dict.h>
#include <ATen/core/ivalue.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <algorithm>
#include <utility>

#include "core/error.h"

namespace fer::training {

namespace {

using GenericDict = c10::impl::GenericDict;

// The metrics in the order of the older, positional layout.
std::vector<std::pair<const char*, double metrics::EvalMetrics::*>> metric_fields() {
  using M = metrics::EvalMetrics;
  return {{"loss", &M::loss},
          {"loss_expression", &M::loss_expression},
          {"loss_va", &M::loss_va},
          {"accuracy", &M::accuracy},
          {"macro_f1", &M::macro_f1},
          {"ccc_valence", &M::ccc_valence},
          {"ccc_arousal", &M::ccc_arousal},
          {"pcc_valence", &M::pcc_valence},
          {"pcc_arousal", &M::pcc_arousal},
          {"rmse_valence", &M::rmse_valence},
          {"rmse_arousal", &M::rmse_arousal},
          {"sagr_valence", &M::sagr_valence},
          {"sagr_arousal", &M::sagr_arousal},
          {"affwild2_expression", &M::affwild2_expression},
          {"affwild2_va", &M::affwild2_va}};
}

// state[key], or a fer::Error naming the file and the field.
c10::IValue field(const GenericDict& state, const std::string& key, const std::string& path) {
  if (!state.contains(key)) {
    throw Error("read resume state", path, 0, key, "field missing (not a resume state?)");
  }
  return state.at(key);
}

// Converts with a fer::Error instead of c10's when the field has another type.
template <typename F>
auto typed(const std::string& key, const std::string& path, F convert) -> decltype(convert()) {
  try {
    return convert();
  } catch (const c10::Error& e) {
    throw Error("read resume state", path, 0, key,
                std::string("wrong type: ") + e.what_without_backtrace());
  }
}

metrics::EvalMetrics metrics_from(const c10::IValue& v, const std::string& path) {
  metrics::EvalMetrics m;
  const auto fields = metric_fields();
  if (v.isGenericDict()) {
    const GenericDict named = v.toGenericDict();
    for (const auto& [name, member] : fields) {
      m.*member = typed(name, path, [&] { return field(named, name, path).toDouble(); });
    }
    m.has_va = typed("has_va", path, [&] { return field(named, "has_va", path).toDouble(); }) != 0;
    return m;
  }
  const std::vector<double> list = typed("best_metrics", path, [&] { return v.toDoubleVector(); });
  if (list.size() != fields.size() + 1) {
    throw Error("read resume state", path, 0, "best_metrics",
                "expected " + std::to_string(fields.size() + 1) + " values, got " +
                    std::to_string(list.size()));
  }
  for (size_t i = 0; i < fields.size(); ++i) m.*fields[i].second = list[i];
  m.has_va = list.back() != 0.0;
  return m;
}

std::vector<double> to_list(const EpochSums& s) {
  return {s.loss,
          s.loss_expression,
          s.loss_va,
          static_cast<double>(s.batches),
          static_cast<double>(s.correct),
          static_cast<double>(s.seen)};
}

EpochSums sums_from(const std::vector<double>& v, const std::string& path) {
  if (v.size() != 6) throw Error("read resume state", path, 0, "sums", "expected 6 values");
  EpochSums s;
  s.loss = v[0];
  s.loss_expression = v[1];
  s.loss_va = v[2];
  s.batches = static_cast<int64_t>(v[3]);
  s.correct = static_cast<int64_t>(v[4]);
  s.seen = static_cast<int64_t>(v[5]);
  return s;
}

// The best evaluation's per-sample outputs as tensors (a resumed run records what an
// uninterrupted one records); an older state without them resumes without them.
c10::IValue samples_value(const metrics::SampleRecord& r) {
  GenericDict d(c10::StringType::get(), c10::AnyType::get());
  const auto ints = [](const std::vector<int32_t>& v) {
    return at::tensor(at::ArrayRef<int32_t>(v), at::kInt);
  };
  const auto floats = [](const std::vector<float>& v) {
    return at::tensor(at::ArrayRef<float>(v), at::kFloat);
  };
  d.insert("num_classes", static_cast<int64_t>(r.num_classes));
  d.insert("index", ints(r.index));
  d.insert("truth", ints(r.truth));
  d.insert("predicted", ints(r.predicted));
  d.insert("probabilities", floats(r.probabilities));
  d.insert("va_pred", floats(r.va_pred));
  d.insert("va_true", floats(r.va_true));
  return d;
}

metrics::SampleRecord samples_from(const c10::IValue& v, const std::string& path) {
  return typed("best_samples", path, [&] {
    const GenericDict d = v.toGenericDict();
    const auto tensor = [&](const char* key) {
      return field(d, key, path).toTensor().contiguous();
    };
    const auto ints = [&](const char* key) {
      const at::Tensor t = tensor(key).to(at::kInt);
      return std::vector<int32_t>(t.data_ptr<int32_t>(), t.data_ptr<int32_t>() + t.numel());
    };
    const auto floats = [&](const char* key) {
      const at::Tensor t = tensor(key).to(at::kFloat);
      return std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    };
    metrics::SampleRecord r;
    r.num_classes = static_cast<int>(field(d, "num_classes", path).toInt());
    r.index = ints("index");
    r.truth = ints("truth");
    r.predicted = ints("predicted");
    r.probabilities = floats("probabilities");
    r.va_pred = floats("va_pred");
    r.va_true = floats("va_true");
    const size_t n = r.index.size(), k = static_cast<size_t>(std::max(0, r.num_classes));
    if (r.truth.size() != n || r.predicted.size() != n || r.probabilities.size() != n * k ||
        r.va_pred.size() != r.va_true.size() || (!r.va_pred.empty() && r.va_pred.size() != 2 * n)) {
      throw Error("read resume state", path, 0, "best_samples", "inconsistent sizes");
    }
    return r;
  });
}

}  // namespace

std::vector<std::pair<std::string, double>> metrics_by_name(const metrics::EvalMetrics& m) {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& [name, member] : metric_fields()) out.emplace_back(name, m.*member);
  out.emplace_back("has_va", m.has_va ? 1.0 : 0.0);
  return out;
}

std::vector<char> encode_resume_state(const ResumeState& r) {
  GenericDict state(c10::StringType::get(), c10::AnyType::get());
  c10::Dict<std::string, at::Tensor> weights;
  for (const auto& [name, t] : r.weights) weights.insert(name, t);
  c10::impl::GenericList momentum(c10::AnyType::get());
  for (const auto& b : r.momentum) momentum.push_back(b.defined() ? c10::IValue(b) : c10::IValue());
  c10::Dict<std::string, double> best_metrics;
  for (const auto& [name, value] : metrics_by_name(r.books.best.metrics)) {
    best_metrics.insert(name, value);
  }
  state.insert("epoch", r.epoch);
  state.insert("batch", r.batch);
  state.insert("model", weights);
  state.insert("momentum", momentum);
  state.insert("best_accuracy", r.books.best_accuracy);
  state.insert("best_epoch", r.books.best_epoch);
  state.insert("no_improve", r.books.no_improve);
  state.insert("best_metrics", best_metrics);
  state.insert("best_per_class", c10::List<double>(r.books.best.per_class));
  state.insert("best_confusion", c10::List<int64_t>(r.books.best.confusion));
  state.insert("best_samples", samples_value(r.books.best.samples));
  state.insert("sums", c10::List<double>(to_list(r.sums)));
  state.insert("throughput", c10::List<double>({r.books.train_ips_sum, r.books.eval_ips_sum,
                                                static_cast<double>(r.books.timed_epochs)}));
  state.insert("steps", r.steps);
  if (r.has_scaler) {
    state.insert("scaler_scale", r.scaler_scale);
    state.insert("scaler_growth_tracker", r.scaler_growth_tracker);
  }
  return torch::jit::pickle_save(state);
}

ResumeState decode_resume_state(const std::vector<char>& bytes, const std::string& path) {
  const c10::IValue root = typed("", path, [&] { return torch::jit::pickle_load(bytes); });
  if (!root.isGenericDict()) throw Error("read resume state", path, 0, "", "not a dict");
  const GenericDict state = root.toGenericDict();
  const auto get = [&](const std::string& key) { return field(state, key, path); };
  ResumeState r;
  typed("model", path, [&] {
    for (const auto& item : get("model").toGenericDict()) {
      r.weights.emplace_back(item.key().toStringRef(), item.value().toTensor());
    }
    return 0;
  });
  typed("momentum", path, [&] {
    const c10::List<c10::IValue> saved = get("momentum").toList();
    for (size_t i = 0; i < saved.size(); ++i) {
      const c10::IValue v = saved.get(i);
      r.momentum.push_back(v.isNone() ? at::Tensor() : v.toTensor());
    }
    return 0;
  });
  Bookkeeping& b = r.books;
  b.best_accuracy = typed("best_accuracy", path, [&] { return get("best_accuracy").toDouble(); });
  b.best_epoch = typed("best_epoch", path, [&] { return get("best_epoch").toInt(); });
  b.no_improve = typed("no_improve", path, [&] { return get("no_improve").toInt(); });
  b.best.metrics = metrics_from(get("best_metrics"), path);
  b.best.per_class =
      typed("best_per_class", path, [&] { return get("best_per_class").toDoubleVector(); });
  b.best.confusion =
      typed("best_confusion", path, [&] { return get("best_confusion").toIntVector(); });
  if (state.contains("best_samples")) b.best.samples = samples_from(get("best_samples"), path);
  const auto throughput =
      typed("throughput", path, [&] { return get("throughput").toDoubleVector(); });
  if (throughput.size() != 3) {
    throw Error("read resume state", path, 0, "throughput", "expected 3 values");
  }
  b.train_ips_sum = throughput[0];
  b.eval_ips_sum = throughput[1];
  b.timed_epochs = static_cast<int64_t>(throughput[2]);
  r.sums = sums_from(typed("sums", path, [&] { return get("sums").toDoubleVector(); }), path);
  r.steps = typed("steps", path, [&] { return get("steps").toInt(); });
  r.epoch = typed("epoch", path, [&] { return get("epoch").toInt(); });
  r.batch = typed("batch", path, [&] { return get("batch").toInt(); });
  r.has_scaler = state.contains("scaler_scale");
  if (r.has_scaler) {
    r.scaler_scale = typed("scaler_scale", path, [&] { return get("scaler_scale").toDouble(); });
    r.scaler_growth_tracker =
        typed("scaler_growth_tracker", path, [&] { return get("scaler_growth_tracker").toInt(); });
  }
  return r;
}

}  // namespace fer::training
