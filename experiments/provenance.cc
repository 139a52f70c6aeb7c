#include "experiments/provenance.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <opencv2/core/version.hpp>
#include <thread>

#include "experiments/code_version.h"
#include "third_party/torch_compat.h"
#include "third_party/torch_info.h"
#include "training/device.h"

namespace fer::experiments {
namespace {

std::string run(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) return "";
  std::array<char, 512> buf{};
  std::string out;
  while (fgets(buf.data(), buf.size(), pipe.get())) out += buf.data();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' '))
    out.pop_back();
  return out;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

}  // namespace

std::string code_version() { return stamped_code_version(); }

reports::Provenance collect_provenance(int threads, int openblas_threads, int workers,
                                       const std::string& device) {
  reports::Provenance p;
  const std::string version = code_version();
  p["code_version"] = version;
  p["git_commit"] = version.substr(0, version.find('-'));
  p["git_dirty"] = version.find("-dirty") != std::string::npos ? "1" : "0";
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  p["host"] = host;
  p["cpu_model"] = cpu_model();
  p["cores"] = std::to_string(std::thread::hardware_concurrency());
  const TorchInfo t = torch_info();
  p["libtorch"] = t.version + " (" + t.source + (t.built_with_cuda ? ", CUDA" : ", CPU") + ")";
  p["opencv"] = CV_VERSION;
  p["blas"] = t.blas_library.empty() ? "none mapped" : t.blas_library;
  p["compiler"] = std::string("g++ ") + __VERSION__;
#ifdef NDEBUG
  p["build_mode"] = "opt";
#else
  p["build_mode"] = "debug";
#endif
  p["threads"] = std::to_string(threads);
  p["openblas_threads"] = std::to_string(openblas_threads);
  p["workers"] = std::to_string(workers);
  p["device"] = device;
  if (device.rfind("cuda", 0) == 0) {
    const int index = device.size() > 5 ? std::atoi(device.c_str() + 5) : -1;
    const compat::CudaInfo cuda = compat::cuda_info(index);
    p["gpu_name"] = cuda.device_name;
    p["gpu_capability"] = cuda.capability;
    p["gpu_memory_gib"] = cuda.memory_gib;
    p["cuda_runtime"] = cuda.runtime_version;
    p["cuda_driver_api"] = cuda.driver_version;
    p["cudnn"] = cuda.cudnn_version;
    p["libtorch_cuda"] = cuda.compiled_cuda;
    // The driver's own version number (e.g. 580.95.05) is known to nvidia-smi, not to the runtime.
    p["gpu_driver"] = run("nvidia-smi --query-gpu=driver_version --format=csv,noheader -i " +
                          std::to_string(index < 0 ? 0 : index) + " 2>/dev/null");
  }
  return p;
}

}  // namespace fer::experiments
