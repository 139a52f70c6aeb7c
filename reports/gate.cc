#include "reports/gate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "core/error.h"
#include "core/text.h"
#include "stats/seed_interval.h"

namespace fer::reports {
using text::for_each_line;
using text::parse_double;
using text::parse_int;
using text::read_file;

namespace {

bool is_config_id(const std::string& id) {
  return id.size() == 16 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Fields of `a` and `b` that differ, ignoring `ignore`, as "field: baseline X, store Y".
std::vector<std::string> field_differences(const ConfigFields& baseline, const ConfigFields& store,
                                           const std::vector<std::string>& ignore) {
  std::vector<const ConfigFields*> both = {&baseline, &store};
  std::vector<std::string> out;
  const auto differs = differing_fields(both);  // Named: a temporary's element would dangle.
  for (const auto& d : differs[0]) {
    const std::string field = d.substr(0, d.find('='));
    if (std::find(ignore.begin(), ignore.end(), field) != ignore.end()) continue;
    auto it = store.find(field);
    out.push_back(field + " (baseline " + d.substr(d.find('=') + 1) + ", store " +
                  (it == store.end() ? "(absent)" : it->second) + ")");
  }
  return out;
}

}  // namespace

std::vector<BaselineEntry> read_baseline(const std::string& path) {
  const std::string text = read_file(path, "read baseline");
  std::vector<BaselineEntry> out;
  std::map<std::string, ConfigFields> configs;
  for_each_line(text, [&](long line, std::string_view row) {
    if (row.empty() || row.front() == '#') return;
    if (row.rfind("config ", 0) == 0) {
      const std::string rest(row.substr(7));
      const auto space = rest.find(' ');
      const std::string id = rest.substr(0, space);
      if (!is_config_id(id) || space == std::string::npos) {
        throw Error("read baseline", path, line, "config",
                    "expected 'config <16 hex digits> <JSON object>'");
      }
      try {
        configs[id] = config_fields(rest.substr(space + 1), path);
      } catch (const Error& e) {
        throw Error("read baseline", path, line, "config", e.detail());
      }
      return;
    }
    std::istringstream words{std::string(row)};
    std::vector<std::string> f;
    for (std::string w; words >> w;) f.push_back(w);
    if (f.size() != 8 && f.size() != 9 && f.size() != 11) {
      throw Error("read baseline", path, line, "",
                  "expected 11 fields (dataset backbone model schedule metric value "
                  "tolerance seeds config std n), got " +
                      std::to_string(f.size()));
    }
    BaselineEntry e{f[0], f[1], f[2], f[3], f[4], 0, 0, 1, line};
    const auto& names = metric_names();
    if (std::find(names.begin(), names.end(), e.metric) == names.end()) {
      throw Error("read baseline", path, line, "metric", "unknown metric '" + e.metric + "'");
    }
    auto value = parse_double(f[5]), tol = parse_double(f[6]);
    auto seeds = parse_int(f[7]);
    if (!value) throw Error("read baseline", path, line, "value", "not a number: '" + f[5] + "'");
    if (!tol || *tol < 0)
      throw Error("read baseline", path, line, "tolerance",
                  "not a non-negative number: '" + f[6] + "'");
    if (!seeds || *seeds < 1)
      throw Error("read baseline", path, line, "seeds", "not a positive integer: '" + f[7] + "'");
    e.value = *value;
    e.tolerance = *tol;
    e.seeds = static_cast<int>(*seeds);
    if (f.size() == 11) {
      auto std = parse_double(f[9]);
      auto n = parse_int(f[10]);
      if (!std || !(*std >= 0) || std::isinf(*std))
        throw Error("read baseline", path, line, "std",
                    "not a non-negative number: '" + f[9] + "'");
      if (!n || *n < 1)
        throw Error("read baseline", path, line, "n", "not a positive integer: '" + f[10] + "'");
      e.baseline_std = *std;
      e.baseline_n = static_cast<int>(*n);
    }
    if (f.size() >= 9) {
      auto it = configs.find(f[8]);
      if (it == configs.end()) {
        throw Error("read baseline", path, line, "config",
                    "no 'config " + f[8] + " {...}' line above this entry");
      }
      e.config_id = f[8];
      e.config = it->second;
    }
    out.push_back(e);
  });
  if (out.empty()) throw Error("read baseline", path, 0, "", "no entries");
  return out;
}

double detectable_drop(const BaselineEntry& e, int runs) {
  if (e.baseline_n < 2) return e.tolerance;
  return stats::smallest_detectable_drop({e.value, e.baseline_std, e.baseline_n}, runs,
                                         e.tolerance);
}

std::string write_baseline(const std::vector<ConfigSummary>& summaries,
                           const std::vector<std::string>& metrics, double tolerance,
                           int check_seeds) {
  std::ostringstream out;
  out << "# dataset backbone model schedule metric value tolerance seeds config std n\n"
      << "# value = mean over the n seeds measured, std = their sample std; tolerance = "
      << tolerance
      << "\n# a regression: the 95% t interval of (check mean - value) lies below -tolerance\n"
      << "# seeds column: runs a check needs per configuration\n"
      << "# config: the exact configuration measured (every resolved field but the seed)\n";
  for (const auto& s : summaries) out << "config " << s.config_id() << " " << s.config_json << "\n";
  for (const auto& s : summaries) {
    for (const auto& m : metrics) {
      auto it = s.metrics.find(m);
      if (it == s.metrics.end()) continue;
      // An evaluation of fixed weights (schedule "checkpoint") has no seed spread: one run.
      if (it->second.n < 2 && s.schedule != "checkpoint") {
        throw Error("write baseline", "", 0, "seeds",
                    s.key() + ": " + std::to_string(it->second.n) +
                        " run(s); at least 2 seeds are needed to measure a spread");
      }
      BaselineEntry e{s.dataset, s.backbone, s.model, s.schedule, m, it->second.mean, tolerance};
      e.seeds = check_seeds > 0 ? check_seeds : it->second.n;
      e.baseline_std = it->second.std;
      e.baseline_n = it->second.n;
      char line[400];
      // The measured spread, stated: a reader sees the seed count and the smallest detectable drop.
      std::snprintf(line, sizeof(line),
                    "# %s %s: %d seeds, sample std %.6f, smallest detectable drop %.6f with %d "
                    "run(s)\n",
                    s.key().c_str(), m.c_str(), it->second.n, it->second.std,
                    detectable_drop(e, e.seeds), e.seeds);
      out << line;
      std::snprintf(line, sizeof(line), "%s %s %s %s %s %.6f %.6f %d %s %.6f %d\n",
                    s.dataset.c_str(), s.backbone.c_str(), s.model.c_str(), s.schedule.c_str(),
                    m.c_str(), e.value, tolerance, e.seeds, s.config_id().c_str(), e.baseline_std,
                    e.baseline_n);
      out << line;
    }
  }
  return out.str();
}

GateResult check_against_baseline(const std::vector<ConfigSummary>& summaries,
                                  const std::vector<BaselineEntry>& baseline,
                                  const std::vector<std::string>& ignore, int runs) {
  GateResult r;
  std::ostringstream md;
  md << "| Configuration | Metric | Baseline | Tolerance | Current | Δ [95% CI] | Seeds | Verdict "
        "|\n"
     << "|---|---|---:|---:|---:|---:|---:|---|\n";
  int regressions = 0, missing = 0;
  std::vector<std::string> notes, drops;
  for (const auto& b : baseline) {
    const std::string key = b.dataset + " " + b.backbone + " " + b.model + " " + b.schedule;
    std::vector<const ConfigSummary*> cell, found_all;
    for (const auto& s : summaries) {
      if (s.key() != key) continue;
      cell.push_back(&s);
      if (b.config_id.empty() || field_differences(b.config, s.config, ignore).empty())
        found_all.push_back(&s);
    }
    const std::string label = key + (b.config_id.empty() ? "" : " [" + b.config_id + "]");
    const ConfigSummary* found = found_all.size() == 1 ? found_all.front() : nullptr;
    if (found_all.size() > 1) {
      notes.push_back(label + ": " + std::to_string(found_all.size()) +
                      " configurations match; the baseline must name one (a 'config' line)");
    } else if (!found && !cell.empty() && !b.config_id.empty()) {
      std::string diff;
      for (const auto& d : field_differences(b.config, cell.front()->config, ignore))
        diff += (diff.empty() ? "" : ", ") + d;
      notes.push_back(label + ": the store has " + std::to_string(cell.size()) +
                      " other configuration(s) of this cell, not this one; e.g. differing in " +
                      diff);
    }
    char buf[512];
    const Stat* stat = nullptr;
    if (found) {
      auto it = found->metrics.find(b.metric);
      if (it != found->metrics.end()) stat = &it->second;
    }
    const int needed = runs > 0 ? runs : b.seeds;
    if (!stat || stat->n < needed) {
      ++missing;
      std::snprintf(buf, sizeof(buf), "| %s | %s | %.4f | %.4f | %s | | %d/%d | MISSING |\n",
                    label.c_str(), b.metric.c_str(), b.value, b.tolerance,
                    stat ? "incomplete" : "no finished run", stat ? stat->n : 0, needed);
      md << buf;
      continue;
    }
    const double delta = stat->mean - b.value;
    const bool higher = higher_is_better(b.metric);
    bool worse;
    std::string shown;
    if (b.baseline_n >= 2) {
      // The interval of (current - baseline) over seeds; a regression lies wholly beyond
      // -tolerance (for a metric where lower is better, beyond +tolerance).
      const auto d = stats::seed_mean_difference({b.value, b.baseline_std, b.baseline_n},
                                                 {stat->mean, stat->std, stat->n});
      worse = higher ? d.high < -b.tolerance : d.low > b.tolerance;
      std::snprintf(buf, sizeof(buf), "%+.4f [%+.4f, %+.4f]", delta, d.low, d.high);
      shown = buf;
      std::snprintf(buf, sizeof(buf), "%s %s: %.4f with %d run(s)", label.c_str(), b.metric.c_str(),
                    detectable_drop(b, stat->n), stat->n);
      drops.push_back(buf);
    } else {
      worse = higher ? delta < -b.tolerance : delta > b.tolerance;
      std::snprintf(buf, sizeof(buf), "%+.4f", delta);
      shown = buf;
    }
    // A diverged seed makes the mean NaN, and every comparison with NaN false: it is a regression.
    worse = worse || std::isnan(delta);
    regressions += worse;
    std::snprintf(buf, sizeof(buf), "| %s | %s | %.4f | %.4f | %.4f | %s | %d/%d | %s |\n",
                  label.c_str(), b.metric.c_str(), b.value, b.tolerance, stat->mean, shown.c_str(),
                  stat->n, needed, worse ? "REGRESSION" : "ok");
    md << buf;
  }
  r.exit_code = missing ? 2 : (regressions ? 1 : 0);
  std::vector<std::string> unique;
  for (const auto& n : notes) {
    if (std::find(unique.begin(), unique.end(), n) == unique.end()) unique.push_back(n);
  }
  for (const auto& n : unique) md << "\n- " << n;
  if (!notes.empty()) md << "\n";
  if (!drops.empty()) {
    md << "\nA regression: the 95% Student t interval of (current - baseline) over the seeds "
          "(variances pooled) lies below -tolerance. Smallest detectable drop (caught half the "
          "time):\n";
    for (const auto& d : drops) md << "- " << d << "\n";
  }
  if (!ignore.empty()) {
    std::string list;
    for (const auto& f : ignore) list += (list.empty() ? "" : ", ") + f;
    md << "\nIgnored configuration fields (deliberate comparison): " << list << "\n";
  }
  md << "\n"
     << (r.exit_code == 0   ? "PASS"
         : r.exit_code == 1 ? "FAIL: regression"
                            : "INCOMPLETE: missing data")
     << " (" << baseline.size() << " checks, " << regressions << " regression(s), " << missing
     << " missing)\n";
  r.markdown = md.str();
  return r;
}

}  // namespace fer::reports
