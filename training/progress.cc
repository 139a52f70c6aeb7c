#include "training/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace fer::training {

Progress::Progress(std::ostream& log, std::string label, int64_t total)
    : log_(log),
      label_(std::move(label)),
      total_(total),
      live_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

std::string Progress::format_duration(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof(buf), "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

void Progress::update(int64_t done, double loss, double images_per_s) {
  const auto now = std::chrono::steady_clock::now();
  if (first_ < 0) first_ = done - 1;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double per_batch = elapsed / static_cast<double>(std::max<int64_t>(1, done - first_));
  const double eta = per_batch * static_cast<double>(total_ - done);
  char line[200];
  char loss_text[32] = "";
  if (!std::isnan(loss)) std::snprintf(loss_text, sizeof(loss_text), " loss %.4f", loss);
  std::snprintf(line, sizeof(line), "%s batch %lld/%lld%s %.1f img/s ETA %s", label_.c_str(),
                static_cast<long long>(done), static_cast<long long>(total_), loss_text,
                images_per_s, format_duration(eta).c_str());
  if (live_) {
    std::cerr << "\r" << line << "\033[K" << std::flush;
    open_ = true;
    return;
  }
  const int64_t step = std::max<int64_t>(1, total_ / 10);
  const double since = std::chrono::duration<double>(now - last_print_).count();
  if (done % step == 0 || done == total_ || since >= 30) {
    log_ << line << "\n" << std::flush;
    last_print_ = now;
  }
}

void Progress::finish() {
  if (open_) std::cerr << "\n";
  open_ = false;
}

}  // namespace fer::training
