#include "reports/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "core/error.h"
#include "core/hash.h"
#include "reports/bench_name.h"

namespace fer::reports {
namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Model benchmarks key on their case (reports/bench_name.h: Google Benchmark's "/manual_time"
// and the like dropped), with ignored components as '*'; other benchmarks on their whole name.
std::string match_key(const std::string& name, const std::vector<std::string>& ignore) {
  auto b = parse_bench_name(name);
  if (!b) return name;
  auto ignored = [&](const char* field) {
    return std::find(ignore.begin(), ignore.end(), field) != ignore.end();
  };
  if (ignored("device")) b->device = "*";
  if (ignored("precision")) b->precision = "*";
  if (ignored("memory_format")) b->memory_format = "*";
  return b->key();
}

std::map<std::string, std::vector<double>> samples(Database& db, int64_t session,
                                                   const std::vector<std::string>& ignore) {
  std::map<std::string, std::vector<double>> out;
  for (const auto& row : db.query(
           "SELECT name, images_per_s FROM bench_results WHERE session_id = ?1 AND error IS NULL "
           "AND images_per_s > 0 ORDER BY name, repetition",
           {session})) {
    out[match_key(as_string(row[0]), ignore)].push_back(as_double(row[1]));
  }
  return out;
}

std::string describe(Database& db, int64_t session) {
  auto r =
      db.query("SELECT label, device, code_version, started_at FROM bench_sessions WHERE id = ?1",
               {session});
  return "#" + std::to_string(session) + " '" + as_string(r[0][0]) + "' (" + as_string(r[0][1]) +
         ", " + as_string(r[0][2]).substr(0, 12) + ", " + as_string(r[0][3]) + ")";
}

}  // namespace

int64_t select_session(Database& db, const std::string& selector) {
  const auto colon = selector.find(':');
  const std::string kind = selector.substr(0, colon),
                    value = colon == std::string::npos ? "" : selector.substr(colon + 1);
  std::string sql;
  if (kind == "label")
    sql = "SELECT MAX(id) FROM bench_sessions WHERE label = ?1";
  else if (kind == "session")
    sql = "SELECT MAX(id) FROM bench_sessions WHERE id = CAST(?1 AS INTEGER)";
  else if (kind == "commit")
    sql = "SELECT MAX(id) FROM bench_sessions WHERE code_version LIKE ?1 || '%'";
  else if (kind == "device")
    sql = "SELECT MAX(id) FROM bench_sessions WHERE device = ?1";
  else
    throw Error("select benchmark session", db.path(), 0, "selector",
                "unknown selector '" + selector + "'; use label:, session:, commit: or device:");
  auto rows = db.query(sql, {value});
  if (rows.empty() || is_null(rows[0][0])) {
    throw Error("select benchmark session", db.path(), 0, "selector",
                "no benchmark session matches '" + selector + "'");
  }
  return as_int(rows[0][0]);
}

Interval bootstrap_ratio(const std::vector<double>& b, const std::vector<double>& c, int resamples,
                         double level, uint64_t seed) {
  Interval out;
  out.ratio = median(c) / median(b);
  std::vector<double> ratios;
  std::vector<double> rb(b.size()), rc(c.size());
  uint64_t s = seed;
  for (int r = 0; r < resamples; ++r) {
    for (auto& x : rb) x = b[splitmix64(s) % b.size()];
    for (auto& x : rc) x = c[splitmix64(s) % c.size()];
    ratios.push_back(median(rc) / median(rb));
  }
  std::sort(ratios.begin(), ratios.end());
  const double tail = (1 - level) / 2;
  out.low = ratios[static_cast<size_t>(tail * (resamples - 1))];
  out.high = ratios[static_cast<size_t>((1 - tail) * (resamples - 1))];
  return out;
}

CompareResult compare_sessions(Database& db, const CompareOptions& o) {
  const int64_t base = select_session(db, o.baseline), cand = select_session(db, o.candidate);
  const auto b = samples(db, base, o.ignore), c = samples(db, cand, o.ignore);
  std::ostringstream md;
  md << "Baseline " << describe(db, base) << " vs candidate " << describe(db, cand) << "\n\n"
     << "| Benchmark | Baseline img/s | Candidate img/s | Ratio | 95% CI | Change |\n"
     << "|---|---:|---:|---:|---|---|\n";
  CompareResult result;
  int compared = 0, slowdowns = 0;
  for (const auto& [key, bs] : b) {
    auto it = c.find(key);
    if (it == c.end()) continue;
    const Interval ci = bootstrap_ratio(bs, it->second);
    const bool significant = ci.low > 1 || ci.high < 1;
    const bool slow = significant && ci.ratio < 1 - o.threshold;
    slowdowns += slow;
    ++compared;
    char line[512];
    std::snprintf(line, sizeof(line),
                  "| %s | %.2f (n=%zu) | %.2f (n=%zu) | %.3f | [%.3f, %.3f] | %s |\n", key.c_str(),
                  median(bs), bs.size(), median(it->second), it->second.size(), ci.ratio, ci.low,
                  ci.high,
                  !significant   ? "–"
                  : slow         ? "**slower**"
                  : ci.ratio < 1 ? "slower (within threshold)"
                                 : "faster");
    md << line;
  }
  if (compared == 0) {
    md << "\nNo benchmark appears in both sessions (see --ignore to match across devices or "
          "precisions).\n";
    result.exit_code = 2;
  } else {
    md << "\n"
       << compared << " benchmark(s) compared; " << slowdowns << " significant slowdown(s) beyond "
       << 100 * o.threshold << "%.\n";
    result.exit_code = slowdowns ? 1 : 0;
  }
  result.markdown = md.str();
  return result;
}

}  // namespace fer::reports
