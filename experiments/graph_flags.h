// Emotion-GCN's label graph and node embeddings as runner flags (issue #32, item 3): the graph's
// threshold tau, re-weighting p, correlation source and expression edges (models/label_graph.h),
// and the node embeddings (a GloVe file, the documented fallback, random, one-hot, or the real
// GloVe 6B 50-d vectors tools/fetch_glove6b.sh writes). Every default is the reference's graph,
// and a field at its default is left out of the stored JSON, so that earlier configurations
// keep their hashes.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

#include "experiments/config.h"

namespace fer::experiments {

/// The reference's graph (paper Sec. III-B): tau 0.1, p 0.5.
constexpr double kReferenceGraphThreshold = 0.1;
constexpr double kReferenceGraphReweight = 0.5;

/// "auto" (the --glove file when given, else the documented fallback: the reference behaviour),
/// "glove" (needs --glove), "fallback", "random", "onehot", "glove-6b-50d".
std::vector<std::string> node_embedding_names();

/// Adds --graph_threshold, --graph_reweight, --graph_source, --graph_expression_edges and
/// --node_embeddings to `d`, writing into `c`.
void add_graph_flags(boost::program_options::options_description& d, RunConfig& c);
/// Reads the switch (--graph_expression_edges) from a parsed command line.
void read_graph_switches(const boost::program_options::variables_map& vm, RunConfig& c);

/// Checks names and combinations, and points `c.glove` at the GloVe 6B file for
/// "glove-6b-50d". Throws fer::Error naming the flag: unknown names (listing the valid ones);
/// graph or embedding flags on a model without the label graph; AffectNet's released source with
/// expression edges; "glove" without --glove, or another choice beside --glove.
void resolve_graph(RunConfig& c);

/// Checks a --node_embeddings choice against --glove and points `*glove` at the GloVe 6B file
/// for "glove-6b-50d" (runner and predict alike). Throws fer::Error naming node_embeddings:
/// an unknown choice, "glove" without a file, a choice that reads none beside one.
void resolve_node_embeddings(const std::string& choice, std::string* glove);

/// Where tools/fetch_glove6b.sh writes glove.6B.50d.txt: $EMOGCN_GLOVE6B_DIR, else
/// ${XDG_CACHE_HOME:-$HOME/.cache}/emogcn-bench/glove-6b-50d.
std::string glove6b_path();

/// True when any graph or embedding field differs from the reference's.
bool graph_differs_from_reference(const RunConfig& c);

}  // namespace fer::experiments
