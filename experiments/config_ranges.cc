#include "experiments/config_ranges.h"

#include <charconv>
#include <cmath>

#include "core/error.h"

namespace fer::experiments {
namespace {

std::string text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == std::floor(v) && std::abs(v) < 1e17) return std::to_string(static_cast<long long>(v));
  char buf[40];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

std::string range_text(const FlagRange& r) {
  return std::string(r.min_open ? "(" : "[") + text(r.min) + ", " + text(r.max) +
         (r.max_open ? ")" : "]");
}

// Written so that NaN fails every comparison and so is out of range.
bool in_range(const FlagRange& r, double v) {
  const bool lower = r.min_open ? v > r.min : v >= r.min;
  const bool upper = r.max_open ? v < r.max : v <= r.max;
  return lower && upper;
}

template <typename Field>
std::function<double(const RunConfig&)> get(Field RunConfig::*field) {
  return [field](const RunConfig& c) { return static_cast<double>(c.*field); };
}

}  // namespace

const std::vector<FlagRange>& flag_ranges() {
  static const std::vector<FlagRange> ranges = {
      {"epochs", 1, 100000, false, false, "", get(&RunConfig::epochs), nullptr},
      {"batch_size", 2, 65536, false, false,
       "the CCC loss and train-mode batch norm need 2 samples", get(&RunConfig::batch_size),
       nullptr},
      {"lr", 0, 10, true, false, "", get(&RunConfig::lr), nullptr},
      {"momentum", 0, 1, false, true, "", get(&RunConfig::momentum), nullptr},
      {"weight_decay", 0, 1, false, true, "", get(&RunConfig::weight_decay), nullptr},
      {"lambda", 0, 1000, false, false, "", get(&RunConfig::lambda), nullptr},
      {"lr_step", 1, 100000, false, false, "", get(&RunConfig::lr_step), nullptr},
      {"lr_gamma", 0, 1, true, false, "", get(&RunConfig::lr_gamma), nullptr},
      {"early_stop", 1, 100000, false, false, "", get(&RunConfig::early_stop), nullptr},
      {"input_size", 4, 1024, false, false, "", get(&RunConfig::input_size),
       [](const RunConfig& c) { return input_size_ok(c.backbone, c.input_size); }},
      {"color_jitter", 0, 1, false, false, "", get(&RunConfig::color_jitter), nullptr},
      {"graph_threshold", 0, 1, false, false, "", get(&RunConfig::graph_threshold), nullptr},
      {"graph_reweight", 0, 1, false, true, "a node's self-loop keeps weight 1 - p > 0",
       get(&RunConfig::graph_reweight), nullptr},
      {"seed", 0, 9007199254740992.0, false, false, "", get(&RunConfig::seed), nullptr},
      {"threads", 1, 1024, false, false, "", get(&RunConfig::threads), nullptr},
      {"workers", 0, 256, false, false, "", get(&RunConfig::workers), nullptr},
      {"synth_train_per_class", 1, 100000, false, false, "", get(&RunConfig::synth_train_per_class),
       nullptr},
      {"synth_val_per_class", 1, 100000, false, false, "", get(&RunConfig::synth_val_per_class),
       nullptr},
      {"synth_label_noise", 0, 1, false, true, "", get(&RunConfig::synth_label_noise), nullptr},
      {"interrupt_after_steps", 0, 1e15, false, false, "", get(&RunConfig::interrupt_after_steps),
       nullptr},
      {"nproc", 0, 1024, false, false, "", get(&RunConfig::nproc), nullptr},
      {"dist_timeout", 0, 86400, true, false, "", get(&RunConfig::dist_timeout), nullptr},
      {"testing_die_rank", -1, 1 << 20, false, false, "", get(&RunConfig::testing_die_rank),
       nullptr},
      {"testing_die_after_steps", 0, 1e15, false, false, "",
       get(&RunConfig::testing_die_after_steps), nullptr},
  };
  return ranges;
}

std::string input_size_rule(const std::string& backbone) {
  return backbone == "bregnext" ? "a multiple of 4 for BReG-NeXt" : "at least 29 for DenseNet-121";
}

bool input_size_ok(const std::string& backbone, double size) {
  if (backbone == "bregnext") return std::fmod(size, 4.0) == 0;
  return size >= 29;
}

void check_flag_ranges(const RunConfig& c, const std::function<bool(const std::string&)>& check) {
  for (const auto& r : flag_ranges()) {
    if (!check(r.flag)) continue;
    const double v = r.value(c);
    if (!in_range(r, v)) {
      std::string why = r.rule.empty() ? "" : " (" + r.rule + ")";
      throw Error("check options", "", 0, r.flag,
                  "--" + r.flag + " must be in " + range_text(r) + why + ", got " + text(v));
    }
    if (r.extra && !r.extra(c)) {
      const std::string rule = r.flag == "input_size" ? input_size_rule(c.backbone) : r.rule;
      throw Error("check options", "", 0, r.flag,
                  "--" + r.flag + " must be " + rule + ", got " + text(v));
    }
  }
}

}  // namespace fer::experiments
