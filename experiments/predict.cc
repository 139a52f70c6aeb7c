#include "experiments/predict.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "core/hash.h"
#include "datasets/affectnet.h"
#include "datasets/affwild2.h"
#include "datasets/label_stats.h"
#include "datasets/loader.h"
#include "datasets/report.h"
#include "experiments/config_ranges.h"
#include "experiments/detect_photos.h"
#include "experiments/predict_inputs.h"
#include "experiments/predict_rows.h"
#include "experiments/run_lifecycle.h"
#include "models/checkpoint.h"
#include "models/model_inference.h"
#include "training/amp.h"
#include "training/device.h"
#include "training/engine.h"
#include "training/progress.h"

namespace fer::experiments {
namespace fs = boost::filesystem;
namespace {

struct LoadedModel {
  models::EmotionModel model{nullptr};
  models::ModelSpec spec;
};

LoadedModel load(const PredictConfig& c) {
  const models::LoadedCheckpoint ckpt = models::read_checkpoint(c.checkpoint);
  LoadedModel out;
  out.model = models::load_model_from_state(ckpt.model_state, c.checkpoint, c.model, c.backbone);
  if (!c.model || !c.backbone) out.spec = models::infer_model_spec(ckpt.model_state, c.checkpoint);
  if (c.model) out.spec.kind = *c.model;
  if (c.backbone) out.spec.backbone = *c.backbone;
  return out;
}

at::Tensor node_embeddings(const PredictConfig& c, const models::ModelSpec& spec,
                           const std::vector<std::string>& class_names) {
  if (spec.kind != models::ModelKind::kEmotionGcn) return at::Tensor();
  const auto words = datasets::label_words(class_names);
  int dim = static_cast<int>(spec.embedding_dim);
  std::vector<float> values =
      datasets::node_embeddings_for(c.node_embeddings, words, c.glove, c.seed, &dim);
  if (dim != spec.embedding_dim) {
    throw Error("read node embeddings", c.glove, 0, "node_embeddings",
                "--node_embeddings " + c.node_embeddings + " gives " + std::to_string(dim) +
                    "-d vectors; the model's gc1 takes " + std::to_string(spec.embedding_dim) +
                    " (give the embeddings it was trained with)");
  }
  return at::tensor(values, at::kFloat).view({-1, dim});
}

// Each sample's cells after its path: expression, probabilities, valence, arousal, error.
std::vector<std::string> predict_cells(const PredictConfig& c, LoadedModel& m,
                                       const at::Tensor& nodes, const c10::Device& device,
                                       const std::vector<datasets::Sample>& samples,
                                       const std::string& image_root, std::ostream& log,
                                       PredictOutcome* outcome) {
  PredictOutcome& out = *outcome;
  datasets::LoaderOptions lo;
  lo.batch_size = c.batch_size;
  lo.shuffle = false;
  lo.workers = c.workers;
  lo.pin_memory = device.is_cuda();
  lo.keep_going_on_bad_images = !c.strict;
  // As in training (training/engine.h evaluation_loader_options).
  lo.reference_preprocess = c.preprocess == "reference";
  lo.scaled_decode = c.decode == "scaled";
  lo.transform.output_size = c.input_size;
  lo.transform.augment = false;
  datasets::BatchLoader loader(samples, image_root, lo);
  loader.start_epoch(0);

  std::vector<std::string> cells(samples.size());
  if (samples.empty()) return cells;
  const bool va = m.spec.kind != models::ModelKind::kSingleTask;
  m.model->eval();
  torch::NoGradGuard no_grad;
  training::Progress progress(log, "predict", loader.num_batches());
  int64_t batches = 0, done = 0;
  const auto start = std::chrono::steady_clock::now();
  while (auto batch = loader.next()) {
    at::Tensor x = batch->images.to(device);
    if (c.channels_last) x = x.contiguous(at::MemoryFormat::ChannelsLast);
    models::ModelOutput y;
    {
      training::AutocastGuard autocast(training::parse_precision(c.precision), device);
      y = m.model->forward(x, nodes);
    }
    const at::Tensor probs =
        at::softmax(y.expression.to(at::kFloat), 1).to(at::kDouble).cpu().contiguous();
    const at::Tensor vas = va ? y.valence_arousal.to(at::kDouble).cpu().contiguous() : at::Tensor();
    std::vector<std::string> errors(batch->indices.size());
    for (const auto& [i, message] : batch->failures) errors[i] = message;
    for (size_t i = 0; i < batch->indices.size(); ++i) {
      std::string& row = cells[batch->indices[i]];
      ++done;
      if (!errors[i].empty()) {
        ++out.failed;
        log << "WARNING: " << errors[i] << "\n";
        row = empty_cells(out.class_names.size(), errors[i]);
        continue;
      }
      const auto p = probs[i];
      row = "," + out.class_names[p.argmax().item<int64_t>()];
      for (int64_t k = 0; k < p.size(0); ++k) row += "," + number(p[k].item<double>());
      row += va ? "," + number(vas[i][0].item<double>()) + "," + number(vas[i][1].item<double>())
                : std::string(",,");
      row += ",";
    }
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress.update(++batches, std::nan(""), static_cast<double>(done) / std::max(1e-9, elapsed));
  }
  progress.finish();
  return cells;
}

}  // namespace

PredictOutcome predict(const PredictConfig& config, std::ostream& log) {
  PredictConfig c = config;
  PredictOutcome out;
  LoadedModel m = load(c);
  const bool eight = m.spec.num_classes == 8 && c.labels == "affectnet";
  out.class_names = c.labels == "affectnet" ? datasets::affectnet_class_names(eight)
                                            : datasets::affwild2_class_names();
  if (static_cast<int64_t>(out.class_names.size()) != m.spec.num_classes) {
    throw Error("predict", c.checkpoint, 0, "labels",
                "the model has " + std::to_string(m.spec.num_classes) + " classes; --labels " +
                    c.labels + " has " + std::to_string(out.class_names.size()));
  }
  const std::string backbone = models::to_string(m.spec.backbone);
  if (c.input_size < 0)
    c.input_size = (backbone == "densenet" && c.labels == "affectnet") ? 227 : 112;
  if (!input_size_ok(backbone, c.input_size)) {
    throw Error("check options", "", 0, "input_size",
                "--input_size must be " + input_size_rule(backbone) + ", got " +
                    std::to_string(c.input_size));
  }
  if (c.threads <= 0)
    c.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // The images: an AffectNet CSV (aligned with its geometry), a folder of crops, or photos whose
  // faces are found first (aligned with the detected eyes).
  PredictInputs inputs;
  PhotoList photos;
  std::vector<PhotoFace> photo_faces;
  if (c.detect) {
    photos = list_photos(c.input, "input");
    inputs.image_root = photos.root;
  } else {
    inputs = find_predict_inputs(c.input, c.image_root);
  }
  if (!inputs.report.empty()) log << inputs.report << "\n";
  const std::vector<datasets::Sample>& samples = inputs.samples;
  const std::string& image_root = inputs.image_root;

  c.model = m.spec.kind;
  c.backbone = m.spec.backbone;
  const c10::Device device = training::parse_device(c.device);
  if (c.precision == "fp16" && !device.is_cuda()) {
    throw Error("check options", "", 0, "precision",
                "fp16 autocast needs a CUDA device; use bf16 on CPU");
  }
  training::place_model(*m.model, device, c.channels_last);
  at::Tensor nodes = node_embeddings(c, m.spec, out.class_names);
  if (nodes.defined()) nodes = nodes.to(device);
  // A checkpoint does not say which vectors its label nodes had; an unusual size hints that it
  // was one of the embedding ablations.
  if (nodes.defined() && c.glove.empty() && c.node_embeddings == "auto" &&
      m.spec.embedding_dim != 300) {
    log << "WARNING: the model's gc1 takes " << m.spec.embedding_dim
        << "-d node embeddings and --node_embeddings is auto (the documented fallback): if it was "
           "trained with --node_embeddings onehot or random, give the same here\n";
  }
  std::ostringstream header;
  header << "predict: " << backbone << " " << models::to_string(m.spec.kind) << " from "
         << c.checkpoint << "; "
         << (c.detect ? std::to_string(photos.images.size()) + " photo(s), faces detected first,"
                      : std::to_string(samples.size()) + " image(s)")
         << " from " << c.input << "; input " << c.input_size << ", batch " << c.batch_size << ", "
         << c.preprocess << " preprocessing"
         << (c.preprocess == "fast" ? " (" + c.decode + " decoding)" : std::string()) << ", "
         << c.device << " " << c.precision << ", " << c.threads << " thread(s), " << c.workers
         << " worker(s) -> " << c.out << "\n";
  const std::string json = to_json(c);
  start_work(c.threads, fnv1a_hex(json), json, log, header.str());
  PatchFolder patches;
  if (c.detect) {
    patches.create(c.out);
    photo_faces = detect_photos(photos, c.detector, c.threads, c.strict, log, patches.path);
    inputs.samples = face_samples(photo_faces);
  }
  std::vector<std::string> cells =
      predict_cells(c, m, nodes, device, samples, image_root, log, &out);

  const std::string tmp = c.out + ".partial";
  std::ofstream csv(tmp);
  if (!csv) throw Error("write predictions", tmp, 0, "out", "cannot create the file");
  csv << (c.detect ? kFaceColumns : "path") << ",expression";
  for (const auto& name : out.class_names) csv << ",p_" << name;
  csv << ",valence,arousal,error\n";
  if (c.detect) {
    size_t sample = 0;
    for (const PhotoFace& f : photo_faces) {
      csv << face_cells(f);
      if (f.face >= 0) {
        csv << cells[sample++] << "\n";
      } else {
        csv << empty_cells(out.class_names.size(), f.error) << "\n";
      }
    }
    out.images = static_cast<int64_t>(photo_faces.size());
  } else {
    for (size_t i = 0; i < samples.size(); ++i)
      csv << csv_field(samples[i].image) << cells[i] << "\n";
    out.images = static_cast<int64_t>(samples.size());
  }
  csv.close();
  if (!csv) throw Error("write predictions", tmp, 0, "out", "write failed");
  fs::rename(tmp, c.out);
  if (c.detect) {
    log << "wrote " << out.images << " row(s) to " << c.out << " (" << samples.size()
        << " face(s) predicted";
    if (out.failed) log << ", " << out.failed << " unreadable";
    log << ")\n";
  } else {
    log << "wrote " << out.images << " prediction(s) to " << c.out;
    if (out.failed) log << " (" << out.failed << " unreadable image(s): rows with an error)";
    log << "\n";
  }
  return out;
}

}  // namespace fer::experiments
