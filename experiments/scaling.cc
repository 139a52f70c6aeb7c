#include "experiments/scaling.h"

#include <ATen/ATen.h>
#include <sys/wait.h>
#include <torch/optim/sgd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include "core/error.h"
#include "distributed/grad_sync.h"
#include "distributed/group.h"
#include "distributed/launcher.h"
#include "models/factory.h"
#include "training/amp.h"
#include "training/device.h"
#include "training/train_step.h"

namespace fer::experiments {
namespace {

constexpr const char* kOperation = "scaling benchmark";

int threads_per_rank(const ScalingOptions& o) { return std::max(1, o.threads / o.ranks); }

// One rank's timed loop; returns the seconds of the timed steps (between two barriers).
double run_rank(const ScalingOptions& o, ScalingMode mode, int rank, int world, int port) {
  training::set_threads(mode == ScalingMode::kSingle ? o.threads : threads_per_rank(o));
  models::ModelSpec spec;
  spec.backbone = models::parse_backbone(o.backbone);
  spec.kind = models::parse_model_kind(o.model);
  at::manual_seed(0);
  auto model = models::make_model(spec);
  model->train();
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.001).momentum(0.9));
  training::GradScaler scaler(false, c10::Device(c10::kCPU));
  const int64_t batch = mode == ScalingMode::kSingle ? int64_t{o.batch} * o.ranks : o.batch;
  training::StepInputs in;
  in.images = at::randn({batch, 3, o.input_size, o.input_size});
  in.labels = at::randint(0, 7, {batch});
  in.valence_arousal = at::rand({batch, 2});
  in.nodes = at::randn({9, 300});
  std::unique_ptr<distributed::Group> group;
  std::unique_ptr<distributed::GradientSync> sync;
  if (world > 1) {
    distributed::LaunchEnv env;
    env.rank = rank;
    env.world_size = world;
    env.master_port = port;
    distributed::GroupOptions go;
    go.timeout = std::chrono::seconds(120);
    group = distributed::Group::join(env, go);
    std::vector<at::Tensor> params = model->parameters();
    group->broadcast(params, 0, "initial weights");
    if (mode == ScalingMode::kOverlap || mode == ScalingMode::kAfterBackward) {
      sync = std::make_unique<distributed::GradientSync>(
          *group, model->parameters(),
          mode == ScalingMode::kOverlap ? distributed::GradientSync::Mode::kOverlap
                                        : distributed::GradientSync::Mode::kAfterBackward);
    }
  }
  const c10::Device cpu(c10::kCPU);
  for (int i = 0; i < o.warmup; ++i)
    training::train_step(model, sgd, scaler, in, 1.0, training::Precision::kFp32, cpu, nullptr,
                         sync.get());
  if (group) group->barrier("start of the timed steps");
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < o.steps; ++i)
    training::train_step(model, sgd, scaler, in, 1.0, training::Precision::kFp32, cpu, nullptr,
                         sync.get());
  if (group) group->barrier("end of the timed steps");
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A forked rank: runs, writes "ok <seconds>" or "error <message>" to fd, and exits.
[[noreturn]] void rank_process(const ScalingOptions& o, ScalingMode mode, int rank, int world,
                               int port, int fd) {
  std::string report;
  int code = 0;
  try {
    report = "ok " + std::to_string(run_rank(o, mode, rank, world, port));
  } catch (const std::exception& e) {
    report = std::string("error ") + e.what();
    code = 1;
  }
  ssize_t ignored = ::write(fd, report.data(), report.size());
  (void)ignored;
  ::close(fd);
  std::fflush(nullptr);
  ::_exit(code);
}

std::string read_all(int fd) {
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof(buffer))) > 0) out.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

// One mode in fresh processes; returns rank 0's seconds.
double measure_mode(const ScalingOptions& o, ScalingMode mode) {
  const int world = mode == ScalingMode::kSingle ? 1 : o.ranks;
  const int port = distributed::free_local_port();
  std::cout.flush();
  std::fflush(nullptr);  // Or the children would print the parent's buffered lines again.
  std::vector<pid_t> pids;
  std::vector<int> fds;
  for (int r = 0; r < world; ++r) {
    int p[2];
    if (::pipe(p) != 0)
      throw Error(kOperation, "", 0, "", std::string("pipe: ") + std::strerror(errno));
    const pid_t pid = ::fork();
    if (pid < 0) throw Error(kOperation, "", 0, "", std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
      ::close(p[0]);
      rank_process(o, mode, r, world, port, p[1]);
    }
    ::close(p[1]);
    pids.push_back(pid);
    fds.push_back(p[0]);
  }
  std::vector<std::string> reports;
  for (int fd : fds) reports.push_back(read_all(fd));  // EOF when the rank exits.
  for (pid_t pid : pids) ::waitpid(pid, nullptr, 0);
  for (int r = 0; r < world; ++r) {
    const std::string& report = reports[static_cast<size_t>(r)];
    if (report.rfind("ok ", 0) != 0) {
      throw Error(kOperation, "", 0, "",
                  "rank " + std::to_string(r) + ": " +
                      (report.empty() ? "exited without a report" : report.substr(6)));
    }
  }
  return std::stod(reports[0].substr(3));
}

std::string mode_name(const ScalingOptions& o, ScalingMode mode) {
  const std::string ranks =
      std::to_string(o.ranks) + " ranks x " + std::to_string(threads_per_rank(o)) + " thread(s)";
  switch (mode) {
    case ScalingMode::kSingle:
      return "1 rank x " + std::to_string(o.threads) + " thread(s)";
    case ScalingMode::kOverlap:
      return ranks + ", all-reduce overlapping backward";
    case ScalingMode::kAfterBackward:
      return ranks + ", one all-reduce after backward";
    case ScalingMode::kComputeOnly:
      return ranks + ", no gradient exchange (compute only)";
  }
  return "";
}

void check_at_least(int value, int least, const char* field) {
  if (value < least) {
    throw Error("scaling options", "", 0, field,
                "must be at least " + std::to_string(least) + ", got " + std::to_string(value));
  }
}

}  // namespace

void check_scaling_options(const ScalingOptions& o) {
  check_at_least(o.input_size, 16, "input_size");
  check_at_least(o.batch, 1, "batch");
  check_at_least(o.steps, 1, "steps");
  check_at_least(o.warmup, 0, "warmup");
  check_at_least(o.ranks, 2, "ranks");
  check_at_least(o.threads, 1, "threads");
  try {
    models::parse_backbone(o.backbone);
    models::parse_model_kind(o.model);
  } catch (const std::exception& e) {
    throw Error("scaling options", "", 0, "backbone/model", e.what());
  }
}

std::vector<ScalingRow> measure_scaling(const ScalingOptions& o) {
  check_scaling_options(o);
  std::vector<ScalingRow> rows;
  const double images = static_cast<double>(o.batch) * o.ranks * o.steps;
  for (ScalingMode mode : {ScalingMode::kSingle, ScalingMode::kOverlap, ScalingMode::kAfterBackward,
                           ScalingMode::kComputeOnly}) {
    const double seconds = measure_mode(o, mode);
    rows.push_back({mode, mode_name(o, mode), images / seconds, 1000 * seconds / o.steps});
  }
  return rows;
}

std::string format_scaling(const ScalingOptions& o, const std::vector<ScalingRow>& rows) {
  std::string out = "| " + o.backbone + " " + o.model + " at " + std::to_string(o.input_size) +
                    " px, global batch " + std::to_string(o.batch * o.ranks) +
                    " | images/s | ms/step | vs 1 rank |\n| --- | --- | --- | --- |\n";
  double peer = 0, overlap = 0, after = 0, compute = 0;
  for (const auto& r : rows) {
    if (r.mode == ScalingMode::kSingle) peer = r.images_per_s;
    if (r.mode == ScalingMode::kOverlap) overlap = r.ms_per_step;
    if (r.mode == ScalingMode::kAfterBackward) after = r.ms_per_step;
    if (r.mode == ScalingMode::kComputeOnly) compute = r.ms_per_step;
  }
  char line[256];
  for (const auto& r : rows) {
    std::snprintf(line, sizeof(line), "| %s | %.1f | %.0f | %.2fx |\n", r.name.c_str(),
                  r.images_per_s, r.ms_per_step, peer > 0 ? r.images_per_s / peer : 0.0);
    out += line;
  }
  std::snprintf(line, sizeof(line),
                "\nall-reduce cost per step: %.0f ms after backward, %.0f ms overlapping (step "
                "time minus compute only)\n",
                after - compute, overlap - compute);
  return out + line;
}

}  // namespace fer::experiments
