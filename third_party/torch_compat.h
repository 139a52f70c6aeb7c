// torch_compat: the one place where LibTorch versions (Debian's 1.13.1, the 2.x of the GPU
// machines) and builds (CPU-only, CUDA) differ. Everything else in the project calls these
// functions and compiles unchanged against either; no other file tests TORCH_VERSION or
// FER_WITH_CUDA, except c10d_compat.h, this layer's part for the distributed engine.
//
// Differences handled here (see torch_compat.cc):
//  - autocast: 1.13 has per-device setters (set_enabled / set_cpu_enabled,
//    set_autocast_gpu_dtype / set_autocast_cpu_dtype); 2.x has set_autocast_enabled(device, on)
//    and set_autocast_dtype(device, dtype) and deprecates the old ones.
//  - optional: 1.13's APIs take c10::optional (its own class); in 2.x it is std::optional.
//  - optimiser state: keyed by the parameter's TensorImpl address printed as a string in 1.13,
//    by the address itself in 2.x.
//  - CUDA: synchronisation, memory statistics and the versions of the runtime, driver and cuDNN
//    exist only in CUDA builds; in CPU builds they report "none" instead of failing to compile.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <c10/util/Optional.h>
#include <torch/version.h>

#include <memory>
#include <string>

namespace torch::optim {
class Optimizer;
class OptimizerParamState;
}  // namespace torch::optim

#define FER_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||      \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace fer::compat {

/// The optional type LibTorch's own signatures use (c10::optional in 1.13, std::optional in 2.x).
template <typename T>
using optional = c10::optional<T>;

/// Turns autocast on (to `dtype`) or off for one device type (kCPU or kCUDA) on this thread.
void set_autocast(c10::DeviceType device_type, bool enabled,
                  c10::ScalarType dtype = c10::kBFloat16);
/// Whether autocast is on for the device type on this thread.
bool autocast_enabled(c10::DeviceType device_type);
/// Drops autocast's cast cache (call when leaving an autocast region, as torch.autocast does).
void clear_autocast_cache();

/// The optimiser's per-parameter state for `param` (e.g. SGD's momentum buffer), or nullptr.
/// LibTorch offers no per-parameter accessor: Optimizer::state() is keyed by the parameter's
/// TensorImpl address (a string in 1.x, a void* in 2.x). This is the one place that knows the
/// key, on purpose: the trainer needs the buffers for resume states and reference checkpoints.
torch::optim::OptimizerParamState* optimizer_param_state(torch::optim::Optimizer& optimizer,
                                                         const at::Tensor& param);
/// Replaces the optimiser's state for `param`.
void set_optimizer_param_state(torch::optim::Optimizer& optimizer, const at::Tensor& param,
                               std::unique_ptr<torch::optim::OptimizerParamState> state);

/// True when this binary was linked against a CUDA LibTorch (libtorch_cuda).
bool built_with_cuda();
/// Number of usable CUDA devices at run time (0 in CPU builds or without a driver/GPU).
int cuda_device_count();
/// Waits for all queued work on the device; no-op on CPU.
void synchronize(const c10::Device& device);
/// Peak bytes allocated by the CUDA caching allocator on the device since the last reset (0 on
/// CPU).
double cuda_peak_allocated_bytes(const c10::Device& device);
void reset_cuda_peak(const c10::Device& device);

/// What a CUDA device run depends on; every field "none" in CPU builds or without a GPU.
struct CudaInfo {
  std::string device_name;      // cudaDeviceProp::name, e.g. "NVIDIA H200".
  std::string capability;       // "9.0".
  std::string memory_gib;       // Total device memory.
  std::string runtime_version;  // cudaRuntimeGetVersion, "13.0".
  std::string driver_version;   // Highest CUDA version the driver supports (cudaDriverGetVersion).
  std::string cudnn_version;    // cuDNN loaded at run time, "9.19.0".
  std::string compiled_cuda;    // CUDA version LibTorch was compiled with.
};
/// Queries device `index` (the first when negative). Never throws.
CudaInfo cuda_info(int index = -1);

}  // namespace fer::compat
