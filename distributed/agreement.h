// What every rank of a data-parallel job must share (issue #11). Each rank parses its own
// command line and reads its own copy of the data; a rank started with another learning rate,
// or reading another version of the dataset, would train silently wrong shards of one model.
// The ranks compare a description of what they must share before training starts, and every
// rank fails with the same message naming the ranks and the fields that differ.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "distributed/group.h"

namespace fer::distributed {

/// The fields of `other` (a JSON object) whose values differ from `reference`'s, as
/// "name: VALUE on rank R, VALUE on rank 0" (a missing field reads as "absent"), sorted by name.
std::vector<std::string> differing_fields(const nlohmann::json& reference,
                                          const nlohmann::json& other, int rank);

/// Collective: every rank passes its own `mine` (a JSON object). When any rank's differs from
/// rank 0's, every rank throws the same fer::Error (operation "check data-parallel ranks",
/// field `what`): the ranks that differ and, for the first three, the fields.
void require_agreement(Group& group, const std::string& what, const nlohmann::json& mine);

}  // namespace fer::distributed
