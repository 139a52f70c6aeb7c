#include "training/trainer.h"

#include <boost/filesystem.hpp>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "models/checkpoint.h"
#include "models/state_dict.h"
#include "training/device.h"
#include "training/engine.h"
#include "training/epoch.h"
#include "training/resume_state.h"
#include "training/sgd.h"

namespace fer::training {
namespace {

double mean(double sum, int64_t count) {
  return sum / static_cast<double>(std::max<int64_t>(1, count));
}

// "epoch 3/10: train loss ... | val loss ... | ... img/s train, ... img/s eval, data wait ..."
std::string epoch_line(const metrics::EpochRecord& r, int epochs) {
  std::string va;
  if (r.val.has_va) {
    va = " CCC-V " + std::to_string(r.val.ccc_valence).substr(0, 6) + " CCC-A " +
         std::to_string(r.val.ccc_arousal).substr(0, 6);
  }
  char line[256];
  std::snprintf(line, sizeof(line),
                "epoch %lld/%d: train loss %.4f acc %.4f | val loss %.4f acc %.4f F1 %.4f%s | "
                "%.1f img/s train, %.1f img/s eval, data wait %.1fs",
                static_cast<long long>(r.epoch + 1), epochs, r.train_loss, r.train_accuracy,
                r.val.loss, r.val.accuracy, r.val.macro_f1, va.c_str(), r.train_images_per_s,
                r.eval_images_per_s, r.data_wait_s);
  return line;
}

class Trainer {
 public:
  Trainer(const TrainOptions& o, const datasets::Dataset& d, metrics::Recorder& recorder,
          std::ostream& log, distributed::Collective& world)
      : o_(o), recorder_(recorder), log_(log), world_(world), e_(o, d, world, log) {}

  TrainResult run(const std::string& resume_from);

 private:
  bool writes_files() const { return world_.rank() == 0; }
  metrics::EpochRecord record(int64_t epoch, const EpochSums& sums, const EpochPass& pass,
                              const Evaluation& eval);
  void keep_if_best(int64_t epoch, const Evaluation& eval);
  void save_best(int64_t epoch);
  void save_resume(int64_t epoch, int64_t batch, const EpochSums& sums);
  EpochSums load_resume(const std::string& path, int64_t* epoch, int64_t* batch);
  TrainResult finished() const;

  const TrainOptions& o_;
  metrics::Recorder& recorder_;
  std::ostream& log_;
  distributed::Collective& world_;
  Engine e_;
  Bookkeeping books_;
  int64_t steps_ = 0;
};

TrainResult Trainer::run(const std::string& resume_from) {
  EpochSums sums;
  int64_t start_epoch = 0, start_batch = 0;
  if (!resume_from.empty()) {
    sums = load_resume(resume_from, &start_epoch, &start_batch);
    if (!writes_files()) sums = EpochSums();  // Rank 0 carries the job's sums.
    log_ << "resumed from " << resume_from << " at epoch " << start_epoch + 1 << ", batch "
         << start_batch << "\n";
  }
  for (int64_t epoch = start_epoch; epoch < o_.epochs && books_.no_improve < o_.early_stop;
       ++epoch) {
    const int64_t first_batch = epoch == start_epoch ? start_batch : 0;
    if (first_batch == 0) sums = EpochSums();
    set_lr(*e_.sgd, o_.optim.lr_for(epoch));
    reset_cuda_peak(e_.device);
    EpochPass pass = train_epoch(e_, o_, world_, epoch, first_batch, sums, &steps_, log_);
    if (!pass.completed) {
      double unused_rate = 0;
      sum_over_ranks(world_, sums, &unused_rate);  // The resume state holds the job's sums.
      save_resume(epoch, pass.next_batch, sums);
      return {Outcome::kInterrupted, {}};
    }
    sum_over_ranks(world_, sums, &pass.images_per_s);
    const Evaluation eval = evaluate_epoch(e_, o_, world_);
    const metrics::EpochRecord rec = record(epoch, sums, pass, eval);
    recorder_.record_epoch(rec);
    if (first_batch == 0) {  // A resumed epoch's throughput covers only part of it.
      books_.train_ips_sum += pass.images_per_s;
      books_.eval_ips_sum += eval.images_per_s;
      ++books_.timed_epochs;
    }
    log_ << epoch_line(rec, o_.epochs) << "\n";
    keep_if_best(epoch, eval);
    save_resume(epoch + 1, 0, EpochSums());
    if (books_.no_improve >= o_.early_stop) {
      log_ << "early stopping: no validation-accuracy gain for " << books_.no_improve
           << " epochs\n";
      break;
    }
  }
  return finished();
}

metrics::EpochRecord Trainer::record(int64_t epoch, const EpochSums& sums, const EpochPass& pass,
                                     const Evaluation& eval) {
  metrics::EpochRecord rec;
  rec.epoch = epoch;
  rec.lr = o_.optim.lr_for(epoch);
  rec.train_loss = mean(sums.loss, sums.batches);
  rec.train_loss_expression = mean(sums.loss_expression, sums.batches);
  rec.train_loss_va = mean(sums.loss_va, sums.batches);
  rec.train_accuracy = static_cast<double>(sums.correct) / std::max<int64_t>(1, sums.seen);
  rec.val = eval.metrics;
  rec.train_images_per_s = pass.images_per_s;
  rec.eval_images_per_s = eval.images_per_s;
  rec.data_wait_s = pass.wait_s;
  rec.compute_s = pass.compute_s;
  rec.peak_rss_mb = peak_rss_mb();
  rec.peak_cuda_mb = cuda_peak_mb(e_.device);
  return rec;
}

void Trainer::keep_if_best(int64_t epoch, const Evaluation& eval) {
  if (eval.metrics.accuracy > books_.best_accuracy) {
    books_.best_accuracy = eval.metrics.accuracy;
    books_.best_epoch = epoch;
    books_.best = eval;
    books_.no_improve = 0;
    save_best(epoch);
  } else {
    ++books_.no_improve;
  }
}

void Trainer::save_best(int64_t epoch) {
  if (!writes_files()) return;
  models::SgdState sgd;
  sgd.lr = o_.optim.lr_for(epoch);
  sgd.momentum = o_.optim.momentum;
  sgd.weight_decay = o_.optim.weight_decay;
  sgd.momentum_buffers = momentum_buffers(*e_.sgd, e_.model->parameters());
  models::save_reference_checkpoint(o_.best_checkpoint_path, *e_.model, epoch, sgd);
}

void Trainer::save_resume(int64_t epoch, int64_t batch, const EpochSums& sums) {
  if (!writes_files()) return;
  ResumeState r;
  r.epoch = epoch;
  r.batch = batch;
  for (const auto& [name, t] : models::state_dict(*e_.model))
    r.weights.emplace_back(name, t.detach().cpu().clone());
  for (const auto& b : momentum_buffers(*e_.sgd, e_.model->parameters()))
    r.momentum.push_back(b.defined() ? b.cpu() : at::Tensor());
  r.books = books_;
  r.sums = sums;
  r.steps = steps_;
  r.has_scaler = e_.scaler.enabled();
  if (r.has_scaler) {
    r.scaler_scale = e_.scaler.current_scale();
    r.scaler_growth_tracker = e_.scaler.growth_tracker();
  }
  const std::vector<char> bytes = encode_resume_state(r);
  write_file_atomically(o_.resume_state_path, std::string_view(bytes.data(), bytes.size()),
                        "write resume state");
  recorder_.record_resume_state(o_.resume_state_path);
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
  text = world_.broadcast_string(text, 0, "rank 0's resume state");
  std::vector<char> bytes(text.begin(), text.end());  // What the unpickler reads.
  std::string().swap(text);  // The state is the model's size: hold one copy while decoding.
  ResumeState r = decode_resume_state(bytes, path);
  std::vector<char>().swap(bytes);
  models::load_state_dict(*e_.model, r.weights, path);
  set_momentum_buffers(*e_.sgd, e_.model->parameters(), r.momentum, e_.device);
  books_ = r.books;
  steps_ = r.steps;
  if (e_.scaler.enabled()) {
    if (!r.has_scaler) {
      throw Error(
          "read resume state", path, 0, "scaler_scale",
          "an fp16 run's resume state must hold the loss scale (written by an older version?); "
          "start the run again without --resume, or with --force");
    }
    e_.scaler.restore(r.scaler_scale, r.scaler_growth_tracker);
  }
  *epoch = r.epoch;
  *batch = r.batch;
  return r.sums;
}

TrainResult Trainer::finished() const {
  TrainResult result;
  result.outcome = Outcome::kFinished;
  auto& f = result.final_record;
  f.best_epoch = books_.best_epoch;
  f.val = books_.best.metrics;
  f.per_class_recall = books_.best.per_class;
  f.confusion = books_.best.confusion;
  f.train_images_per_s = books_.timed_epochs ? books_.train_ips_sum / books_.timed_epochs : 0;
  f.eval_images_per_s = books_.timed_epochs ? books_.eval_ips_sum / books_.timed_epochs : 0;
  f.peak_rss_mb = peak_rss_mb();
  f.peak_cuda_mb = cuda_peak_mb(e_.device);
  f.checkpoint_path = o_.best_checkpoint_path;
  f.samples = books_.best.samples;
  return result;
}

}  // namespace

TrainResult train(const TrainOptions& options, const datasets::Dataset& data,
                  metrics::Recorder& recorder, const std::string& resume_from, std::ostream& log,
                  distributed::Collective& world) {
  if (world.rank() == 0) boost::filesystem::create_directories(options.checkpoint_dir);
  Trainer trainer(options, data, recorder, log, world);
  return trainer.run(resume_from);
}

}  // namespace fer::training
