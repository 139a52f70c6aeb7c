#include "reports/latex.h"

#include <sstream>
#include <utility>

#include "core/error.h"

namespace fer::reports {
namespace {

// UTF-8 symbols of the tables and notes, as LaTeX that needs no Unicode set-up.
const std::pair<const char*, const char*> kSymbols[] = {
    {"±", "$\\pm$"},
    {"−", "$-$"},
    {"–", "--"},
    {"—", "---"},
    {"Δ", "$\\Delta$"},
    {"†", "$^\\dagger$"},
    {"α", "$\\alpha$"},
    {"τ", "$\\tau$"},
    {"≥", "$\\geq$"},
    {"≤", "$\\leq$"},
    {"×", "$\\times$"},
    {"→", "$\\to$"},
    {"≈", "$\\approx$"},
    {"·", "$\\cdot$"},
    {"σ", "$\\sigma$"},
    {"λ", "$\\lambda$"},
    {"‰", "\\textperthousand{}"},
    {"’", "'"},
    {"“", "``"},
    {"”", "''"},
};

std::string escape_char(char c) {
  switch (c) {
    case '\\':
      return "\\textbackslash{}";
    case '{':
      return "\\{";
    case '}':
      return "\\}";
    case '$':
      return "\\$";
    case '&':
      return "\\&";
    case '#':
      return "\\#";
    case '_':
      return "\\_";
    case '%':
      return "\\%";
    case '~':
      return "\\textasciitilde{}";
    case '^':
      return "\\textasciicircum{}";
    case '<':
      return "\\textless{}";
    case '>':
      return "\\textgreater{}";
    default:
      return std::string(1, c);
  }
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The cells of "| a | b |": trimmed, without the outer bars.
std::vector<std::string> cells_of(const std::string& row) {
  std::vector<std::string> cells;
  std::string cur;
  for (size_t i = 1; i < row.size(); ++i) {
    if (row[i] == '|') {
      const auto b = cur.find_first_not_of(' '), e = cur.find_last_not_of(' ');
      cells.push_back(b == std::string::npos ? "" : cur.substr(b, e - b + 1));
      cur.clear();
    } else {
      cur += row[i];
    }
  }
  return cells;
}

std::pair<size_t, size_t> table_lines(const std::vector<std::string>& lines) {
  size_t begin = 0;
  while (begin < lines.size() && lines[begin].rfind("|", 0) != 0) ++begin;
  size_t end = begin;
  while (end < lines.size() && lines[end].rfind("|", 0) == 0) ++end;
  return {begin, end};
}

}  // namespace

std::string latex_text(const std::string& md) {
  std::string out;
  bool bold = false, code = false;
  for (size_t i = 0; i < md.size();) {
    if (md.compare(i, 2, "**") == 0) {
      out += bold ? "}" : "\\textbf{";
      bold = !bold;
      i += 2;
      continue;
    }
    if (md[i] == '`') {
      out += code ? "}" : "\\texttt{";
      code = !code;
      ++i;
      continue;
    }
    bool symbol = false;
    for (const auto& [utf8, tex] : kSymbols) {
      const std::string s = utf8;
      if (md.compare(i, s.size(), s) == 0) {
        out += tex;
        i += s.size();
        symbol = true;
        break;
      }
    }
    if (symbol) continue;
    const unsigned char c = static_cast<unsigned char>(md[i]);
    if (c >= 0x80) {  // Any other non-ASCII character: its code point, visibly.
      size_t n = (c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : 2;
      out += "?";
      i += n;
      continue;
    }
    out += escape_char(md[i]);
    ++i;
  }
  if (code) out += "}";
  if (bold) out += "}";
  return out;
}

std::string latex_tabular(const std::string& markdown) {
  const auto lines = lines_of(markdown);
  const auto [begin, end] = table_lines(lines);
  if (end - begin < 2) throw Error("write LaTeX table", "", 0, "", "no Markdown table found");
  const auto header = cells_of(lines[begin]);
  const auto separator = cells_of(lines[begin + 1]);
  if (separator.size() != header.size()) {
    throw Error("write LaTeX table", "", 2, "", "the separator row has another cell count");
  }
  std::ostringstream tex;
  tex << "\\begin{tabular}{";
  for (const auto& s : separator) tex << (s.size() > 1 && s.back() == ':' ? 'r' : 'l');
  tex << "}\n\\toprule\n";
  auto row = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) tex << (i ? " & " : "") << latex_text(cells[i]);
    tex << " \\\\\n";
  };
  row(header);
  tex << "\\midrule\n";
  for (size_t i = begin + 2; i < end; ++i) {
    const auto cells = cells_of(lines[i]);
    if (cells.size() != header.size()) {
      throw Error("write LaTeX table", "", static_cast<long>(i + 1), "",
                  "row has " + std::to_string(cells.size()) + " cells, the header " +
                      std::to_string(header.size()));
    }
    row(cells);
  }
  tex << "\\bottomrule\n\\end{tabular}\n";
  return tex.str();
}

std::string latex_notes(const std::string& markdown) {
  const auto lines = lines_of(markdown);
  const size_t end = table_lines(lines).second;
  std::string out;
  for (size_t i = end; i < lines.size(); ++i) {
    if (lines[i].empty() || lines[i].rfind("CSV:", 0) == 0) continue;
    out += latex_text(lines[i]) + "\n\n";
  }
  return out;
}

std::string latex_document(const std::string& title, const std::vector<LatexTable>& tables) {
  std::ostringstream tex;
  tex << "\\documentclass[10pt]{article}\n"
         "\\usepackage[a4paper,landscape,margin=1.5cm]{geometry}\n"
         "\\usepackage{booktabs}\n\\usepackage{graphicx}\n\\usepackage{textcomp}\n"
         "\\begin{document}\n\\section*{"
      << latex_text(title) << "}\n";
  for (const auto& t : tables) {
    tex << "\n\\begin{table}[htbp]\n\\centering\n\\caption{" << latex_text(t.caption)
        << "}\n\\label{tab:" << t.name << "}\n\\resizebox{\\ifdim\\width>\\linewidth\\linewidth"
        << "\\else\\width\\fi}{!}{%\n"
        << latex_tabular(t.markdown) << "}\n\\par\\medskip\\footnotesize\n"
        << latex_notes(t.markdown) << "\\end{table}\n";
  }
  tex << "\n\\end{document}\n";
  return tex.str();
}

}  // namespace fer::reports
