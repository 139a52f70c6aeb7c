#include "reports/gate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "datasets/error.h"
#include "datasets/text.h"

namespace fer::reports {

std::vector<BaselineEntry> read_baseline(const std::string& path) {
  const std::string text = datasets::read_file(path, "read baseline");
  std::vector<BaselineEntry> out;
  datasets::for_each_line(text, [&](long line, std::string_view row) {
    if (row.empty() || row.front() == '#') return;
    std::istringstream words{std::string(row)};
    std::vector<std::string> f;
    for (std::string w; words >> w;) f.push_back(w);
    if (f.size() != 8) {
      throw Error("read baseline", path, line, "", "expected 8 fields (dataset backbone model schedule metric value "
                                                   "tolerance seeds), got " + std::to_string(f.size()));
    }
    BaselineEntry e{f[0], f[1], f[2], f[3], f[4], 0, 0, 1, line};
    const auto& names = metric_names();
    if (std::find(names.begin(), names.end(), e.metric) == names.end()) {
      throw Error("read baseline", path, line, "metric", "unknown metric '" + e.metric + "'");
    }
    auto value = datasets::parse_double(f[5]), tol = datasets::parse_double(f[6]);
    auto seeds = datasets::parse_int(f[7]);
    if (!value) throw Error("read baseline", path, line, "value", "not a number: '" + f[5] + "'");
    if (!tol || *tol < 0) throw Error("read baseline", path, line, "tolerance", "not a non-negative number: '" + f[6] + "'");
    if (!seeds || *seeds < 1) throw Error("read baseline", path, line, "seeds", "not a positive integer: '" + f[7] + "'");
    e.value = *value;
    e.tolerance = *tol;
    e.seeds = static_cast<int>(*seeds);
    out.push_back(e);
  });
  if (out.empty()) throw Error("read baseline", path, 0, "", "no entries");
  return out;
}

std::string write_baseline(const std::vector<ConfigSummary>& summaries, const std::vector<std::string>& metrics,
                           double k, double floor, int check_seeds) {
  std::ostringstream out;
  out << "# dataset backbone model schedule metric value tolerance seeds\n"
      << "# value = mean over seeds; tolerance = max(" << k << " x sample std over seeds, " << floor << ")\n"
      << "# seeds column: runs a check needs per configuration\n";
  for (const auto& s : summaries) {
    for (const auto& m : metrics) {
      auto it = s.metrics.find(m);
      if (it == s.metrics.end()) continue;
      if (it->second.n < 2) {
        throw Error("write baseline", "", 0, "seeds", s.key() + ": " + std::to_string(it->second.n) +
                                                         " run(s); at least 2 seeds are needed to measure a spread");
      }
      char line[256];
      std::snprintf(line, sizeof(line), "%s %s %s %s %s %.6f %.6f %d\n", s.dataset.c_str(), s.backbone.c_str(),
                    s.model.c_str(), s.schedule.c_str(), m.c_str(), it->second.mean,
                    std::max(k * it->second.std, floor), check_seeds > 0 ? check_seeds : it->second.n);
      out << line;
    }
  }
  return out.str();
}

GateResult check_against_baseline(const std::vector<ConfigSummary>& summaries,
                                  const std::vector<BaselineEntry>& baseline) {
  GateResult r;
  std::ostringstream md;
  md << "| Configuration | Metric | Baseline | Tolerance | Current | Δ | Seeds | Verdict |\n"
     << "|---|---|---:|---:|---:|---:|---:|---|\n";
  int regressions = 0, missing = 0;
  for (const auto& b : baseline) {
    const std::string key = b.dataset + " " + b.backbone + " " + b.model + " " + b.schedule;
    const ConfigSummary* found = nullptr;
    for (const auto& s : summaries) {
      if (s.key() == key) found = &s;
    }
    char buf[512];
    const Stat* stat = nullptr;
    if (found) {
      auto it = found->metrics.find(b.metric);
      if (it != found->metrics.end()) stat = &it->second;
    }
    if (!stat || stat->n < b.seeds) {
      ++missing;
      std::snprintf(buf, sizeof(buf), "| %s | %s | %.4f | %.4f | %s | | %d/%d | MISSING |\n", key.c_str(),
                    b.metric.c_str(), b.value, b.tolerance, stat ? "incomplete" : "no finished run", stat ? stat->n : 0,
                    b.seeds);
      md << buf;
      continue;
    }
    const double delta = stat->mean - b.value;
    const bool worse = higher_is_better(b.metric) ? delta < -b.tolerance : delta > b.tolerance;
    regressions += worse;
    std::snprintf(buf, sizeof(buf), "| %s | %s | %.4f | %.4f | %.4f | %+.4f | %d/%d | %s |\n", key.c_str(),
                  b.metric.c_str(), b.value, b.tolerance, stat->mean, delta, stat->n, b.seeds,
                  worse ? "REGRESSION" : "ok");
    md << buf;
  }
  r.exit_code = missing ? 2 : (regressions ? 1 : 0);
  md << "\n" << (r.exit_code == 0 ? "PASS" : r.exit_code == 1 ? "FAIL: regression" : "INCOMPLETE: missing data")
     << " (" << baseline.size() << " checks, " << regressions << " regression(s), " << missing << " missing)\n";
  r.markdown = md.str();
  return r;
}

}  // namespace fer::reports
