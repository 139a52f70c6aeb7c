// A multi-threaded batch loader: decode (OpenCV) + align + augment + normalise, prefetching
// whole batches ahead of the consumer. Batch composition depends only on (seed, epoch) and each
// sample's augmentation only on (seed, epoch, index), so batches are bit-identical whatever the
// number of worker threads.
#pragma once

#include <ATen/core/Tensor.h>

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "datasets/sample.h"
#include "datasets/transforms.h"

namespace fer::datasets {

struct LoaderOptions {
  int64_t batch_size = 35;
  bool shuffle = true;
  int64_t min_batch = 1;     // A last, partial batch smaller than this is left out
                             // (batch_size: PyTorch's drop_last=True).
  int workers = 2;           // 0: load on the calling thread.
  int prefetch_batches = 4;  // Batches decoded ahead of the consumer.
  uint64_t seed = 0;
  bool pin_memory = false;  // Page-locked batches for fast host-to-GPU copies (CUDA builds).
  /// A sample whose image cannot be read (fer::Error: missing, truncated, corrupt) is listed in
  /// Batch::failures with its message and given an all-zero image, instead of stopping the epoch.
  bool keep_going_on_bad_images = false;
  /// Decode JPEGs at the smallest DCT scale that still covers the crop at the output size
  /// (image_io.h); off: always decode at full size.
  bool scaled_decode = true;
  /// The reference's own chain (datasets/reference_transforms.h; full-size decode) instead of
  /// transforms.h's single warp.
  bool reference_preprocess = false;
  TransformOptions transform;
  /// Data-parallel training (issue #11): this process reads shard `shard` of `num_shards`.
  /// Shuffled: PyTorch's DistributedSampler: the epoch's permutation (the same on every shard)
  /// is padded by repeating its start to a multiple of num_shards, and shard r takes positions
  /// r, r + num_shards, ...; every shard gets the same number of samples (so of batches).
  /// Not shuffled (evaluation): samples r, r + num_shards, ... without padding, so the shards
  /// together hold each sample exactly once.
  int64_t shard = 0, num_shards = 1;
};

struct Batch {
  at::Tensor images;             // float32 [B, 3, S, S]
  at::Tensor expression;         // int64 [B]
  at::Tensor valence_arousal;    // float32 [B, 2]
  std::vector<int64_t> indices;  // Sample indices in the split.
  /// With keep_going_on_bad_images: (position in this batch, error message) of each unreadable
  /// image.
  std::vector<std::pair<int64_t, std::string>> failures;
};

class BatchLoader {
 public:
  /// samples must outlive the loader; image paths are relative to image_root.
  BatchLoader(const std::vector<Sample>& samples, std::string image_root, LoaderOptions options);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  int64_t num_batches() const;
  /// Samples of the whole split.
  int64_t num_samples() const { return static_cast<int64_t>(samples_.size()); }
  const LoaderOptions& options() const { return options_; }
  /// Samples this shard reads per epoch.
  int64_t shard_samples() const;
  /// Starts (or restarts) an epoch: new order, workers begin prefetching at batch
  /// `first_batch` (resuming mid-epoch yields exactly the remaining batches).
  void start_epoch(int64_t epoch, int64_t first_batch = 0);
  /// The next batch in order, or nullopt at the end of the epoch. Rethrows a worker's
  /// fer::Error (e.g. an undecodable image, with its path).
  std::optional<Batch> next();
  /// Seconds next() spent waiting for workers since the last start_epoch().
  double wait_seconds() const { return wait_seconds_; }

  /// Loads one sample into out (3*S*S floats): what workers do, exposed for benchmarks/tests.
  void load_sample(int64_t index, int64_t epoch, float* out) const;

 private:
  Batch make_batch(int64_t batch) const;
  void stop_workers();
  void worker_loop();

  const std::vector<Sample>& samples_;
  std::string image_root_;
  LoaderOptions options_;
  std::vector<int64_t> order_;
  int64_t epoch_ = -1;

  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::thread> threads_;
  int64_t next_to_start_ = 0, next_to_return_ = 0;
  std::map<int64_t, Batch> ready_;
  std::exception_ptr error_;
  bool stopping_ = false;
  double wait_seconds_ = 0;
};

}  // namespace fer::datasets
