#include "reports/label_graph.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>
#include <utility>

#include "core/affectnet_spearman.h"
#include "core/error.h"
#include "core/json.h"

namespace fer::reports {
namespace {

// A dataset's class name -> AffectNet's expression index (Aff-Wild2 spells some differently).
int affectnet_index(std::string name) {
  for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (name == "happiness") name = "happy";
  if (name == "sadness") name = "sad";
  for (int k = 0; k < 7; ++k) {
    std::string e = kAffectNetExpressions[k];
    for (auto& ch : e) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (e == name) return k;
  }
  return -1;
}

bool edge(double r) { return std::isfinite(r) && std::abs(r) >= kLabelGraphEdgeThreshold; }

std::string number(double r) {
  if (!std::isfinite(r)) return "n/a";
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%+.2f", r);
  return buf;
}

// "**+0.79** (AffectNet +0.86)": bold where the graph has the edge.
std::string cell(double ours, double theirs, bool have_theirs) {
  const std::string v = edge(ours) ? "**" + number(ours) + "**" : number(ours);
  return have_theirs ? v + " (" + number(theirs) + ")" : v;
}

struct Graph {
  std::string name, digest;
  std::vector<std::string> classes;
  std::vector<std::vector<double>> r;  // (K+2) x (K+2)
};

Graph read_graph(Database& db, int64_t run_id, const std::vector<Value>& row) {
  Graph g;
  g.name = std::get<std::string>(row[0]);
  g.digest = std::get<std::string>(row[1]);
  const std::string where = "run #" + std::to_string(run_id);
  for (const auto& c :
       parse_json(std::get<std::string>(row[2]), "read label graph", db.path(), "class_names")) {
    g.classes.push_back(c.get<std::string>());
  }
  const nlohmann::json m =
      parse_json(std::get<std::string>(row[3]), "read label graph", db.path(), "label_correlation");
  const size_t n = g.classes.size() + 2;
  if (!m.is_array() || m.size() != n) {
    throw Error("read label graph", db.path(), 0, "label_correlation",
                where + ": expected " + std::to_string(n) + " rows for " +
                    std::to_string(g.classes.size()) + " classes");
  }
  for (const auto& row_json : m) {
    if (!row_json.is_array() || row_json.size() != n) {
      throw Error("read label graph", db.path(), 0, "label_correlation",
                  where + ": a row is not " + std::to_string(n) + " numbers");
    }
    std::vector<double> values;
    for (const auto& v : row_json) values.push_back(v.is_number() ? v.get<double>() : std::nan(""));
    g.r.push_back(values);
  }
  return g;
}

std::string render(const Graph& g) {
  const size_t k = g.classes.size(), v = k, a = k + 1;
  std::ostringstream md;
  md << "#### Label graph: " << g.name << " (training split, index " << g.digest << ")\n\n"
     << "Spearman correlation of each expression with valence and arousal over the training split, "
        "the "
        "label graph's input (paper Sec. III-B), beside AffectNet's released values in parentheses "
        "(the "
        "reference's `data/spearman_affectnet.pkl`). **Bold**: an edge of the graph (|r| >= 0.1, "
        "as the "
        "reference's `gen_A`; expression-expression correlations are not edges).\n\n|";
  for (const auto& c : g.classes) md << " | " << c;
  md << " | valence-arousal |\n|---";
  for (size_t i = 0; i <= k; ++i) md << "|---";
  md << "|\n";
  int ours = 0, theirs = 0;
  std::vector<std::string> only_ours, only_theirs;
  for (const size_t row : {v, a}) {
    const bool valence = row == v;
    md << "| " << (valence ? "valence" : "arousal");
    for (size_t c = 0; c < k; ++c) {
      const int e = affectnet_index(g.classes[c]);
      const double t =
          e < 0 ? std::nan("")
                : (valence ? kAffectNetValenceCorrelation[e] : kAffectNetArousalCorrelation[e]);
      md << " | " << cell(g.r[row][c], t, e >= 0);
      const std::string pair = g.classes[c] + "-" + (valence ? "valence" : "arousal");
      ours += edge(g.r[row][c]);
      theirs += e >= 0 && edge(t);
      if (e >= 0 && edge(g.r[row][c]) != edge(t))
        (edge(g.r[row][c]) ? only_ours : only_theirs).push_back(pair);
    }
    md << " | " << (valence ? cell(g.r[v][a], kAffectNetValenceArousalCorrelation, true) : "")
       << " |\n";
  }
  ours += edge(g.r[v][a]);
  theirs += edge(kAffectNetValenceArousalCorrelation);
  if (edge(g.r[v][a]) != edge(kAffectNetValenceArousalCorrelation)) {
    (edge(g.r[v][a]) ? only_ours : only_theirs).push_back("valence-arousal");
  }
  auto list = [](const std::vector<std::string>& items) {
    std::string s;
    for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
    return s;
  };
  md << "\nEdges: " << ours << " of " << 2 * k + 1 << " (AffectNet: " << theirs << "). ";
  if (only_ours.empty() && only_theirs.empty()) {
    md << "The same edges as AffectNet's graph.\n\n";
  } else {
    md << "Not AffectNet's graph: " << (only_ours.empty() ? "" : "only here: " + list(only_ours))
       << (only_ours.empty() || only_theirs.empty() ? "" : "; ")
       << (only_theirs.empty() ? "" : "only in AffectNet's: " + list(only_theirs)) << ".\n\n";
  }
  return md.str();
}

}  // namespace

std::string render_label_graph(Database& db, const std::vector<int64_t>& run_ids) {
  std::set<std::pair<std::string, std::string>> seen;
  std::string out;
  for (const int64_t id : run_ids) {
    const auto rows = db.query(
        "SELECT name, index_digest, class_names, label_correlation FROM datasets WHERE run_id = ?1 "
        "AND "
        "label_correlation IS NOT NULL",
        {id});
    if (rows.empty()) continue;
    const auto key =
        std::make_pair(std::get<std::string>(rows[0][0]), std::get<std::string>(rows[0][1]));
    if (!seen.insert(key).second) continue;
    out += render(read_graph(db, id, rows[0]));
  }
  return out;
}

}  // namespace fer::reports
