#include "experiments/device.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <sys/resource.h>


#include "datasets/error.h"

#ifdef FER_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

namespace fer::experiments {

c10::Device parse_device(const std::string& name) {
  c10::Device device(c10::kCPU);
  try {
    device = c10::Device(name);
  } catch (const c10::Error&) {
    throw Error("select device", "", 0, "device", "cannot parse '" + name + "'; valid: cpu, cuda, cuda:N");
  }
  if (device.is_cuda()) {
    if (!at::hasCUDA()) {
      throw Error("select device", "", 0, "device",
                  "'" + name + "' requested but this LibTorch has no usable CUDA (build with LIBTORCH_HOME "
                  "pointing at a CUDA LibTorch, on a machine with a GPU)");
    }
#ifdef FER_WITH_CUDA
    if (device.has_index() && device.index() >= c10::cuda::device_count()) {
      throw Error("select device", "", 0, "device", "'" + name + "': only " +
                                                        std::to_string(c10::cuda::device_count()) + " GPU(s)");
    }
#endif
  }
  return device;
}

void synchronize(const c10::Device& device) {
#ifdef FER_WITH_CUDA
  if (device.is_cuda()) c10::cuda::device_synchronize();
#else
  (void)device;
#endif
}

double peak_rss_mb() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

double cuda_peak_mb(const c10::Device& device) {
#ifdef FER_WITH_CUDA
  if (device.is_cuda()) {
    const int index = device.has_index() ? device.index() : c10::cuda::current_device();
    auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(index);
    return static_cast<double>(stats.allocated_bytes[0].peak) / (1024.0 * 1024.0);
  }
#else
  (void)device;
#endif
  return 0.0;
}

void reset_cuda_peak(const c10::Device& device) {
#ifdef FER_WITH_CUDA
  if (device.is_cuda()) {
    const int index = device.has_index() ? device.index() : c10::cuda::current_device();
    c10::cuda::CUDACachingAllocator::resetPeakStats(index);
  }
#else
  (void)device;
#endif
}

int set_threads(int threads) {
  at::set_num_threads(threads);
  // OpenBLAS is reached through libblas.so.3 (Debian alternatives): look its setter up at run
  // time rather than linking it, so another BLAS still runs (and is reported).
  using SetFn = void (*)(int);
  using GetFn = int (*)();
  auto set = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  auto get = reinterpret_cast<GetFn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  if (!set || !get) return -1;
  set(threads);
  return get();
}

}  // namespace fer::experiments
