#include "reports/bench_name.h"

#include <vector>

#include "core/text.h"

namespace fer::reports {
namespace {

bool google_benchmark_part(const std::string& part) {
  if (part == "manual_time" || part == "real_time" || part == "process_time") return true;
  for (const char* prefix :
       {"iterations:", "repeats:", "threads:", "min_time:", "min_warmup_time:"}) {
    if (part.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace

std::string BenchName::key() const {
  return "BM_" + what + "/" + model + "/bs:" + std::to_string(batch) + "/" + device + "/" +
         precision + "/" + memory_format;
}

std::optional<BenchName> parse_bench_name(const std::string& name) {
  std::vector<std::string> parts;
  for (auto p : text::split(name, '/')) parts.emplace_back(p);
  if (parts.size() < 6 || parts[0].rfind("BM_", 0) != 0 || parts[2].rfind("bs:", 0) != 0)
    return std::nullopt;
  const auto batch = text::parse_int(std::string_view(parts[2]).substr(3));
  if (!batch || *batch <= 0 || parts[1].empty() || parts[3].empty() || parts[4].empty() ||
      parts[5].empty()) {
    return std::nullopt;
  }
  BenchName b{parts[0].substr(3), parts[1], *batch, parts[3], parts[4], parts[5], ""};
  for (size_t i = 6; i < parts.size(); ++i) {
    if (!google_benchmark_part(parts[i])) return std::nullopt;
    b.suffix += (b.suffix.empty() ? "" : "/") + parts[i];
  }
  return b;
}

}  // namespace fer::reports
