#include "experiments/run_lifecycle.h"

#include <cmath>
#include <exception>
#include <nlohmann/json.hpp>

#include "datasets/report.h"
#include "experiments/code_version.h"
#include "experiments/provenance.h"
#include "third_party/torch_info.h"
#include "training/device.h"

namespace fer::experiments {

RunStart start_work(int threads, const std::string& hash, const std::string& json,
                    std::ostream& log, const std::string& header) {
  RunStart s;
  s.openblas_threads = training::set_threads(threads);
  s.hash = hash;
  s.code = code_version();
  log << torch_build_summary() << "\n"
      << header << "config " << s.hash << ": " << json << "\n"
      << "code version " << s.code << "\n";
  return s;
}

RunStart start_run(const RunConfig& c, std::ostream& log, const std::string& header) {
  return start_work(c.threads, config_hash(c), to_json(c), log, header);
}

std::optional<int64_t> finished_run(reports::ResultStore& store, const RunConfig& c,
                                    const RunStart& s, std::ostream& log) {
  if (!reusable_code_version(s.code)) {
    log << "code version " << s.code
        << ": this binary was built outside a git checkout, so earlier results "
        << "are never reused\n";
    return std::nullopt;
  }
  if (c.force) return std::nullopt;
  const std::optional<int64_t> id = store.find_finished(s.hash, s.code);
  if (id) {
    log << "run '" << c.run_name << "' already finished as run #" << *id << " with code " << s.code
        << " in " << c.db << "; skipping (--force to run again)\n";
  }
  return id;
}

int64_t begin_run(reports::ResultStore& store, const RunConfig& c, const RunStart& s,
                  const datasets::Dataset& data, const reports::Provenance& extra) {
  const reports::RunRecord run{
      c.run_name, to_json(c), s.hash,  s.code,     static_cast<int64_t>(c.seed),
      c.dataset,  c.backbone, c.model, c.schedule, c.device,
      c.precision};
  reports::Provenance provenance =
      collect_provenance(c.threads, s.openblas_threads, c.workers, c.device);
  for (const auto& [key, value] : extra) provenance[key] = value;
  return store.begin_run(run, provenance, dataset_record(data));
}

void mark_failed_on_error(metrics::Recorder& recorder, const std::function<void()>& work,
                          const std::function<std::string(const std::string&)>& context) {
  try {
    work();
  } catch (const std::exception& e) {
    std::string message = e.what();
    const std::string more = context ? context(message) : std::string();
    if (!more.empty()) message += "; " + more;
    recorder.mark("failed", message);
    throw;
  }
}

reports::DatasetRecord dataset_record(const datasets::Dataset& d) {
  reports::DatasetRecord r;
  r.name = d.index.name;
  r.root = d.index.root;
  r.index_digest = d.index.digest;
  r.class_names_json = nlohmann::json(d.index.class_names).dump();
  r.report_text = datasets::format_report(d.index.train.report) + "\n" +
                  datasets::format_report(d.index.val.report) +
                  "\nnode embeddings: " + d.embedding_source + "\nlayout: " + d.index.layout;
  r.train_size = static_cast<int64_t>(d.index.train.samples.size());
  r.val_size = static_cast<int64_t>(d.index.val.samples.size());
  const size_t n = d.index.class_names.size() + 2;
  if (d.correlation.size() == n * n) {
    nlohmann::json rows = nlohmann::json::array();
    for (size_t i = 0; i < n; ++i) {
      nlohmann::json row = nlohmann::json::array();
      for (size_t j = 0; j < n; ++j) {
        const double v = d.correlation[i * n + j];
        row.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr));
      }
      rows.push_back(row);
    }
    r.label_correlation_json = rows.dump();
  }
  return r;
}

}  // namespace fer::experiments
