// The launcher's side of distributed training (issue #11): torchrun's and srun's environment,
// the address Gloo binds to, the error file torchrun's agent reads, and the backend choice.
#include <stdlib.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <torch/csrc/distributed/c10d/HashStore.hpp>

#include "core/error.h"
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
