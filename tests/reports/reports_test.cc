// Reports on a database filled by hand: tables, published values and deltas, PNG/CSV outputs, the
// grouping of runs into rows, code-version reuse, schema migration and the label graph.
#include <boost/filesystem.hpp>
#include <cstdlib>
#include <fstream>
#include <string>

#include "core/error.h"
#include "reports/label_graph.h"
#include "reports/paper_values.h"
#include "reports/render.h"
#include "reports/store.h"
#include "reports/summary.h"
#include "tests/catch.h"
#include "tests/reports/run_fixture.h"
#include "tests/temp_dir.h"

namespace fs = boost::filesystem;
namespace rp = fer::reports;
using fer::testing::add_run;
using fer::testing::temp_dir;

TEST_CASE("summaries average over seeds and keep the newest run per config", "[reports]") {
  const fs::path dir = temp_dir("reports_summary");
  rp::ResultStore store((dir / "r.db").string());
  add_run(store, "affectnet", "densenet", "emotion_gcn", 0, 0.60);
  add_run(store, "affectnet", "densenet", "emotion_gcn", 1, 0.64);
  add_run(store, "affectnet", "bregnext", "single_task", 0, 0.50);
  const auto s = rp::summarize(store.db());
  REQUIRE(s.size() == 2);
  CHECK(s[0].backbone == "densenet");  // DenseNet first.
  CHECK(s[0].metrics.at("accuracy").n == 2);
  CHECK_THAT(s[0].metrics.at("accuracy").mean, Catch::Matchers::WithinAbs(0.62, 1e-12));
  CHECK_THAT(s[0].metrics.at("accuracy").std, Catch::Matchers::WithinAbs(std::sqrt(0.0008), 1e-12));
  CHECK(s[1].metrics.count("ccc_valence") == 0);  // Single-task: no valence/arousal.

  const auto paper = rp::read_paper_values("reports/paper_values.csv");
  const std::string table = rp::render_paper_table(s, paper, "affectnet");
  CHECK(table.find(
            "| DenseNet-121 | Emotion-GCN | smoke | 2 | 62.00 ± 2.83 · paper 66.46 (Δ −4.46) |") !=
        std::string::npos);
  // BReG-NeXt's own paper trained with another recipe: shown, named, never a delta.
  CHECK(table.find("| BReG-NeXt-50 | Single-task | smoke | 1 | 50.00 · Hasani et al., TAC 2020 "
                   "68.50 (bregnext recipe, no Δ) |") != std::string::npos);
  for (const auto& p : paper) {
    INFO(p.source);
    CHECK(!p.paper.empty());
    CHECK(!p.protocol.empty());
  }
}

TEST_CASE("published values state their paper and protocol and name a metric the report shows",
          "[reports]") {
  const fs::path dir = temp_dir("reports_paper_values");
  const auto write = [&](const std::string& rows) {
    const std::string path = (dir / "values.csv").string();
    std::ofstream(path) << "dataset,backbone,model,metric,value,paper,protocol,source\n" << rows;
    return path;
  };
  const auto error_of = [](const std::string& path) {
    try {
      rp::read_paper_values(path);
    } catch (const fer::Error& e) {
      return std::to_string(e.line()) + " " + e.field() + ": " + e.what();
    }
    return std::string("accepted");
  };
  const std::string good = "affwild2,densenet,multi_task,affwild2_expression,0.5,P,emotion-gcn,S\n";
  const auto values = rp::read_paper_values(write(good));
  REQUIRE(values.size() == 1);
  CHECK(values[0].comparable());
  CHECK(values[0].paper == "P");
  using Catch::Matchers::Contains;
  using Catch::Matchers::StartsWith;
  // A metric the report does not show (BReG-NeXt's "RMSE" was one), and one only Aff-Wild2 has.
  CHECK_THAT(error_of(write(good + "affectnet,bregnext,single_task,rmse,0.25,P,bregnext,S\n")),
             StartsWith("3 metric") && Contains("valid: accuracy, macro_f1, ccc_valence"));
  CHECK_THAT(error_of(write("affectnet,densenet,single_task,affwild2_expression,0.5,P,x,S\n")),
             StartsWith("2 metric"));
  CHECK_THAT(error_of(write("affectnet,densenet,gcn,accuracy,0.5,P,x,S\n")), StartsWith("2 model"));
  CHECK_THAT(error_of(write("affectnet,densenet,single_task,accuracy,0.5,,x,S\n")),
             StartsWith("2 paper"));
  CHECK_THAT(error_of(write("affectnet,densenet,single_task,accuracy,0.5,P,,S\n")),
             StartsWith("2 protocol"));
  CHECK_THAT(error_of(write("affectnet,densenet,single_task,accuracy,high,P,x,S\n")),
             StartsWith("2 value"));
  // The older six-column file said nothing of the protocol: refused, naming the columns.
  CHECK_THAT(error_of(write("affectnet,densenet,emotion_gcn,accuracy,0.6646,source\n")),
             Contains("expected 8 columns (dataset,backbone,model,metric,value,paper,protocol"));
  // Every metric a table shows takes a published value, and shows it.
  rp::ResultStore store((dir / "r.db").string());
  add_run(store, "affwild2", "densenet", "multi_task", 0, 0.5);
  std::vector<rp::PaperValue> all;
  for (const auto& metric : rp::paper_metrics("affwild2")) {
    rp::PaperValue p;
    p.dataset = "affwild2";
    p.backbone = "densenet";
    p.model = "multi_task";
    p.metric = metric;
    p.value = 0.123;
    p.paper = "P";
    p.source = "S";
    all.push_back(p);
  }
  const std::string table = rp::render_paper_table(rp::summarize(store.db()), all, "affwild2");
  size_t shown = 0;
  for (size_t at = table.find(" · paper "); at != std::string::npos;
       at = table.find(" · paper ", at + 1)) {
    ++shown;
  }
  CHECK(shown == all.size());
}

TEST_CASE("the report renders tables, PNG curves, confusion matrices and CSV", "[reports]") {
  const fs::path dir = temp_dir("reports_render");
  rp::ResultStore store((dir / "r.db").string());
  const int64_t id = add_run(store, "synth-affectnet", "densenet", "multi_task", 0, 0.4);
  rp::RenderOptions o;
  o.out_markdown = (dir / "out" / "report.md").string();
  const std::string md = rp::render_report(store.db(), o);
  CHECK(md.find("## synth-affectnet") != std::string::npos);
  CHECK(md.find("no delta is computed") != std::string::npos);
  CHECK(md.find("## Throughput") != std::string::npos);
  CHECK(md.find("| cpu | fp32 | DenseNet-121 | Multi-task | 48 | 100.0 | 300.0 | 10.0% |") !=
        std::string::npos);
  const fs::path files = dir / "out" / "report_files";
  const std::string run = "run" + std::to_string(id);
  for (const std::string& f :
       std::vector<std::string>{run + "_loss.png", run + "_accuracy.png", run + "_confusion.png",
                                "summary.csv", "throughput.csv"}) {
    INFO(f);
    CHECK(fs::file_size(files / f) > 100);
  }
  std::ifstream csv((files / "summary.csv").string());
  std::string header, row;
  std::getline(csv, header);
  std::getline(csv, row);
  CHECK(header.rfind("dataset,backbone,model,schedule,seeds,accuracy_mean,accuracy_std", 0) == 0);
  CHECK(row.rfind("synth-affectnet,densenet,multi_task,smoke,1,0.4,0,", 0) == 0);
  std::ifstream tcsv((files / "throughput.csv").string());
  std::getline(tcsv, header);
  std::getline(tcsv, row);
  CHECK(header.rfind("device,precision,backbone,model,input,train_images_per_s", 0) == 0);
  CHECK(row.rfind("cpu,fp32,densenet,multi_task,48,100", 0) == 0);
}

TEST_CASE("a row is exactly the runs whose configuration differs only in the seed", "[reports]") {
  const fs::path dir = temp_dir("reports_groups");
  rp::ResultStore store((dir / "r.db").string());
  add_run(store, "synth-affectnet", "densenet", "single_task", 0, 0.40);
  add_run(store, "synth-affectnet", "densenet", "single_task", 1, 0.44);
  // Same seed 0, another learning rate: its own row, never averaged in.
  add_run(store, "synth-affectnet", "densenet", "single_task", 0, 0.90,
          "\"lr\": 0.01, \"shuffle_train_labels\": false");
  // A deliberately broken run: its own row, marked.
  add_run(store, "synth-affectnet", "densenet", "single_task", 0, 0.10,
          "\"lr\": 0.005, \"shuffle_train_labels\": true");
  const auto s = rp::summarize(store.db());
  REQUIRE(s.size() == 3);
  CHECK(s[0].run_ids.size() == 2);
  CHECK_THAT(s[0].metrics.at("accuracy").mean, Catch::Matchers::WithinAbs(0.42, 1e-12));
  CHECK(s[0].differs == std::vector<std::string>{"lr=0.005", "shuffle_train_labels=false"});
  CHECK(s[1].run_ids.size() == 1);
  CHECK(s[1].metrics.at("accuracy").mean == 0.90);
  CHECK(s[1].differs == std::vector<std::string>{"lr=0.01", "shuffle_train_labels=false"});
  CHECK(s[2].broken());
  CHECK(s[2].metrics.at("accuracy").mean == 0.10);
  CHECK(s[0].config_id() != s[1].config_id());
  CHECK(s[0].config.count("seed") == 0);
  CHECK(s[0].config.count("run_name") == 0);

  const auto paper = rp::read_paper_values("reports/paper_values.csv");
  const std::string table = rp::render_paper_table(s, paper, "synth-affectnet");
  CHECK(table.find("| Backbone | Model | Schedule | Config | Seeds |") != std::string::npos);
  CHECK(table.find("| `lr=0.005` | 2 | 42.00 ± 2.83") != std::string::npos);
  CHECK(table.find("| `lr=0.01` | 1 | 90.00") != std::string::npos);
  CHECK(
      table.find("| **deliberately broken** (shuffled training labels); `lr=0.005` | 1 | 10.00") !=
      std::string::npos);

  // One configuration per cell: no Config column.
  rp::ResultStore single((dir / "single.db").string());
  add_run(single, "synth-affectnet", "densenet", "single_task", 0, 0.40);
  add_run(single, "synth-affectnet", "densenet", "single_task", 1, 0.44);
  CHECK(
      rp::render_paper_table(rp::summarize(single.db()), paper, "synth-affectnet").find("Config") ==
      std::string::npos);

  // The throughput table keeps the configurations apart too.
  const std::string throughput = rp::render_throughput_table(store.db());
  CHECK(throughput.find("| Input | Config | Train img/s |") != std::string::npos);
  CHECK(throughput.find("| `lr=0.01`, `shuffle_train_labels=false` | 100.0 |") !=
        std::string::npos);
  CHECK(throughput.find("| `lr=0.005`, `shuffle_train_labels=false` | 100.5 |") !=
        std::string::npos);
}

TEST_CASE("a run resumed under other code is never reused", "[reports]") {
  const fs::path dir = temp_dir("reports_reopen");
  rp::ResultStore store((dir / "r.db").string());
  rp::RunRecord run{"r",        "{}",          "hash",  "sha-a", 0,     "synth-affectnet",
                    "densenet", "single_task", "smoke", "cpu",   "fp32"};
  const int64_t same = store.begin_run(run, {{"host", "h"}}, {"d", "/x", "d", "[]", "", 1, 1});
  store.mark_run(same, "interrupted", "");
  CHECK(store.reopen_run(same, "sha-a") == "sha-a");
  CHECK(fer::as_string(store.db().query("SELECT code_version FROM runs WHERE id = ?1",
                                        {same})[0][0]) == "sha-a");
  const int64_t other = store.begin_run(run, {{"host", "h"}}, {"d", "/x", "d", "[]", "", 1, 1});
  store.mark_run(other, "interrupted", "");
  CHECK(store.reopen_run(other, "sha-b") == "sha-a");
  CHECK(fer::as_string(store.db().query("SELECT code_version FROM runs WHERE id = ?1",
                                        {other})[0][0]) == "unknown");
  CHECK(fer::as_string(store.db().query("SELECT value FROM provenance WHERE run_id = ?1 AND key = "
                                        "'code_version_resumed_with'",
                                        {other})[0][0]) == "sha-b");
  store.finish_run(other, fer::metrics::FinalRecord());
  CHECK_FALSE(store.find_finished("hash", "sha-a").has_value());
  CHECK_FALSE(store.find_finished("hash", "sha-b").has_value());
}

TEST_CASE("the store migrates, and refuses a newer schema", "[reports]") {
  const fs::path dir = temp_dir("reports_schema");
  const std::string db = (dir / "r.db").string();
  {
    rp::ResultStore store(db);
    CHECK(store.schema_version() == rp::kSchemaVersion);
    store.db().exec("PRAGMA user_version = 99");
  }
  REQUIRE_THROWS_WITH(rp::ResultStore(db), Catch::Contains("schema version 99 is newer"));
}

TEST_CASE("the report prints each dataset's label graph beside AffectNet's", "[reports]") {
  const fs::path dir = temp_dir("reports_label_graph");
  rp::ResultStore store((dir / "r.db").string());
  const std::string classes =
      "[\"Neutral\",\"Happy\",\"Sad\",\"Surprise\",\"Fear\",\"Disgust\",\"Anger\"]";
  // A 9x9 matrix whose valence and arousal rows are AffectNet's, except Happy-arousal (an edge
  // here) and Fear-valence (none here); the valence-arousal entry is NaN (a constant column).
  auto matrix = [](double happy_arousal, double fear_valence) {
    std::string m = "[";
    const double v[7] = {-0.3351, 0.8611, -0.453, -0.0276, fear_valence, -0.1764, -0.3837};
    const double a[7] = {-0.2841, happy_arousal, -0.4337, 0.3382, 0.2356, 0.1437, 0.4138};
    for (int i = 0; i < 9; ++i) {
      m += i ? ",[" : "[";
      for (int j = 0; j < 9; ++j) {
        double x = i == j ? 1.0 : 0.0;
        if (i == 7 && j < 7) x = v[j];
        if (i == 8 && j < 7) x = a[j];
        if (j == 7 && i < 7) x = v[i];
        if (j == 8 && i < 7) x = a[i];
        m += (j ? "," : "") +
             ((i == 7 && j == 8) || (i == 8 && j == 7) ? std::string("null") : std::to_string(x));
      }
      m += "]";
    }
    return m + "]";
  };
  rp::RunRecord run{"r",        "{\"seed\": 0}", "h",     "code", 0,     "synth-affectnet",
                    "densenet", "emotion_gcn",   "smoke", "cpu",  "fp32"};
  const int64_t same = store.begin_run(
      run, {}, {"synth-affectnet", "/x", "digest1", classes, "", 10, 4, matrix(0.0145, -0.1218)});
  run.config_hash = "h2";
  const int64_t other = store.begin_run(
      run, {}, {"synth-affectnet", "/x", "digest2", classes, "", 10, 4, matrix(0.3, 0.02)});
  const int64_t none =
      store.begin_run(run, {}, {"synth-affectnet", "/x", "digest3", classes, "", 10, 4});

  const std::string md = rp::render_label_graph(store.db(), {same, same, other, none});
  INFO(md);
  CHECK(md.find("index digest1") != std::string::npos);
  CHECK(
      md.find("| | Neutral | Happy | Sad | Surprise | Fear | Disgust | Anger | valence-arousal |\n"
              "|---|---|---|---|---|---|---|---|---|\n") != std::string::npos);
  CHECK(md.find("index digest2") != std::string::npos);
  CHECK(md.find("digest3") == std::string::npos);  // no matrix recorded: no table
  CHECK(md.find("| valence | **-0.34** (-0.34) | **+0.86** (+0.86) |") != std::string::npos);
  CHECK(md.find("Edges: 12 of 15 (AffectNet: 12). The same edges as AffectNet's graph.") !=
        std::string::npos);
  CHECK(
      md.find(
          "Not AffectNet's graph: only here: Happy-arousal; only in AffectNet's: Fear-valence.") !=
      std::string::npos);
  CHECK(md.find("| n/a (+0.04) |") != std::string::npos);
  CHECK(rp::render_label_graph(store.db(), {none}).empty());

  // Aff-Wild2's spelling of the classes maps onto AffectNet's.
  const std::string affwild2 =
      "[\"Neutral\",\"Anger\",\"Disgust\",\"Fear\",\"Happiness\",\"Sadness\",\"Surprise\"]";
  run.config_hash = "h3";
  const int64_t aw = store.begin_run(
      run, {}, {"synth-affwild2", "/x", "d4", affwild2, "", 10, 4, matrix(0.0, 0.0)});
  const std::string aw_md = rp::render_label_graph(store.db(), {aw});
  CHECK(aw_md.find("| Neutral | Anger | Disgust | Fear | Happiness | Sadness | Surprise |") !=
        std::string::npos);
  CHECK(aw_md.find("(+0.86)") != std::string::npos);  // Happiness compared with Happy

  run.config_hash = "h4";
  const int64_t bad = store.begin_run(
      run, {}, {"synth-affectnet", "/x", "d5", classes, "", 10, 4, "[[1, 0], [0, 1]]"});
  REQUIRE_THROWS_WITH(
      rp::render_label_graph(store.db(), {bad}),
      Catch::Contains("run #" + std::to_string(bad)) && Catch::Contains("expected 9 rows"));
}
