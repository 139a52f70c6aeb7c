#include "datasets/dataset.h"

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cstdio>
#include <optional>

#include "core/error.h"
#include "core/hash.h"
#include "datasets/affectnet.h"
#include "datasets/affwild2.h"
#include "datasets/index_cache.h"
#include "datasets/label_stats.h"
#include "datasets/report.h"

namespace fer::datasets {
namespace fs = boost::filesystem;
namespace {

// Part of every cache key: a new value makes every older entry a miss.
constexpr uint32_t kCacheVersion = 2;

std::string hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string annotation_identity(const DatasetOptions& o, const std::string& root) {
  std::string id;
  if (o.name == "affectnet" || o.name == "synth-affectnet") {
    id += file_identity((fs::path(root) / "training.csv").string()) +
          file_identity((fs::path(root) / "validation.csv").string());
  } else {
    for (const std::string& dir : affwild2_annotation_folders(root)) {
      for (const char* split : {"Train_Set", "Validation_Set"}) {
        const fs::path set = fs::path(dir) / split;
        if (!fs::is_directory(set)) continue;
        std::vector<std::string> files;
        for (const auto& e : fs::directory_iterator(set))
          files.push_back(file_identity(e.path().string()));
        std::sort(files.begin(), files.end());
        for (const auto& f : files) id += f;
      }
    }
  }
  id += "opts:" + std::to_string(static_cast<int>(o.read.bad_rows)) +
        std::to_string(o.read.check_images_exist) + to_string(o.image_check.mode) +
        std::to_string(o.read.eight_classes) +
        ";glove:" + (o.glove_path.empty() ? "none" : file_identity(o.glove_path)) +
        ";dim:" + std::to_string(o.embedding_dim) + ";v" + std::to_string(kCacheVersion);
  return id;
}

// FNV-1a 64 of a split's content, in a fixed byte layout (the index digest in provenance).
uint64_t split_digest(const Split& split, uint64_t h) {
  auto u64 = [&](uint64_t v) { h = fnv1a(&v, sizeof(v), h); };
  auto str = [&](const std::string& s) {
    u64(s.size());
    h = fnv1a(s.data(), s.size(), h);
  };
  u64(split.samples.size());
  for (const auto& s : split.samples) {
    str(s.image);
    u64(static_cast<uint64_t>(s.expression));
    for (float v : {s.valence, s.arousal, s.box_x, s.box_y, s.box_w, s.box_h, s.left_eye.x,
                    s.left_eye.y, s.right_eye.x, s.right_eye.y}) {
      h = fnv1a(&v, sizeof(v), h);
    }
    u64(s.has_geometry);
  }
  const auto& r = split.report;
  str(r.split);
  u64(r.rows_read);
  u64(r.kept);
  u64(r.dropped_by_code.size());
  for (const auto& [code, n] : r.dropped_by_code) {
    str(code);
    u64(n);
  }
  u64(r.errors.size());
  for (const auto& e : r.errors) {
    str(e.file);
    u64(e.line);
    str(e.field);
    str(e.message);
  }
  return h;
}

std::string index_digest(const Dataset& d) {
  return hex(split_digest(d.index.val, split_digest(d.index.train, kFnvOffset)));
}

CachedIndex cached_part(const Dataset& d) {
  return {d.index,           d.correlation,   d.train_class_counts, d.node_words,
          d.node_embeddings, d.embedding_dim, d.embedding_source};
}

Dataset from_cached(CachedIndex e) {
  Dataset d;
  d.index = std::move(e.index);
  d.correlation = std::move(e.correlation);
  d.train_class_counts = std::move(e.train_class_counts);
  d.node_words = std::move(e.node_words);
  d.node_embeddings = std::move(e.node_embeddings);
  d.embedding_dim = e.embedding_dim;
  d.embedding_source = std::move(e.embedding_source);
  return d;
}

Dataset parse(const DatasetOptions& o, const std::string& root) {
  Dataset d;
  if (o.name == "affectnet" || o.name == "synth-affectnet") {
    d.index = read_affectnet(root, o.read);
  } else {
    d.index = read_affwild2(root, o.read);
  }
  d.index.root = root;
  check_images(d.index, o.image_check, o.read.bad_rows);
  check_class_coverage(d.index);
  const int k = static_cast<int>(d.index.class_names.size());
  d.correlation = label_correlation(d.index.train.samples, k);
  d.train_class_counts = class_counts(d.index.train.samples, k);
  d.node_words = label_words(d.index.class_names);
  if (o.glove_path.empty()) {
    d.embedding_dim = o.embedding_dim;
    d.node_embeddings = fallback_embeddings(d.node_words, o.embedding_dim);
    d.embedding_source = "fallback:fnv1a-gaussian";
  } else {
    d.node_embeddings = read_glove(o.glove_path, d.node_words, &d.embedding_dim);
    d.embedding_source = o.glove_path;
  }
  return d;
}

}  // namespace

std::vector<std::string> dataset_names() {
  return {"affectnet", "affwild2", "synth-affectnet", "synth-affwild2"};
}

bool is_synthetic(const std::string& name) { return name.rfind("synth-", 0) == 0; }

Dataset open_dataset(const DatasetOptions& o) {
  const auto names = dataset_names();
  if (std::find(names.begin(), names.end(), o.name) == names.end()) {
    throw Error("open dataset", "", 0, "dataset",
                "unknown dataset '" + o.name +
                    "'; valid: affectnet, affwild2, synth-affectnet, synth-affwild2");
  }
  const std::string cache_root = o.cache_root.empty() ? default_cache_root() : o.cache_root;
  std::string root = o.root;
  if (is_synthetic(o.name)) {
    root = ensure_synthetic(o.name, cache_root, o.synthetic);
  } else if (root.empty() || !fs::is_directory(root)) {
    throw Error(
        "open dataset", root, 0, "data_root",
        root.empty() ? "the real " + o.name + " dataset needs --data_root" : "directory not found");
  }
  root = fs::absolute(root).string();
  const std::string identity = o.name + "|" + root + "|" + annotation_identity(o, root);
  const std::string key = o.name + "-" + hex(fnv1a(identity.data(), identity.size()));
  Dataset d;
  std::optional<CachedIndex> cached;
  if (o.use_cache) cached = read_cached_index(cache_root, key);
  if (cached) {
    d = from_cached(std::move(*cached));
  } else {
    d = parse(o, root);
    if (o.use_cache) {
      try {
        write_cached_index(cache_root, key, o.name, root, cached_part(d));
      } catch (const std::exception& e) {
        d.cache_error = e.what();  // The index is parsed; only the next start-up is slower.
      }
    }
  }
  d.from_cache = cached.has_value();
  d.index.name = o.name;
  d.index.root = root;
  d.index.digest = index_digest(d);
  for (const Split* split : {&d.index.train, &d.index.val}) {
    if (split->samples.empty()) {
      throw Error("open dataset", root, 0, split->report.split,
                  "no usable sample in this split after the documented drops and skipped rows:\n" +
                      format_report(split->report));
    }
  }
  enforce_policy(d.index.train.report, o.read.bad_rows, "open dataset");
  enforce_policy(d.index.val.report, o.read.bad_rows, "open dataset");
  return d;
}

}  // namespace fer::datasets
