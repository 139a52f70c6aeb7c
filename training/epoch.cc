#include "training/epoch.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <string>
#include <vector>

#include "training/device.h"
#include "training/interrupt.h"
#include "training/progress.h"
#include "training/train_step.h"

namespace fer::training {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The loss parts and correct predictions of one step, added to the epoch's sums.
void add_step(EpochSums& sums, const metrics::LossParts& loss, const at::Tensor& logits,
              const at::Tensor& labels) {
  sums.loss += loss.total.item<double>();
  sums.loss_expression += loss.expression.item<double>();
  if (loss.valence_arousal.defined()) sums.loss_va += loss.valence_arousal.item<double>();
  sums.correct += logits.argmax(1).eq(labels).sum().item<int64_t>();
  sums.seen += labels.size(0);
  ++sums.batches;
}

// Whether training stops after this step, agreed by every rank (or the others would wait in
// the next all-reduce).
bool should_stop(const TrainOptions& o, distributed::Collective& world, int64_t steps) {
  if (world.size() > 1 && world.rank() == o.testing.die_rank &&
      steps == o.testing.die_after_steps) {
    ::kill(::getpid(), SIGKILL);  // The fault tests' dying rank: no cleanup, as if killed.
  }
  const bool stop = g_interrupt_requested || (o.testing.interrupt_after_steps > 0 &&
                                              steps == o.testing.interrupt_after_steps);
  return world.any(stop, "interrupt check");
}

}  // namespace

EpochPass train_epoch(Engine& e, const TrainOptions& o, distributed::Collective& world,
                      int64_t epoch, int64_t first_batch, EpochSums& sums, int64_t* steps,
                      std::ostream& log) {
  e.model->train();
  e.train_loader->start_epoch(epoch, first_batch);
  const int64_t batches = e.train_loader->num_batches();
  const int64_t warmup = std::min<int64_t>(2, std::max<int64_t>(0, batches - first_batch - 1));
  Progress progress(log, "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(o.epochs),
                    batches);
  EpochPass pass;
  auto timed_start = Clock::now();
  int64_t timed_images = 0, index = first_batch;
  while (auto batch = e.train_loader->next()) {
    const auto t0 = Clock::now();
    if (index - first_batch == warmup) {
      synchronize(e.device);
      timed_start = t0;
      timed_images = 0;
    }
    at::Tensor images = batch->images.to(e.device, /*non_blocking=*/true);
    if (o.channels_last) images = images.contiguous(at::MemoryFormat::ChannelsLast);
    const at::Tensor labels = batch->expression.to(e.device);
    models::ModelOutput out;
    const metrics::LossParts loss =
        train_step(e.model, *e.sgd, e.scaler,
                   {images, labels, batch->valence_arousal.to(e.device), e.nodes, e.class_weights},
                   o.lambda, o.precision, e.device, &out, e.sync.get());
    add_step(sums, loss, out.expression, labels);
    synchronize(e.device);
    pass.compute_s += seconds_since(t0);
    timed_images += labels.size(0);
    ++index;
    ++*steps;
    const double elapsed = seconds_since(timed_start);
    progress.update(index, sums.loss / sums.batches, elapsed > 0 ? timed_images / elapsed : 0);
    if (should_stop(o, world, *steps)) {
      progress.finish();
      pass.next_batch = index;
      return pass;
    }
  }
  progress.finish();
  const double elapsed = seconds_since(timed_start);
  pass.completed = true;
  pass.next_batch = index;
  pass.images_per_s = elapsed > 0 ? timed_images / elapsed : 0;
  pass.wait_s = e.train_loader->wait_seconds();
  return pass;
}

void sum_over_ranks(distributed::Collective& world, EpochSums& sums, double* images_per_s) {
  at::Tensor t =
      at::tensor({sums.loss, sums.loss_expression, sums.loss_va, static_cast<double>(sums.batches),
                  static_cast<double>(sums.correct), static_cast<double>(sums.seen), *images_per_s},
                 at::kDouble);
  world.allreduce_sum(t, "sum of the epoch's training statistics");
  const auto v = [&](int64_t i) { return t[i].item<double>(); };
  sums.loss = v(0);
  sums.loss_expression = v(1);
  sums.loss_va = v(2);
  sums.batches = static_cast<int64_t>(v(3));
  sums.correct = static_cast<int64_t>(v(4));
  sums.seen = static_cast<int64_t>(v(5));
  *images_per_s = v(6);
}

Evaluation evaluate_epoch(Engine& e, const TrainOptions& o, distributed::Collective& world) {
  {
    // Rank 0's running statistics, the ones its checkpoint holds, on every rank.
    torch::NoGradGuard no_grad;
    std::vector<at::Tensor> buffers = e.model->buffers();
    world.broadcast(buffers, 0, "broadcast of rank 0's BatchNorm statistics");
  }
  SplitOutputs mine = collect_outputs(*e.model, *e.val_loader, e.eval);
  SplitOutputs all;
  const std::string what = "gather of the validation outputs";
  // Every rank's rows, in the split's order (the order a single process evaluates in).
  const at::Tensor order = world.all_gather_rows(mine.indices, what).argsort();
  const auto gather = [&](const at::Tensor& rows) {
    return world.all_gather_rows(rows, what).index_select(0, order);
  };
  all.indices = gather(mine.indices);
  all.logits = gather(mine.logits);
  all.labels = gather(mine.labels);
  all.va_true = gather(mine.va_true);
  // Decided by the model, not by this rank's rows: a rank whose shard is empty joins the gather.
  if (o.model != models::ModelKind::kSingleTask) {
    all.va_pred = gather(mine.va_pred.defined() ? mine.va_pred : at::empty({0, 2}, at::kFloat));
  }
  at::Tensor rate = at::tensor({mine.images_per_s}, at::kDouble);
  world.allreduce_sum(rate, what);
  all.images_per_s = rate.item<double>();
  return evaluation_from_outputs(all, e.eval, o.data.batch_size);
}

}  // namespace fer::training
