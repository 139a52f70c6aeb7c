// One model benchmark case (models/models_benchmark.cc: BM_Forward; experiments/
// train_step_benchmark.cc: BM_TrainStep): the network, its inputs and the grid both register.
// Inputs are the paper's sizes (227 DenseNet/AffectNet, 112 BReG-NeXt), drawn from seed 0, so the
// C++ suite and tools/gpu_python_eager.py time the same shapes.
#pragma once

#include <ATen/core/Tensor.h>
#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>
#include <string>

#include "models/factory.h"

namespace fer::models {

struct BenchCase {
  ModelKind kind;
  Backbone backbone;
  int64_t batch;
  std::string device, precision;  // "cpu" | "cuda"; "fp32" | "bf16" | "fp16".
  bool channels_last;

  int64_t input_size() const { return backbone == Backbone::kDenseNet ? 227 : 112; }
};

/// "BM_<what>/<backbone>_<kind>/bs:<batch>/<device>/<precision>/<memory format>"
/// (reports/bench_name.h parses it back).
std::string bench_name(const std::string& what, const BenchCase& c);

/// Why the case cannot run here ("" when it can): no CUDA device, fp16 autocast off CUDA.
std::string bench_skip_reason(const BenchCase& c);

struct BenchSetup {
  EmotionModel model;
  at::Tensor images, nodes, labels, valence_arousal;  // On the case's device.
};

/// The seeded network on the case's device (channels-last weights and images when asked),
/// with random images [N,3,S,S], node embeddings [9,300], labels in [0,7) and valence/arousal
/// in [-1,1). Enables cuDNN's autotuning on CUDA, as the eager peer does.
BenchSetup make_bench_setup(const BenchCase& c);

/// Times `step` as every model benchmark does: one untimed warm-up, then each iteration
/// synchronised and timed manually (UseManualTime); items/s = images/s; counters "input"
/// (image side) and "params" (`parameters`).
void time_bench_steps(benchmark::State& state, const BenchCase& c, int64_t parameters,
                      const std::function<void()>& step);

/// Calls fn for every registered case of `what` ("Forward" | "TrainStep"): six models x
/// {cpu: batch 1 (forward) or 2 (training: the CCC loss needs two samples), 8; cuda: 35, 128} x
/// {fp32, bf16, fp16} x {contiguous, channels-last}.
void for_each_bench_case(const std::string& what, const std::function<void(const BenchCase&)>& fn);

/// Runs `body` (a benchmark's setup and timed loop); an exception (CUDA out of memory, a
/// shape the model refuses) becomes SkipWithError with its message, so one case that fails is
/// recorded as such and the others still run.
void run_bench_case(benchmark::State& state, const BenchCase& c, const std::function<void()>& body);

}  // namespace fer::models
