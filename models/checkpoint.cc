#include "models/checkpoint.h"

#include <ATen/ATen.h>
#include <ATen/core/Dict.h>
#include <ATen/core/ivalue.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>

#include "core/error.h"
#include "models/torch_file.h"
#include "models/torch_save.h"

namespace fer::models {
namespace {

c10::impl::GenericDict optimizer_state(const torch::nn::Module& model, const SgdState& sgd) {
  c10::impl::GenericDict state(c10::IntType::get(), c10::AnyType::get());
  const auto params = model.parameters();
  // A generic list: a typed int list would be pickled through torch.jit._pickle.build_intlist.
  c10::impl::GenericList indices(c10::AnyType::get());
  for (size_t i = 0; i < params.size(); ++i) {
    indices.push_back(static_cast<int64_t>(i));
    if (i < sgd.momentum_buffers.size() && sgd.momentum_buffers[i].defined()) {
      c10::impl::GenericDict entry(c10::StringType::get(), c10::AnyType::get());
      entry.insert("momentum_buffer", sgd.momentum_buffers[i].detach().cpu().contiguous());
      state.insert(static_cast<int64_t>(i), entry);
    }
  }
  c10::impl::GenericDict group(c10::StringType::get(), c10::AnyType::get());
  group.insert("lr", sgd.lr);
  group.insert("momentum", sgd.momentum);
  group.insert("dampening", sgd.dampening);
  group.insert("weight_decay", sgd.weight_decay);
  group.insert("nesterov", sgd.nesterov);
  group.insert("maximize", false);
  group.insert("foreach", c10::IValue());
  group.insert("differentiable", false);
  group.insert("params", indices);
  c10::impl::GenericList groups(c10::AnyType::get());
  groups.push_back(group);
  c10::impl::GenericDict out(c10::StringType::get(), c10::AnyType::get());
  out.insert("state", state);
  out.insert("param_groups", groups);
  return out;
}

const char* kRead = "read checkpoint";

NamedTensors tensors_of(const c10::IValue& value, const std::string& path) {
  if (!value.isGenericDict()) throw Error(kRead, path, 0, "model_state_dict", "is not a dict");
  NamedTensors out;
  for (const auto& item : value.toGenericDict()) {
    if (!item.key().isString() || !item.value().isTensor()) {
      throw Error(kRead, path, 0, "model_state_dict", "entries must map names to tensors");
    }
    out.emplace_back(item.key().toStringRef(), item.value().toTensor());
  }
  return out;
}

}  // namespace

void save_reference_checkpoint(const std::string& path, const torch::nn::Module& model,
                               int64_t epoch, const SgdState& sgd) {
  c10::Dict<std::string, at::Tensor> weights;
  for (const auto& [name, t] : state_dict(model))
    weights.insert(name, t.detach().cpu().contiguous());
  c10::impl::GenericDict root(c10::StringType::get(), c10::AnyType::get());
  root.insert("epoch", epoch);
  root.insert("model_state_dict", weights);
  root.insert("optimizer_state_dict", optimizer_state(model, sgd));
  torch_save_file(root, path);
}

LoadedCheckpoint read_checkpoint(const std::string& path) {
  const c10::IValue root = load_torch_file(path);
  if (!root.isGenericDict()) throw Error(kRead, path, 0, "", "top level is not a dict");
  LoadedCheckpoint ckpt;
  auto dict = root.toGenericDict();
  if (!dict.contains("model_state_dict")) {
    ckpt.model_state = tensors_of(root, path);  // A bare state dict.
    return ckpt;
  }
  ckpt.model_state = tensors_of(dict.at("model_state_dict"), path);
  if (dict.contains("epoch")) ckpt.epoch = dict.at("epoch").toInt();
  if (dict.contains("optimizer_state_dict")) {
    auto opt = dict.at("optimizer_state_dict").toGenericDict();
    ckpt.has_optimizer = true;
    auto group = opt.at("param_groups").toList().get(0).toGenericDict();
    ckpt.sgd.lr = group.at("lr").toDouble();
    ckpt.sgd.momentum = group.at("momentum").toDouble();
    ckpt.sgd.weight_decay = group.at("weight_decay").toDouble();
    const auto params = group.at("params").toList();
    ckpt.sgd.momentum_buffers.resize(params.size());
    for (const auto& item : opt.at("state").toGenericDict()) {
      const int64_t index = item.key().toInt();
      if (index < 0 || index >= static_cast<int64_t>(params.size())) {
        throw Error(kRead, path, 0, "optimizer_state_dict",
                    "state for unknown parameter " + std::to_string(index));
      }
      ckpt.sgd.momentum_buffers[index] =
          item.value().toGenericDict().at("momentum_buffer").toTensor();
    }
  }
  return ckpt;
}

void load_state_dict(torch::nn::Module& module, const NamedTensors& state,
                     const std::string& source) {
  load_state_dict(module, state, source, /*allow_missing_batch_counts=*/false);
}

void load_state_dict(torch::nn::Module& module, const NamedTensors& state,
                     const std::string& source, bool allow_missing_batch_counts) {
  std::map<std::string, at::Tensor> given(state.begin(), state.end());
  std::vector<std::string> problems;
  const auto own = state_dict(module);
  for (const auto& [name, t] : own) {
    auto it = given.find(name);
    if (it == given.end()) {
      const bool counter =
          name.size() > 20 && name.compare(name.size() - 20, 20, ".num_batches_tracked") == 0;
      if (!(allow_missing_batch_counts && counter)) problems.push_back("missing key " + name);
    } else if (it->second.sizes() != t.sizes()) {
      std::ostringstream msg;
      msg << "shape mismatch for " << name << ": checkpoint " << it->second.sizes() << ", model "
          << t.sizes();
      problems.push_back(msg.str());
    }
  }
  std::map<std::string, bool> known;
  for (const auto& entry : own) known[entry.first] = true;
  for (const auto& [name, t] : state) {
    if (!known.count(name)) problems.push_back("unexpected key " + name);
  }
  if (!problems.empty()) {
    std::string msg =
        std::to_string(problems.size()) + " mismatch(es) between checkpoint and model:";
    for (const auto& p : problems) msg += "\n  " + p;
    throw Error("load state dict", source, 0, "", msg);
  }
  torch::NoGradGuard no_grad;
  for (const auto& [name, t] : own) {
    auto it = given.find(name);
    if (it != given.end()) t.copy_(it->second);
  }
}

std::string current_densenet_key(const std::string& name) {
  // Legacy torchvision names: "denselayer1.norm.1.weight" -> "denselayer1.norm1.weight".
  static const std::regex kLegacy(
      R"(^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var|num_batches_tracked))$)");
  std::smatch m;
  return std::regex_match(name, m, kLegacy) ? m[1].str() + m[2].str() : name;
}

NamedTensors torchvision_densenet_features(const NamedTensors& state) {
  NamedTensors out;
  for (const auto& [name, t] : state) {
    const std::string key =
        current_densenet_key(name.rfind("module.", 0) == 0 ? name.substr(7) : name);
    if (key.rfind("features.", 0) == 0) out.emplace_back(key.substr(9), t);
  }
  return out;
}

void load_pretrained_densenet(torch::nn::Module& model, const std::string& path) {
  const LoadedCheckpoint ckpt = read_checkpoint(path);
  const NamedTensors features = torchvision_densenet_features(ckpt.model_state);
  if (features.empty()) {
    throw Error("load pretrained DenseNet-121", path, 0, "",
                "no 'features.*' keys: not a torchvision DenseNet file");
  }
  // The backbone is "features" (single-task, Emotion-GCN) or "model_base" (multi-task).
  for (const auto& child : model.named_children()) {
    if (child.key() == "features" || child.key() == "model_base") {
      load_state_dict(*child.value(), features, path, /*allow_missing_batch_counts=*/true);
      return;
    }
  }
  throw Error("load pretrained DenseNet-121", path, 0, "pretrained",
              "the model has no DenseNet backbone");
}

}  // namespace fer::models
