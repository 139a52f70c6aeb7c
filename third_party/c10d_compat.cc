#include "third_party/c10d_compat.h"

#include <cstdlib>
#include <stdexcept>

#include "fer_torch_config.h"

#if FER_LIBTORCH_HAS_NCCL
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#else
#include <torch/csrc/distributed/c10d/Store.hpp>
#endif

namespace fer::compat {

bool built_with_nccl() { return FER_LIBTORCH_HAS_NCCL != 0; }

c10::intrusive_ptr<CollectiveBackend> make_nccl(const c10::intrusive_ptr<c10d::Store>& store,
                                                int rank, int size,
                                                std::chrono::milliseconds timeout) {
#if FER_LIBTORCH_HAS_NCCL
  // Read by ProcessGroupNCCL's constructor: Work::wait() then blocks until the collective is done
  // and throws when it runs past the timeout. A value the user set is kept.
  ::setenv("TORCH_NCCL_BLOCKING_WAIT", "1", 0);
  auto options = c10d::ProcessGroupNCCL::Options::create();
  options->timeout = timeout;
  return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank, size, options);
#else
  (void)store, (void)rank, (void)size, (void)timeout;
  throw std::runtime_error("this binary's LibTorch has no NCCL (no ProcessGroupNCCL in it)");
#endif
}

}  // namespace fer::compat
