#include "experiments/predict_config.h"

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json.h"
#include "core/user_path.h"
#include "experiments/config_ranges.h"
#include "experiments/detect_photos.h"
#include "experiments/graph_flags.h"
#include "experiments/options.h"

namespace fer::experiments {
namespace po = boost::program_options;

bool parse_predict_config(int argc, const char* const* argv, PredictConfig* config) {
  PredictConfig c;
  std::string model, backbone;
  po::options_description desc(
      "predict: expressions (and valence/arousal) of saved weights on new faces, to CSV");
  desc.add_options()("help", "show this help")(
      "checkpoint", po::value(&c.checkpoint),
      "weights (reference script format, bare state dict, or ours) (required)")(
      "input", po::value(&c.input),
      "an AffectNet-format CSV, or a folder of face crops such as an Aff-Wild2 "
      "cropped_aligned video folder, or with --detect photos (a folder or one file) (required)")(
      "detect",
      "find every face in the --input photos (dlib) and predict each, aligned with "
      "its detected eyes; one row per face, and one per photo without a face")(
      "out", po::value(&c.out), "CSV to write (required)")(
      "image_root", po::value(&c.image_root),
      "CSV input: directory its image paths are relative to (default: "
      "<csv dir>/Manually_Annotated_Images if present, else <csv dir>)")(
      "labels", po::value(&c.labels)->default_value(c.labels),
      "class order the model was trained with: affectnet | affwild2")(
      "model", po::value(&model),
      "single_task | multi_task | emotion_gcn (default: read from the file's keys)")(
      "backbone", po::value(&backbone), "densenet | bregnext (default: read from the file's keys)")(
      "glove", po::value(&c.glove),
      "GloVe text file for Emotion-GCN's label nodes (default: documented fallback)")(
      "node_embeddings", po::value(&c.node_embeddings)->default_value(c.node_embeddings),
      "Emotion-GCN's node embeddings as it was trained: auto | glove | fallback | random | "
      "onehot | glove-6b-50d")("seed", po::value(&c.seed)->default_value(c.seed),
                               "the training run's seed (--node_embeddings random)")(
      "device", po::value(&c.device)->default_value(c.device), "cpu | cuda | cuda:N")(
      "precision", po::value(&c.precision)->default_value(c.precision),
      "fp32 | fp16 | bf16 (autocast)")("channels_last", "channels-last memory format")(
      "strict", "stop at the first unreadable image (default: report it and go on)")(
      "input_size", po::value(&c.input_size),
      "input pixels (default: 227 DenseNet with AffectNet labels, else 112)")(
      "preprocess", po::value(&c.preprocess)->default_value(c.preprocess),
      "as the model was trained: reference (the "
      "paper schedule's chain) | fast (the smoke schedule's warp)")(
      "decode", po::value(&c.decode)->default_value(c.decode),
      "JPEG decoding of the fast chain: scaled | full")(
      "batch_size", po::value(&c.batch_size)->default_value(c.batch_size),
      "images per forward pass")("workers", po::value(&c.workers)->default_value(c.workers),
                                 "loader threads")("threads", po::value(&c.threads),
                                                   "intra-op threads (default: all cores)");
  add_detector_flags(desc, &c.detector);
  po::variables_map vm;
  parse_options(argc, argv, desc, &vm);
  if (vm.count("help")) {
    std::ostringstream help;
    help << desc;
    std::printf("%s\n", help.str().c_str());
    return false;
  }
  for (const char* flag : {"checkpoint", "input", "out"}) {
    if (!vm.count(flag))
      throw Error("parse options", "", 0, flag, "--" + std::string(flag) + " is required");
  }
  if (c.labels != "affectnet" && c.labels != "affwild2") {
    throw Error("parse options", "", 0, "labels",
                "unknown value '" + c.labels + "'; valid: affectnet, affwild2");
  }
  try {
    if (!model.empty()) c.model = models::parse_model_kind(model);
    if (!backbone.empty()) c.backbone = models::parse_backbone(backbone);
  } catch (const std::invalid_argument& e) {
    throw Error("parse options", "", 0, model.empty() ? "backbone" : "model", e.what());
  }
  if (c.preprocess != "reference" && c.preprocess != "fast") {
    throw Error("parse options", "", 0, "preprocess",
                "unknown value '" + c.preprocess + "'; valid: reference, fast");
  }
  if (c.decode != "scaled" && c.decode != "full") {
    throw Error("parse options", "", 0, "decode",
                "unknown value '" + c.decode + "'; valid: scaled, full");
  }
  if (c.precision != "fp32" && c.precision != "fp16" && c.precision != "bf16") {
    throw Error("parse options", "", 0, "precision",
                "unknown value '" + c.precision + "'; valid: fp32, fp16, bf16");
  }
  for (std::string* path : {&c.checkpoint, &c.input, &c.out, &c.image_root, &c.glove})
    *path = user_path(*path);
  resolve_node_embeddings(c.node_embeddings, &c.glove);
  c.channels_last = vm.count("channels_last") > 0;
  c.strict = vm.count("strict") > 0;
  c.detect = vm.count("detect") > 0;
  check_detector_flags(&c.detector);
  if (c.detect && !c.image_root.empty()) {
    throw Error("parse options", "", 0, "image_root",
                "--image_root is for CSV input; --detect reads photos from --input");
  }
  if (vm.count("input_size")) check_flag_range("input_size", c.input_size, 4, 1024);
  check_flag_range("batch_size", static_cast<double>(c.batch_size), 1, 65536);
  check_flag_range("workers", c.workers, 0, 256);
  // Boost reads "-1" into the unsigned seed as 2^64 - 1: out of this range too.
  check_flag_range("seed", static_cast<double>(c.seed), 0, 9007199254740992.0);
  if (vm.count("threads")) check_flag_range("threads", c.threads, 1, 1024);
  *config = c;
  return true;
}

std::string to_json(const PredictConfig& c) {
  const auto name_or_null = [](const auto& v) {
    return v ? nlohmann::json(models::to_string(*v)) : nlohmann::json(nullptr);
  };
  nlohmann::json j = {{"checkpoint", c.checkpoint},
                      {"input", c.input},
                      {"out", c.out},
                      {"image_root", c.image_root},
                      {"labels", c.labels},
                      {"model", name_or_null(c.model)},
                      {"backbone", name_or_null(c.backbone)},
                      {"glove", c.glove},
                      {"node_embeddings", c.node_embeddings},
                      {"seed", c.seed},
                      {"device", c.device},
                      {"precision", c.precision},
                      {"channels_last", c.channels_last},
                      {"strict", c.strict},
                      {"input_size", c.input_size},
                      {"preprocess", c.preprocess},
                      {"decode", c.decode},
                      {"batch_size", c.batch_size},
                      {"workers", c.workers},
                      {"threads", c.threads},
                      {"detect", c.detect}};
  if (c.detect) j.update(detector_json(c.detector));
  return canonical(j).dump();
}

}  // namespace fer::experiments
