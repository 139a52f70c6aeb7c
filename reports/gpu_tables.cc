#include "reports/gpu_tables.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "core/error.h"
#include "core/text.h"
#include "reports/bench_name.h"

namespace fer::reports {
namespace {

constexpr const char* kEagerHeader =
    "model,batch,precision,memory_format,device,torch,images_per_s";
const char* const kEagerFields[] = {"model",  "batch", "precision",   "memory_format",
                                    "device", "torch", "images_per_s"};

// (model, batch, precision, memory format): one case of both sides.
using CaseKey = std::tuple<std::string, int64_t, std::string, std::string>;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Images/s: whole numbers, one decimal below 100 (the CPU rehearsal's rates are single digits).
std::string rate(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", v < 100 ? 1 : 0, v);
  return buf;
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

struct Measured {
  std::map<CaseKey, std::vector<double>> rates;
  std::map<CaseKey, double> flops;  // Per image.
};

// Model benchmarks of `session`, or (session 0) of the newest session that measured each kind
// (the GPU check stores its training-step and forward benchmarks as two sessions).
std::map<std::string, Measured> read_measured(Database& db, int64_t session,
                                              std::vector<std::string>& errors) {
  std::map<std::string, Measured> by_what;
  std::map<std::string, int64_t> session_of;
  for (const auto& row :
       db.query("SELECT session_id, name, images_per_s, flops_per_image, error FROM bench_results "
                "WHERE ?1 = 0 OR session_id = ?1 ORDER BY session_id DESC, name, repetition",
                {session})) {
    const auto b = parse_bench_name(as_string(row[1]));
    if (!b) continue;  // The pipeline's benchmarks have tables of their own.
    const auto id = static_cast<int64_t>(as_double(row[0]));
    if (session_of.emplace(b->what, id).first->second != id) continue;
    if (!as_string(row[4]).empty()) {
      const std::string e = b->key() + ": " + as_string(row[4]);
      if (std::find(errors.begin(), errors.end(), e) == errors.end()) errors.push_back(e);
      continue;
    }
    const CaseKey key{b->model, b->batch, b->precision, b->memory_format};
    by_what[b->what].rates[key].push_back(as_double(row[2]));
    by_what[b->what].flops[key] = as_double(row[3]);
  }
  return by_what;
}

std::string provenance_line(Database& db, int64_t session) {
  std::map<std::string, std::string> p;
  for (const auto& row :
       db.query("SELECT key, value FROM bench_provenance WHERE session_id = ?1", {session})) {
    p[as_string(row[0])] = as_string(row[1]);
  }
  auto get = [&](const std::string& k) {
    return p.count(k) && !p[k].empty() ? p[k] : std::string("?");
  };
  std::string line = "LibTorch " + get("libtorch") + "; host " + get("host") + ", " +
                     get("cpu_model") + ", " + get("cores") + " cores";
  if (p.count("gpu_name")) {
    line += "; GPU " + get("gpu_name") + " (capability " + get("gpu_capability") + ", " +
            get("gpu_memory_gib") + " GiB), driver " + get("gpu_driver") + ", CUDA runtime " +
            get("cuda_runtime") + ", cuDNN " + get("cudnn");
  }
  return line;
}

void training_tables(std::ostringstream& md, const Measured& ours,
                     const std::map<CaseKey, double>& eager) {
  md << "## Training step: C++ (the runner's step) against eager PyTorch\n\n"
     << "| Model | Batch | Precision | Memory format | C++ img/s | Eager img/s | C++ / eager |\n"
     << "| --- | ---: | --- | --- | ---: | ---: | ---: |\n";
  for (const auto& [key, rates] : ours.rates) {
    const auto& [model, batch, precision, format] = key;
    const double c = median(rates);
    const auto e = eager.find(key);
    md << "| " << model << " | " << batch << " | " << precision << " | " << format << " | "
       << rate(c) << " | " << (e == eager.end() ? "-" : rate(e->second)) << " | "
       << (e == eager.end() || e->second <= 0 ? "-" : fixed(c / e->second, 2)) << " |\n";
  }
  md << "\n## The fastest C++ configuration against the reference recipe (eager fp32, contiguous, "
        "batch 35)\n\n"
     << "| Model | Fastest C++ case | C++ img/s | Reference recipe img/s | Speed-up |\n"
     << "| --- | --- | ---: | ---: | ---: |\n";
  std::map<std::string, std::pair<CaseKey, double>> best;
  for (const auto& [key, rates] : ours.rates) {
    const double c = median(rates);
    auto it = best.find(std::get<0>(key));
    if (it == best.end() || c > it->second.second) best[std::get<0>(key)] = {key, c};
  }
  for (const auto& [model, b] : best) {
    const auto& [key, c] = b;
    const auto e = eager.find(CaseKey{model, 35, "fp32", "contiguous"});
    md << "| " << model << " | bs " << std::get<1>(key) << ", " << std::get<2>(key) << ", "
       << std::get<3>(key) << " | " << rate(c) << " | "
       << (e == eager.end() ? "-" : rate(e->second)) << " | "
       << (e == eager.end() || e->second <= 0 ? "-" : fixed(c / e->second, 2)) << " |\n";
  }
  md << "\n";
}

void forward_table(std::ostringstream& md, const Measured& forward) {
  md << "## Inference (eval-mode forward)\n\n"
     << "| Model | Batch | Precision | Memory format | img/s | TFLOP/s |\n"
     << "| --- | ---: | --- | --- | ---: | ---: |\n";
  for (const auto& [key, rates] : forward.rates) {
    const auto& [model, batch, precision, format] = key;
    const double c = median(rates), flops = forward.flops.at(key);
    md << "| " << model << " | " << batch << " | " << precision << " | " << format << " | "
       << rate(c) << " | " << (flops > 0 ? fixed(c * flops / 1e12, 1) : "-") << " |\n";
  }
  md << "\n";
}

}  // namespace

std::vector<EagerRow> read_eager_csv(const std::string& path) {
  std::vector<EagerRow> rows;
  if (!std::ifstream(path)) return rows;
  const std::string body = text::read_file(path, "read eager throughput CSV");
  const char* kOp = "read eager throughput CSV";
  text::for_each_line(body, [&](long line, std::string_view l) {
    if (line == 1) {
      if (l != kEagerHeader)
        throw Error(kOp, path, line, "header", "expected '" + std::string(kEagerHeader) + "'");
      return;
    }
    if (l.empty()) return;
    const auto f = text::split(l, ',');
    if (f.size() != 7) {
      throw Error(kOp, path, line, f.size() < 7 ? kEagerFields[f.size()] : "images_per_s",
                  "expected 7 fields, got " + std::to_string(f.size()));
    }
    EagerRow r{std::string(f[0]),
               std::string(f[2]),
               std::string(f[3]),
               std::string(f[4]),
               std::string(f[5]),
               0,
               0};
    const auto batch = text::parse_int(f[1]);
    if (!batch || *batch <= 0)
      throw Error(kOp, path, line, "batch", "not a positive integer: '" + std::string(f[1]) + "'");
    const auto rate = text::parse_double(f[6]);
    if (!rate || *rate < 0)
      throw Error(kOp, path, line, "images_per_s", "not a rate >= 0: '" + std::string(f[6]) + "'");
    r.batch = *batch;
    r.images_per_s = *rate;
    rows.push_back(r);
  });
  return rows;
}

std::string render_gpu_tables(Database& db, int64_t session,
                              const std::vector<EagerRow>& eager_rows) {
  std::ostringstream md;
  md << "# GPU throughput\n\n";
  int64_t newest = session;
  if (newest == 0) {
    const auto r = db.query("SELECT MAX(id) FROM bench_sessions");
    newest = r.empty() || as_string(r[0][0]).empty() ? 0 : static_cast<int64_t>(as_double(r[0][0]));
  }
  const auto s = db.query(
      "SELECT label, device, started_at, peak_gflops FROM bench_sessions WHERE id = ?1", {newest});
  if (s.empty()) {
    md << "No benchmark session was recorded (the throughput step did not run or was cut off "
          "first).\n";
    return md.str();
  }
  md << "Session #" << newest << " '" << as_string(s[0][0]) << "' on " << as_string(s[0][1])
     << ", started " << as_string(s[0][2]) << ". " << provenance_line(db, newest)
     << ". Measured fp32 matrix-product peak: " << fixed(as_double(s[0][3]) / 1000.0, 1)
     << " TFLOP/s. Medians over repetitions; '-': not measured.\n\n";
  std::vector<std::string> errors;
  const auto measured = read_measured(db, session, errors);
  std::map<CaseKey, double> eager;
  for (const auto& r : eager_rows)
    eager[{r.model, r.batch, r.precision, r.memory_format}] = r.images_per_s;
  const auto train = measured.find("TrainStep");
  if (train != measured.end()) {
    training_tables(md, train->second, eager);
  } else {
    md << "No training-step benchmark was measured.\n\n";
  }
  const auto forward = measured.find("Forward");
  if (forward != measured.end()) forward_table(md, forward->second);
  if (!errors.empty()) {
    md << "## Skipped\n\n";
    for (const auto& e : errors) md << "- " << e << "\n";
  }
  return md.str();
}

}  // namespace fer::reports
