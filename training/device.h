// Device helpers for the runner: device parsing with clear errors, synchronisation for honest
// timing, peak memory, thread settings. CPU/CUDA build differences live in
// third_party/torch_compat.
#pragma once

#include <c10/core/Device.h>

#include <string>

namespace fer::training {

/// Parses "cpu", "cuda", "cuda:N"; throws fer::Error when CUDA is requested but unavailable.
c10::Device parse_device(const std::string& name);

/// Waits for all queued work on the device (no-op on CPU).
void synchronize(const c10::Device& device);

/// Peak resident set size of this process, MiB.
double peak_rss_mb();
/// Peak CUDA memory allocated on the device since the last reset, MiB (0 on CPU).
double cuda_peak_mb(const c10::Device& device);
void reset_cuda_peak(const c10::Device& device);

/// Sets LibTorch's intra-op (OpenMP) threads and OpenBLAS's threads; returns the OpenBLAS
/// count actually in force (-1 if OpenBLAS is not loaded).
int set_threads(int threads);

}  // namespace fer::training
