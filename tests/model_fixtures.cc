#include "tests/model_fixtures.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "models/state_dict.h"

namespace fer::testing {

std::vector<double> FixtureSection::values(const std::string& key) const {
  for (const auto& [k, v] : lines) {
    if (k != key) continue;
    std::vector<double> out;
    for (const auto& s : v) out.push_back(std::stod(s));
    return out;
  }
  throw std::runtime_error("fixture has no line '" + key + "'");
}

bool FixtureSection::has(const std::string& key) const {
  return std::any_of(lines.begin(), lines.end(), [&](const auto& l) { return l.first == key; });
}

std::map<std::string, FixtureSection> read_fixture(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open fixture " + path);
  std::map<std::string, FixtureSection> sections;
  FixtureSection* current = nullptr;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string first, w;
    words >> first;
    std::vector<std::string> rest;
    while (words >> w) rest.push_back(w);
    if (first == "==") {
      current = &sections[rest.at(0)];
      current->header_args.assign(rest.begin() + 1, rest.end());
    } else if (current != nullptr && !first.empty()) {
      current->lines.emplace_back(first, rest);
    }
  }
  return sections;
}

void fill_deterministic(torch::nn::Module& module) {
  auto named = models::state_dict(module);
  std::sort(named.begin(), named.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < named.size(); ++i) {
    const std::string& name = named[i].first;
    at::Tensor t = named[i].second;
    const std::string leaf = name.substr(name.rfind('.') + 1);
    if (leaf == "num_batches_tracked" || name == "A") continue;
    at::manual_seed(1000 + static_cast<uint64_t>(i));
    at::Tensor v;
    if (leaf == "running_var" || leaf == "_a" || leaf == "_c" ||
        (t.dim() == 1 && leaf == "weight")) {
      v = at::rand(t.sizes()) * 0.5 + 0.75;
    } else if (t.dim() == 1) {
      v = at::randn(t.sizes()) * 0.1;
    } else {
      v = at::randn(t.sizes()) * std::sqrt(2.0 / static_cast<double>(t.numel() / t.size(0)));
    }
    t.copy_(v);
  }
}

}  // namespace fer::testing
