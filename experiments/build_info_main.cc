// Prints which LibTorch (Debian's or LIBTORCH_HOME's), CUDA and BLAS this build uses.
#include <iostream>

#include "third_party/torch_info.h"

int main() {
  const fer::TorchInfo info = fer::torch_info();
  std::cout << fer::torch_build_summary() << "\n"
            << "libtorch_source=" << info.source << "\n"
            << "libtorch_libdir=" << info.libdir << "\n"
            << "built_with_cuda=" << (info.built_with_cuda ? 1 : 0) << "\n"
            << "cuda_available=" << (info.cuda_available ? 1 : 0) << "\n";
  return 0;
}
