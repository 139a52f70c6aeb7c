// c10d_compat: the distributed engine's part of the compatibility layer (see torch_compat.h):
// where LibTorch versions and builds differ in c10d. distributed/group.cc (and the tests that
// ask which build they run on) include it; nothing above distributed/ does.
//
//  - The collective interface that ProcessGroupGloo and ProcessGroupNCCL implement is
//    c10d::ProcessGroup in 1.13 and c10d::Backend in 2.x.
//  - ProcessGroupNCCL exists only in CUDA builds whose libtorch_cuda carries it
//    (FER_LIBTORCH_HAS_NCCL, set by third_party/repositories.bzl); elsewhere make_nccl reports
//    that instead of failing to compile.
#pragma once

#include <c10/util/intrusive_ptr.h>
#include <torch/version.h>

#include <chrono>

namespace c10d {
class Backend;
class ProcessGroup;
class Store;
}  // namespace c10d

namespace fer::compat {

#if TORCH_VERSION_MAJOR >= 2
using CollectiveBackend = c10d::Backend;
#else
using CollectiveBackend = c10d::ProcessGroup;
#endif

/// True when this binary's LibTorch has ProcessGroupNCCL (a CUDA build with NCCL).
bool built_with_nccl();

/// A ProcessGroupNCCL over `store` whose waits block (and throw) for at most `timeout`, the way
/// Gloo's do, instead of NCCL's default of aborting the process from its watchdog. Collectives
/// take CUDA tensors of one device per rank. Throws std::runtime_error in builds without NCCL.
c10::intrusive_ptr<CollectiveBackend> make_nccl(const c10::intrusive_ptr<c10d::Store>& store,
                                                int rank, int size,
                                                std::chrono::milliseconds timeout);

}  // namespace fer::compat
