#include "datasets/dataset.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/filesystem.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "datasets/affectnet.h"
#include "datasets/affwild2.h"
#include "datasets/error.h"
#include "datasets/image_io.h"
#include "datasets/hash.h"
#include "datasets/label_stats.h"
#include "datasets/report.h"

namespace fer::datasets {
namespace fs = boost::filesystem;
namespace {

constexpr uint32_t kCacheMagic = 0x46455231;  // "FER1"
constexpr uint32_t kCacheVersion = 1;

std::string hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// Identity of the annotation files: path, size and mtime of each.
std::string file_identity(const fs::path& p) {
  struct stat st;
  if (::stat(p.string().c_str(), &st) != 0) return p.string() + ":missing;";
  return p.string() + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) +
         "." + std::to_string(st.st_mtim.tv_nsec) + ";";
}

std::string annotation_identity(const DatasetOptions& o, const std::string& root) {
  std::string id;
  if (o.name == "affectnet" || o.name == "synth-affectnet") {
    id += file_identity(fs::path(root) / "training.csv") + file_identity(fs::path(root) / "validation.csv");
  } else {
    for (const char* set : {"EXPR_Set", "VA_Set"}) {
      for (const char* split : {"Train_Set", "Validation_Set"}) {
        const fs::path dir = fs::path(root) / set / split;
        if (!fs::is_directory(dir)) continue;
        std::vector<std::string> files;
        for (const auto& e : fs::directory_iterator(dir)) files.push_back(file_identity(e.path()));
        std::sort(files.begin(), files.end());
        for (const auto& f : files) id += f;
      }
    }
  }
  id += "opts:" + std::to_string(static_cast<int>(o.read.bad_rows)) + std::to_string(o.read.check_images_exist) +
        std::to_string(o.read.eight_classes) + ";glove:" + (o.glove_path.empty() ? "none" : file_identity(o.glove_path)) +
        ";dim:" + std::to_string(o.embedding_dim) + ";v" + std::to_string(kCacheVersion);
  return id;
}

// Binary (de)serialisation of the cached parts.
class Writer {
 public:
  void u64(uint64_t v) { buf_.append(reinterpret_cast<const char*>(&v), sizeof(v)); }
  void f32(float v) { buf_.append(reinterpret_cast<const char*>(&v), sizeof(v)); }
  void f64(double v) { buf_.append(reinterpret_cast<const char*>(&v), sizeof(v)); }
  void str(const std::string& s) { u64(s.size()); buf_ += s; }
  const std::string& data() const { return buf_; }

 private:
  std::string buf_;
};

class Reader {
 public:
  explicit Reader(std::string data) : buf_(std::move(data)) {}
  uint64_t u64() { return pod<uint64_t>(); }
  float f32() { return pod<float>(); }
  double f64() { return pod<double>(); }
  std::string str() {
    const uint64_t n = u64();
    need(n);
    std::string s = buf_.substr(pos_, n);
    pos_ += n;
    return s;
  }

 private:
  template <typename T>
  T pod() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, buf_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  void need(uint64_t n) {
    if (pos_ + n > buf_.size()) throw std::runtime_error("truncated cache");
  }
  std::string buf_;
  size_t pos_ = 0;
};

void write_split(Writer& w, const Split& split) {
  w.u64(split.samples.size());
  for (const auto& s : split.samples) {
    w.str(s.image);
    w.u64(static_cast<uint64_t>(s.expression));
    for (float v : {s.valence, s.arousal, s.box_x, s.box_y, s.box_w, s.box_h, s.left_eye.x,
                    s.left_eye.y, s.right_eye.x, s.right_eye.y}) {
      w.f32(v);
    }
    w.u64(s.has_geometry);
  }
  const auto& r = split.report;
  w.str(r.split);
  w.u64(r.rows_read);
  w.u64(r.kept);
  w.u64(r.dropped_by_code.size());
  for (const auto& [code, n] : r.dropped_by_code) {
    w.str(code);
    w.u64(n);
  }
  w.u64(r.errors.size());
  for (const auto& e : r.errors) {
    w.str(e.file);
    w.u64(e.line);
    w.str(e.field);
    w.str(e.message);
  }
}

Split read_split(Reader& r) {
  Split split;
  split.samples.resize(r.u64());
  for (auto& s : split.samples) {
    s.image = r.str();
    s.expression = static_cast<int32_t>(r.u64());
    float* fields[] = {&s.valence, &s.arousal, &s.box_x, &s.box_y, &s.box_w, &s.box_h,
                       &s.left_eye.x, &s.left_eye.y, &s.right_eye.x, &s.right_eye.y};
    for (float* f : fields) *f = r.f32();
    s.has_geometry = r.u64() != 0;
  }
  auto& rep = split.report;
  rep.split = r.str();
  rep.rows_read = static_cast<int64_t>(r.u64());
  rep.kept = static_cast<int64_t>(r.u64());
  for (uint64_t n = r.u64(); n > 0; --n) {
    std::string code = r.str();
    rep.dropped_by_code[code] = static_cast<int64_t>(r.u64());
  }
  for (uint64_t n = r.u64(); n > 0; --n) {
    RowError e;
    e.file = r.str();
    e.line = static_cast<int64_t>(r.u64());
    e.field = r.str();
    e.message = r.str();
    rep.errors.push_back(std::move(e));
  }
  return split;
}

std::string serialise(const Dataset& d) {
  Writer w;
  w.u64(kCacheMagic);
  w.u64(kCacheVersion);
  w.str(d.index.image_root);
  w.u64(d.index.class_names.size());
  for (const auto& c : d.index.class_names) w.str(c);
  write_split(w, d.index.train);
  write_split(w, d.index.val);
  w.u64(d.correlation.size());
  for (double v : d.correlation) w.f64(v);
  w.u64(d.train_class_counts.size());
  for (int64_t v : d.train_class_counts) w.u64(static_cast<uint64_t>(v));
  w.u64(d.node_words.size());
  for (const auto& s : d.node_words) w.str(s);
  w.u64(static_cast<uint64_t>(d.embedding_dim));
  w.u64(d.node_embeddings.size());
  for (float v : d.node_embeddings) w.f32(v);
  w.str(d.embedding_source);
  return w.data();
}

Dataset deserialise(std::string data) {
  Reader r(std::move(data));
  if (r.u64() != kCacheMagic || r.u64() != kCacheVersion) throw std::runtime_error("not a cache file");
  Dataset d;
  d.index.image_root = r.str();
  d.index.class_names.resize(r.u64());
  for (auto& c : d.index.class_names) c = r.str();
  d.index.train = read_split(r);
  d.index.val = read_split(r);
  d.correlation.resize(r.u64());
  for (double& v : d.correlation) v = r.f64();
  d.train_class_counts.resize(r.u64());
  for (int64_t& v : d.train_class_counts) v = static_cast<int64_t>(r.u64());
  d.node_words.resize(r.u64());
  for (auto& s : d.node_words) s = r.str();
  d.embedding_dim = static_cast<int>(r.u64());
  d.node_embeddings.resize(r.u64());
  for (float& v : d.node_embeddings) v = r.f32();
  d.embedding_source = r.str();
  return d;
}

std::string index_digest(const Dataset& d) {
  Writer w;
  write_split(w, d.index.train);
  write_split(w, d.index.val);
  return hex(fnv1a(w.data().data(), w.data().size()));
}

Dataset parse(const DatasetOptions& o, const std::string& root) {
  Dataset d;
  if (o.name == "affectnet" || o.name == "synth-affectnet") {
    d.index = read_affectnet(root, o.read);
  } else {
    d.index = read_affwild2(root, o.read);
  }
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
                "unknown dataset '" + o.name + "'; valid: affectnet, affwild2, synth-affectnet, synth-affwild2");
  }
  const std::string cache_root = o.cache_root.empty() ? default_cache_root() : o.cache_root;
  std::string root = o.root;
  if (is_synthetic(o.name)) {
    root = ensure_synthetic(o.name, cache_root, o.synthetic);
  } else if (root.empty() || !fs::is_directory(root)) {
    throw Error("open dataset", root, 0, "data_root",
                root.empty() ? "the real " + o.name + " dataset needs --data_root" : "directory not found");
  }
  root = fs::absolute(root).string();
  const std::string identity = o.name + "|" + root + "|" + annotation_identity(o, root);
  const fs::path cache_file = fs::path(cache_root) / "index" / (o.name + "-" + hex(fnv1a(identity.data(), identity.size())) + ".bin");
  Dataset d;
  bool cached = false;
  if (o.use_cache && fs::exists(cache_file)) {
    try {
      std::ifstream in(cache_file.string(), std::ios::binary);
      std::ostringstream buf;
      buf << in.rdbuf();
      d = deserialise(buf.str());
      cached = true;
    } catch (const std::exception&) {
      cached = false;  // Stale or corrupt cache: parse again and rewrite it.
    }
  }
  if (!cached) {
    d = parse(o, root);
    if (o.use_cache) {
      boost::system::error_code ec;
      fs::create_directories(cache_file.parent_path(), ec);
      const std::string tmp = cache_file.string() + ".tmp." + std::to_string(::getpid());
      std::ofstream(tmp, std::ios::binary) << serialise(d);
      fs::rename(tmp, cache_file, ec);
    }
  }
  d.from_cache = cached;
  d.index.name = o.name;
  d.index.root = root;
  d.index.digest = index_digest(d);
  enforce_policy(d.index.train.report, o.read.bad_rows, "open dataset");
  enforce_policy(d.index.val.report, o.read.bad_rows, "open dataset");
  return d;
}

int64_t verify_images(DatasetIndex& index) {
  int64_t checked = 0;
  for (Split* split : {&index.train, &index.val}) {
    for (const auto& s : split->samples) {
      const std::string path = index.image_root + "/" + s.image;
      ++checked;
      try {
        read_image(path);
      } catch (const Error& e) {
        add_error(split->report, path, 0, "", e.detail());
      }
    }
  }
  return checked;
}

}  // namespace fer::datasets
