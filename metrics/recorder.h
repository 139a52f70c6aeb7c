// Where a run's measurements go: the narrow interface between the training loop (and evaluate)
// and storage. The SQLite result store implements it for one run (reports::StoreRecorder); a
// distributed rank other than 0 discards (DiscardingRecorder); tests keep records in memory
// (MemoryRecorder). The training loop never sees a database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "metrics/records.h"

namespace fer::metrics {

class Recorder {
 public:
  virtual ~Recorder() = default;
  /// One finished epoch (called once per epoch, in order; a resumed epoch replaces its record).
  virtual void record_epoch(const EpochRecord& epoch) = 0;
  /// The file from which an interrupted run can continue (replaces the previous one).
  virtual void record_resume_state(const std::string& path) = 0;
  /// The run's outcome; the run is finished afterwards.
  virtual void finish(const FinalRecord& final_record) = 0;
  /// Ends the run without an outcome: status "interrupted" or "failed", with a message.
  virtual void mark(const std::string& status, const std::string& message) = 0;
};

/// Records nothing (ranks that do not write results).
class DiscardingRecorder final : public Recorder {
 public:
  void record_epoch(const EpochRecord&) override {}
  void record_resume_state(const std::string&) override {}
  void finish(const FinalRecord&) override {}
  void mark(const std::string&, const std::string&) override {}
};

/// Keeps everything in memory, in call order.
class MemoryRecorder final : public Recorder {
 public:
  void record_epoch(const EpochRecord& epoch) override { epochs.push_back(epoch); }
  void record_resume_state(const std::string& path) override { resume_states.push_back(path); }
  void finish(const FinalRecord& record) override {
    final_record = record;
    status = "finished";
  }
  void mark(const std::string& s, const std::string& m) override {
    status = s;
    message = m;
  }

  std::vector<EpochRecord> epochs;
  std::vector<std::string> resume_states;
  std::optional<FinalRecord> final_record;
  std::string status, message;  // Empty until finish() or mark().
};

}  // namespace fer::metrics
