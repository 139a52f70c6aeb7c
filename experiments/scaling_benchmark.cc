// scaling_benchmark (issue #11): data-parallel scaling on this machine, every mode measured in
// the same run with the same global batch, each in fresh processes:
//   1 rank x T threads (batch R*B)                       the peer
//   R ranks x T/R threads, bucketed all-reduce overlapping backward (distributed::GradientSync)
//   R ranks x T/R threads, one all-reduce after backward
//   R ranks x T/R threads, no gradient exchange (compute only: the all-reduce cost is the
//     difference; not a correct training step)
// Each mode runs warm-up steps, then timed steps of experiments/train_step (forward, loss,
// backward, sync, SGD), the ranks starting together after a barrier. Prints a Markdown table:
// global images/s, ms per step and the ratio to the peer.
//   bazel run -c opt //experiments:scaling_benchmark -- --backbone densenet --input_size 64
#include <ATen/ATen.h>
#include <sys/wait.h>
#include <torch/optim/sgd.h>
#include <unistd.h>

#include <boost/program_options.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "core/error.h"
#include "distributed/grad_sync.h"
#include "distributed/group.h"
#include "experiments/device.h"
#include "experiments/launcher.h"
#include "experiments/train_step.h"
#include "models/factory.h"

namespace {
namespace ex = fer::experiments;
namespace dist = fer::distributed;

struct Settings {
  std::string backbone = "densenet", model = "single_task";
  int input_size = 64, batch = 8, steps = 8, warmup = 2, ranks = 2, threads = 2;
};

enum class Sync { kSingle, kOverlap, kAfterBackward, kNone };

// One rank's timed loop; returns the seconds of the timed steps (after a barrier).
double run_rank(const Settings& s, Sync sync_mode, int rank, int world, int port) {
  ex::set_threads(sync_mode == Sync::kSingle ? s.threads : std::max(1, s.threads / world));
  fer::models::ModelSpec spec;
  spec.backbone = fer::models::parse_backbone(s.backbone);
  spec.kind = fer::models::parse_model_kind(s.model);
  at::manual_seed(0);
  auto model = fer::models::make_model(spec);
  model->train();
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.001).momentum(0.9));
  ex::GradScaler scaler(false, c10::Device(c10::kCPU));
  const int64_t batch = sync_mode == Sync::kSingle ? int64_t{s.batch} * s.ranks : s.batch;
  ex::StepInputs in;
  in.images = at::randn({batch, 3, s.input_size, s.input_size});
  in.labels = at::randint(0, 7, {batch});
  in.valence_arousal = at::rand({batch, 2});
  in.nodes = at::randn({9, 300});
  std::unique_ptr<dist::Group> group;
  std::unique_ptr<dist::GradientSync> sync;
  if (world > 1) {
    dist::LaunchEnv env;
    env.rank = rank;
    env.world_size = world;
    env.master_port = port;
    group = dist::Group::join(env, dist::GroupOptions());
    std::vector<at::Tensor> params = model->parameters();
    group->broadcast(params, 0, "initial weights");
    if (sync_mode == Sync::kOverlap || sync_mode == Sync::kAfterBackward) {
      sync = std::make_unique<dist::GradientSync>(*group, model->parameters(),
                                                  sync_mode == Sync::kOverlap ? dist::GradientSync::Mode::kOverlap
                                                                              : dist::GradientSync::Mode::kAfterBackward);
    }
  }
  const c10::Device cpu(c10::kCPU);
  for (int i = 0; i < s.warmup; ++i) ex::train_step(model, sgd, scaler, in, 1.0, "fp32", cpu, nullptr, sync.get());
  if (group) group->barrier("start");
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < s.steps; ++i) ex::train_step(model, sgd, scaler, in, 1.0, "fp32", cpu, nullptr, sync.get());
  if (group) group->barrier("end");
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs one mode in fresh processes; returns rank 0's seconds.
double measure(const Settings& s, Sync mode) {
  const int world = mode == Sync::kSingle ? 1 : s.ranks;
  const int port = ex::free_local_port();
  const std::string out = "/tmp/emogcn-scaling-" + std::to_string(::getpid()) + ".txt";
  std::vector<pid_t> pids;
  std::cout.flush();
  std::fflush(nullptr);  // Or the children would print the parent's buffered lines again.
  for (int r = 0; r < world; ++r) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      int code = 0;
      try {
        const double seconds = run_rank(s, mode, r, world, port);
        if (r == 0) std::ofstream(out) << seconds;
      } catch (const std::exception& e) {
        std::cerr << "scaling_benchmark: rank " << r << ": " << e.what() << "\n";
        code = 1;
      }
      std::fflush(nullptr);
      ::_exit(code);
    }
    pids.push_back(pid);
  }
  bool ok = true;
  for (pid_t p : pids) {
    int status = 0;
    ::waitpid(p, &status, 0);
    ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  double seconds = 0;
  std::ifstream(out) >> seconds;
  std::remove(out.c_str());
  if (!ok || seconds <= 0) throw fer::Error("scaling benchmark", "", 0, "", "a rank failed");
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  Settings s;
  po::options_description desc("scaling_benchmark: data-parallel training steps, ranks x threads, on this machine");
  desc.add_options()("help", "show this help")
      ("backbone", po::value(&s.backbone)->default_value(s.backbone), "densenet | bregnext")
      ("model", po::value(&s.model)->default_value(s.model), "single_task | multi_task | emotion_gcn")
      ("input_size", po::value(&s.input_size)->default_value(s.input_size), "input pixels")
      ("batch", po::value(&s.batch)->default_value(s.batch), "per-rank batch (the peer's is ranks x batch)")
      ("steps", po::value(&s.steps)->default_value(s.steps), "timed steps per mode")
      ("warmup", po::value(&s.warmup)->default_value(s.warmup), "untimed steps per mode")
      ("ranks", po::value(&s.ranks)->default_value(s.ranks), "ranks of the data-parallel modes")
      ("threads", po::value(&s.threads)->default_value(s.threads), "threads in all (split between the ranks)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc;
      return 0;
    }
    po::notify(vm);
    struct Row {
      std::string name;
      Sync mode;
    };
    const std::string rt = std::to_string(s.ranks) + " ranks x " + std::to_string(std::max(1, s.threads / s.ranks)) + " thread(s)";
    const std::vector<Row> rows = {{"1 rank x " + std::to_string(s.threads) + " thread(s)", Sync::kSingle},
                                   {rt + ", all-reduce overlapping backward", Sync::kOverlap},
                                   {rt + ", one all-reduce after backward", Sync::kAfterBackward},
                                   {rt + ", no gradient exchange (compute only)", Sync::kNone}};
    const double images = static_cast<double>(s.batch) * s.ranks * s.steps;
    std::cout << "| " << s.backbone << " " << s.model << " at " << s.input_size << " px, global batch "
              << s.batch * s.ranks << " | images/s | ms/step | vs 1 rank |\n| --- | --- | --- | --- |\n";
    double peer = 0;
    std::vector<double> ms;
    for (const auto& r : rows) {
      const double seconds = measure(s, r.mode);
      if (r.mode == Sync::kSingle) peer = images / seconds;
      ms.push_back(1000 * seconds / s.steps);
      char line[256];
      std::snprintf(line, sizeof(line), "| %s | %.1f | %.0f | %.2fx |\n", r.name.c_str(), images / seconds,
                    ms.back(), images / seconds / peer);
      std::cout << line << std::flush;
    }
    std::printf("\nall-reduce cost per step: %.0f ms after backward, %.0f ms overlapping (step time minus compute only)\n",
                ms[2] - ms[3], ms[1] - ms[3]);
    return 0;
  } catch (const po::error& e) {
    std::cerr << "scaling_benchmark: " << e.what() << "\n" << desc;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "scaling_benchmark: error: " << e.what() << "\n";
    return 1;
  }
}
