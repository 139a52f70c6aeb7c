// Progress of long work: a live line (batch, loss, images/s, ETA) on a terminal, plain periodic
// lines otherwise (every 10% of the batches or 30 s).
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace fer::training {

class Progress {
 public:
  Progress(std::ostream& log, std::string label, int64_t total);
  /// done: batches completed (1-based); loss: running mean (NaN: not shown); images_per_s: current
  /// rate.
  void update(int64_t done, double loss, double images_per_s);
  /// Ends a live line.
  void finish();

  /// "1:02:03" / "2:03".
  static std::string format_duration(double seconds);

 private:
  std::ostream& log_;
  std::string label_;
  int64_t total_;
  bool live_;
  bool open_ = false;
  int64_t first_ = -1;
  std::chrono::steady_clock::time_point start_, last_print_;
};

}  // namespace fer::training
