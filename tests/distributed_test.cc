// Distributed training's pieces (issue #11) on Gloo with 2 ranks on loopback, the ranks as
// threads of this process over a shared c10d::HashStore: the launcher's environment, the
// collectives, and DDP-style gradient averaging, which must equal one process's gradients on
// the union of the ranks' batches, and keep the ranks' parameters identical; the failure board
// that names the rank which failed first.
#include <ATen/ATen.h>
#include <stdlib.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/functional.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>
#include <torch/optim/sgd.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <ctime>
#include <exception>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <torch/csrc/distributed/c10d/HashStore.hpp>
#include <vector>

#include "core/error.h"
#include "distributed/agreement.h"
#include "distributed/failure_board.h"
#include "distributed/grad_sync.h"
#include "distributed/group.h"
#include "distributed/launch_env.h"
#include "distributed/route.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"
#include "third_party/c10d_compat.h"

namespace dist = fer::distributed;

namespace {

std::function<const char*(const char*)> env_of(const std::map<std::string, std::string>& vars) {
  return [vars](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

// Runs fn(rank, group) on `world` threads, one rank each, and rethrows the first failure.
void run_ranks(int world, const std::function<void(int, dist::Group&)>& fn,
               std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  // LibTorch 2.x's c10d FlightRecorder is one trace per process, written by every group; with
  // ranks as threads of one process it saw concurrent groups (distributed/group.cc serialises
  // enqueues; this turns the trace off altogether). 1.13 has no such trace.
  ::setenv("TORCH_FR_BUFFER_SIZE", "0", 1);
  auto store = c10::make_intrusive<c10d::HashStore>();
  std::vector<std::exception_ptr> errors(static_cast<size_t>(world));
  std::vector<std::thread> threads;
  for (int r = 0; r < world; ++r) {
    threads.emplace_back([&, r] {
      try {
        at::set_num_threads(1);
        dist::GroupOptions o;
        o.timeout = timeout;
        auto group = dist::Group::over_store(store, r, world, o);
        fn(r, *group);
      } catch (...) {
        errors[static_cast<size_t>(r)] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

// A small network whose gradient over a batch is the mean of per-sample gradients: BatchNorm in
// eval mode (training-mode BatchNorm couples the samples of a batch).
torch::nn::Sequential make_net(int seed) {
  at::manual_seed(seed);
  torch::nn::Sequential net(
      torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 8, 3)), torch::nn::BatchNorm2d(8),
      torch::nn::ReLU(), torch::nn::Conv2d(torch::nn::Conv2dOptions(8, 8, 3)),
      torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions({1, 1})),
      torch::nn::Flatten(), torch::nn::Linear(8, 7));
  net->eval();
  return net;
}

at::Tensor batch_images(int step, int rank) {
  at::manual_seed(1000 + 10 * step + rank);
  return at::randn({4, 3, 10, 10});
}

at::Tensor batch_labels(int step, int rank) {
  at::manual_seed(2000 + 10 * step + rank);
  return at::randint(0, 7, {4});
}

}  // namespace

TEST_CASE("the launcher's environment: torchrun's variables, srun's, and clear errors",
          "[distributed]") {
  CHECK_FALSE(dist::read_launch_env(env_of({})).distributed());
  auto e = dist::read_launch_env(env_of({{"RANK", "3"},
                                         {"WORLD_SIZE", "8"},
                                         {"LOCAL_RANK", "1"},
                                         {"LOCAL_WORLD_SIZE", "2"},
                                         {"MASTER_ADDR", "node0"},
                                         {"MASTER_PORT", "29400"}}));
  CHECK(e.distributed());
  CHECK(e.rank == 3);
  CHECK(e.world_size == 8);
  CHECK(e.local_rank == 1);
  CHECK(e.local_world_size == 2);
  CHECK(e.master_addr == "node0");
  CHECK(e.master_port == 29400);
  CHECK(e.source == "torchrun");
  e = dist::read_launch_env(env_of({{"SLURM_PROCID", "1"},
                                    {"SLURM_NTASKS", "2"},
                                    {"SLURM_LOCALID", "0"},
                                    {"MASTER_ADDR", "n1"},
                                    {"MASTER_PORT", "1234"}}));
  CHECK(e.source == "slurm");
  CHECK(e.rank == 1);
  CHECK(e.world_size == 2);
  // An srun step without MASTER_ADDR is not taken for a distributed job.
  CHECK_FALSE(
      dist::read_launch_env(env_of({{"SLURM_PROCID", "1"}, {"SLURM_NTASKS", "2"}})).distributed());
  // torchrun's agent store: only Python's spelling of true counts, as in torch.distributed.
  const std::map<std::string, std::string> job = {
      {"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}, {"MASTER_PORT", "1"}};
  CHECK_FALSE(e.agent_store);
  auto with = [&](std::map<std::string, std::string> extra) {
    extra.insert(job.begin(), job.end());
    return dist::read_launch_env(env_of(extra));
  };
  e = with({{"TORCHELASTIC_USE_AGENT_STORE", "True"}, {"TORCHELASTIC_RESTART_COUNT", "2"}});
  CHECK(e.agent_store);
  CHECK(e.restart_count == 2);
  CHECK_FALSE(with({{"TORCHELASTIC_USE_AGENT_STORE", "False"}}).agent_store);
  CHECK_FALSE(with({{"TORCHELASTIC_USE_AGENT_STORE", "1"}}).agent_store);
  CHECK(with({}).restart_count == 0);
  // A PyTorchJob pod without torchrun (RANK, WORLD_SIZE, MASTER_* only): one process on its
  // machine, so cuda:0 and all its cores; a LOCAL_RANK alone says at least that many share it.
  e = with({{"RANK", "1"}});
  CHECK(e.rank == 1);
  CHECK(e.local_rank == 0);
  CHECK(e.local_world_size == 1);
  e = with({{"LOCAL_RANK", "1"}});
  CHECK(e.local_rank == 1);
  CHECK(e.local_world_size == 2);
  // srun: the node's tasks from --ntasks-per-node, else from the step's task count list.
  const std::map<std::string, std::string> step = {{"SLURM_PROCID", "6"},
                                                   {"SLURM_NTASKS", "7"},
                                                   {"SLURM_LOCALID", "0"},
                                                   {"MASTER_ADDR", "n1"},
                                                   {"MASTER_PORT", "1234"}};
  auto in_step = [&](std::map<std::string, std::string> extra) {
    extra.insert(step.begin(), step.end());
    return dist::read_launch_env(env_of(extra));
  };
  CHECK(in_step({}).local_world_size == 1);
  CHECK(
      in_step({{"SLURM_NODEID", "3"}, {"SLURM_STEP_TASKS_PER_NODE", "2(x3),1"}}).local_world_size ==
      1);
  CHECK(
      in_step({{"SLURM_NODEID", "2"}, {"SLURM_STEP_TASKS_PER_NODE", "2(x3),1"}}).local_world_size ==
      2);
  CHECK(in_step({{"SLURM_NODEID", "0"}, {"SLURM_TASKS_PER_NODE", "3,4"}}).local_world_size == 3);
  CHECK(in_step({{"SLURM_NODEID", "1"},
                 {"SLURM_STEP_TASKS_PER_NODE", "3,4"},
                 {"SLURM_TASKS_PER_NODE", "1(x7)"}})
            .local_world_size == 4);
  CHECK(in_step({{"SLURM_NTASKS_PER_NODE", "4"}, {"SLURM_STEP_TASKS_PER_NODE", "2(x3),1"}})
            .local_world_size == 4);
  struct Bad {
    std::map<std::string, std::string> vars;
    std::string field;
  };
  for (const auto& bad : std::vector<Bad>{
           {{{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}, {"MASTER_PORT", "1"}},
            "RANK"},
           {{{"RANK", "x"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}, {"MASTER_PORT", "1"}},
            "RANK"},
           {{{"RANK", "0"}}, "WORLD_SIZE"},
           {{{"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}, {"MASTER_PORT", "1"}}, "RANK"},
           {{{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "1"}}, "MASTER_ADDR"},
           {{{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}, {"MASTER_PORT", "70000"}},
            "MASTER_PORT"},
           {{{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}}, "MASTER_PORT"},
           {{{"RANK", "0"},
             {"WORLD_SIZE", "2"},
             {"MASTER_ADDR", "a"},
             {"MASTER_PORT", "1"},
             {"TORCHELASTIC_RESTART_COUNT", "-1"}},
            "TORCHELASTIC_RESTART_COUNT"},
           {{{"RANK", "0"},
             {"WORLD_SIZE", "4"},
             {"MASTER_ADDR", "a"},
             {"MASTER_PORT", "1"},
             {"LOCAL_RANK", "2"},
             {"LOCAL_WORLD_SIZE", "2"}},
            "LOCAL_RANK"},
           {{{"SLURM_PROCID", "0"},
             {"SLURM_NTASKS", "4"},
             {"SLURM_LOCALID", "2"},
             {"SLURM_NTASKS_PER_NODE", "2"},
             {"MASTER_ADDR", "a"},
             {"MASTER_PORT", "1"}},
            "SLURM_LOCALID"},
           {{{"SLURM_PROCID", "0"},
             {"SLURM_NTASKS", "4"},
             {"SLURM_STEP_TASKS_PER_NODE", "2(x2"},
             {"MASTER_ADDR", "a"},
             {"MASTER_PORT", "1"}},
            "SLURM_STEP_TASKS_PER_NODE"},
           {{{"SLURM_PROCID", "0"},
             {"SLURM_NTASKS", "4"},
             {"SLURM_STEP_TASKS_PER_NODE", "2,x"},
             {"MASTER_ADDR", "a"},
             {"MASTER_PORT", "1"}},
            "SLURM_STEP_TASKS_PER_NODE"},
           {{{"SLURM_PROCID", "0"},
             {"SLURM_NTASKS", "4"},
             {"SLURM_NODEID", "2"},
             {"SLURM_TASKS_PER_NODE", "2(x2)"},
             {"MASTER_ADDR", "a"},
             {"MASTER_PORT", "1"}},
            "SLURM_TASKS_PER_NODE"},
       }) {
    INFO(bad.field);
    try {
      dist::read_launch_env(env_of(bad.vars));
      FAIL("accepted");
    } catch (const fer::Error& err) {
      CHECK(err.field() == bad.field);
    }
  }
}

TEST_CASE(
    "Gloo binds to an address the master's network reaches, not the loopback of the host's name",
    "[distributed]") {
  CHECK(dist::local_address_towards("127.0.0.1") == "127.0.0.1");
  CHECK(dist::is_loopback_address("127.0.1.1"));
  CHECK(dist::is_loopback_address("::1"));
  CHECK_FALSE(dist::is_loopback_address("192.0.2.2"));
  CHECK_FALSE(dist::is_loopback_address("node0"));
  // A master given as loopback is a job on one machine, whatever the launcher says.
  CHECK(dist::gloo_bind_address("localhost", /*spans_machines=*/true) == "127.0.0.1");
  CHECK(dist::gloo_bind_address("127.0.0.1", /*spans_machines=*/true) == "127.0.0.1");
  try {
    dist::local_address_towards("");
    FAIL("an empty host resolved");
  } catch (const fer::Error& e) {
    CHECK(e.field() == "MASTER_ADDR");
  }
  const std::string interface = dist::first_interface_address();
  if (interface.empty()) {
    WARN("this machine has no non-loopback interface: the multi-machine cases are not checked");
    return;
  }
  INFO("first interface address " << interface);
  CHECK_FALSE(dist::is_loopback_address(interface));
  CHECK(dist::local_address_towards(interface) == interface);
  CHECK(dist::gloo_bind_address(interface, /*spans_machines=*/true) == interface);
  // This machine's own name as MASTER_ADDR (rank 0's machine in a multi-node job). Where it
  // resolves to loopback (Debian's /etc/hosts: 127.0.1.1; most containers: 127.0.0.1), a job
  // across machines must announce the interface's address, which the other machines reach.
  char host[256] = {};
  REQUIRE(::gethostname(host, sizeof(host) - 1) == 0);
  const std::string towards = dist::local_address_towards(host);
  INFO("this host " << host << " routes to itself from " << towards);
  if (dist::is_loopback_address(towards)) {
    CHECK(dist::gloo_bind_address(host, /*spans_machines=*/true) == interface);
    CHECK(dist::gloo_bind_address(host, /*spans_machines=*/false) == towards);
  } else {
    CHECK(dist::gloo_bind_address(host, /*spans_machines=*/true) == towards);
  }
}

TEST_CASE("a worker's error is written where torchrun's agent reads it, once", "[distributed]") {
  const std::string path = (fer::testing::temp_dir("launcher_error") / "error.json").string();
  CHECK(dist::write_launcher_error_file("no file asked for", env_of({})).empty());
  const auto vars = env_of({{"TORCHELASTIC_ERROR_FILE", path}});
  const auto before = std::time(nullptr);
  REQUIRE(dist::write_launcher_error_file("open dataset: /data: \"quoted\"\nsecond line", vars) ==
          path);
  std::ifstream in(path);
  const nlohmann::json data = nlohmann::json::parse(in);
  // The fields PyTorch's ErrorHandler writes and torchrun's ProcessFailure reads.
  CHECK(data.at("message").at("message") == "open dataset: /data: \"quoted\"\nsecond line");
  const long long stamp =
      std::stoll(data.at("message").at("extraInfo").at("timestamp").get<std::string>());
  CHECK(stamp >= before);
  CHECK(stamp <= std::time(nullptr));
  CHECK(data.at("message").at("extraInfo").contains("py_callstack"));
  // The first error of the process is the one torchrun should see.
  CHECK(dist::write_launcher_error_file("a later error", vars).empty());
  std::ifstream again(path);
  CHECK(nlohmann::json::parse(again).at("message").at("message") ==
        "open dataset: /data: \"quoted\"\nsecond line");
}

TEST_CASE(
    "the backend: auto is NCCL on CUDA and Gloo on the CPU, as PyTorch's; NCCL without a GPU or "
    "NCCL is refused",
    "[distributed]") {
  CHECK(dist::resolve_backend("auto", "cpu") == "gloo");
  CHECK(dist::resolve_backend("gloo", "cpu") == "gloo");
  CHECK(dist::resolve_backend("gloo", "cuda:1") == "gloo");
  const auto field_of = [](const std::string& backend, const std::string& device) {
    try {
      dist::resolve_backend(backend, device);
    } catch (const fer::Error& e) {
      return e.field() + ": " + e.what();
    }
    return std::string("accepted");
  };
  CHECK_THAT(field_of("mpi", "cpu"), Catch::Matchers::StartsWith("dist_backend") &&
                                         Catch::Matchers::Contains("valid: auto, gloo, nccl"));
  CHECK_THAT(field_of("nccl", "cpu"), Catch::Matchers::StartsWith("dist_backend") &&
                                          Catch::Matchers::Contains("--device cuda"));
  if (fer::compat::built_with_nccl()) {
    CHECK(dist::resolve_backend("auto", "cuda:0") == "nccl");
    CHECK(dist::resolve_backend("nccl", "cuda") == "nccl");
  } else {
    // A CPU-only LibTorch (Debian's 1.13): a clear error before any rendezvous, not a crash.
    CHECK_THAT(field_of("auto", "cuda:0"), Catch::Matchers::Contains("has no NCCL"));
    CHECK_THAT(field_of("nccl", "cuda:0"), Catch::Matchers::Contains("has no NCCL"));
    dist::GroupOptions o;
    o.backend = "nccl";
    o.device = c10::Device("cuda:0");
    CHECK_THROWS_WITH(
        dist::Group::over_store(c10::make_intrusive<c10d::HashStore>(), 0, 1, o),
        Catch::Matchers::Contains("rank 0") && Catch::Matchers::Contains("has no NCCL"));
  }
}

TEST_CASE("collectives over 2 ranks: sum, broadcast, gather of unequal row counts, any",
          "[distributed]") {
  // Catch2 assertions are not thread-safe: the ranks record, the test thread checks.
  std::vector<std::vector<at::Tensor>> got(2);
  std::vector<std::vector<bool>> flags(2);
  run_ranks(2, [&](int rank, dist::Group& g) {
    at::Tensor t = at::full({3}, rank + 1.0);
    g.allreduce_sum(t, "test");
    std::vector<at::Tensor> b = {at::full({2, 2}, static_cast<double>(rank))};
    g.broadcast(b, /*root=*/1, "test");
    const at::Tensor rows = at::arange(rank == 0 ? 3 : 1).view({-1, 1}) + 10 * rank;
    got[static_cast<size_t>(rank)] = {t, b[0], g.all_gather_rows(rows, "test")};
    flags[static_cast<size_t>(rank)] = {
        g.any(rank == 1, "test"), g.any(false, "test"),
        g.broadcast_string(rank == 0 ? "from rank 0" : "", 0, "test") == "from rank 0",
        g.broadcast_int(rank == 1 ? 42 : 0, 1, "test") == 42};
  });
  for (int rank = 0; rank < 2; ++rank) {
    INFO("rank " << rank);
    const auto& r = got[static_cast<size_t>(rank)];
    CHECK(at::equal(r[0], at::full({3}, 3.0)));
    CHECK(at::equal(r[1], at::full({2, 2}, 1.0)));
    CHECK(at::equal(r[2], at::tensor({0, 1, 2, 10}, at::kLong).view({-1, 1})));
    CHECK(flags[static_cast<size_t>(rank)] == std::vector<bool>{true, false, true, true});
  }
}

TEST_CASE(
    "the ranks must share their configuration and data: a difference fails every rank, naming it",
    "[distributed]") {
  const nlohmann::json reference = {{"lr", 0.01}, {"seed", 1}, {"gone", true}};
  CHECK(dist::differing_fields(reference, reference, 1).empty());
  CHECK(dist::differing_fields(reference, {{"lr", 0.02}, {"seed", 1}, {"new", "x"}}, 3) ==
        std::vector<std::string>{"gone: absent on rank 3, true on rank 0",
                                 "lr: 0.02 on rank 3, 0.01 on rank 0",
                                 "new: \"x\" on rank 3, absent on rank 0"});
  // Three ranks with strings of different lengths (rank 1's empty) travel whole.
  run_ranks(3, [](int rank, dist::Group& g) {
    const auto all = g.all_gather_strings(
        rank == 1 ? "" : std::string(static_cast<size_t>(rank + 3), 'a' + rank), "t");
    CHECK(all == std::vector<std::string>{"aaa", "", "ccccc"});
    dist::require_agreement(g, "configuration", {{"lr", 0.01}});  // Agreeing ranks pass.
  });
  std::vector<std::string> messages(3);
  run_ranks(3, [&](int rank, dist::Group& g) {
    try {
      dist::require_agreement(g, "configuration", {{"lr", rank == 2 ? 0.02 : 0.01}, {"seed", 1}});
      messages[static_cast<size_t>(rank)] = "accepted";
    } catch (const fer::Error& e) {
      CHECK(e.field() == "configuration");
      messages[static_cast<size_t>(rank)] = e.what();
    }
  });
  for (int rank = 0; rank < 3; ++rank) {
    INFO("rank " << rank << ": " << messages[static_cast<size_t>(rank)]);
    CHECK_THAT(
        messages[static_cast<size_t>(rank)],
        Catch::Matchers::Contains("rank(s) 2 of 3 differ from rank 0 in the configuration") &&
            Catch::Matchers::Contains("lr: 0.02 on rank 2, 0.01 on rank 0") &&
            !Catch::Matchers::Contains("seed"));
  }
}

TEST_CASE("averaged gradients equal one process's gradients on the union of the ranks' batches",
          "[distributed]") {
  const auto mode =
      GENERATE(dist::GradientSync::Mode::kOverlap, dist::GradientSync::Mode::kAfterBackward);
  const int64_t bucket_bytes = GENERATE(int64_t{64}, int64_t{25} << 20);  // Many buckets, or one.
  INFO("mode " << static_cast<int>(mode) << ", bucket bytes " << bucket_bytes);
  auto single = make_net(7);
  at::Tensor loss =
      at::cross_entropy_loss(single->forward(at::cat({batch_images(0, 0), batch_images(0, 1)})),
                             at::cat({batch_labels(0, 0), batch_labels(0, 1)}));
  loss.backward();
  std::vector<at::Tensor> expected;
  for (const auto& p : single->parameters()) expected.push_back(p.grad().clone());
  std::vector<std::vector<at::Tensor>> grads(2);
  std::vector<int64_t> buckets(2);
  // Seeded draws use the global generator: made here, not in the ranks' threads.
  std::vector<torch::nn::Sequential> nets = {make_net(7), make_net(7)};
  const std::vector<at::Tensor> images = {batch_images(0, 0), batch_images(0, 1)};
  const std::vector<at::Tensor> labels = {batch_labels(0, 0), batch_labels(0, 1)};
  run_ranks(2, [&](int rank, dist::Group& g) {
    auto& net = nets[static_cast<size_t>(rank)];
    dist::GradientSync sync(g, net->parameters(), mode, bucket_bytes);
    buckets[static_cast<size_t>(rank)] = sync.num_buckets();
    sync.prepare();
    at::cross_entropy_loss(net->forward(images[static_cast<size_t>(rank)]),
                           labels[static_cast<size_t>(rank)])
        .backward();
    sync.finish();
    for (const auto& p : net->parameters())
      grads[static_cast<size_t>(rank)].push_back(p.grad().clone());
  });
  // After backward: one flat buffer; overlapping: small buckets make many.
  CHECK((buckets[0] > 3) == (bucket_bytes == 64 && mode == dist::GradientSync::Mode::kOverlap));
  for (int rank = 0; rank < 2; ++rank) {
    REQUIRE(grads[static_cast<size_t>(rank)].size() == expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      INFO("rank " << rank << " parameter " << i);
      CHECK(at::allclose(grads[static_cast<size_t>(rank)][i], expected[i], /*rtol=*/1e-5,
                         /*atol=*/1e-6));
    }
  }
  // The ranks' own gradients differ (different batches): averaging is what made them equal.
  auto alone = make_net(7);
  at::cross_entropy_loss(alone->forward(batch_images(0, 0)), batch_labels(0, 0)).backward();
  CHECK_FALSE(at::allclose(alone->parameters()[0].grad(), expected[0], 1e-5, 1e-6));
}

TEST_CASE("after rank 0's weights are broadcast, SGD steps keep the ranks' parameters identical",
          "[distributed]") {
  std::vector<std::vector<at::Tensor>> final_params(2);
  // Different initialisations on purpose; seeded draws made here, not in the ranks' threads.
  std::vector<torch::nn::Sequential> nets = {make_net(100), make_net(101)};
  std::vector<std::vector<at::Tensor>> images(2), labels(2);
  for (int step = 0; step < 5; ++step) {
    for (size_t rank = 0; rank < 2; ++rank) {
      images[rank].push_back(batch_images(step, static_cast<int>(rank)));
      labels[rank].push_back(batch_labels(step, static_cast<int>(rank)));
    }
  }
  run_ranks(2, [&](int rank, dist::Group& g) {
    auto& net = nets[static_cast<size_t>(rank)];
    const size_t r = static_cast<size_t>(rank);
    auto params = net->parameters();
    {
      torch::NoGradGuard no_grad;
      g.broadcast(params, 0, "initial weights");
    }
    torch::optim::SGD sgd(net->parameters(),
                          torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(0.001));
    dist::GradientSync sync(g, net->parameters());
    for (int step = 0; step < 5; ++step) {
      sgd.zero_grad();
      sync.prepare();
      at::cross_entropy_loss(net->forward(images[r][static_cast<size_t>(step)]),
                             labels[r][static_cast<size_t>(step)])
          .backward();
      sync.finish();
      sgd.step();
    }
    for (const auto& p : net->parameters())
      final_params[static_cast<size_t>(rank)].push_back(p.detach().clone());
  });
  REQUIRE(final_params[0].size() == final_params[1].size());
  for (size_t i = 0; i < final_params[0].size(); ++i)
    CHECK(at::equal(final_params[0][i], final_params[1][i]));
  // And they moved: the test would pass trivially if no step were taken.
  CHECK_FALSE(at::equal(final_params[0][0], make_net(100)->parameters()[0]));
}

TEST_CASE("a rank that stops responding fails the others within the timeout, naming the rank",
          "[distributed]") {
  const auto start = std::chrono::steady_clock::now();
  REQUIRE_THROWS_WITH(run_ranks(
                          2,
                          [](int rank, dist::Group& g) {
                            if (rank == 1) return;  // Leaves without the collective.
                            at::Tensor t = at::ones({4});
                            g.allreduce_sum(t, "gradient all-reduce");
                          },
                          std::chrono::seconds(3)),
                      Catch::Matchers::Contains("rank 0: gradient all-reduce failed"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
}

namespace {

// A store whose add() does not return until released: a TCPStore whose server (rank 0) is
// stopped.
class StalledStore : public c10d::HashStore {
 public:
  int64_t add(const std::string& key, int64_t value) override {
    std::unique_lock<std::mutex> lock(mutex_);
    released_cv_.wait(lock, [this] { return released_; });
    return c10d::HashStore::add(key, value);
  }
  void release() {
    std::lock_guard<std::mutex> lock(mutex_);
    released_ = true;
    released_cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable released_cv_;
  bool released_ = false;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("the failure board names the rank that failed first and the ranks that posted nothing",
          "[distributed]") {
  auto store = c10::make_intrusive<c10d::HashStore>();
  dist::FailureBoard rank0(store, 0, 4), rank1(store, 1, 4), rank2(store, 2, 4), rank3(store, 3, 4);
  const auto wait = std::chrono::milliseconds(300);
  SECTION("another rank failed first; one posted nothing") {
    rank2.post("open image 7/x.jpg failed: not a JPEG", wait);
    rank1.post("rank 1: gradient all-reduce failed: Connection closed by peer", wait);
    rank0.post("rank 0: gradient all-reduce failed: Connection closed by peer", wait);
    const auto start = std::chrono::steady_clock::now();
    const std::string expected =
        "first failure (rank 2): open image 7/x.jpg failed: not a JPEG; "
        "no error posted within 0.3 s by rank(s) 3 (killed, or hung)";
    CHECK(rank0.explain(wait) == expected);
    CHECK(seconds_since(start) >= 0.29);  // It waited for rank 3.
    CHECK(seconds_since(start) < 5);
    // The first answer stands: a late post changes nothing, and there is no second wait.
    rank3.post("rank 3: late", wait);
    const auto again = std::chrono::steady_clock::now();
    CHECK(rank0.explain(wait) == expected);
    CHECK(seconds_since(again) < 0.2);
  }
  SECTION("this rank failed first and every other rank posted: nothing to add, no wait") {
    rank0.post("rank 0: writing the result store failed", wait);
    rank0.post("a second error of rank 0 is not its first", wait);
    rank1.post("rank 1: broadcast failed", wait);
    rank2.post("rank 2: broadcast failed", wait);
    rank3.post("rank 3: broadcast failed", wait);
    const auto start = std::chrono::steady_clock::now();
    CHECK(rank0.explain(std::chrono::seconds(5)).empty());
    CHECK(seconds_since(start) < 1);
    CHECK(rank1.explain(wait) == "first failure (rank 0): rank 0: writing the result store failed");
  }
  SECTION("a world of one has no one else to name") {
    dist::FailureBoard alone(c10::make_intrusive<c10d::HashStore>(), 0, 1);
    alone.post("rank 0: failed", wait);
    CHECK(alone.explain(wait).empty());
  }
}

TEST_CASE("a failure board whose store does not answer costs its timeout, not a hang",
          "[distributed]") {
  auto store = c10::make_intrusive<StalledStore>();
  dist::FailureBoard rank1(store, 1, 2);
  const auto start = std::chrono::steady_clock::now();
  rank1.post("rank 1: open dataset failed", std::chrono::milliseconds(200));
  const double took = seconds_since(start);
  CHECK(took >= 0.19);
  CHECK(took < 3);
  // Nothing was read either: rank 0 is reported silent, within the grace.
  CHECK(rank1.explain(std::chrono::milliseconds(200)) ==
        "no error posted within 0.2 s by rank(s) 0 (killed, or hung)");
  store->release();  // The abandoned post completes.
}

TEST_CASE(
    "a parameter no rank used keeps no gradient: SGD's weight decay leaves it as one process does",
    "[distributed]") {
  // As the graph's A or BReG-NeXt-GCN's _fc0: registered, trained by nothing.
  const auto mode =
      GENERATE(dist::GradientSync::Mode::kOverlap, dist::GradientSync::Mode::kAfterBackward);
  std::vector<at::Tensor> after(2);
  std::vector<int> defined(2, 0);
  run_ranks(2, [&](int rank, dist::Group& g) {
    at::Tensor used = at::ones({3}).requires_grad_(), unused = at::ones({3}).requires_grad_();
    torch::optim::SGD sgd(std::vector<at::Tensor>{used, unused},
                          torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(0.1));
    dist::GradientSync sync(g, {used, unused}, mode);
    for (int step = 0; step < 2; ++step) {
      sgd.zero_grad();
      sync.prepare();
      (used * static_cast<float>(rank + 1)).sum().backward();
      sync.finish();
      defined[static_cast<size_t>(rank)] += unused.grad().defined() ? 1 : 0;
      sgd.step();
    }
    after[static_cast<size_t>(rank)] = unused.detach().clone();
  });
  CHECK(defined == std::vector<int>{0, 0});
  for (const auto& a : after) CHECK(at::equal(a, at::ones({3})));
}
