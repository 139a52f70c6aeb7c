#include "experiments/trainer.h"

#include <ATen/ATen.h>
#include <ATen/core/Dict.h>
#include <ATen/core/ivalue.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <torch/csrc/jit/serialization/pickle.h>
#include <torch/optim/sgd.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "core/atomic_file.h"
#include "core/error.h"
#include "datasets/loader.h"
#include "distributed/grad_sync.h"
#include "experiments/amp.h"
#include "experiments/device.h"
#include "experiments/evaluator.h"
#include "experiments/progress.h"
#include "experiments/train_step.h"
#include "metrics/losses.h"
#include "metrics/regression.h"
#include "models/checkpoint.h"
#include "models/factory.h"
#include "models/names.h"
#include "models/state_dict.h"
#include "third_party/torch_compat.h"

namespace fer::experiments {

std::atomic<bool> g_interrupt_requested{false};

namespace {

using Clock = std::chrono::steady_clock;

void on_sigint(int) { g_interrupt_requested = true; }

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Running sums of one training epoch (saved in the resume state when interrupted mid-epoch).
struct EpochSums {
  double loss = 0, loss_expression = 0, loss_va = 0;
  int64_t batches = 0, correct = 0, seen = 0;
  std::vector<double> to_list() const {
    return {loss,
            loss_expression,
            loss_va,
            static_cast<double>(batches),
            static_cast<double>(correct),
            static_cast<double>(seen)};
  }
  static EpochSums from_list(const std::vector<double>& v) {
    EpochSums s;
    s.loss = v.at(0);
    s.loss_expression = v.at(1);
    s.loss_va = v.at(2);
    s.batches = static_cast<int64_t>(v.at(3));
    s.correct = static_cast<int64_t>(v.at(4));
    s.seen = static_cast<int64_t>(v.at(5));
    return s;
  }
};

std::vector<double> metrics_list(const metrics::EvalMetrics& m) {
  return {m.loss,         m.loss_expression,     m.loss_va,      m.accuracy,
          m.macro_f1,     m.ccc_valence,         m.ccc_arousal,  m.pcc_valence,
          m.pcc_arousal,  m.rmse_valence,        m.rmse_arousal, m.sagr_valence,
          m.sagr_arousal, m.affwild2_expression, m.affwild2_va,  m.has_va ? 1.0 : 0.0};
}

metrics::EvalMetrics metrics_from_list(const std::vector<double>& v) {
  metrics::EvalMetrics m;
  double* fields[] = {&m.loss,         &m.loss_expression,     &m.loss_va,      &m.accuracy,
                      &m.macro_f1,     &m.ccc_valence,         &m.ccc_arousal,  &m.pcc_valence,
                      &m.pcc_arousal,  &m.rmse_valence,        &m.rmse_arousal, &m.sagr_valence,
                      &m.sagr_arousal, &m.affwild2_expression, &m.affwild2_va};
  for (size_t i = 0; i < 15; ++i) *fields[i] = v.at(i);
  m.has_va = v.at(15) != 0.0;
  return m;
}

class Trainer {
 public:
  Trainer(const RunConfig& c, const datasets::Dataset& d, metrics::Recorder& recorder,
          int64_t run_id, std::ostream& log, distributed::Group* group);
  TrainResult run(const StartPoint& start);

 private:
  bool train_epoch(int64_t epoch, int64_t first_batch, EpochSums& sums, double* images_per_s,
                   double* wait_s, double* compute_s);
  Evaluation evaluate();
  void sum_over_ranks(EpochSums& sums, double* images_per_s);
  bool writes_files() const { return group_ == nullptr || group_->rank() == 0; }
  double lr_for(int64_t epoch) const {
    return c_.lr * std::pow(c_.lr_gamma, static_cast<double>(epoch / c_.lr_step));
  }
  void set_lr(double lr);
  std::vector<at::Tensor> momentum_buffers();
  void set_momentum_buffers(const std::vector<at::Tensor>& buffers);
  void save_resume(int64_t epoch, int64_t batch, const EpochSums& sums);
  // Rank 0 reads `path`; in a job the other ranks receive its bytes (a collective).
  EpochSums load_resume(const std::string& path, int64_t* epoch, int64_t* batch);
  void save_best(int64_t epoch);

  const RunConfig& c_;
  const datasets::Dataset& d_;
  metrics::Recorder& recorder_;
  int64_t run_id_;
  std::ostream& log_;
  distributed::Group* group_;
  std::unique_ptr<distributed::GradientSync> sync_;
  c10::Device device_;
  models::EmotionModel model_{nullptr};
  std::unique_ptr<torch::optim::SGD> optimizer_;
  at::Tensor nodes_, class_weights_;
  std::unique_ptr<datasets::BatchLoader> train_loader_, val_loader_;
  GradScaler scaler_;
  int64_t steps_ = 0;
  // Best-so-far tracking (part of the resume state).
  double best_accuracy_ = -1;
  int64_t best_epoch_ = -1, no_improve_ = 0;
  Evaluation best_;
  double train_ips_sum_ = 0, eval_ips_sum_ = 0;
  int64_t timed_epochs_ = 0;
};

Trainer::Trainer(const RunConfig& c, const datasets::Dataset& d, metrics::Recorder& recorder,
                 int64_t run_id, std::ostream& log, distributed::Group* group)
    : c_(c),
      d_(d),
      recorder_(recorder),
      run_id_(run_id),
      log_(log),
      group_(group),
      device_(parse_device(c.device)),
      scaler_(c.precision == "fp16", device_) {
  const int num_classes = static_cast<int>(d.index.class_names.size());
  models::ModelSpec spec;
  spec.kind = models::parse_model_kind(c.model);
  spec.backbone = models::parse_backbone(c.backbone);
  spec.num_classes = num_classes;
  spec.embedding_dim = d.embedding_dim;
  spec.correlation =
      at::tensor(d.correlation, at::kDouble).view({num_classes + 2, num_classes + 2});
  at::manual_seed(c.seed);
  model_ = models::make_model(spec);
  if (!c.pretrained.empty()) {
    if (spec.backbone != models::Backbone::kDenseNet) {
      throw Error(
          "load pretrained weights", c.pretrained, 0, "pretrained",
          "--pretrained takes torchvision's DenseNet-121 ImageNet weights; the backbone is " +
              c.backbone);
    }
    // In a job only rank 0 reads the file: its weights reach the others by the broadcast below.
    if (writes_files()) {
      models::load_pretrained_densenet(*model_, c.pretrained);
      log_ << "loaded ImageNet DenseNet-121 weights from " << c.pretrained << "\n";
    }
  }
  model_->to(device_);
  if (c.channels_last) {
    // LibTorch modules have no memory-format to(): convert the 4-d weights in place.
    torch::NoGradGuard no_grad;
    for (auto& p : model_->parameters()) {
      if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
    }
  }
  if (group_ != nullptr) {
    // Every rank starts from rank 0's weights (and BatchNorm statistics).
    torch::NoGradGuard no_grad;
    std::vector<at::Tensor> state = model_->parameters();
    for (const auto& b : model_->buffers()) state.push_back(b);
    group_->broadcast(state, 0, "broadcast of rank 0's initial weights");
    sync_ = std::make_unique<distributed::GradientSync>(*group_, model_->parameters());
  }
  optimizer_ = std::make_unique<torch::optim::SGD>(
      model_->parameters(),
      torch::optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(c.weight_decay));
  nodes_ = at::tensor(d.node_embeddings, at::kFloat).view({-1, d.embedding_dim}).to(device_);
  class_weights_ = class_weights_for(c, d);
  if (class_weights_.defined()) class_weights_ = class_weights_.to(device_);

  // Training batches: the validation loader's settings, shuffled and augmented.
  datasets::LoaderOptions val = evaluation_loader_options(c, device_);
  datasets::LoaderOptions train = val;
  train.shuffle = true;
  // BatchNorm (in training mode) and CCC need two samples: a last batch of one is left out
  // (where the reference would fail or train on a NaN loss).
  train.min_batch = 2;
  train.transform.augment = c.augment == 1;
  if (group_ != nullptr) {
    train.shard = val.shard = group_->rank();
    train.num_shards = val.num_shards = group_->size();
  }
  train_loader_ =
      std::make_unique<datasets::BatchLoader>(d.index.train.samples, d.index.image_root, train);
  val_loader_ =
      std::make_unique<datasets::BatchLoader>(d.index.val.samples, d.index.image_root, val);
}

void Trainer::set_lr(double lr) {
  for (auto& group : optimizer_->param_groups()) {
    static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
  }
}

std::vector<at::Tensor> Trainer::momentum_buffers() {
  std::vector<at::Tensor> out;
  for (const auto& p : model_->parameters()) {
    auto* state = compat::optimizer_param_state(*optimizer_, p);
    out.push_back(state ? static_cast<torch::optim::SGDParamState&>(*state).momentum_buffer()
                        : at::Tensor());
  }
  return out;
}

void Trainer::set_momentum_buffers(const std::vector<at::Tensor>& buffers) {
  auto params = model_->parameters();
  TORCH_CHECK(buffers.size() == params.size(), "resume state has ", buffers.size(),
              " momentum buffers for ", params.size(), " parameters");
  for (size_t i = 0; i < params.size(); ++i) {
    if (!buffers[i].defined()) continue;
    auto s = std::make_unique<torch::optim::SGDParamState>();
    s->momentum_buffer(buffers[i].to(device_));
    compat::set_optimizer_param_state(*optimizer_, params[i], std::move(s));
  }
}

bool Trainer::train_epoch(int64_t epoch, int64_t first_batch, EpochSums& sums, double* images_per_s,
                          double* wait_s, double* compute_s) {
  model_->train();
  train_loader_->start_epoch(epoch, first_batch);
  const int64_t batches = train_loader_->num_batches();
  const int64_t warmup = std::min<int64_t>(2, std::max<int64_t>(0, batches - first_batch - 1));
  Progress progress(log_, "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(c_.epochs),
                    batches);
  auto timed_start = Clock::now();
  int64_t timed_images = 0, index = first_batch;
  *compute_s = 0;
  while (auto batch = train_loader_->next()) {
    const auto t0 = Clock::now();
    if (index - first_batch == warmup) {
      synchronize(device_);
      timed_start = t0;
      timed_images = 0;
    }
    at::Tensor images = batch->images.to(device_, /*non_blocking=*/true);
    if (c_.channels_last) images = images.contiguous(at::MemoryFormat::ChannelsLast);
    at::Tensor labels = batch->expression.to(device_);
    models::ModelOutput out;
    const metrics::LossParts loss =
        train_step(model_, *optimizer_, scaler_,
                   {images, labels, batch->valence_arousal.to(device_), nodes_, class_weights_},
                   c_.lambda, c_.precision, device_, &out, sync_.get());
    sums.loss += loss.total.item<double>();
    sums.loss_expression += loss.expression.item<double>();
    if (loss.valence_arousal.defined()) sums.loss_va += loss.valence_arousal.item<double>();
    sums.correct += out.expression.argmax(1).eq(labels).sum().item<int64_t>();
    sums.seen += labels.size(0);
    ++sums.batches;
    synchronize(device_);
    *compute_s += seconds_since(t0);
    timed_images += labels.size(0);
    ++index;
    ++steps_;
    const double elapsed = seconds_since(timed_start);
    progress.update(index, sums.loss / sums.batches, elapsed > 0 ? timed_images / elapsed : 0);
    if (group_ != nullptr && group_->rank() == c_.testing_die_rank &&
        steps_ == c_.testing_die_after_steps) {
      ::kill(::getpid(), SIGKILL);  // The fault tests' dying rank: no cleanup, as if killed.
    }
    bool stop = g_interrupt_requested ||
                (c_.interrupt_after_steps > 0 && steps_ == c_.interrupt_after_steps);
    // Every rank stops at the same step, or the others would wait in the next all-reduce.
    if (group_ != nullptr) stop = group_->any(stop, "interrupt check");
    if (stop) {
      progress.finish();
      double unused_rate = 0;
      sum_over_ranks(sums, &unused_rate);  // The resume state holds the whole job's partial sums.
      save_resume(epoch, index, sums);
      return false;
    }
  }
  progress.finish();
  const double elapsed = seconds_since(timed_start);
  *images_per_s = elapsed > 0 ? timed_images / elapsed : 0;
  *wait_s = train_loader_->wait_seconds();
  return true;
}

void Trainer::sum_over_ranks(EpochSums& sums, double* images_per_s) {
  if (group_ == nullptr) return;
  at::Tensor t =
      at::tensor({sums.loss, sums.loss_expression, sums.loss_va, static_cast<double>(sums.batches),
                  static_cast<double>(sums.correct), static_cast<double>(sums.seen), *images_per_s},
                 at::kDouble);
  group_->allreduce_sum(t, "sum of the epoch's training statistics");
  sums = EpochSums::from_list({t[0].item<double>(), t[1].item<double>(), t[2].item<double>(),
                               t[3].item<double>(), t[4].item<double>(), t[5].item<double>()});
  *images_per_s = t[6].item<double>();  // The ranks' rates add up.
}

Evaluation Trainer::evaluate() {
  EvalSetup setup;
  setup.device = device_;
  setup.precision = c_.precision;
  setup.channels_last = c_.channels_last;
  setup.nodes = nodes_;
  setup.class_weights = class_weights_;
  setup.lambda = c_.lambda;
  setup.num_classes = static_cast<int>(d_.index.class_names.size());
  if (group_ == nullptr) return evaluate_model(*model_, *val_loader_, setup);
  {
    // Rank 0's running statistics, the ones its checkpoint holds, on every rank.
    torch::NoGradGuard no_grad;
    std::vector<at::Tensor> buffers = model_->buffers();
    group_->broadcast(buffers, 0, "broadcast of rank 0's BatchNorm statistics");
  }
  SplitOutputs mine = collect_outputs(*model_, *val_loader_, setup);
  SplitOutputs all;
  const std::string what = "gather of the validation outputs";
  // Every rank's rows, in the split's order (the order a single process evaluates in).
  const at::Tensor order = group_->all_gather_rows(mine.indices, what).argsort();
  const auto gather = [&](const at::Tensor& rows) {
    return group_->all_gather_rows(rows, what).index_select(0, order);
  };
  all.indices = gather(mine.indices);
  all.logits = gather(mine.logits);
  all.labels = gather(mine.labels);
  all.va_true = gather(mine.va_true);
  // Decided by the model, not by this rank's rows: a rank whose shard is empty joins the gather.
  if (models::parse_model_kind(c_.model) != models::ModelKind::kSingleTask) {
    all.va_pred = gather(mine.va_pred.defined() ? mine.va_pred : at::empty({0, 2}, at::kFloat));
  }
  at::Tensor rate = at::tensor({mine.images_per_s}, at::kDouble);
  group_->allreduce_sum(rate, what);
  all.images_per_s = rate.item<double>();
  return evaluation_from_outputs(all, setup, c_.batch_size);
}

void Trainer::save_best(int64_t epoch) {
  if (!writes_files()) return;
  models::SgdState sgd;
  sgd.lr = lr_for(epoch);
  sgd.momentum = c_.momentum;
  sgd.weight_decay = c_.weight_decay;
  sgd.momentum_buffers = momentum_buffers();
  models::save_reference_checkpoint(best_checkpoint_path(c_, run_id_), *model_, epoch, sgd);
}

void Trainer::save_resume(int64_t epoch, int64_t batch, const EpochSums& sums) {
  if (!writes_files()) return;
  c10::impl::GenericDict state(c10::StringType::get(), c10::AnyType::get());
  c10::Dict<std::string, at::Tensor> weights;
  for (const auto& [name, t] : models::state_dict(*model_))
    weights.insert(name, t.detach().cpu().clone());
  c10::impl::GenericList momentum(c10::AnyType::get());
  for (const auto& b : momentum_buffers())
    momentum.push_back(b.defined() ? c10::IValue(b.cpu()) : c10::IValue());
  state.insert("epoch", epoch);
  state.insert("batch", batch);
  state.insert("model", weights);
  state.insert("momentum", momentum);
  state.insert("best_accuracy", best_accuracy_);
  state.insert("best_epoch", best_epoch_);
  state.insert("no_improve", no_improve_);
  state.insert("best_metrics", c10::List<double>(metrics_list(best_.metrics)));
  state.insert("best_per_class", c10::List<double>(best_.per_class));
  state.insert("best_confusion", c10::List<int64_t>(best_.confusion));
  state.insert("sums", c10::List<double>(sums.to_list()));
  state.insert("throughput", c10::List<double>({train_ips_sum_, eval_ips_sum_,
                                                static_cast<double>(timed_epochs_)}));
  state.insert("steps", steps_);
  // Everything else the next step depends on is derived from the config and these counters
  // (batch order and augmentation are seeded per epoch and sample; no model uses dropout).
  if (scaler_.enabled()) {
    state.insert("scaler_scale", scaler_.current_scale());
    state.insert("scaler_growth_tracker", scaler_.growth_tracker());
  }
  const std::vector<char> bytes = torch::jit::pickle_save(state);
  const std::string path = resume_state_path(c_, run_id_);
  write_file_atomically(path, std::string_view(bytes.data(), bytes.size()), "write resume state");
  recorder_.record_resume_state(path);
}

EpochSums Trainer::load_resume(const std::string& path, int64_t* epoch, int64_t* batch) {
  std::string text;
  if (writes_files()) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("read resume state", path, 0, "", "cannot open file");
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // Rank 0 reads the file, the others receive its bytes: no rank but rank 0 needs to see rank
  // 0's checkpoint directory (no shared file system is required to resume a job).
  if (group_ != nullptr) text = group_->broadcast_string(text, 0, "rank 0's resume state");
  const std::vector<char> bytes(text.begin(), text.end());
  text.clear();
  text.shrink_to_fit();
  auto state = torch::jit::pickle_load(bytes).toGenericDict();
  models::NamedTensors weights;
  for (const auto& item : state.at("model").toGenericDict()) {
    weights.emplace_back(item.key().toStringRef(), item.value().toTensor());
  }
  models::load_state_dict(*model_, weights, path);
  std::vector<at::Tensor> momentum;
  const c10::List<c10::IValue> saved = state.at("momentum").toList();
  for (size_t i = 0; i < saved.size(); ++i) {
    const c10::IValue v = saved.get(i);
    momentum.push_back(v.isNone() ? at::Tensor() : v.toTensor());
  }
  set_momentum_buffers(momentum);
  best_accuracy_ = state.at("best_accuracy").toDouble();
  best_epoch_ = state.at("best_epoch").toInt();
  no_improve_ = state.at("no_improve").toInt();
  best_.metrics = metrics_from_list(state.at("best_metrics").toDoubleVector());
  best_.per_class = state.at("best_per_class").toDoubleVector();
  best_.confusion = state.at("best_confusion").toIntVector();
  const auto throughput = state.at("throughput").toDoubleVector();
  train_ips_sum_ = throughput.at(0);
  eval_ips_sum_ = throughput.at(1);
  timed_epochs_ = static_cast<int64_t>(throughput.at(2));
  steps_ = state.at("steps").toInt();
  if (scaler_.enabled()) {
    if (!state.contains("scaler_scale")) {
      throw Error(
          "read resume state", path, 0, "scaler_scale",
          "an fp16 run's resume state must hold the loss scale (written by an older version?); "
          "start the run again without --resume, or with --force");
    }
    scaler_.restore(state.at("scaler_scale").toDouble(), state.at("scaler_growth_tracker").toInt());
  }
  *epoch = state.at("epoch").toInt();
  *batch = state.at("batch").toInt();
  return EpochSums::from_list(state.at("sums").toDoubleVector());
}

TrainResult Trainer::run(const StartPoint& start) {
  EpochSums sums;
  int64_t start_epoch = 0, start_batch = 0;
  if (!start.resume_state.empty()) {
    sums = load_resume(start.resume_state, &start_epoch, &start_batch);
    if (group_ != nullptr && group_->rank() != 0)
      sums = EpochSums();  // Rank 0 carries the job's sums.
    log_ << "resumed from " << start.resume_state << " at epoch " << start_epoch + 1 << ", batch "
         << start_batch << "\n";
  }
  TrainResult result;
  for (int64_t epoch = start_epoch; epoch < c_.epochs && no_improve_ < c_.early_stop; ++epoch) {
    const int64_t first_batch = epoch == start_epoch ? start_batch : 0;
    if (first_batch == 0) sums = EpochSums();
    set_lr(lr_for(epoch));
    reset_cuda_peak(device_);
    double ips = 0, wait = 0, compute = 0;
    if (!train_epoch(epoch, first_batch, sums, &ips, &wait, &compute)) {
      result.status = "interrupted";
      return result;
    }
    sum_over_ranks(sums, &ips);
    Evaluation eval = evaluate();
    metrics::EpochRecord rec;
    rec.epoch = epoch;
    rec.lr = lr_for(epoch);
    rec.train_loss = sums.loss / std::max<int64_t>(1, sums.batches);
    rec.train_loss_expression = sums.loss_expression / std::max<int64_t>(1, sums.batches);
    rec.train_loss_va = sums.loss_va / std::max<int64_t>(1, sums.batches);
    rec.train_accuracy = static_cast<double>(sums.correct) / std::max<int64_t>(1, sums.seen);
    rec.val = eval.metrics;
    rec.train_images_per_s = ips;
    rec.eval_images_per_s = eval.images_per_s;
    rec.data_wait_s = wait;
    rec.compute_s = compute;
    rec.peak_rss_mb = peak_rss_mb();
    rec.peak_cuda_mb = cuda_peak_mb(device_);
    recorder_.record_epoch(rec);
    if (first_batch == 0) {  // A resumed epoch's throughput covers only part of it.
      train_ips_sum_ += ips;
      eval_ips_sum_ += eval.images_per_s;
      ++timed_epochs_;
    }
    char line[256];
    std::snprintf(line, sizeof(line),
                  "epoch %lld/%d: train loss %.4f acc %.4f | val loss %.4f acc %.4f F1 %.4f%s | "
                  "%.1f img/s train, "
                  "%.1f img/s eval, data wait %.1fs",
                  static_cast<long long>(epoch + 1), c_.epochs, rec.train_loss, rec.train_accuracy,
                  eval.metrics.loss, eval.metrics.accuracy, eval.metrics.macro_f1,
                  eval.metrics.has_va
                      ? (" CCC-V " + std::to_string(eval.metrics.ccc_valence).substr(0, 6) +
                         " CCC-A " + std::to_string(eval.metrics.ccc_arousal).substr(0, 6))
                            .c_str()
                      : "",
                  ips, eval.images_per_s, wait);
    log_ << line << "\n";
    if (eval.metrics.accuracy > best_accuracy_) {
      best_accuracy_ = eval.metrics.accuracy;
      best_epoch_ = epoch;
      best_ = eval;
      no_improve_ = 0;
      save_best(epoch);
    } else {
      ++no_improve_;
    }
    save_resume(epoch + 1, 0, EpochSums());
    if (no_improve_ >= c_.early_stop) {
      log_ << "early stopping: no validation-accuracy gain for " << no_improve_ << " epochs\n";
      break;
    }
  }
  result.status = "finished";
  auto& f = result.final_record;
  f.best_epoch = best_epoch_;
  f.val = best_.metrics;
  f.per_class_recall = best_.per_class;
  f.confusion = best_.confusion;
  f.train_images_per_s = timed_epochs_ ? train_ips_sum_ / timed_epochs_ : 0;
  f.eval_images_per_s = timed_epochs_ ? eval_ips_sum_ / timed_epochs_ : 0;
  f.peak_rss_mb = peak_rss_mb();
  f.peak_cuda_mb = cuda_peak_mb(device_);
  f.checkpoint_path = best_checkpoint_path(c_, run_id_);
  return result;
}

}  // namespace

void install_interrupt_handler() {
  std::signal(SIGINT, on_sigint);
  // What schedulers and launchers send first (Slurm's scancel and preemption, Kubernetes, and
  // torchrun when another worker fails), before SIGKILL after a grace period.
  std::signal(SIGTERM, on_sigint);
}

datasets::LoaderOptions evaluation_loader_options(const RunConfig& c, const c10::Device& device) {
  datasets::LoaderOptions o;
  o.batch_size = c.batch_size;
  o.shuffle = false;
  o.min_batch = 1;
  o.workers = c.workers;
  o.seed = c.seed;
  o.pin_memory = device.is_cuda();
  o.scaled_decode = c.decode == "scaled";
  o.reference_preprocess = c.preprocess == "reference";
  o.transform.output_size = c.input_size;
  o.transform.augment = false;
  o.transform.color_jitter = c.color_jitter;
  return o;
}

at::Tensor class_weights_for(const RunConfig& c, const datasets::Dataset& d) {
  if (c.class_weights != "on") return at::Tensor();
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

namespace {

// "<store id>-run<id>-<name>": run ids restart at 1 in every store, the store id tells stores
// apart.
std::string run_file_stem(const RunConfig& c, int64_t run_id) {
  return c.checkpoint_dir + "/" + (c.store_id.empty() ? "" : c.store_id + "-") + "run" +
         std::to_string(run_id) + "-" + c.run_name;
}

}  // namespace

std::string resume_state_path(const RunConfig& c, int64_t run_id) {
  return run_file_stem(c, run_id) + ".resume.pt";
}

std::string best_checkpoint_path(const RunConfig& c, int64_t run_id) {
  return run_file_stem(c, run_id) + ".best.pth";
}

TrainResult train(const RunConfig& config, const datasets::Dataset& data,
                  metrics::Recorder& recorder, int64_t run_id, const StartPoint& start,
                  std::ostream& log, distributed::Group* group) {
  if (group == nullptr || group->rank() == 0)
    boost::filesystem::create_directories(config.checkpoint_dir);
  Trainer trainer(config, data, recorder, run_id, log, group);
  return trainer.run(start);
}

}  // namespace fer::experiments
