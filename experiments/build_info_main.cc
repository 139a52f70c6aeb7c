// Prints which LibTorch (Debian's or LIBTORCH_HOME's), CUDA and BLAS this build uses, and the
// stamped code version.
#include <iostream>

#include "experiments/code_version.h"
#include "third_party/torch_info.h"

int main() {
  const fer::TorchInfo info = fer::torch_info();
  std::cout << fer::torch_build_summary() << "\n"
            << "libtorch_source=" << info.source << "\n"
            << "libtorch_libdir=" << info.libdir << "\n"
            << "built_with_cuda=" << (info.built_with_cuda ? 1 : 0) << "\n"
            << "cuda_available=" << (info.cuda_available ? 1 : 0) << "\n"
            << "code_version=" << fer::experiments::stamped_code_version() << "\n";
  return 0;
}
