// The label graph's design space (issue #32, item 3): every source, tau, p and the expression
// edges, with the reference's graph as the bit-for-bit default.
#include "models/label_graph.h"

#include <ATen/ATen.h>

#include <stdexcept>

#include "models/factory.h"
#include "tests/catch.h"

namespace {

using fer::models::GraphSource;
using fer::models::LabelGraphOptions;

constexpr int kValence = 7, kArousal = 8;

// A training split's matrix: the released valence/arousal rows and, unlike the released file,
// an expression block (the one-hot columns of a balanced split correlate at -1/6).
at::Tensor train_like_correlation() {
  at::Tensor c = fer::models::affectnet_paper_correlation().to(at::kDouble);
  for (int i = 0; i < 7; ++i) {
    for (int j = 0; j < 7; ++j) {
      if (i != j) c[i][j] = -1.0 / 6;
    }
  }
  return c;
}

int edges(const at::Tensor& a) {
  return static_cast<int>(((a > 0).sum().item<int64_t>()) - (a.diag() > 0).sum().item<int64_t>());
}

}  // namespace

TEST_CASE("the default graph is the reference's, bit for bit", "[models][graph]") {
  const at::Tensor c = train_like_correlation();
  CHECK(at::equal(fer::models::graph_adjacency(GraphSource::kTrain, c),
                  fer::models::label_adjacency(c)));
  // An undefined training matrix falls back to the released one, as the factory always did.
  CHECK(at::equal(fer::models::graph_adjacency(GraphSource::kTrain, at::Tensor()),
                  fer::models::label_adjacency(fer::models::affectnet_paper_correlation())));
  // The expression block of the training matrix never reaches A by default.
  CHECK(edges(fer::models::label_adjacency(c)) == 24);
}

TEST_CASE("graph sources", "[models][graph]") {
  const at::Tensor c = train_like_correlation();
  SECTION("affectnet: the released values whatever the data") {
    at::Tensor zeros = at::zeros({9, 9}, at::kDouble);
    CHECK(at::equal(fer::models::graph_adjacency(GraphSource::kAffectNet, zeros),
                    fer::models::label_adjacency(fer::models::affectnet_paper_correlation())));
    CHECK_THROWS_WITH(fer::models::graph_adjacency(GraphSource::kAffectNet, c,
                                                   LabelGraphOptions().expression_edges(true)),
                      Catch::Contains("no expression-expression values"));
  }
  SECTION("ones: every expression with valence and arousal, and valence with arousal") {
    at::Tensor a = fer::models::graph_adjacency(GraphSource::kOnes, c);
    auto v = a.accessor<float, 2>();
    for (int e = 0; e < 7; ++e) {
      CHECK(v[e][kValence] == 0.25f);
      CHECK(v[e][kArousal] == 0.25f);
    }
    CHECK(v[kValence][kArousal] == 0.0625f);  // p / 8 neighbours.
    CHECK(edges(a) == 7 * 2 + 2 * 8);
    // With the expression edges, a complete graph: p / 8 to each of the 8 others.
    at::Tensor full = fer::models::graph_adjacency(GraphSource::kOnes, c,
                                                   LabelGraphOptions().expression_edges(true));
    CHECK(edges(full) == 72);
    CHECK(full[0][3].item<float>() == 0.0625f);
  }
  SECTION("none: no edges, so the normalised adjacency is the identity") {
    for (double p : {0.0, 0.5, 0.9}) {
      at::Tensor a =
          fer::models::graph_adjacency(GraphSource::kNone, c, LabelGraphOptions().p(p).tau(0));
      CHECK(edges(a) == 0);
      CHECK(at::allclose(fer::models::normalized_adjacency(a), at::eye(9)));
    }
    CHECK_THROWS(fer::models::graph_adjacency(GraphSource::kNone, c, LabelGraphOptions().p(1)));
  }
}

TEST_CASE("tau, p and expression edges", "[models][graph]") {
  const at::Tensor c = train_like_correlation();
  SECTION("a higher tau keeps fewer edges") {
    int previous = 1000;
    for (double tau : {0.0, 0.1, 0.3, 0.5, 0.9}) {
      const int n = edges(fer::models::label_adjacency(c, LabelGraphOptions().tau(tau)));
      CHECK(n <= previous);
      previous = n;
    }
    CHECK(previous < 24);
  }
  SECTION("expression edges add the expression block's |C| >= tau entries") {
    at::Tensor a = fer::models::label_adjacency(c, LabelGraphOptions().expression_edges(true));
    CHECK(edges(a) == 24 + 42);  // |-1/6| >= 0.1 for all 7 x 6 ordered expression pairs.
    at::Tensor none = fer::models::label_adjacency(
        c, LabelGraphOptions().expression_edges(true).tau(0.2));  // 1/6 < 0.2: none kept.
    CHECK(edges(none) == edges(fer::models::label_adjacency(c, LabelGraphOptions().tau(0.2))));
    for (int i = 0; i < 9; ++i) CHECK(a.sum(1)[i].item<float>() == Approx(1.0));
  }
  SECTION("p = 1 is refused only where a node would keep no edge") {
    CHECK_NOTHROW(fer::models::label_adjacency(c, LabelGraphOptions().p(1)));
    CHECK_THROWS_WITH(fer::models::label_adjacency(c, LabelGraphOptions().p(1).tau(0.95)),
                      Catch::Contains("no neighbour"));
  }
}

TEST_CASE("graph source names", "[models][graph]") {
  for (const auto& name : fer::models::graph_source_names())
    CHECK(fer::models::to_string(fer::models::parse_graph_source(name)) == name);
  CHECK_THROWS_WITH(fer::models::parse_graph_source("glove"),
                    Catch::Contains("valid: train, affectnet, ones, none"));
}

TEST_CASE("the factory builds Emotion-GCN on the chosen graph", "[models][graph]") {
  fer::models::ModelSpec spec;
  spec.correlation = train_like_correlation();
  spec.graph_source = GraphSource::kNone;
  at::manual_seed(0);
  fer::models::EmotionModel model = fer::models::make_model(spec);
  at::Tensor a;
  for (const auto& p : model->named_parameters()) {
    if (p.key() == "A") a = p.value();
  }
  REQUIRE(a.defined());
  CHECK(edges(a) == 0);
}
