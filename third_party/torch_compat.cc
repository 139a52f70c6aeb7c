#include "third_party/torch_compat.h"

#include <ATen/Context.h>
#include <ATen/autocast_mode.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/optim/optimizer.h>

#include <cstdio>
#include <sstream>
#include <type_traits>

#include "fer_torch_config.h"

#if FER_LIBTORCH_HAS_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <cuda_runtime_api.h>
#include <dlfcn.h>
#endif

namespace fer::compat {
namespace {

// CUDA encodes versions as 1000*major + 10*minor (runtime, driver); cuDNN 9 as
// 10000*major + 100*minor + patch (8.x used 1000*major + 100*minor + patch).
std::string cuda_version_string(long v) {
  if (v <= 0) return "none";
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
}

#if FER_LIBTORCH_HAS_CUDA
// The cuDNN the process loaded, which a wheel or LD_LIBRARY_PATH may make another than the one
// LibTorch was compiled against. LibTorch 2.10 asks it through its hooks; before that, cuDNN's
// own cudnnGetVersion() is looked up in the loaded libraries, the compile-time number last.
long loaded_cudnn_version() {
#if FER_TORCH_AT_LEAST(2, 10)
  return at::detail::getCUDAHooks().versionRuntimeCuDNN();
#else
  using GetVersion = size_t (*)();
  if (auto fn = reinterpret_cast<GetVersion>(dlsym(RTLD_DEFAULT, "cudnnGetVersion")))
    return static_cast<long>(fn());
  return at::detail::getCUDAHooks().versionCuDNN();
#endif
}
#endif

std::string cudnn_version_string(long v) {
  if (v <= 0) return "none";
  const long major_div = v >= 90000 ? 10000 : 1000;
  return std::to_string(v / major_div) + "." + std::to_string((v % major_div) / 100) + "." +
         std::to_string(v % 100);
}

// The key LibTorch's Optimizer::state() map uses for a parameter (see the header).
template <typename Key>
Key state_key(const at::Tensor& param) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream s;  // c10::guts::to_string(TensorImpl*) in 1.13: the address, streamed.
    s << param.unsafeGetTensorImpl();
    return s.str();
  } else {
    return static_cast<Key>(param.unsafeGetTensorImpl());
  }
}

using StateMap = std::decay_t<decltype(std::declval<torch::optim::Optimizer&>().state())>;

#if FER_LIBTORCH_HAS_CUDA
int resolve_index(const c10::Device& device) {
  return device.has_index() ? device.index() : c10::cuda::current_device();
}
#endif

}  // namespace

void set_autocast(c10::DeviceType device_type, bool enabled, c10::ScalarType dtype) {
  TORCH_CHECK(device_type == c10::kCPU || device_type == c10::kCUDA,
              "autocast is supported on cpu and cuda, got ", c10::DeviceTypeName(device_type));
#if FER_TORCH_AT_LEAST(2, 4)
  at::autocast::set_autocast_enabled(device_type, enabled);
  if (enabled) at::autocast::set_autocast_dtype(device_type, dtype);
#else
  if (device_type == c10::kCUDA) {
    at::autocast::set_enabled(enabled);
    if (enabled) at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_cpu_enabled(enabled);
    if (enabled) at::autocast::set_autocast_cpu_dtype(dtype);
  }
#endif
}

bool autocast_enabled(c10::DeviceType device_type) {
#if FER_TORCH_AT_LEAST(2, 4)
  return at::autocast::is_autocast_enabled(device_type);
#else
  return device_type == c10::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

void clear_autocast_cache() { at::autocast::clear_cache(); }

torch::optim::OptimizerParamState* optimizer_param_state(torch::optim::Optimizer& optimizer,
                                                         const at::Tensor& param) {
  auto& state = optimizer.state();
  auto it = state.find(state_key<StateMap::key_type>(param));
  return it == state.end() ? nullptr : it->second.get();
}

void set_optimizer_param_state(torch::optim::Optimizer& optimizer, const at::Tensor& param,
                               std::unique_ptr<torch::optim::OptimizerParamState> state) {
  optimizer.state()[state_key<StateMap::key_type>(param)] = std::move(state);
}

bool built_with_cuda() { return FER_LIBTORCH_HAS_CUDA != 0; }

int cuda_device_count() {
#if FER_LIBTORCH_HAS_CUDA
  return at::hasCUDA() ? static_cast<int>(c10::cuda::device_count()) : 0;
#else
  return 0;
#endif
}

void synchronize(const c10::Device& device) {
#if FER_LIBTORCH_HAS_CUDA
  if (device.is_cuda()) c10::cuda::device_synchronize();
#else
  (void)device;
#endif
}

double cuda_peak_allocated_bytes(const c10::Device& device) {
#if FER_LIBTORCH_HAS_CUDA
  if (device.is_cuda()) {
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(resolve_index(device));
    return static_cast<double>(stats.allocated_bytes[0].peak);
  }
#else
  (void)device;
#endif
  return 0.0;
}

void reset_cuda_peak(const c10::Device& device) {
#if FER_LIBTORCH_HAS_CUDA
  if (device.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(resolve_index(device));
#else
  (void)device;
#endif
}

CudaInfo cuda_info(int index) {
  CudaInfo info{"none", "none", "none", "none", "none", "none", "none"};
#if FER_LIBTORCH_HAS_CUDA
  info.compiled_cuda = cuda_version_string(at::detail::getCUDAHooks().versionCUDART());
  int runtime = 0, driver = 0;
  if (cudaRuntimeGetVersion(&runtime) == cudaSuccess)
    info.runtime_version = cuda_version_string(runtime);
  if (cudaDriverGetVersion(&driver) == cudaSuccess)
    info.driver_version = cuda_version_string(driver);
  if (cuda_device_count() == 0) return info;
  try {
    const int i = index < 0 ? static_cast<int>(c10::cuda::current_device()) : index;
    const cudaDeviceProp* prop = at::cuda::getDeviceProperties(i);
    info.device_name = prop->name;
    info.capability = std::to_string(prop->major) + "." + std::to_string(prop->minor);
    char gib[32];
    std::snprintf(gib, sizeof(gib), "%.1f",
                  static_cast<double>(prop->totalGlobalMem) / (1024.0 * 1024.0 * 1024.0));
    info.memory_gib = gib;
    info.cudnn_version = cudnn_version_string(loaded_cudnn_version());
  } catch (const c10::Error&) {
    // A device that cannot be queried leaves its fields "none"; provenance must never fail a run.
  }
#else
  (void)index;
  (void)cuda_version_string;
  (void)cudnn_version_string;
#endif
  return info;
}

}  // namespace fer::compat
