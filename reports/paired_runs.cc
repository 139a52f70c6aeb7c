#include "reports/paired_runs.h"

#include <optional>

#include "reports/store.h"

namespace fer::reports {
namespace {

struct Side {
  std::vector<metrics::SampleRecord> records;
  std::vector<std::string> digests;
  std::string why;
};

Side load_side(Database& db, const std::vector<int64_t>& ids) {
  Side side;
  if (ids.empty()) side.why = "a selection without runs";
  for (int64_t id : ids) {
    std::optional<metrics::SampleRecord> r = read_samples(db, id);
    if (!r || r->empty()) {
      side.why =
          "run " + std::to_string(id) + " has no per-sample outputs (stored before schema 6)";
      return side;
    }
    side.records.push_back(std::move(*r));
    const auto digest = db.query("SELECT index_digest FROM datasets WHERE run_id = ?1", {id});
    side.digests.push_back(digest.empty() ? "" : as_string(digest[0][0]));
  }
  return side;
}

// Empty when every run of both sides was evaluated on the same rows, else the reason.
std::string same_rows(const Side& a, const Side& b) {
  const metrics::SampleRecord& first = a.records.front();
  for (const Side* side : {&a, &b}) {
    for (size_t i = 0; i < side->records.size(); ++i) {
      const metrics::SampleRecord& r = side->records[i];
      if (side->digests[i] != a.digests.front()) return "evaluated on another dataset digest";
      if (r.index != first.index || r.truth != first.truth || r.num_classes != first.num_classes)
        return "evaluated on other validation samples";
    }
  }
  return "";
}

}  // namespace

PairedRuns load_paired_runs(Database& db, const std::vector<int64_t>& baseline,
                            const std::vector<int64_t>& candidate) {
  PairedRuns out;
  const Side a = load_side(db, baseline);
  const Side b = a.why.empty() ? load_side(db, candidate) : Side();
  out.why_not = !a.why.empty() ? a.why : b.why;
  if (out.why_not.empty()) out.why_not = same_rows(a, b);
  if (!out.why_not.empty()) return out;
  for (const auto& r : a.records) out.baseline.push_back(stats::from_record(r));
  for (const auto& r : b.records) out.candidate.push_back(stats::from_record(r));
  return out;
}

}  // namespace fer::reports
