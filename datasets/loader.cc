#include "datasets/loader.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <new>
#include <numeric>

#include "core/error.h"
#include "datasets/reference_transforms.h"
#include "imaging/image_io.h"

namespace fer::datasets {

BatchLoader::BatchLoader(const std::vector<Sample>& samples, std::string image_root,
                         LoaderOptions options)
    : samples_(samples), image_root_(std::move(image_root)), options_(std::move(options)) {
  TORCH_CHECK(options_.batch_size > 0, "batch_size must be > 0, got ", options_.batch_size);
  TORCH_CHECK(options_.workers >= 0, "workers must be >= 0, got ", options_.workers);
  TORCH_CHECK(
      options_.num_shards >= 1 && options_.shard >= 0 && options_.shard < options_.num_shards,
      "shard must be in [0, num_shards), got ", options_.shard, " of ", options_.num_shards);
}

int64_t BatchLoader::shard_samples() const {
  const int64_t n = num_samples(), s = options_.num_shards;
  if (options_.shuffle) return (n + s - 1) / s;
  return std::max<int64_t>(0, (n - options_.shard + s - 1) / s);
}

BatchLoader::~BatchLoader() { stop_workers(); }

int64_t BatchLoader::num_batches() const {
  const int64_t n = shard_samples(), b = options_.batch_size;
  if (n % b < options_.min_batch) return n / b;
  return (n + b - 1) / b;
}

void BatchLoader::stop_workers() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void BatchLoader::start_epoch(int64_t epoch, int64_t first_batch) {
  stop_workers();
  epoch_ = epoch;
  order_.resize(samples_.size());
  std::iota(order_.begin(), order_.end(), 0);
  if (options_.shuffle) {
    // Fisher-Yates with a generator seeded by (seed, epoch) alone.
    uint64_t state = sample_seed(options_.seed, epoch, -1);
    for (int64_t i = static_cast<int64_t>(order_.size()) - 1; i > 0; --i) {
      state = sample_seed(state, epoch, i);
      std::swap(order_[i], order_[state % static_cast<uint64_t>(i + 1)]);
    }
  }
  if (options_.num_shards > 1) {
    const int64_t per_shard = shard_samples();
    std::vector<int64_t> mine;
    for (int64_t k = 0; k < per_shard; ++k) {
      // Padding wraps around to the permutation's start (shuffled only: unshuffled shards are not
      // padded).
      const int64_t position = options_.shard + k * options_.num_shards;
      if (!order_.empty())
        mine.push_back(order_[static_cast<size_t>(position % static_cast<int64_t>(order_.size()))]);
    }
    order_ = std::move(mine);
  }
  next_to_start_ = next_to_return_ = first_batch;
  ready_.clear();
  error_ = nullptr;
  stopping_ = false;
  wait_seconds_ = 0;
  for (int w = 0; w < options_.workers; ++w) threads_.emplace_back([this] { worker_loop(); });
}

void BatchLoader::load_sample(int64_t index, int64_t epoch, float* out) const {
  const Sample& s = samples_.at(static_cast<size_t>(index));
  const std::string path = image_root_ + "/" + s.image;
  const TransformOptions& t = options_.transform;
  const Augmentation aug = draw_augmentation(t, sample_seed(options_.seed, epoch, index));
  if (options_.reference_preprocess)
    return render_reference(imaging::read_image(path, /*apply_exif=*/s.has_geometry), s, t, aug,
                            out);
  // Throws fer::Error naming the path.
  const imaging::DecodedImage image = imaging::decode_image_scaled(
      imaging::read_file_bytes(path), path,
      [&](int width, int height) {
        return options_.scaled_decode ? required_decode_scale(s, width, height, t) : 1.0;
      },
      /*apply_exif=*/s.has_geometry);
  render_sample(image.bgr, image.full_width, image.full_height, image.scale, s, t, aug, out);
}

Batch BatchLoader::make_batch(int64_t batch) const {
  const int64_t begin = batch * options_.batch_size;
  const int64_t end =
      std::min<int64_t>(begin + options_.batch_size, static_cast<int64_t>(order_.size()));
  const int64_t n = end - begin, size = options_.transform.output_size;
  Batch out;
  auto opts = at::TensorOptions().pinned_memory(options_.pin_memory);
  out.images = at::empty({n, 3, size, size}, opts.dtype(at::kFloat));
  out.expression = at::empty({n}, opts.dtype(at::kLong));
  out.valence_arousal = at::empty({n, 2}, opts.dtype(at::kFloat));
  float* images = out.images.data_ptr<float>();
  int64_t* labels = out.expression.data_ptr<int64_t>();
  float* va = out.valence_arousal.data_ptr<float>();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t index = order_[begin + i];
    float* image = images + i * 3 * size * size;
    try {
      try {
        load_sample(index, epoch_, image);
      } catch (const Error&) {
        throw;
      } catch (const std::bad_alloc&) {
        // An image too large to decode (or to pad to its face box): named, never std::terminate.
        throw Error("load image", image_root_ + "/" + samples_[index].image, 0, "image",
                    "too large to decode (out of memory)");
      } catch (const std::exception& e) {
        throw Error("load image", image_root_ + "/" + samples_[index].image, 0, "image", e.what());
      }
    } catch (const Error& e) {
      if (!options_.keep_going_on_bad_images) throw;
      std::fill(image, image + 3 * size * size, 0.0f);
      out.failures.emplace_back(i, e.what());
    }
    const Sample& s = samples_[index];
    labels[i] = s.expression;
    va[2 * i] = s.valence;
    va[2 * i + 1] = s.arousal;
    out.indices.push_back(index);
  }
  return out;
}

void BatchLoader::worker_loop() {
  while (true) {
    int64_t batch;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      cv_.wait(lock, [&] {
        return stopping_ || next_to_start_ >= num_batches() ||
               next_to_start_ < next_to_return_ + options_.prefetch_batches;
      });
      if (stopping_ || next_to_start_ >= num_batches()) return;
      batch = next_to_start_++;
    }
    try {
      Batch b = make_batch(batch);
      std::lock_guard<std::mutex> lock(mutex_);
      ready_.emplace(batch, std::move(b));
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
    cv_.notify_all();
  }
}

std::optional<Batch> BatchLoader::next() {
  TORCH_CHECK(epoch_ >= 0, "BatchLoader::next() before start_epoch()");
  if (next_to_return_ >= num_batches()) return std::nullopt;
  const auto start = std::chrono::steady_clock::now();
  if (options_.workers == 0) {
    Batch b = make_batch(next_to_return_++);
    wait_seconds_ +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return b;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait(lock, [&] { return error_ || ready_.count(next_to_return_) > 0; });
  wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (error_) std::rethrow_exception(error_);
  auto it = ready_.find(next_to_return_);
  Batch b = std::move(it->second);
  ready_.erase(it);
  ++next_to_return_;
  lock.unlock();
  cv_.notify_all();
  return b;
}

}  // namespace fer::datasets
