// The one table of the runner's configuration fields (issue #31): for each RunConfig field, its
// role (does it decide the result, is it each machine's own, is it only where results go, or is
// it not stored at all), which runs may take it, and its stored JSON value. The stored JSON, the
// config hash, what the ranks of a job must agree on, and the flags `evaluate` refuses are all
// read from it, so a new field is one row.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "experiments/config.h"

namespace fer::experiments {

enum class FieldRole {
  kResult,     ///< Decides the result: stored, hashed, the same on every rank of a job.
  kMachine,    ///< Stored and hashed, but each machine's own (paths, threads): ranks may differ.
  kPlacement,  ///< Where results go and how fast: stored, not hashed
               ///< (reports::unhashed_config_fields() is the store's copy of this set).
  kNotStored,  ///< How this invocation behaves (resume, force, testing aids): not stored.
};

/// Which runs take a field's flag: any, training runs only, or data-parallel training only
/// (`evaluate` refuses the last two).
enum class FieldUse { kAny, kTraining, kDataParallel };

struct ConfigField {
  const char* name;  ///< The JSON key, and the flag's name where the field is a flag.
  FieldRole role;
  FieldUse use;
  /// The stored value; null when the field is absent from this config's JSON (a field stored
  /// only when set) and for kNotStored fields.
  nlohmann::json (*value)(const RunConfig&);
};

/// Every field, in the order of RunConfig.
const std::vector<ConfigField>& config_fields();

/// The names of the fields with this role, in table order.
std::vector<std::string> field_names(FieldRole role);
/// The names of the fields with this use, in table order.
std::vector<std::string> field_names(FieldUse use);

/// The stored fields of `config` (kResult, kMachine and kPlacement, when not null) as a JSON
/// object; to_json() is its compact text.
nlohmann::json stored_fields(const RunConfig& config);
/// The kResult fields of `config`: what every rank of a data-parallel job must share.
nlohmann::json result_fields(const RunConfig& config);

}  // namespace fer::experiments
