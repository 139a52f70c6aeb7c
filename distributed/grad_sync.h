// Data-parallel gradient averaging (issue #11), as PyTorch's DistributedDataParallel does it:
// parameters are grouped into buckets of about 25 MB in reverse registration order (the order
// backward produces their gradients), and each bucket's all-reduce starts from an autograd hook
// as soon as its last gradient is computed, so communication overlaps the rest of the backward
// pass. finish() waits for every bucket and leaves in each parameter's .grad the mean of the
// ranks' gradients. Mode kAfterBackward instead reduces one flat buffer after backward: the
// peer that benchmarks measure the overlap against.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "distributed/group.h"

namespace fer::distributed {

class GradientSync {
 public:
  enum class Mode { kOverlap, kAfterBackward };

  /// params: the model's parameters (all on one device, one dtype per bucket). Registers the
  /// hooks (kOverlap); they stay until destruction. bucket_bytes >= 1.
  GradientSync(Group& group, std::vector<at::Tensor> params, Mode mode = Mode::kOverlap,
               int64_t bucket_bytes = int64_t{25} << 20);
  ~GradientSync();
  GradientSync(const GradientSync&) = delete;
  GradientSync& operator=(const GradientSync&) = delete;

  /// Call before each backward pass.
  void prepare();
  /// Call after backward, before the optimiser (or loss-scale unscaling) reads the gradients.
  /// A parameter that got no gradient this step on this rank contributes zeros; one that got
  /// none on any rank is left without a .grad (as in one process: SGD then skips it).
  /// Throws fer::Error when a collective fails.
  void finish();

  int64_t num_buckets() const { return static_cast<int64_t>(buckets_.size()); }

 private:
  struct Slot {
    int64_t bucket = 0, offset = 0;
    bool ready = false;
  };
  struct Bucket {
    std::vector<int64_t> params;
    at::Tensor flat;
    int64_t ready = 0;
    bool launched = false;
    Pending pending;
  };
  void on_gradient(size_t index, const at::Tensor& grad);
  void launch(Bucket& bucket);

  Group& group_;
  std::vector<at::Tensor> params_;
  Mode mode_;
  std::vector<Slot> slots_;
  std::vector<Bucket> buckets_;
  std::vector<unsigned> hooks_;
  std::mutex mutex_;  // Hooks may run on autograd's device threads.
};

}  // namespace fer::distributed
