#include "datasets/label_stats.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <numeric>
#include <set>

#include "core/error.h"
#include "core/hash.h"
#include "core/text.h"

namespace fer::datasets {
using text::parse_double;
using text::split;
using text::trim;
namespace {

std::vector<double> average_ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> ranks(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2 + 1;
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

}  // namespace

std::vector<double> spearman_matrix(const std::vector<std::vector<double>>& columns) {
  const size_t k = columns.size();
  std::vector<std::vector<double>> centred;
  std::vector<double> norms;
  for (const auto& column : columns) {
    std::vector<double> r = average_ranks(column);
    const double mean = r.empty() ? 0 : std::accumulate(r.begin(), r.end(), 0.0) / r.size();
    double sq = 0;
    for (double& x : r) {
      x -= mean;
      sq += x * x;
    }
    centred.push_back(std::move(r));
    norms.push_back(std::sqrt(sq));
  }
  std::vector<double> out(k * k, 0.0);
  for (size_t i = 0; i < k; ++i) {
    out[i * k + i] = 1.0;
    for (size_t j = i + 1; j < k; ++j) {
      if (norms[i] == 0 || norms[j] == 0) continue;
      double dot = 0;
      for (size_t n = 0; n < centred[i].size(); ++n) dot += centred[i][n] * centred[j][n];
      out[i * k + j] = out[j * k + i] = dot / (norms[i] * norms[j]);
    }
  }
  return out;
}

std::vector<double> label_correlation(const std::vector<Sample>& samples, int num_classes) {
  std::vector<std::vector<double>> columns(num_classes + 2, std::vector<double>(samples.size()));
  for (size_t n = 0; n < samples.size(); ++n) {
    columns.at(samples[n].expression)[n] = 1.0;
    columns[num_classes][n] = samples[n].valence;
    columns[num_classes + 1][n] = samples[n].arousal;
  }
  return spearman_matrix(columns);
}

std::vector<int64_t> class_counts(const std::vector<Sample>& samples, int num_classes) {
  std::vector<int64_t> counts(num_classes, 0);
  for (const auto& s : samples) ++counts.at(s.expression);
  return counts;
}

std::vector<std::string> label_words(const std::vector<std::string>& class_names) {
  std::vector<std::string> words;
  for (std::string w : class_names) {
    std::transform(w.begin(), w.end(), w.begin(), [](unsigned char c) { return std::tolower(c); });
    words.push_back(w == "no-face" ? "noface" : w);
  }
  words.push_back("valence");
  words.push_back("arousal");
  return words;
}

std::vector<float> read_glove(const std::string& path, const std::vector<std::string>& words,
                              int* dimension) {
  const char* op = "read GloVe embeddings";
  std::ifstream in(path);
  if (!in) throw Error(op, path, 0, "", "cannot open file");
  std::vector<std::vector<float>> found(words.size());
  size_t remaining = words.size();
  int dim = -1;
  std::string line;
  long number = 0;
  while (remaining > 0 && std::getline(in, line)) {
    ++number;
    const size_t space = line.find(' ');
    if (space == std::string::npos) continue;
    const std::string word = line.substr(0, space);
    auto it = std::find(words.begin(), words.end(), word);
    if (it == words.end()) continue;
    const size_t slot = static_cast<size_t>(it - words.begin());
    if (!found[slot].empty()) continue;  // First occurrence wins, as in GloVe's own tools.
    std::vector<float> v;
    for (auto field : split(trim(std::string_view(line).substr(space + 1)), ' ')) {
      auto x = parse_double(field);
      if (!x) throw Error(op, path, number, word, "not a number: '" + std::string(field) + "'");
      v.push_back(static_cast<float>(*x));
    }
    if (dim < 0) dim = static_cast<int>(v.size());
    if (static_cast<int>(v.size()) != dim) {
      throw Error(op, path, number, word,
                  "dimension " + std::to_string(v.size()) + " differs from " + std::to_string(dim));
    }
    found[slot] = std::move(v);
    --remaining;
  }
  std::string missing;
  for (size_t i = 0; i < words.size(); ++i) {
    if (found[i].empty()) missing += (missing.empty() ? "" : ", ") + words[i];
  }
  if (!missing.empty()) throw Error(op, path, 0, "", "label words not found: " + missing);
  std::vector<float> out;
  for (const auto& v : found) out.insert(out.end(), v.begin(), v.end());
  *dimension = dim;
  return out;
}

namespace {

// `dimension` standard normal draws: Box-Muller from a splitmix64 stream.
std::vector<double> gaussians(uint64_t state, int dimension) {
  std::vector<double> v(dimension);
  auto next = [&state] { return uniform01(state) + 0x1.0p-54; };  // In (0, 1): log() is finite.
  for (int d = 0; d < dimension; d += 2) {
    const double r = std::sqrt(-2 * std::log(next())), t = 2 * 3.14159265358979323846 * next();
    v[d] = r * std::cos(t);
    if (d + 1 < dimension) v[d + 1] = r * std::sin(t);
  }
  return v;
}

}  // namespace

std::vector<float> fallback_embeddings(const std::vector<std::string>& words, int dimension) {
  std::vector<float> out;
  for (const auto& word : words) {
    const std::vector<double> v = gaussians(fnv1a(word), dimension);
    double sq = 0;
    for (double x : v) sq += x * x;
    for (double x : v) out.push_back(static_cast<float>(5.0 * x / std::sqrt(sq)));
  }
  return out;
}

std::vector<float> random_embeddings(size_t nodes, int dimension, uint64_t seed) {
  std::vector<float> out;
  uint64_t stream = seed ^ 0x9E3779B97F4A7C15ull;
  for (size_t i = 0; i < nodes; ++i) {
    for (double x : gaussians(splitmix64(stream), dimension)) out.push_back(static_cast<float>(x));
  }
  return out;
}

std::vector<float> onehot_embeddings(size_t nodes) {
  std::vector<float> out(nodes * nodes, 0.0f);
  for (size_t i = 0; i < nodes; ++i) out[i * nodes + i] = 1.0f;
  return out;
}

std::vector<float> node_embeddings_for(const std::string& choice,
                                       const std::vector<std::string>& words,
                                       const std::string& glove_path, uint64_t seed,
                                       int* dimension) {
  if (choice == "random") {
    *dimension = 300;
    return random_embeddings(words.size(), 300, seed);
  }
  if (choice == "onehot") {
    *dimension = static_cast<int>(words.size());
    return onehot_embeddings(words.size());
  }
  if (!glove_path.empty()) return read_glove(glove_path, words, dimension);
  return fallback_embeddings(words, *dimension);
}

}  // namespace fer::datasets
