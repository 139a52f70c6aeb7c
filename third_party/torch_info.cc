#include "third_party/torch_info.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <torch/version.h>

#include <fstream>
#include <sstream>

#include "fer_torch_config.h"
#include "third_party/torch_compat.h"

namespace fer {
namespace {

// The BLAS actually mapped into this process: Debian's libblas.so.3 is an
// alternative (reference BLAS vs OpenBLAS), so the link line alone can't tell.
std::string mapped_blas_library() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    std::string path = line.substr(slash);
    if (path.find("libblas") != std::string::npos ||
        path.find("libopenblas") != std::string::npos) {
      return path;
    }
  }
  return "";
}

}  // namespace

TorchInfo torch_info() {
  TorchInfo info;
  info.source = FER_LIBTORCH_SOURCE;
  info.libdir = FER_LIBTORCH_LIBDIR;
  info.version = TORCH_VERSION;
  info.built_with_cuda = FER_LIBTORCH_HAS_CUDA != 0;
  info.cuda_device_count = compat::cuda_device_count();
  info.cuda_available = info.cuda_device_count > 0;
  info.blas_library = mapped_blas_library();
  info.intra_op_threads = at::get_num_threads();
  return info;
}

std::string torch_build_summary() {
  TorchInfo info = torch_info();
  std::ostringstream out;
  out << "LibTorch " << info.version << " (" << info.source << ", "
      << (info.built_with_cuda ? "CUDA build" : "CPU build") << ") | CUDA available: "
      << (info.cuda_available ? "yes, " + std::to_string(info.cuda_device_count) + " device(s)"
                              : std::string("no"))
      << " | BLAS: " << (info.blas_library.empty() ? "not mapped" : info.blas_library)
      << " | intra-op threads: " << info.intra_op_threads;
  return out.str();
}

}  // namespace fer
