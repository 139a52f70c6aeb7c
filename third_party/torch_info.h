// torch_info: which LibTorch (and BLAS) this binary was built against and runs on.
//
// Every binary prints torch_build_summary() at start so a result can always be
// traced to the LibTorch build (Debian's CPU build or a LIBTORCH_HOME one) and
// to whether CUDA is compiled in and usable. No LibTorch types leak into this header.
#pragma once

#include <string>

namespace fer {

struct TorchInfo {
  std::string source;        // "debian:libtorch-dev" or the LIBTORCH_HOME path.
  std::string libdir;        // Directory the torch libraries were linked from.
  std::string version;       // TORCH_VERSION of the headers compiled against.
  bool built_with_cuda;      // libtorch_cuda was linked.
  bool cuda_available;       // At run time: a CUDA device is usable.
  int cuda_device_count;     // 0 without CUDA.
  std::string blas_library;  // Path of the loaded libblas.so.3 (or "" if none is mapped).
  int intra_op_threads;      // at::get_num_threads().
};

// Queries the running process. Cheap; safe to call before any tensor work.
TorchInfo torch_info();

// One line: "LibTorch 1.13.1 (debian:libtorch-dev, CPU) | CUDA: no | BLAS: ... | threads: 2".
std::string torch_build_summary();

}  // namespace fer
