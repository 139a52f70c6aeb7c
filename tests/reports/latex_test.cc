// The report's tables as booktabs LaTeX (issue #32, item 4): escaping, the symbols the tables
// use, column alignment, and refused malformed tables. pdflatex compiles real reports in
// tests/e2e/graph_ablations_test.sh.
#include "reports/latex.h"

#include <string>

#include "core/error.h"
#include "tests/catch.h"

namespace rp = fer::reports;

TEST_CASE("Markdown text becomes plain-ASCII LaTeX", "[latex]") {
  CHECK(rp::latex_text("98.6 ± 0.4") == "98.6 $\\pm$ 0.4");
  CHECK(rp::latex_text("−1.25 [−2.00, +0.10]") == "$-$1.25 [$-$2.00, +0.10]");
  CHECK(rp::latex_text("**supported**") == "\\textbf{supported}");
  CHECK(rp::latex_text("`lr=0.01`") == "\\texttt{lr=0.01}");
  CHECK(rp::latex_text("Δ Accuracy (%)") == "$\\Delta$ Accuracy (\\%)");
  CHECK(rp::latex_text("a_b & c #1 $x {y} ~ ^ \\") ==
        "a\\_b \\& c \\#1 \\$x \\{y\\} \\textasciitilde{} \\textasciicircum{} "
        "\\textbackslash{}");
  CHECK(rp::latex_text("p <0.001, τ ≥ 0.1, α = 0.05, Emotion-GCN †") ==
        "p \\textless{}0.001, $\\tau$ $\\geq$ 0.1, $\\alpha$ = 0.05, Emotion-GCN $^\\dagger$");
  for (unsigned char c : rp::latex_text("ü, → and – …")) CHECK(c < 0x80);
}

TEST_CASE("a pipe table becomes a booktabs tabular", "[latex]") {
  const std::string md =
      "| Backbone | Model | Accuracy |\n|---|---|---:|\n| DenseNet-121 | Emotion-GCN | 98.6 ± 0.4 "
      "|\n| BReG-NeXt-50 | multi_task | – |\n\nSynthetic data: orientation only.\nCSV: [x](y)\n";
  CHECK(rp::latex_tabular(md) ==
        "\\begin{tabular}{llr}\n\\toprule\nBackbone & Model & Accuracy \\\\\n\\midrule\n"
        "DenseNet-121 & Emotion-GCN & 98.6 $\\pm$ 0.4 \\\\\nBReG-NeXt-50 & multi\\_task & -- "
        "\\\\\n\\bottomrule\n\\end{tabular}\n");
  CHECK(rp::latex_notes(md) == "Synthetic data: orientation only.\n\n");
  const std::string doc = rp::latex_document("t", {{"paper", "AffectNet", md}});
  CHECK(doc.find("\\usepackage{booktabs}") != std::string::npos);
  CHECK(doc.find("\\label{tab:paper}") != std::string::npos);
  CHECK(doc.find("\\end{document}") != std::string::npos);
}

TEST_CASE("malformed tables are refused", "[latex]") {
  CHECK_THROWS_AS(rp::latex_tabular("no table here\n"), fer::Error);
  CHECK_THROWS_WITH(rp::latex_tabular("| a | b |\n|---|---|\n| 1 |\n"),
                    Catch::Contains("row has 1 cells, the header 2"));
  CHECK_THROWS_WITH(rp::latex_tabular("| a | b |\n|---|\n"), Catch::Contains("separator"));
}
