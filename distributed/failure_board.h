// Which rank failed first, and why (issue #11). When one rank of a data-parallel job fails, the
// others see only its consequence: a collective that fails ("Connection closed by peer") or
// times out. Each rank that fails posts its error on the job's rendezvous store (the TCPStore
// rank 0 serves) with a job-wide sequence number; rank 0, which writes the run's row, then names
// the first failure and the ranks that posted nothing (killed, or hung), as torchrun's error
// files name the root cause. Best effort by design: a store that cannot be reached (its server,
// rank 0, gone or stopped) costs at most a short timeout and never throws.
#pragma once

#include <c10/util/intrusive_ptr.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace c10d {
class Store;
}  // namespace c10d

namespace fer::distributed {

class FailureBoard {
 public:
  /// store: the job's store, shared by ranks 0..world_size-1 (a TCPStore, or a HashStore in tests).
  FailureBoard(c10::intrusive_ptr<c10d::Store> store, int rank, int world_size);

  /// Posts this rank's error, once (later calls are ignored). Gives up after `timeout` when the
  /// store does not answer. Never throws.
  void post(const std::string& message, std::chrono::milliseconds timeout) noexcept;

  /// What the other ranks posted, read after waiting up to `grace` for every other rank to post:
  /// "first failure (rank R): <its message>" when a rank posted before this one (or this one
  /// posted nothing), then "no error posted within S s by rank(s) A, B (killed, or hung)".
  /// Empty when this rank's own failure came first and every other rank posted. Call after
  /// post(). Computed once: later calls return the first answer. Never throws; a store that
  /// cannot be read gives what was read before it failed.
  std::string explain(std::chrono::milliseconds grace) noexcept;

 private:
  c10::intrusive_ptr<c10d::Store> store_;
  int rank_, size_;
  bool posted_ = false, explained_ = false;
  int64_t posted_seq_ = -1;  // This rank's place in the job's order of failures; -1: not posted.
  std::string explanation_;
};

}  // namespace fer::distributed
