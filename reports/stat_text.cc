#include "reports/stat_text.h"

#include <cstdio>

namespace fer::reports {

bool in_points(const std::string& metric) { return metric.rfind("ccc_", 0) != 0; }

std::string number_text(double v, bool points) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), points ? "%.2f" : "%.3f", points ? 100 * v : v);
  return buf;
}

std::string signed_text(double v, bool points) {
  const std::string s = number_text(v, points);
  return s[0] == '-' ? "−" + s.substr(1) : "+" + s;
}

std::string p_text(double p) { return p < 0.001 ? "<0.001" : number_text(p, false); }

std::string difference_text(const stats::Difference* d, const std::string& metric) {
  if (d == nullptr) return "–";
  const bool points = in_points(metric);
  return signed_text(d->delta, points) + " [" + signed_text(d->low, points) + ", " +
         signed_text(d->high, points) + "]";
}

}  // namespace fer::reports
