// Exports for papers (issue #32, item 4): the report's Markdown tables as booktabs tabulars
// (\toprule, \midrule, \bottomrule; right-aligned numeric columns as in the Markdown), and a
// standalone document holding them all that pdflatex compiles with Debian's TeX Live
// (texlive-latex-base, texlive-latex-recommended).
#pragma once

#include <string>
#include <vector>

namespace fer::reports {

/// One table of the report: its file name (no extension), caption, and Markdown (the pipe table,
/// then its notes).
struct LatexTable {
  std::string name, caption, markdown;
};

/// Markdown inline text as LaTeX: the specials escaped (\ { } $ & # _ % ~ ^), `code` as \texttt,
/// **bold** as \textbf, and the symbols the tables use (± − – Δ † α τ ≥ ≤ ×, ...) as math or
/// text commands, so that the output is plain ASCII.
std::string latex_text(const std::string& markdown);

/// The pipe table in `markdown` (its first block of lines starting with '|') as a booktabs
/// tabular; column alignment from the separator row ("---:" right, else left). Throws
/// fer::Error when there is no table or a row's cell count differs from the header's.
std::string latex_tabular(const std::string& markdown);

/// The notes of `markdown`: its lines after the table, as LaTeX paragraphs.
std::string latex_notes(const std::string& markdown);

/// A standalone article (landscape A4; booktabs, graphicx) with each table in a float, scaled
/// to the text width where it is wider, its notes below.
std::string latex_document(const std::string& title, const std::vector<LatexTable>& tables);

}  // namespace fer::reports
