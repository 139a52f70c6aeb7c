#include "experiments/evaluate.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <boost/filesystem.hpp>
#include <boost/program_options.hpp>
#include <cstdio>
#include <limits>
#include <optional>
#include <sstream>

#include "core/error.h"
#include "core/sha256.h"
#include "core/user_path.h"
#include "experiments/code_version.h"
#include "experiments/config_fields.h"
#include "experiments/options.h"
#include "experiments/provenance.h"
#include "experiments/run_data.h"
#include "experiments/run_lifecycle.h"
#include "experiments/train_options.h"
#include "models/checkpoint.h"
#include "models/model_inference.h"
#include "third_party/torch_info.h"
#include "training/device.h"
#include "training/engine.h"

namespace fer::experiments {
namespace po = boost::program_options;
namespace {

bool given(const std::vector<std::string>& args, const std::string& flag) {
  for (const auto& a : args) {
    if (a == "--" + flag || a.rfind("--" + flag + "=", 0) == 0) return true;
  }
  return false;
}

// The model the file holds, with --model / --backbone applied on top.
models::EmotionModel load_model(const EvaluateConfig& e, const models::LoadedCheckpoint& ckpt) {
  std::optional<models::ModelKind> kind;
  std::optional<models::Backbone> backbone;
  if (e.model_given) kind = models::parse_model_kind(e.run.model);
  if (e.backbone_given) backbone = models::parse_backbone(e.run.backbone);
  return models::load_model_from_state(ckpt.model_state, e.run.checkpoint, kind, backbone);
}

// Emotion-GCN's label nodes must have the size its first graph convolution takes: the file does
// not say which vectors it was trained with, but a size that differs is certainly wrong.
void check_node_embeddings(models::EmotionModelImpl& model, const RunConfig& c,
                           const datasets::Dataset& data) {
  for (const auto& p : model.named_parameters()) {
    if (p.key() != "gc1.weight" || p.value().size(0) == data.embedding_dim) continue;
    throw Error("evaluate checkpoint", c.checkpoint, 0, "node_embeddings",
                "the model's gc1 takes " + std::to_string(p.value().size(0)) +
                    "-d node embeddings; " + data.embedding_source + " gives " +
                    std::to_string(data.embedding_dim) +
                    "-d: give the ones it was trained with (--glove FILE, or --node_embeddings "
                    "onehot | random | glove-6b-50d)");
  }
}

// The validation split's classes must be the ones the model predicts.
void check_classes(models::EmotionModelImpl& model, const RunConfig& c,
                   const datasets::Dataset& data) {
  const int64_t classes = static_cast<int64_t>(data.index.class_names.size());
  int64_t outputs = 0;
  {
    torch::NoGradGuard no_grad;
    outputs =
        model
            .forward(at::zeros({2, 3, c.input_size, c.input_size}),
                     at::tensor(data.node_embeddings, at::kFloat).view({-1, data.embedding_dim}))
            .expression.size(1);
  }
  if (outputs != classes) {
    throw Error("evaluate checkpoint", c.checkpoint, 0, "model_state_dict",
                "the model predicts " + std::to_string(outputs) + " classes; " + c.dataset +
                    " has " + std::to_string(classes));
  }
}

// The stored outcome of an evaluation: nothing trained, so no training throughput (NULL).
metrics::FinalRecord final_record(const training::Evaluation& ev, int64_t epoch,
                                  const std::string& checkpoint, const c10::Device& device) {
  metrics::FinalRecord f;
  f.best_epoch = epoch;
  f.val = ev.metrics;
  f.per_class_recall = ev.per_class;
  f.confusion = ev.confusion;
  f.train_images_per_s = std::numeric_limits<double>::quiet_NaN();
  f.eval_images_per_s = ev.images_per_s;
  f.peak_rss_mb = training::peak_rss_mb();
  f.peak_cuda_mb = training::cuda_peak_mb(device);
  f.checkpoint_path = checkpoint;
  f.samples = ev.samples;
  return f;
}

}  // namespace

bool parse_evaluate_config(int argc, const char* const* argv, EvaluateConfig* config) {
  EvaluateConfig e;
  po::options_description desc(
      "evaluate: evaluate saved weights on a validation split, results to SQLite");
  desc.add_options()("help", "show this help")(
      "checkpoint", po::value(&e.run.checkpoint),
      "weights: the reference script's {'model_state_dict', ...}, a bare "
      "state dict, or one of our .best.pth files (required)");
  po::variables_map vm;
  const std::vector<std::string> rest =
      parse_options(argc, argv, desc, &vm, /*allow_unknown=*/true);
  if (vm.count("help")) {
    std::ostringstream help;
    help << desc << "\nand the runner's flags for the data and the device:\n" << run_config_help();
    std::printf("%s\n", help.str().c_str());
    return false;
  }
  if (e.run.checkpoint.empty())
    throw Error("parse options", "", 0, "checkpoint", "--checkpoint FILE is required");
  for (const auto& flag : field_names(FieldUse::kTraining)) {
    if (given(rest, flag))
      throw Error("parse options", "", 0, flag, "--" + flag + " is a training flag");
  }
  // Evaluation runs in one process (the validation split of one machine).
  for (const auto& flag : field_names(FieldUse::kDataParallel)) {
    if (given(rest, flag)) {
      throw Error("parse options", "", 0, flag,
                  "--" + flag + " is a data-parallel training flag; evaluate runs in one process");
    }
  }
  std::vector<const char*> args = {argv[0]};
  for (const auto& r : rest) args.push_back(r.c_str());
  const std::string checkpoint = e.run.checkpoint;
  if (!parse_run_config(static_cast<int>(args.size()), args.data(), &e.run)) return false;
  e.run.checkpoint = user_path(checkpoint);
  e.model_given = given(rest, "model");
  e.backbone_given = given(rest, "backbone");
  *config = e;
  return true;
}

EvaluateOutcome evaluate_checkpoint(const EvaluateConfig& e, std::ostream& log) {
  EvaluateOutcome out;
  RunConfig c = e.run;
  c.checkpoint_sha256 = sha256_file(c.checkpoint);  // Also: a missing file fails here, naming it.
  const models::LoadedCheckpoint ckpt = models::read_checkpoint(c.checkpoint);
  models::EmotionModel model = load_model(e, ckpt);  // Strict: every difference listed.
  out.checkpoint_epoch = ckpt.epoch;
  // What the file holds decides the model (unless overridden); input size and the rest follow
  // from it as for training.
  if (!e.model_given || !e.backbone_given) {
    out.spec = models::infer_model_spec(ckpt.model_state, c.checkpoint);
    if (!e.model_given) c.model = models::to_string(out.spec.kind);
    if (!e.backbone_given) c.backbone = models::to_string(out.spec.backbone);
  }
  out.spec.kind = models::parse_model_kind(c.model);
  out.spec.backbone = models::parse_backbone(c.backbone);
  if (c.run_name.empty()) {
    c.run_name = "eval_" + boost::filesystem::path(c.checkpoint).stem().string() + "_" + c.dataset;
  }
  c = resolve(c);
  c.schedule = "checkpoint";
  const RunStart start = start_run(
      c, log,
      "checkpoint " + c.checkpoint + " (sha256 " + c.checkpoint_sha256 + ", epoch " +
          std::to_string(ckpt.epoch) + "): " + c.backbone + " " + c.model +
          (e.model_given || e.backbone_given ? " (as given)" : " (from its keys)") + "\n");
  const boost::filesystem::path db_dir = boost::filesystem::path(c.db).parent_path();
  if (!db_dir.empty()) boost::filesystem::create_directories(db_dir);
  reports::ResultStore store(c.db);
  if (const auto id = finished_run(store, c, start, log)) {
    out.run_id = *id;
    out.status = "skipped";
    return out;
  }
  const datasets::Dataset data = open_run_data(c, &log);
  check_node_embeddings(*model, c, data);
  check_classes(*model, c, data);
  if (c.model == "emotion_gcn" && data.embedding_source.rfind("fallback", 0) == 0) {
    log << "WARNING: node embeddings: " << data.embedding_source
        << "; released Emotion-GCN weights expect the reference's GloVe vectors (--glove)\n";
  }
  const c10::Device device = training::parse_device(c.device);
  training::place_model(*model, device, c.channels_last);
  out.run_id = begin_run(store, c, start, data,
                         {{"checkpoint", c.checkpoint},
                          {"checkpoint_sha256", c.checkpoint_sha256},
                          {"checkpoint_epoch", std::to_string(ckpt.epoch)}});
  log << "evaluation run #" << out.run_id << " '" << c.run_name << "' -> " << c.db << " on "
      << device << "\n";
  reports::StoreRecorder recorder(store, out.run_id);
  mark_failed_on_error(recorder, [&] {
    datasets::BatchLoader loader(
        data.index.val.samples, data.index.image_root,
        training::evaluation_loader_options(data_options(c), c.seed, device));
    training::EvalSetup setup = training::eval_setup(train_options(c, out.run_id), data, device);
    setup.progress = &log;
    out.evaluation = training::evaluate_model(*model, loader, setup);
    recorder.finish(final_record(out.evaluation, ckpt.epoch, c.checkpoint, device));
  });
  out.status = "finished";
  log << "finished evaluation #" << out.run_id << ": accuracy " << out.evaluation.metrics.accuracy
      << ", macro F1 " << out.evaluation.metrics.macro_f1;
  if (out.evaluation.metrics.has_va) {
    log << ", CCC-V " << out.evaluation.metrics.ccc_valence << ", CCC-A "
        << out.evaluation.metrics.ccc_arousal;
  }
  log << "\n";
  return out;
}

}  // namespace fer::experiments
