#include "distributed/agreement.h"

#include <set>

#include "core/error.h"

namespace fer::distributed {

std::vector<std::string> differing_fields(const nlohmann::json& reference,
                                          const nlohmann::json& other, int rank) {
  std::set<std::string> names;
  for (const auto& [name, value] : reference.items()) names.insert(name);
  for (const auto& [name, value] : other.items()) names.insert(name);
  const auto text = [](const nlohmann::json& object, const std::string& name) {
    return object.contains(name) ? object.at(name).dump() : std::string("absent");
  };
  std::vector<std::string> out;
  for (const auto& name : names) {
    const std::string a = text(reference, name), b = text(other, name);
    if (a != b)
      out.push_back(name + ": " + b + " on rank " + std::to_string(rank) + ", " + a + " on rank 0");
  }
  return out;
}

void require_agreement(Group& group, const std::string& what, const nlohmann::json& mine) {
  const std::vector<std::string> all =
      group.all_gather_strings(mine.dump(), "comparing the ranks' " + what);
  const nlohmann::json reference = nlohmann::json::parse(all[0]);
  std::vector<int> differing;
  std::string details;
  for (int r = 1; r < static_cast<int>(all.size()); ++r) {
    if (all[static_cast<size_t>(r)] == all[0]) continue;
    differing.push_back(r);
    if (differing.size() > 3) continue;
    for (const auto& field :
         differing_fields(reference, nlohmann::json::parse(all[static_cast<size_t>(r)]), r)) {
      details += "\n  " + field;
    }
  }
  if (differing.empty()) return;
  std::string ranks;
  for (int r : differing) ranks += (ranks.empty() ? "" : ", ") + std::to_string(r);
  throw Error("check data-parallel ranks", "", 0, what,
              "rank(s) " + ranks + " of " + std::to_string(group.size()) +
                  " differ from rank 0 in the " + what + " every rank must share (rank " +
                  std::to_string(group.rank()) + " reporting):" + details);
}

}  // namespace fer::distributed
