#include "reports/render.h"

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "core/error.h"
#include "core/json.h"
#include "reports/charts.h"
#include "reports/claims.h"
#include "reports/graph_ablations.h"
#include "reports/label_graph.h"
#include "reports/latex.h"

namespace fer::reports {
namespace fs = boost::filesystem;
namespace {

// A JSON array column of the store as T; a malformed one is an error naming the column.
template <typename T>
T json_column(Database& db, const std::string& column, const std::string& text) {
  const nlohmann::json value = parse_json(text, "read result store", db.path(), column);
  try {
    return value.get<T>();
  } catch (const nlohmann::json::exception& e) {
    throw Error("read result store", db.path(), 0, column,
                std::string("unexpected JSON: ") + e.what());
  }
}

struct Column {
  std::string metric, header;
  bool percent;
};

std::vector<Column> columns_for(const std::string& dataset) {
  if (dataset.find("affwild2") != std::string::npos) {
    return {{"macro_f1", "F1 (%)", true},
            {"accuracy", "Accuracy (%)", true},
            {"affwild2_expression", "0.67 F1 + 0.33 Acc", false},
            {"ccc_valence", "CCC-V", false},
            {"ccc_arousal", "CCC-A", false}};
  }
  return {{"accuracy", "Accuracy (%)", true},
          {"macro_f1", "Macro F1 (%)", true},
          {"ccc_valence", "CCC-V", false},
          {"ccc_arousal", "CCC-A", false}};
}

std::string number(double v, bool percent) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), percent ? "%.2f" : "%.3f", percent ? 100 * v : v);
  return buf;
}

// An Emotion-GCN row trained without GloVe: its label nodes had the documented fallback
// vectors, so it is not the paper's model and gets no delta.
bool fallback_nodes(const ConfigSummary& s) {
  if (s.model != "emotion_gcn") return false;
  auto it = s.config.find("glove");
  return it != s.config.end() && it->second.empty();
}

std::string cell(const ConfigSummary& s, const Column& col, const std::vector<PaperValue>& paper,
                 bool real) {
  auto it = s.metrics.find(col.metric);
  std::string out = "–";
  const bool diverged = it != s.metrics.end() && it->second.diverged > 0;
  if (diverged) {
    out = "NaN in " + std::to_string(it->second.diverged) + " of " + std::to_string(it->second.n) +
          " seeds";
  } else if (it != s.metrics.end() && it->second.n > 0) {
    out = number(it->second.mean, col.percent);
    if (it->second.n > 1) out += " ± " + number(it->second.std, col.percent);
  }
  const std::string family =
      s.dataset.find("affwild2") != std::string::npos ? "affwild2" : "affectnet";
  for (const auto& p : paper) {
    if (p.dataset != family || p.backbone != s.backbone || p.model != s.model ||
        p.metric != col.metric)
      continue;
    if (!p.comparable()) {  // Another recipe: shown for orientation, never as a delta.
      out += " · " + p.paper + " " + number(p.value, col.percent) + " (" + p.protocol +
             " recipe, no Δ)";
      continue;
    }
    out += " · paper " + number(p.value, col.percent);
    if (real && !diverged && !fallback_nodes(s) && it != s.metrics.end() && it->second.n > 0) {
      const double delta = it->second.mean - p.value;
      out +=
          " (Δ " + std::string(delta >= 0 ? "+" : "−") + number(std::abs(delta), col.percent) + ")";
    }
  }
  return out;
}

std::string pretty_model(const std::string& m) {
  if (m == "single_task") return "Single-task";
  if (m == "multi_task") return "Multi-task";
  return "Emotion-GCN";
}

std::string pretty_backbone(const std::string& b) {
  return b == "densenet" ? "DenseNet-121" : "BReG-NeXt-50";
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path.string());
  out << text;
  if (!out) throw Error("write report", path.string(), 0, "", "write failed");
}

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string joined(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

// What sets a row apart from the other rows of its paper cell.
std::string config_note(const ConfigSummary& s) {
  std::string note = s.broken() ? "**deliberately broken** (shuffled training labels)" : "";
  std::vector<std::string> rest;
  const auto& graph = graph_fields();
  for (const auto& d : s.differs) {
    // A graph field is stored only where it differs from the reference graph: absent is the
    // reference's value, which the changed rows name.
    const std::string field = d.substr(0, d.find('='));
    const bool reference_graph = d.size() > 9 && d.compare(d.size() - 9, 9, "=(absent)") == 0 &&
                                 std::find(graph.begin(), graph.end(), field) != graph.end();
    if (field != "shuffle_train_labels" && !reference_graph) rest.push_back("`" + d + "`");
  }
  if (!rest.empty()) note += (note.empty() ? "" : "; ") + joined(rest, ", ");
  return note.empty() ? "–" : note;
}

std::string summary_csv(const std::vector<ConfigSummary>& summaries) {
  std::string out = "dataset,backbone,model,schedule,seeds";
  for (const auto& m : metric_names()) out += "," + m + "_mean," + m + "_std";
  out += ",config_id,differs\n";
  for (const auto& s : summaries) {
    out += s.dataset + "," + s.backbone + "," + s.model + "," + s.schedule + "," +
           std::to_string(s.run_ids.size());
    for (const auto& m : metric_names()) {
      auto it = s.metrics.find(m);
      if (it == s.metrics.end()) {
        out += ",,";
      } else {
        char buf[64];
        std::snprintf(buf, sizeof(buf), ",%.6g,%.6g", it->second.mean, it->second.std);
        out += buf;
      }
    }
    out += "," + s.config_id() + "," + csv_escape(joined(s.differs, "; ")) + "\n";
  }
  return out;
}

std::string run_detail(Database& db, int64_t run_id, const fs::path& files,
                       const std::string& files_rel) {
  std::ostringstream md;
  auto run = db.query(
      "SELECT name, config_json, config_hash, code_version, started_at, ended_at FROM runs WHERE "
      "id = ?1",
      {run_id});
  if (run.empty()) return "";
  md << "### Run #" << run_id << ": " << as_string(run[0][0]) << "\n\n"
     << "Config `" << as_string(run[0][2]) << "`, code `" << as_string(run[0][3]) << "`, "
     << as_string(run[0][4]) << " → " << as_string(run[0][5])
     << "\n\n<details><summary>Resolved config and provenance</summary>\n\n```json\n"
     << as_string(run[0][1]) << "\n```\n\n| Provenance | |\n|---|---|\n";
  for (const auto& row :
       db.query("SELECT key, value FROM provenance WHERE run_id = ?1 ORDER BY key", {run_id})) {
    md << "| " << as_string(row[0]) << " | " << as_string(row[1]) << " |\n";
  }
  md << "\n</details>\n\n| Epoch | LR | Train loss | Train acc | Val loss | Val acc | Val F1 | "
        "CCC-V | CCC-A | Train img/s |\n"
     << "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  std::vector<Series> loss = {{"train loss", {}}, {"val loss", {}}};
  std::vector<Series> acc = {{"train acc", {}}, {"val acc", {}}, {"val F1", {}}};
  for (const auto& row :
       db.query("SELECT epoch, lr, train_loss, train_accuracy, val_loss, val_accuracy, "
                "val_macro_f1, val_ccc_valence, "
                "val_ccc_arousal, train_images_per_s FROM epochs WHERE run_id = ?1 ORDER BY epoch",
                {run_id})) {
    md << "| " << as_int(row[0]) + 1;
    for (size_t c = 1; c < row.size(); ++c)
      md << " | " << (is_null(row[c]) ? "–" : number(as_double(row[c]), false));
    md << " |\n";
    loss[0].values.push_back(as_double(row[2]));
    loss[1].values.push_back(as_double(row[4]));
    acc[0].values.push_back(100 * as_double(row[3]));
    acc[1].values.push_back(100 * as_double(row[5]));
    acc[2].values.push_back(100 * as_double(row[6]));
  }
  const std::string stem = "run" + std::to_string(run_id);
  write_curve_png((files / (stem + "_loss.png")).string(), "loss per epoch", "loss (Eq. 6)", loss);
  write_curve_png((files / (stem + "_accuracy.png")).string(), "accuracy and macro F1 per epoch",
                  "percent (%)", acc);
  md << "\n![loss](" << files_rel << "/" << stem << "_loss.png) ![accuracy](" << files_rel << "/"
     << stem << "_accuracy.png)\n";
  auto fin = db.query(
      "SELECT f.confusion, d.class_names, f.best_epoch FROM final_metrics f JOIN datasets d ON "
      "d.run_id = f.run_id WHERE f.run_id = ?1",
      {run_id});
  if (!fin.empty()) {
    const auto counts = json_column<std::vector<int64_t>>(db, "confusion", as_string(fin[0][0]));
    const auto names =
        json_column<std::vector<std::string>>(db, "class_names", as_string(fin[0][1]));
    write_confusion_png((files / (stem + "_confusion.png")).string(), counts, names);
    md << "\nConfusion matrix at the best epoch (" << as_int(fin[0][2]) + 1 << "):\n\n![confusion]("
       << files_rel << "/" << stem << "_confusion.png)\n";
  }
  return md.str() + "\n";
}

struct ThroughputRow;
std::vector<ThroughputRow> throughput_rows(Database& db);
std::string throughput_csv(Database& db);

}  // namespace

std::string render_paper_table(const std::vector<ConfigSummary>& summaries,
                               const std::vector<PaperValue>& paper, const std::string& dataset) {
  const auto cols = columns_for(dataset);
  const bool real = dataset == "affectnet" || dataset == "affwild2";
  // A Config column only when some paper cell holds more than one configuration.
  bool several = false;
  for (const auto& s : summaries)
    several |= s.dataset == dataset && (!s.differs.empty() || s.broken());
  std::ostringstream md;
  bool any_fallback = false;
  md << "| Backbone | Model | Schedule |" << (several ? " Config |" : "") << " Seeds |";
  for (const auto& c : cols) md << " " << c.header << " |";
  md << "\n|---|---|---|" << (several ? "---|" : "") << "---:|";
  for (size_t i = 0; i < cols.size(); ++i) md << "---:|";
  md << "\n";
  for (const auto& s : summaries) {
    if (s.dataset != dataset) continue;
    const bool fallback = real && fallback_nodes(s);
    any_fallback |= fallback;
    md << "| " << pretty_backbone(s.backbone) << " | " << pretty_model(s.model)
       << (fallback ? " †" : "") << " | " << s.schedule << " | ";
    if (several) md << config_note(s) << " | ";
    md << s.run_ids.size() << " |";
    for (const auto& c : cols) md << " " << cell(s, c, paper, real) << " |";
    md << "\n";
  }
  if (any_fallback) {
    md << "\n† Trained without `--glove`: the label nodes had the documented fallback vectors, not "
          "GloVe's, so "
          "the row is not the paper's Emotion-GCN and no delta is computed.\n";
  }
  if (several) {
    md << "\nRows of one paper cell that differ in more than the seed are kept apart; Config names "
          "the "
          "fields they differ in.\n";
  }
  if (!real) {
    md << "\nSynthetic data: the published values (real "
       << (dataset.find("affwild2") != std::string::npos ? "Aff-Wild2" : "AffectNet")
       << ") are shown for orientation only; no delta is computed.\n";
  }
  return md.str();
}

namespace {

// One throughput row per trained configuration (evaluations of saved weights, schedule
// "checkpoint", train nothing and are left out): runs are grouped by device,
// precision, backbone, model, input size and the rest of the configuration less the seed; rows
// of one (device, precision, backbone, model, input) that differ otherwise name the fields.
struct ThroughputRow {
  std::string device, precision, backbone, model, config_json;
  int64_t input = 0;
  ConfigFields config;
  std::vector<std::string> differs;
  double train = 0, eval = 0, wait = 0, compute = 0, rss = 0;
  double cuda = std::nan("");  // Stays NaN ("–") when no run measured CUDA memory.
  int runs = 0;
  std::string cell() const {
    return device + " " + precision + " " + backbone + " " + model + " " + std::to_string(input);
  }
};

std::vector<ThroughputRow> throughput_rows(Database& db) {
  std::string removed;
  for (const auto& f : non_grouping_fields()) removed += ", '$." + f + "'";
  std::map<std::string, ThroughputRow> groups;
  std::vector<std::string> order;
  for (const auto& row :
       db.query("SELECT r.device, r.precision, r.backbone, r.model, json_extract(r.config_json, "
                "'$.input_size'), "
                "json_remove(r.config_json" +
                removed +
                "), f.train_images_per_s, f.eval_images_per_s, "
                "(SELECT COALESCE(SUM(e.data_wait_s), 0) FROM epochs e WHERE e.run_id = r.id), "
                "(SELECT COALESCE(SUM(e.compute_s), 0) FROM epochs e WHERE e.run_id = r.id), "
                "f.peak_rss_mb, f.peak_cuda_mb "
                "FROM runs r JOIN final_metrics f ON f.run_id = r.id WHERE r.status = 'finished' "
                "AND r.schedule != 'checkpoint' "
                "ORDER BY r.device, r.precision, r.backbone DESC, r.model, r.id")) {
    ThroughputRow t{
        as_string(row[0]),
        as_string(row[1]),
        as_string(row[2]),
        as_string(row[3]),
        canonical_json(as_string(row[5]), "read configuration", db.path(), "config_json"),
        as_int(row[4])};
    const std::string key = t.cell() + " " + t.config_json;
    auto [it, inserted] = groups.emplace(key, t);
    if (inserted) {
      it->second.config = config_fields(t.config_json, db.path());
      order.push_back(key);
    }
    ThroughputRow& g = it->second;
    g.train += as_double(row[6]);
    g.eval += as_double(row[7]);
    g.wait += as_double(row[8]);
    g.compute += as_double(row[9]);
    g.rss = std::max(g.rss, as_double(row[10]));
    if (!is_null(row[11]))
      g.cuda = std::isnan(g.cuda) ? as_double(row[11]) : std::max(g.cuda, as_double(row[11]));
    ++g.runs;
  }
  std::vector<ThroughputRow> out;
  for (const auto& key : order) out.push_back(groups.at(key));
  std::map<std::string, std::vector<size_t>> cells;
  for (size_t i = 0; i < out.size(); ++i) cells[out[i].cell()].push_back(i);
  for (const auto& [cell, members] : cells) {
    std::vector<const ConfigFields*> configs;
    for (size_t i : members) configs.push_back(&out[i].config);
    const auto differs = differing_fields(configs);
    for (size_t k = 0; k < members.size(); ++k) out[members[k]].differs = differs[k];
  }
  return out;
}

std::string throughput_csv(Database& db) {
  std::string out =
      "device,precision,backbone,model,input,train_images_per_s,eval_images_per_s,"
      "data_wait_fraction,peak_rss_mb,peak_cuda_mb,runs,differs\n";
  for (const auto& t : throughput_rows(db)) {
    char buf[256];
    std::snprintf(buf, sizeof(buf), ",%.6g,%.6g,%.6g,%.6g,", t.train / t.runs, t.eval / t.runs,
                  t.wait / std::max(1e-9, t.wait + t.compute), t.rss);
    out += csv_escape(t.device) + "," + csv_escape(t.precision) + "," + t.backbone + "," + t.model +
           "," + std::to_string(t.input) + buf +
           (std::isnan(t.cuda) ? "" : std::to_string(t.cuda)) + "," + std::to_string(t.runs) + "," +
           csv_escape(joined(t.differs, "; ")) + "\n";
  }
  return out;
}

}  // namespace

std::string render_throughput_table(Database& db) {
  const auto rows = throughput_rows(db);
  bool several = false;
  for (const auto& t : rows) several |= !t.differs.empty();
  std::ostringstream md;
  md << "| Device | Precision | Backbone | Model | Input |" << (several ? " Config |" : "")
     << " Train img/s | Eval img/s | Data wait | Peak RSS (MiB) | Peak CUDA (MiB) | Runs |\n"
     << "|---|---|---|---|---:|" << (several ? "---|" : "") << "---:|---:|---:|---:|---:|---:|\n";
  for (const auto& t : rows) {
    std::vector<std::string> quoted;
    for (const auto& d : t.differs) quoted.push_back("`" + d + "`");
    char buf[256];
    std::snprintf(buf, sizeof(buf), " %.1f | %.1f | %.1f%% | %.0f | %s | %d |\n", t.train / t.runs,
                  t.eval / t.runs, 100 * t.wait / std::max(1e-9, t.wait + t.compute), t.rss,
                  std::isnan(t.cuda)
                      ? "–"
                      : std::to_string(static_cast<long long>(std::lround(t.cuda))).c_str(),
                  t.runs);
    md << "| " << t.device << " | " << t.precision << " | " << pretty_backbone(t.backbone) << " | "
       << pretty_model(t.model) << " | " << t.input << " |";
    if (several) md << " " << (quoted.empty() ? "–" : joined(quoted, ", ")) << " |";
    md << buf;
  }
  return md.str();
}

std::string render_report(Database& db, const RenderOptions& o) {
  const fs::path md_path(o.out_markdown);
  if (!md_path.parent_path().empty()) fs::create_directories(md_path.parent_path());
  const std::string files_rel = md_path.stem().string() + "_files";
  const fs::path files = md_path.parent_path() / files_rel;
  fs::create_directories(files);
  const auto paper = read_paper_values(o.paper_values);
  std::vector<ConfigSummary> summaries;
  for (auto& s : summarize(db)) {
    if (o.datasets.empty() ||
        std::find(o.datasets.begin(), o.datasets.end(), s.dataset) != o.datasets.end()) {
      summaries.push_back(s);
    }
  }
  std::vector<LatexTable> tables;
  std::ostringstream md;
  md << "# " << o.title << "\n\nRendered from `" << db.path() << "` (" << summaries.size()
     << " configuration(s); mean ± sample std over seeds).\n\n";
  std::vector<std::string> seen;
  for (const auto& s : summaries) {
    if (std::find(seen.begin(), seen.end(), s.dataset) != seen.end()) continue;
    seen.push_back(s.dataset);
    const std::string table = render_paper_table(summaries, paper, s.dataset);
    tables.push_back(
        {"paper_" + s.dataset, s.dataset + ": ours beside the published values", table});
    md << "## " << s.dataset << "\n\n" << table << "\n";
    // The paper's claims, judged on the per-sample outputs (issue #32), with a CSV beside.
    const bool synthetic = s.dataset != "affectnet" && s.dataset != "affwild2";
    const std::vector<ClaimRow> claims = judge_claims(db, summaries, s.dataset);
    if (!claims.empty()) {
      const std::string csv_name = "claims_" + s.dataset + ".csv";
      write_file(files / csv_name, claims_csv(claims));
      const std::string table = render_claims_table(claims, synthetic);
      tables.push_back({"claims_" + s.dataset, s.dataset + ": the paper's claims", table});
      md << "### Claims\n\n"
         << table << "\nCSV: [" << csv_name << "](" << files_rel << "/" << csv_name << ")\n\n";
    }
    // The label graph's ablations against the reference graph (issue #32, item 3).
    const std::vector<ClaimRow> graph = judge_graph_ablations(db, summaries, s.dataset);
    if (!graph.empty()) {
      const std::string csv_name = "graph_ablations_" + s.dataset + ".csv";
      write_file(files / csv_name, claims_csv(graph));
      const std::string table = render_graph_ablations_table(graph, synthetic);
      tables.push_back({"graph_ablations_" + s.dataset,
                        s.dataset + ": label-graph ablations against the reference graph", table});
      md << "### Label-graph ablations\n\n"
         << table << "\nCSV: [" << csv_name << "](" << files_rel << "/" << csv_name << ")\n\n";
    }
    std::vector<int64_t> ids;
    for (const auto& other : summaries) {
      if (other.dataset == s.dataset)
        ids.insert(ids.end(), other.run_ids.begin(), other.run_ids.end());
    }
    md << render_label_graph(db, ids);
  }
  md << "### Published reference values\n\n";
  for (const auto& p : paper) {
    md << "- " << p.dataset << " / " << p.backbone << " / " << p.model << " / " << p.metric << " = "
       << p.value << " (" << p.paper << "; " << p.protocol << " recipe"
       << (p.comparable() ? ", the one trained here" : ", another than the one trained here: no Δ")
       << "): " << p.source << "\n";
  }
  const std::string throughput = render_throughput_table(db);
  if (throughput.rfind("|", 0) == 0)
    tables.push_back({"throughput", "Throughput by device and precision", throughput});
  md << "\n## Throughput\n\n" << throughput << "\n";
  write_file(files / "summary.csv", summary_csv(summaries));
  write_file(files / "throughput.csv", throughput_csv(db));
  md << "CSV: [summary.csv](" << files_rel << "/summary.csv), [throughput.csv](" << files_rel
     << "/throughput.csv)\n\n";
  if (o.run_details) {
    md << "## Runs\n\n";
    for (const auto& s : summaries) {
      for (int64_t id : s.run_ids) md << run_detail(db, id, files, files_rel);
    }
  }
  if (o.format == "latex") {
    // Each table as a booktabs tabular to \input, and one document that holds them all.
    for (const auto& t : tables) write_file(files / (t.name + ".tex"), latex_tabular(t.markdown));
    write_file(md_path, latex_document(o.title, tables));
  } else {
    write_file(md_path, md.str());
  }
  return md.str();
}

}  // namespace fer::reports
