#include "distributed/group.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <utility>

#include "core/error.h"
#include "distributed/deadline.h"
#include "distributed/route.h"
#include "third_party/c10d_compat.h"

namespace fer::distributed {
namespace {

constexpr const char* kOperation = "distributed";

// Collectives are enqueued one at a time per process. LibTorch 2.11's c10d FlightRecorder, a
// process-wide trace every ProcessGroupGloo writes on enqueue, crashed (a std::map insert,
// about one run in 15) when two groups of one process enqueued at once (tests/distributed_test
// runs its ranks as threads). One group per process never contends for this lock.
std::mutex& enqueue_mutex() {
  static std::mutex m;
  return m;
}

[[noreturn]] void fail(int rank, const std::string& what, const std::exception& e) {
  std::string message = e.what();
  // c10d's messages carry a C++ backtrace after the first line; the first line says it.
  const auto newline = message.find('\n');
  if (newline != std::string::npos) message = message.substr(0, newline);
  throw Error(kOperation, "", 0, "",
              "rank " + std::to_string(rank) + ": " + what + " failed: " + message);
}

// GLOO_SOCKET_IFNAME, as torch.distributed reads it (one interface), or "".
std::string gloo_interface() {
  const char* name = std::getenv("GLOO_SOCKET_IFNAME");
  return name != nullptr ? name : "";
}

}  // namespace

namespace {

// Enqueues one collective (under the process's enqueue lock); errors name the rank.
template <typename Enqueue>
Pending start(int rank, const std::string& what, Enqueue&& enqueue) {
  try {
    std::lock_guard<std::mutex> lock(enqueue_mutex());
    return Pending(enqueue(), rank, what);
  } catch (const std::exception& e) {
    fail(rank, what, e);
  }
}

}  // namespace

struct Group::Backend {
  c10::intrusive_ptr<compat::CollectiveBackend> pg;
};

std::string resolve_backend(const std::string& requested, const std::string& device) {
  const bool cuda = device.rfind("cuda", 0) == 0;
  const std::string backend = requested == "auto" ? (cuda ? "nccl" : "gloo") : requested;
  if (backend != "gloo" && backend != "nccl") {
    throw Error(kOperation, "", 0, "dist_backend",
                "unknown backend '" + requested + "'; valid: auto, gloo, nccl");
  }
  if (backend == "nccl" && !cuda) {
    throw Error(kOperation, "", 0, "dist_backend",
                "nccl reduces CUDA tensors: run with --device cuda, or use gloo");
  }
  if (backend == "nccl" && !compat::built_with_nccl()) {
    throw Error(
        kOperation, "", 0, "dist_backend",
        "this binary's LibTorch has no NCCL (a CPU-only build, or a CUDA build without "
        "ProcessGroupNCCL); "
        "build with tools/libtorch2.sh against a CUDA LibTorch, or use --dist_backend gloo");
  }
  return backend;
}

Pending::Pending() = default;
Pending::Pending(c10::intrusive_ptr<c10d::Work> work, int rank, std::string what)
    : work_(std::move(work)), rank_(rank), what_(std::move(what)) {}
Pending::~Pending() = default;
Pending::Pending(Pending&&) noexcept = default;
Pending& Pending::operator=(Pending&&) noexcept = default;

void Pending::wait() {
  if (!work_) return;
  try {
    work_->wait();
  } catch (const std::exception& e) {
    work_.reset();
    fail(rank_, what_, e);
  }
  work_.reset();
}

std::unique_ptr<Group> Group::join(const LaunchEnv& env, const GroupOptions& requested) {
  GroupOptions options = requested;
  options.backend =
      resolve_backend(requested.backend, requested.device.str());  // Before any rendezvous.
  c10d::TCPStoreOptions store_options;
  store_options.port = static_cast<std::uint16_t>(env.master_port);
  // Under torchrun the agent already serves the store there; otherwise rank 0 serves it.
  store_options.isServer = env.rank == 0 && !env.agent_store;
  store_options.numWorkers = static_cast<std::size_t>(env.world_size);
  store_options.waitWorkers = true;
  store_options.timeout = options.timeout;
  const std::string where = env.master_addr + ":" + std::to_string(env.master_port);
  const std::string what =
      env.agent_store ? "joining torchrun's store at " + where + " (MASTER_ADDR / MASTER_PORT)"
      : env.rank == 0 ? "serving the rendezvous at " + where + " (is the port in use?)"
                      : "joining the rendezvous at " + where + " (MASTER_ADDR / MASTER_PORT)";
  // A server that accepts the connection but never answers (a stopped process, or another
  // store protocol: a PyTorch 2.x torchrun's store and a LibTorch 1.13 client) would block the
  // TCPStore constructor for good, whatever its timeout.
  auto store = std::make_shared<c10::intrusive_ptr<c10d::Store>>();
  try {
    const auto limit = options.timeout + std::chrono::seconds(5);
    const bool answered = run_within(limit, [store, address = env.master_addr, store_options] {
      *store = c10::make_intrusive<c10d::TCPStore>(address, store_options);
    });
    if (!answered) {
      throw std::runtime_error(
          "no answer within " + std::to_string(limit.count() / 1000) + " s" +
          (env.agent_store ? " (torchrun's PyTorch and this binary's LibTorch must speak the "
                             "same store protocol: a 2.x torchrun and a 1.13 LibTorch do not)"
                           : ""));
    }
  } catch (const std::exception& e) {
    fail(env.rank, what, e);
  }
  // The agent's store outlives a restarted attempt: keys are per attempt, as torch.distributed
  // keeps them (1.x: "/worker/attempt_N").
  if (env.agent_store) {
    *store = c10::make_intrusive<c10d::PrefixStore>(
        "/worker/attempt_" + std::to_string(env.restart_count), *store);
  }
  std::string gloo_address;
  if (options.backend == "gloo" && gloo_interface().empty()) {
    try {
      gloo_address = gloo_bind_address(env.master_addr, env.world_size > env.local_world_size);
    } catch (const std::exception& e) {
      fail(env.rank, "choosing the address Gloo binds to (or set GLOO_SOCKET_IFNAME)", e);
    }
  }
  return over_store(*store, env.rank, env.world_size, options, gloo_address);
}

std::unique_ptr<Group> Group::over_store(c10::intrusive_ptr<c10d::Store> store, int rank,
                                         int world_size, const GroupOptions& options,
                                         const std::string& gloo_address) {
  return std::unique_ptr<Group>(
      new Group(std::move(store), rank, world_size, options, gloo_address));
}

Group::Group(c10::intrusive_ptr<c10d::Store> store, int rank, int size, const GroupOptions& options,
             const std::string& gloo_address)
    : store_(std::move(store)),
      backend_(std::make_unique<Backend>()),
      rank_(rank),
      size_(size),
      options_(options),
      failures_(store_, rank, size) {
  try {
    if (options.backend == "nccl") {
      if (!options.device.is_cuda() || !options.device.has_index()) {
        throw std::runtime_error("NCCL needs this rank's GPU as cuda:N, got " +
                                 options.device.str());
      }
      backend_->pg = compat::make_nccl(store_, rank, size, options.timeout);
      transport_ = "nccl on " + options.device.str();
    } else if (options.backend != "gloo") {
      throw std::runtime_error("unknown backend '" + options.backend + "' (valid: gloo, nccl)");
    } else {
      auto gloo_options = c10d::ProcessGroupGloo::Options::create(options.timeout);
      const std::string interface = gloo_interface();
      gloo_options->devices.push_back(
          !interface.empty() ? c10d::ProcessGroupGloo::createDeviceForInterface(interface)
                             : c10d::ProcessGroupGloo::createDeviceForHostname(gloo_address));
      transport_ =
          !interface.empty() ? "gloo on interface " + interface : "gloo on " + gloo_address;
      backend_->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(store_, rank, size, gloo_options);
    }
  } catch (const std::exception& e) {
    fail(rank, "connecting to the other " + std::to_string(size - 1) + " rank(s)", e);
  }
}

Group::~Group() = default;

at::Tensor Group::staged(const at::Tensor& t) const {
  if (options_.backend != "nccl" || t.device() == options_.device) return t;
  return t.to(options_.device);
}

Pending Group::allreduce_sum_async(at::Tensor& t, const std::string& what) {
  std::vector<at::Tensor> tensors = {staged(t)};
  Pending pending = start(rank_, what, [&] { return backend_->pg->allreduce(tensors); });
  if (tensors[0].is_same(t)) return pending;
  pending.wait();
  t.copy_(tensors[0]);
  return Pending();
}

void Group::allreduce_sum(at::Tensor& t, const std::string& what) {
  allreduce_sum_async(t, what).wait();
}

void Group::broadcast(std::vector<at::Tensor>& tensors, int root, const std::string& what) {
  c10d::BroadcastOptions o;
  o.rootRank = root;
  for (auto& t : tensors) {
    std::vector<at::Tensor> one = {staged(t)};
    start(rank_, what, [&] { return backend_->pg->broadcast(one, o); }).wait();
    if (!one[0].is_same(t)) t.copy_(one[0]);
  }
}

at::Tensor Group::all_gather_rows(const at::Tensor& local, const std::string& what,
                                  std::vector<int64_t>* rows_per_rank) {
  // Allgather needs equal shapes: pad every rank's rows to the largest count.
  at::Tensor count = staged(at::tensor({local.size(0)}, at::kLong));
  std::vector<at::Tensor> counts_out(static_cast<size_t>(size_));
  for (auto& c : counts_out) c = at::empty_like(count);
  std::vector<std::vector<at::Tensor>> outputs = {counts_out};
  std::vector<at::Tensor> inputs = {count};
  start(rank_, what + " (row counts)", [&] {
    return backend_->pg->allgather(outputs, inputs);
  }).wait();
  std::vector<int64_t> rows;
  for (const auto& c : outputs[0]) rows.push_back(c.item<int64_t>());
  const int64_t most = *std::max_element(rows.begin(), rows.end());
  std::vector<int64_t> shape = local.sizes().vec();
  shape[0] = most;
  const at::Tensor on_backend = staged(local);
  at::Tensor padded = at::zeros(shape, on_backend.options());
  padded.narrow(0, 0, local.size(0)).copy_(on_backend);
  std::vector<std::vector<at::Tensor>> gathered(1);
  for (int r = 0; r < size_; ++r) gathered[0].push_back(at::empty_like(padded));
  std::vector<at::Tensor> in = {padded};
  start(rank_, what, [&] { return backend_->pg->allgather(gathered, in); }).wait();
  std::vector<at::Tensor> parts;
  for (int r = 0; r < size_; ++r)
    parts.push_back(gathered[0][static_cast<size_t>(r)].narrow(0, 0, rows[static_cast<size_t>(r)]));
  if (rows_per_rank != nullptr) *rows_per_rank = rows;
  return at::cat(parts, 0).to(local.device());
}

int64_t Group::broadcast_int(int64_t value, int root, const std::string& what) {
  std::vector<at::Tensor> t = {at::tensor({value}, at::kLong)};
  broadcast(t, root, what);
  return t[0].item<int64_t>();
}

std::string Group::broadcast_string(const std::string& text, int root, const std::string& what) {
  const int64_t size = broadcast_int(static_cast<int64_t>(text.size()), root, what);
  if (size == 0) return std::string();
  std::vector<at::Tensor> bytes = {at::empty({size}, at::kByte)};
  if (rank_ == root) std::memcpy(bytes[0].data_ptr(), text.data(), text.size());
  broadcast(bytes, root, what);
  return std::string(static_cast<const char*>(bytes[0].data_ptr()), static_cast<size_t>(size));
}

std::vector<std::string> Group::all_gather_strings(const std::string& text,
                                                   const std::string& what) {
  at::Tensor bytes = at::empty({static_cast<int64_t>(text.size())}, at::kByte);
  if (!text.empty()) std::memcpy(bytes.data_ptr(), text.data(), text.size());
  std::vector<int64_t> lengths;
  const at::Tensor all = all_gather_rows(bytes, what, &lengths).contiguous();
  std::vector<std::string> out;
  const char* data = static_cast<const char*>(all.data_ptr());
  for (const int64_t length : lengths) {
    out.emplace_back(data, static_cast<size_t>(length));
    data += length;
  }
  return out;
}

bool Group::any(bool flag, const std::string& what) {
  at::Tensor t = at::tensor({flag ? 1 : 0}, at::kInt);
  allreduce_sum(t, what);
  return t.item<int>() > 0;
}

void Group::barrier(const std::string& what) {
  c10d::BarrierOptions o;
  if (options_.backend == "nccl") o.device_ids = {options_.device.index()};
  start(rank_, what, [&] { return backend_->pg->barrier(o); }).wait();
}

}  // namespace fer::distributed
