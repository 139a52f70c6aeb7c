// Which vector instructions this CPU runs: the pixel kernels (cubic_warp, pil_resample) pick an
// AVX2 path at run time and keep a scalar one that gives the same bytes, so one binary serves
// every x86-64 machine (and other architectures, scalar only).
#pragma once

namespace fer::datasets {

/// Instruction sets a kernel can be asked to use.
enum class Isa { kScalar, kAvx2 };

/// The best Isa this CPU supports (kAvx2 where the CPU and compiler have it), detected once.
Isa best_isa();

/// "avx2" or "scalar", for logs and benchmark labels.
const char* isa_name(Isa isa);

}  // namespace fer::datasets
