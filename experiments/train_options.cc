#include "experiments/train_options.h"

#include "models/names.h"

namespace fer::experiments {
namespace {

// "<store id>-run<id>-<name>": run ids restart at 1 in every store, the store id tells stores
// apart.
std::string run_file_stem(const RunConfig& c, int64_t run_id) {
  return c.checkpoint_dir + "/" + (c.store_id.empty() ? "" : c.store_id + "-") + "run" +
         std::to_string(run_id) + "-" + c.run_name;
}

}  // namespace

training::DataOptions data_options(const RunConfig& c) {
  training::DataOptions d;
  d.batch_size = c.batch_size;
  d.workers = c.workers;
  d.input_size = c.input_size;
  d.augment = c.augment == 1;
  d.color_jitter = c.color_jitter;
  d.decode = training::parse_decode(c.decode);
  d.preprocess = training::parse_preprocess(c.preprocess);
  return d;
}

namespace {

training::OptimOptions optim_options(const RunConfig& c) {
  training::OptimOptions o;
  o.lr = c.lr;
  o.momentum = c.momentum;
  o.weight_decay = c.weight_decay;
  o.lr_step = c.lr_step;
  o.lr_gamma = c.lr_gamma;
  return o;
}

}  // namespace

training::TrainOptions train_options(const RunConfig& c, int64_t run_id) {
  training::TrainOptions t;
  t.model = models::parse_model_kind(c.model);
  t.backbone = models::parse_backbone(c.backbone);
  t.graph_source = models::parse_graph_source(c.graph_source);
  t.graph_tau = c.graph_threshold;
  t.graph_p = c.graph_reweight;
  t.graph_expression_edges = c.graph_expression_edges;
  t.data = data_options(c);
  t.optim = optim_options(c);
  t.epochs = c.epochs;
  t.early_stop = c.early_stop;
  t.lambda = c.lambda;
  t.class_weights = c.class_weights == "on";
  t.seed = c.seed;
  t.device = c.device;
  t.precision = training::parse_precision(c.precision);
  t.channels_last = c.channels_last;
  t.pretrained = c.pretrained;
  t.checkpoint_dir = c.checkpoint_dir;
  t.best_checkpoint_path = best_checkpoint_path(c, run_id);
  t.resume_state_path = resume_state_path(c, run_id);
  t.testing.interrupt_after_steps = c.interrupt_after_steps;
  t.testing.die_rank = c.testing_die_rank;
  t.testing.die_after_steps = c.testing_die_after_steps;
  return t;
}

std::string resume_state_path(const RunConfig& c, int64_t run_id) {
  return run_file_stem(c, run_id) + ".resume.pt";
}

std::string best_checkpoint_path(const RunConfig& c, int64_t run_id) {
  return run_file_stem(c, run_id) + ".best.pth";
}

}  // namespace fer::experiments
