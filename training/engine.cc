#include "training/engine.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <vector>

#include "core/error.h"
#include "metrics/losses.h"
#include "models/checkpoint.h"
#include "training/device.h"
#include "training/sgd.h"

namespace fer::training {
namespace {

models::EmotionModel build_model(const TrainOptions& o, const datasets::Dataset& d,
                                 bool reads_files, std::ostream& log) {
  const int num_classes = static_cast<int>(d.index.class_names.size());
  models::ModelSpec spec;
  spec.kind = o.model;
  spec.backbone = o.backbone;
  spec.num_classes = num_classes;
  spec.embedding_dim = d.embedding_dim;
  spec.correlation =
      at::tensor(d.correlation, at::kDouble).view({num_classes + 2, num_classes + 2});
  spec.graph_source = o.graph_source;
  spec.graph = models::LabelGraphOptions()
                   .tau(o.graph_tau)
                   .p(o.graph_p)
                   .expression_edges(o.graph_expression_edges);
  at::manual_seed(o.seed);
  models::EmotionModel model = models::make_model(spec);
  if (o.pretrained.empty()) return model;
  if (o.backbone != models::Backbone::kDenseNet) {
    throw Error("load pretrained weights", o.pretrained, 0, "pretrained",
                "--pretrained takes torchvision's DenseNet-121 ImageNet weights; the backbone is " +
                    models::to_string(o.backbone));
  }
  // In a job only rank 0 reads the file: its weights reach the others by the initial broadcast.
  if (reads_files) {
    models::load_pretrained_densenet(*model, o.pretrained);
    log << "loaded ImageNet DenseNet-121 weights from " << o.pretrained << "\n";
  }
  return model;
}

// Every rank starts from rank 0's weights and BatchNorm statistics.
void share_rank0_weights(models::EmotionModelImpl& model, distributed::Collective& world) {
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> state = model.parameters();
  for (const auto& b : model.buffers()) state.push_back(b);
  world.broadcast(state, 0, "broadcast of rank 0's initial weights");
}

}  // namespace

Engine::Engine(const TrainOptions& o, const datasets::Dataset& d, distributed::Collective& world,
               std::ostream& log)
    : device(parse_device(o.device)), scaler(o.precision == Precision::kFp16, device) {
  model = build_model(o, d, world.rank() == 0, log);
  place_model(*model, device, o.channels_last);
  share_rank0_weights(*model, world);
  sync = world.gradient_sync(model->parameters());
  sgd = make_sgd(model->parameters(), o.optim);
  eval = eval_setup(o, d, device);
  nodes = eval.nodes;
  class_weights = eval.class_weights;

  // Training batches: the validation loader's settings, shuffled and augmented.
  datasets::LoaderOptions val = evaluation_loader_options(o.data, o.seed, device);
  datasets::LoaderOptions train = val;
  train.shuffle = true;
  // BatchNorm (in training mode) and CCC need two samples: a last batch of one is left out
  // (where the reference would fail or train on a NaN loss).
  train.min_batch = 2;
  train.transform.augment = o.data.augment;
  train.shard = val.shard = world.rank();
  train.num_shards = val.num_shards = world.size();
  train_loader =
      std::make_unique<datasets::BatchLoader>(d.index.train.samples, d.index.image_root, train);
  val_loader =
      std::make_unique<datasets::BatchLoader>(d.index.val.samples, d.index.image_root, val);
}

EvalSetup eval_setup(const TrainOptions& o, const datasets::Dataset& d, const c10::Device& device) {
  EvalSetup s;
  s.device = device;
  s.precision = o.precision;
  s.channels_last = o.channels_last;
  s.nodes = at::tensor(d.node_embeddings, at::kFloat).view({-1, d.embedding_dim}).to(device);
  if (o.class_weights) s.class_weights = class_weights_for(d).to(device);
  s.lambda = o.lambda;
  s.num_classes = static_cast<int>(d.index.class_names.size());
  return s;
}

void place_model(models::EmotionModelImpl& model, const c10::Device& device, bool channels_last) {
  model.to(device);
  if (!channels_last) return;
  torch::NoGradGuard no_grad;
  for (auto& p : model.parameters()) {
    if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
  }
}

datasets::LoaderOptions evaluation_loader_options(const DataOptions& data, uint64_t seed,
                                                  const c10::Device& device) {
  datasets::LoaderOptions l;
  l.batch_size = data.batch_size;
  l.shuffle = false;
  l.min_batch = 1;
  l.workers = data.workers;
  l.seed = seed;
  l.pin_memory = device.is_cuda();
  l.scaled_decode = data.decode == Decode::kScaled;
  l.reference_preprocess = data.preprocess == Preprocess::kReference;
  l.transform.output_size = data.input_size;
  l.transform.augment = false;
  l.transform.color_jitter = data.color_jitter;
  return l;
}

at::Tensor class_weights_for(const datasets::Dataset& d) {
  for (size_t k = 0; k < d.train_class_counts.size(); ++k) {
    if (d.train_class_counts[k] == 0) {
      throw Error("compute class weights", d.index.root, 0, "class_weights",
                  "class '" + d.index.class_names[k] +
                      "' has no training sample, so min/count weights are "
                      "undefined; pass --class_weights off to train unweighted");
    }
  }
  return metrics::class_weights(d.train_class_counts);
}

}  // namespace fer::training
