// Helpers shared by the model tests: the fixture files written by tools/make_model_fixtures.py
// and the deterministic weight fill both sides apply (twin of reference_models.fill_deterministic).
#pragma once

#include <torch/nn/module.h>

#include <map>
#include <string>
#include <vector>

namespace fer::testing {

/// Sections of a fixture file: "== <name> [args]" headers, then "<key> <values...>" lines.
struct FixtureSection {
  std::vector<std::string> header_args;
  std::vector<std::pair<std::string, std::vector<std::string>>> lines;
  /// Values of the first line with this key parsed as doubles; throws if absent.
  std::vector<double> values(const std::string& key) const;
  bool has(const std::string& key) const;
};
std::map<std::string, FixtureSection> read_fixture(const std::string& path);

/// Overwrites every parameter and buffer (but "A" and num_batches_tracked) with values drawn
/// from seeds derived from the key's position in sorted key order.
void fill_deterministic(torch::nn::Module& module);

}  // namespace fer::testing
