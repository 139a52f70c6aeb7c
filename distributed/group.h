// A process group of LibTorch's own distributed engine, c10d (issue #11): TCPStore rendezvous
// at MASTER_ADDR:MASTER_PORT (rank 0 serves it) and ProcessGroupGloo (CPU) or ProcessGroupNCCL
// (CUDA builds) for the collectives. No transport of our own. Every failure (a peer gone, a
// timeout, a port in use, an unreachable master) becomes a fer::Error naming this rank and the
// operation; nothing hangs past the group's timeout.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/util/intrusive_ptr.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "distributed/failure_board.h"
#include "distributed/launch_env.h"

namespace c10d {
class Store;
class Work;
}  // namespace c10d

namespace fer::distributed {

struct GroupOptions {
  /// "gloo" (CPU tensors; the only backend of CPU builds) or "nccl" (CUDA builds; `device`
  /// must then be this rank's GPU). Group::join also takes "auto" (see resolve_backend).
  std::string backend = "gloo";
  /// NCCL: the GPU of this rank. Tensors given on another device (the CPU's scalars, validation
  /// outputs) are staged there and their results copied back.
  c10::Device device = c10::Device(c10::kCPU);
  /// Rendezvous (every rank must arrive) and every collective must complete within this.
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
};

/// An asynchronous collective in flight.
class Pending {
 public:
  Pending();
  Pending(c10::intrusive_ptr<c10d::Work> work, int rank, std::string what);
  ~Pending();
  Pending(Pending&&) noexcept;
  Pending& operator=(Pending&&) noexcept;
  /// Blocks until done; throws fer::Error naming the rank and the operation if it failed.
  void wait();

 private:
  c10::intrusive_ptr<c10d::Work> work_;
  int rank_ = 0;
  std::string what_;
};

/// PyTorch's default (init_process_group without a backend): "auto" is "nccl" for a CUDA device,
/// "gloo" otherwise; "gloo" and "nccl" stay. Throws fer::Error for any other name, and for
/// "nccl" on the CPU or in a build without NCCL.
std::string resolve_backend(const std::string& requested, const std::string& device);

class Group {
 public:
  /// Joins the job described by env (rank 0 starts the TCPStore server). Throws fer::Error: the
  /// master cannot be reached or a rank does not arrive within the timeout, the port is in use,
  /// a backend resolve_backend refuses (checked before the rendezvous; "auto" is resolved here).
  static std::unique_ptr<Group> join(const LaunchEnv& env, const GroupOptions& requested);
  /// A group over an existing store (tests: c10d::HashStore shared by threads). Gloo's
  /// transport binds to the interface $GLOO_SOCKET_IFNAME when set, else to gloo_address (join
  /// passes distributed/route.h's gloo_bind_address: the address towards the master).
  static std::unique_ptr<Group> over_store(c10::intrusive_ptr<c10d::Store> store, int rank,
                                           int world_size, const GroupOptions& options,
                                           const std::string& gloo_address = "127.0.0.1");
  ~Group();

  int rank() const { return rank_; }
  int size() const { return size_; }
  const std::string& backend() const { return options_.backend; }
  /// Where this rank's collectives travel: "gloo on 192.0.2.2", "gloo on interface eth0",
  /// "nccl on cuda:0".
  const std::string& transport() const { return transport_; }

  /// Sum of `t` over all ranks, in place, asynchronously. With NCCL, a `t` off the group's GPU
  /// is reduced synchronously (staged there and back) and the Pending returned is already done.
  Pending allreduce_sum_async(at::Tensor& t, const std::string& what);
  /// Sum of `t` over all ranks, in place.
  void allreduce_sum(at::Tensor& t, const std::string& what);
  /// Each tensor becomes root's, in place.
  void broadcast(std::vector<at::Tensor>& tensors, int root, const std::string& what);
  /// Concatenation along dim 0 of every rank's `local`, in rank order. Ranks may hold different
  /// numbers of rows; every other dimension and the dtype must agree. `rows_per_rank`, when
  /// given, receives each rank's row count.
  at::Tensor all_gather_rows(const at::Tensor& local, const std::string& what,
                             std::vector<int64_t>* rows_per_rank = nullptr);
  /// root's value, on every rank.
  int64_t broadcast_int(int64_t value, int root, const std::string& what);
  std::string broadcast_string(const std::string& text, int root, const std::string& what);
  /// Every rank's `text`, indexed by rank, on every rank.
  std::vector<std::string> all_gather_strings(const std::string& text, const std::string& what);
  /// Whether `flag` is true on any rank (every rank gets the same answer).
  bool any(bool flag, const std::string& what);
  void barrier(const std::string& what);

  /// The job's failure reports (distributed/failure_board.h), on the rendezvous store.
  FailureBoard& failures() { return failures_; }

 private:
  Group(c10::intrusive_ptr<c10d::Store> store, int rank, int size, const GroupOptions& options,
        const std::string& gloo_address);

  struct Backend;  // The c10d process group (distributed/group.cc).
  /// `t` on the backend's device: itself, or a copy there (NCCL and a tensor elsewhere).
  at::Tensor staged(const at::Tensor& t) const;

  c10::intrusive_ptr<c10d::Store> store_;
  std::unique_ptr<Backend> backend_;
  int rank_, size_;
  GroupOptions options_;
  std::string transport_;
  FailureBoard failures_;
};

}  // namespace fer::distributed
