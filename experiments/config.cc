#include "experiments/config.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <charconv>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "core/json.h"
#include "core/user_path.h"
#include "datasets/dataset.h"
#include "experiments/config_fields.h"
#include "experiments/config_ranges.h"
#include "experiments/graph_flags.h"
#include "experiments/options.h"
#include "models/names.h"
#include "reports/store.h"

namespace fer::experiments {
namespace po = boost::program_options;
namespace {

po::options_description describe(RunConfig& c) {
  po::options_description d(
      "runner: train and evaluate one Emotion-GCN ablation, results to SQLite");
  d.add_options()("help", "show this help")(
      "dataset", po::value(&c.dataset)->default_value(c.dataset),
      "affectnet | affwild2 | synth-affectnet | synth-affwild2")(
      "data_root", po::value(&c.data_root),
      "directory of the real dataset (original on-disk layout)")(
      "backbone", po::value(&c.backbone)->default_value(c.backbone), "densenet | bregnext")(
      "model", po::value(&c.model)->default_value(c.model),
      "single_task | multi_task | emotion_gcn")(
      "schedule", po::value(&c.schedule)->default_value(c.schedule),
      "paper | smoke | auto (smoke for synthetic sets, paper otherwise)")(
      "epochs", po::value(&c.epochs), "epochs (paper 10; smoke 5)")(
      "batch_size", po::value(&c.batch_size),
      "batch size (paper 35; smoke 32 DenseNet, 16 BReG-NeXt)")(
      "lr", po::value(&c.lr), "SGD learning rate (paper 0.001, smoke 0.01)")(
      "momentum", po::value(&c.momentum), "SGD momentum (0.9)")(
      "weight_decay", po::value(&c.weight_decay), "SGD weight decay (0.001)")(
      "lambda", po::value(&c.lambda), "weight of the 1 - CCC valence/arousal loss (1)")(
      "lr_step", po::value(&c.lr_step), "StepLR step in epochs (paper 10; smoke 4)")(
      "lr_gamma", po::value(&c.lr_gamma), "StepLR factor (0.1)")(
      "early_stop", po::value(&c.early_stop),
      "stop after this many epochs without validation-accuracy gain (10)")(
      "input_size", po::value(&c.input_size),
      "input pixels (paper: 227 DenseNet on AffectNet, else 112; smoke: 32 DenseNet, 16 "
      "BReG-NeXt)")("class_weights", po::value(&c.class_weights)->default_value(c.class_weights),
                    "auto (AffectNet-format on, Aff-Wild2 off, as the reference) | on | off")(
      "augment", "training augmentation (flip, rotation) on (the paper schedule's default)")(
      "no_augment", "training augmentation off (the smoke schedule's default)")(
      "color_jitter", po::value(&c.color_jitter)->default_value(c.color_jitter),
      "brightness/contrast/saturation jitter (the reference's is 0)")(
      "decode", po::value(&c.decode)->default_value(c.decode),
      "scaled (JPEG DCT scaling to the smallest size covering the crop) | full")(
      "preprocess", po::value(&c.preprocess)->default_value(c.preprocess),
      "reference (the reference's own chain) | fast (one warp) | auto (paper: reference, smoke: "
      "fast)")("seed", po::value<std::string>()->default_value("0"),
               "seed of initialisation, batch order and augmentation (0 to 2^53)")(
      "device", po::value(&c.device)->default_value(c.device), "cpu | cuda | cuda:N")(
      "precision", po::value(&c.precision)->default_value(c.precision),
      "fp32 | fp16 | bf16 (autocast)")("channels_last", "channels-last memory format")(
      "threads", po::value(&c.threads),
      "intra-op (OpenMP) and OpenBLAS threads (default: all cores; in a data-parallel job, the "
      "cores / the ranks on this machine)")(
      "workers", po::value(&c.workers),
      "data loader threads (default: 2 on the CPU; on CUDA the cores but two, 2 to 16, divided "
      "among the ranks on this machine)")(
      "pretrained", po::value(&c.pretrained),
      "torchvision densenet121-*.pth (ImageNet) for the DenseNet backbone")(
      "glove", po::value(&c.glove),
      "GloVe text file for the label-node embeddings (default: documented fallback)")(
      "db", po::value(&c.db), "SQLite result store (default: results.db in the workspace)")(
      "run_name", po::value(&c.run_name),
      "name of the run (default: dataset_backbone_model_sSEED)")(
      "cache_dir", po::value(&c.cache_dir),
      "synthetic data and index cache (default: ~/.cache/emogcn-bench)")(
      "checkpoint_dir", po::value(&c.checkpoint_dir),
      "checkpoints (default: checkpoints/ beside the database)")(
      "resume", "continue the interrupted run with this config from its last checkpoint")(
      "force", "run even if this config already finished with this code version")(
      "skip_bad_rows",
      "skip defective rows and images (counted by defect and listed) instead of failing")(
      "image_check", po::value(&c.image_check)->default_value(c.image_check),
      "before training, check every image: decode | header | off")(
      "synth_train_per_class",
      po::value(&c.synth_train_per_class)->default_value(c.synth_train_per_class),
      "synthetic training images per class (mean)")(
      "synth_val_per_class",
      po::value(&c.synth_val_per_class)->default_value(c.synth_val_per_class),
      "synthetic validation images per class")(
      "synth_label_noise", po::value(&c.synth_label_noise)->default_value(c.synth_label_noise),
      "share of synthetic training images drawn with a random expression (their own in 1 of 7 "
      "cases) instead of their label's (label noise)")(
      "shuffle_train_labels",
      "deliberately break training by permuting the training labels (gate self-test)")(
      "interrupt_after_steps", po::value(&c.interrupt_after_steps)->default_value(0),
      "testing aid: act as if Ctrl-C arrived after N steps")(
      "nproc", po::value(&c.nproc)->default_value(0),
      "data-parallel: start N local ranks (Gloo) and wait for them; under torchrun/srun the "
      "launcher's RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT are read instead")(
      "dist_backend", po::value(&c.dist_backend)->default_value(c.dist_backend),
      "distributed backend: auto (nccl with --device cuda, else gloo; as PyTorch) | gloo | nccl "
      "(CUDA builds)")(
      "dist_timeout", po::value(&c.dist_timeout)->default_value(c.dist_timeout),
      "seconds the rendezvous and each collective may take before every rank stops with an error")(
      "testing_die_rank", po::value(&c.testing_die_rank)->default_value(-1),
      "testing aid: this rank exits abruptly (as if killed) ...")(
      "testing_die_after_steps", po::value(&c.testing_die_after_steps)->default_value(0),
      "... after this many training steps");
  add_graph_flags(d, c);
  return d;
}

void check_name(const std::string& flag, const std::string& value,
                const std::vector<std::string>& valid) {
  if (std::find(valid.begin(), valid.end(), value) != valid.end()) return;
  std::string list;
  for (const auto& v : valid) list += (list.empty() ? "" : ", ") + v;
  throw Error("parse options", "", 0, flag, "unknown value '" + value + "'; valid: " + list);
}

// Boost would read "-1" into an unsigned seed as 2^64 - 1; seeds are parsed strictly instead.
uint64_t parse_seed(const std::string& text) {
  uint64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || v > (uint64_t{1} << 53)) {
    throw Error("check options", "", 0, "seed",
                "--seed must be an integer in [0, 9007199254740992], got '" + text + "'");
  }
  return v;
}

void check_device(const std::string& device) {
  if (device == "cpu" || device == "cuda") return;
  const std::string index = device.rfind("cuda:", 0) == 0 ? device.substr(5) : "";
  const bool digits = !index.empty() && index.size() <= 4 &&
                      index.find_first_not_of("0123456789") == std::string::npos;
  if (!digits) check_name("device", device, {"cpu", "cuda", "cuda:N"});
}

template <typename T>
void set_default(T& field, T value) {
  if (field < 0) field = value;
}

}  // namespace

std::vector<std::string> schedule_names() { return {"paper", "smoke", "auto"}; }
std::vector<std::string> precision_names() { return {"fp32", "fp16", "bf16"}; }

std::string default_db_path() {
  const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  return (ws && *ws) ? std::string(ws) + "/results.db" : "results.db";
}

std::string run_config_help() {
  RunConfig c;
  std::ostringstream out;
  out << describe(c);
  return out.str();
}

bool parse_run_config(int argc, const char* const* argv, RunConfig* config) {
  RunConfig c;
  po::options_description desc = describe(c);
  po::variables_map vm;
  parse_options(argc, argv, desc, &vm);
  if (vm.count("help")) {
    std::printf("%s\n", run_config_help().c_str());
    return false;
  }
  c.seed = parse_seed(vm["seed"].as<std::string>());
  // Only what was given is checked here (the rest is unset until resolve() fills it in); an
  // explicit value never means "unset".
  check_flag_ranges(
      c, [&vm](const std::string& flag) { return vm.count(flag) > 0 && !vm[flag].defaulted(); });
  c.channels_last = vm.count("channels_last") > 0;
  c.resume = vm.count("resume") > 0;
  c.force = vm.count("force") > 0;
  c.skip_bad_rows = vm.count("skip_bad_rows") > 0;
  if (vm.count("augment") > 0 && vm.count("no_augment") > 0) {
    throw Error("parse options", "", 0, "augment",
                "--augment and --no_augment contradict each other");
  }
  c.augment = vm.count("augment") > 0 ? 1 : vm.count("no_augment") > 0 ? 0 : -1;
  c.shuffle_train_labels = vm.count("shuffle_train_labels") > 0;
  read_graph_switches(vm, c);
  for (std::string* path :
       {&c.data_root, &c.pretrained, &c.glove, &c.db, &c.cache_dir, &c.checkpoint_dir}) {
    *path = user_path(*path);
  }
  *config = c;
  return true;
}

int default_workers(const std::string& device, unsigned cores) {
  if (device.rfind("cuda", 0) != 0) return 2;
  return static_cast<int>(std::clamp(cores > 2 ? cores - 2 : 0u, 2u, 16u));
}

RunConfig resolve(RunConfig c) {
  check_name("dataset", c.dataset, datasets::dataset_names());
  check_name("backbone", c.backbone, models::backbone_names());
  check_name("model", c.model, models::model_kind_names());
  check_name("schedule", c.schedule, schedule_names());
  check_name("precision", c.precision, precision_names());
  check_name("class_weights", c.class_weights, {"auto", "on", "off"});
  check_name("decode", c.decode, {"scaled", "full"});
  check_name("preprocess", c.preprocess, {"auto", "reference", "fast"});
  check_name("image_check", c.image_check, {"decode", "header", "off"});
  check_name("dist_backend", c.dist_backend, {"auto", "gloo", "nccl"});
  check_device(c.device);
  const bool synthetic = datasets::is_synthetic(c.dataset);
  if (c.schedule == "auto") c.schedule = synthetic ? "smoke" : "paper";
  const bool paper = c.schedule == "paper";
  const bool affectnet = c.dataset == "affectnet" || c.dataset == "synth-affectnet";
  // smoke: sized so that both backbones learn the synthetic twin within minutes on 2 cores
  // (README, "Main job"); BReG-NeXt keeps full resolution through 15 of its units, hence its
  // smaller input.
  const bool densenet = c.backbone == "densenet";
  set_default(c.epochs, paper ? 10 : 5);
  set_default(c.batch_size, int64_t{paper ? 35 : densenet ? 32 : 16});
  set_default(c.lr, paper ? 0.001 : 0.01);
  set_default(c.momentum, 0.9);
  set_default(c.weight_decay, 0.001);
  set_default(c.lambda, 1.0);
  set_default(c.lr_step, paper ? 10 : 4);
  set_default(c.lr_gamma, 0.1);
  set_default(c.early_stop, 10);
  set_default(c.input_size, paper ? ((densenet && affectnet) ? 227 : 112) : densenet ? 32 : 16);
  set_default(c.augment, paper ? 1 : 0);
  set_default(c.threads, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  set_default(c.workers, default_workers(c.device, std::thread::hardware_concurrency()));
  if (c.class_weights == "auto") c.class_weights = affectnet ? "on" : "off";
  if (c.preprocess == "auto") c.preprocess = paper ? "reference" : "fast";
  check_flag_ranges(c, [](const std::string&) { return true; });
  resolve_graph(c);
  if (!synthetic && c.data_root.empty()) {
    throw Error("resolve options", "", 0, "data_root",
                "the real " + c.dataset + " dataset needs --data_root");
  }
  // A synthetic twin is generated, never read: a root given with it would be ignored, and the
  // run would train other data than the user named (--dataset defaults to synth-affectnet).
  if (synthetic && !c.data_root.empty()) {
    throw Error("resolve options", "", 0, "data_root",
                "--data_root " + c.data_root + " names a real dataset, but --dataset is '" +
                    c.dataset +
                    "' (a generated synthetic twin, the default); add --dataset affectnet or "
                    "--dataset affwild2 to "
                    "train on that folder, or drop --data_root");
  }
  if (!c.pretrained.empty() && c.backbone != "densenet") {
    throw Error(
        "resolve options", c.pretrained, 0, "pretrained",
        "--pretrained takes torchvision's DenseNet-121 ImageNet weights, but --backbone is '" +
            c.backbone +
            "' (the paper trains BReG-NeXt-50 from scratch); drop --pretrained for this backbone");
  }
  if (c.preprocess == "reference" && c.color_jitter != 0) {
    throw Error("resolve options", "", 0, "color_jitter",
                "the reference's chain has no colour jitter (its ColorJitter() is a no-op); use "
                "--preprocess fast");
  }
  if (c.precision == "fp16" && c.device == "cpu") {
    throw Error("resolve options", "", 0, "precision",
                "fp16 autocast needs a CUDA device; use bf16 on CPU");
  }
  if (c.db.empty()) c.db = default_db_path();
  if (c.run_name.empty())
    c.run_name = c.dataset + "_" + c.backbone + "_" + c.model + "_s" + std::to_string(c.seed);
  if (c.checkpoint_dir.empty()) {
    const auto slash = c.db.rfind('/');
    c.checkpoint_dir =
        (slash == std::string::npos ? std::string(".") : c.db.substr(0, slash)) + "/checkpoints";
  }
  return c;
}

std::string to_json(const RunConfig& c) { return stored_fields(c).dump(); }

std::string config_hash(const RunConfig& c) { return reports::config_hash_of_json(to_json(c)); }

}  // namespace fer::experiments
