#include "reports/paper_values.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "core/error.h"
#include "core/text.h"

namespace fer::reports {
namespace {

// Splits one CSV line with double-quoted fields.
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Throws unless `value` is one of `valid`, naming the field and the valid values.
void check_one_of(const std::string& value, const std::vector<std::string>& valid,
                  const std::string& path, long line, const std::string& field) {
  if (std::find(valid.begin(), valid.end(), value) != valid.end()) return;
  throw Error("read paper values", path, line, field,
              "unknown value '" + value + "'; valid: " + joined(valid));
}

void check_not_empty(const std::string& value, const std::string& path, long line,
                     const std::string& field) {
  if (value.empty())
    throw Error("read paper values", path, line, field, "every value needs a " + field);
}

}  // namespace

std::vector<std::string> paper_metrics(const std::string& dataset) {
  if (dataset == "affwild2") {
    return {"macro_f1", "accuracy", "affwild2_expression", "ccc_valence", "ccc_arousal"};
  }
  return {"accuracy", "macro_f1", "ccc_valence", "ccc_arousal"};
}

std::vector<PaperValue> read_paper_values(const std::string& path) {
  const std::string text = text::read_file(path, "read paper values");
  std::vector<PaperValue> out;
  long number = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (number == 1 || line.empty()) continue;
    const std::vector<std::string> f = csv_fields(line);
    if (f.size() != 8) {
      throw Error("read paper values", path, number, "",
                  "expected 8 columns (dataset,backbone,model,metric,value,paper,protocol,source), "
                  "got " +
                      std::to_string(f.size()));
    }
    PaperValue p;
    p.dataset = f[0];
    p.backbone = f[1];
    p.model = f[2];
    p.metric = f[3];
    p.paper = f[5];
    p.protocol = f[6];
    p.source = f[7];
    check_one_of(p.dataset, {"affectnet", "affwild2"}, path, number, "dataset");
    check_one_of(p.backbone, {"densenet", "bregnext"}, path, number, "backbone");
    check_one_of(p.model, {"single_task", "multi_task", "emotion_gcn"}, path, number, "model");
    check_one_of(p.metric, paper_metrics(p.dataset), path, number, "metric");
    const auto value = text::parse_double(f[4]);
    if (!value)
      throw Error("read paper values", path, number, "value", "not a number: '" + f[4] + "'");
    p.value = *value;
    check_not_empty(p.paper, path, number, "paper");
    check_not_empty(p.protocol, path, number, "protocol");
    check_not_empty(p.source, path, number, "source");
    out.push_back(p);
  }
  return out;
}

std::string default_paper_values_path() {
  const char* env = std::getenv("EMOGCN_PAPER_VALUES");
  if (env && *env) return env;
  const std::string relative = "reports/paper_values.csv";
  if (std::ifstream(relative))
    return relative;  // Under bazel run or bazel test: the runfiles tree.
  // A binary started by its path (bazel-bin/experiments/suite): its runfiles tree beside it.
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    const std::string beside =
        std::string(exe, static_cast<size_t>(n)) + ".runfiles/emogcn_bench/" + relative;
    if (std::ifstream(beside)) return beside;
  }
  return relative;
}

}  // namespace fer::reports
