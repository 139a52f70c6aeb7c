#include "training/device.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <sys/resource.h>

#include "core/error.h"
#include "third_party/torch_compat.h"

namespace fer::training {

c10::Device parse_device(const std::string& name) {
  c10::Device device(c10::kCPU);
  try {
    device = c10::Device(name);
  } catch (const c10::Error&) {
    throw Error("select device", "", 0, "device",
                "cannot parse '" + name + "'; valid: cpu, cuda, cuda:N");
  }
  if (device.is_cuda()) {
    if (!at::hasCUDA()) {
      throw Error("select device", "", 0, "device",
                  "'" + name +
                      "' requested but this LibTorch has no usable CUDA (build with LIBTORCH_HOME "
                      "pointing at a CUDA LibTorch, on a machine with a GPU)");
    }
    if (device.has_index() && device.index() >= compat::cuda_device_count()) {
      throw Error(
          "select device", "", 0, "device",
          "'" + name + "': only " + std::to_string(compat::cuda_device_count()) + " GPU(s)");
    }
  }
  return device;
}

void synchronize(const c10::Device& device) { compat::synchronize(device); }

double peak_rss_mb() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

double cuda_peak_mb(const c10::Device& device) {
  return compat::cuda_peak_allocated_bytes(device) / (1024.0 * 1024.0);
}

void reset_cuda_peak(const c10::Device& device) { compat::reset_cuda_peak(device); }

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

}  // namespace fer::training
