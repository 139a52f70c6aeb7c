// The CUDA paths of models, AMP and the runner. Compiled and linked in every build (a CPU-only
// LibTorch included, through third_party/torch_compat); each case that needs a GPU reports
// "SKIPPED: no CUDA device" and returns where there is none, so the CPU suite proves the code
// builds and the GPU machine (tools/gpu_check.sh) proves it runs. NCCL (issue #11) is checked
// with a world of one rank, the most one GPU allows.
#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <sqlite3.h>
#include <torch/csrc/jit/serialization/pickle.h>
#include <torch/nn/modules/batchnorm.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <torch/csrc/distributed/c10d/HashStore.hpp>

#include "core/error.h"
#include "distributed/grad_sync.h"
#include "distributed/group.h"
#include "experiments/config.h"
#include "experiments/evaluate.h"
#include "experiments/runner.h"
#include "models/factory.h"
#include "reports/store.h"
#include "tests/catch.h"
#include "tests/temp_dir.h"
#include "tests/tiny_config.h"
#include "third_party/c10d_compat.h"
#include "third_party/torch_compat.h"
#include "third_party/torch_info.h"
#include "training/amp.h"
#include "training/device.h"
#include "training/trainer.h"

namespace ex = fer::experiments;
namespace fm = fer::models;

namespace {

bool have_gpu() { return fer::compat::cuda_device_count() > 0; }

#define REQUIRE_GPU_OR_SKIP()                                                               \
  if (!have_gpu()) {                                                                        \
    WARN("SKIPPED: no CUDA device on this machine (" << fer::torch_build_summary() << ")"); \
    return;                                                                                 \
  }

// A seeded model whose batch-norm statistics are those of `x` (one training-mode pass with
// momentum 1, on the CPU): at random initialisation the running statistics (0 and 1) let the
// activations grow through DenseNet's 120 layers past fp16's range, which no working GPU path
// can match. Calibrated, the outputs are of order one in every precision.
fm::EmotionModel calibrated_model(fm::ModelSpec spec, const at::Tensor& x_cpu,
                                  const at::Tensor& nodes_cpu) {
  at::manual_seed(0);
  auto model = fm::make_model(spec);
  std::vector<std::pair<torch::nn::BatchNorm2dImpl*, double>> momenta;
  for (const auto& m : model->modules()) {
    if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) {
      momenta.emplace_back(bn, bn->options.momentum().value_or(0.1));
      bn->options.momentum(1.0);
    }
  }
  model->train();
  {
    at::NoGradGuard no_grad;
    model->forward(x_cpu, nodes_cpu);
  }
  for (auto& [bn, momentum] : momenta) bn->options.momentum(momentum);
  model->eval();
  return model;
}

// Forward outputs of one model on the given device / precision / memory format.
fm::ModelOutput forward(fm::ModelSpec spec, const c10::Device& device, const std::string& precision,
                        bool channels_last, const at::Tensor& x_cpu, const at::Tensor& nodes_cpu) {
  auto model = calibrated_model(spec, x_cpu, nodes_cpu);
  model->to(device);
  at::Tensor x = x_cpu.to(device);
  if (channels_last) {
    x = x.contiguous(at::MemoryFormat::ChannelsLast);
    at::NoGradGuard no_grad;
    for (auto& p : model->parameters()) {
      if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
    }
  }
  at::NoGradGuard no_grad;
  fer::training::AutocastGuard autocast(fer::training::parse_precision(precision), device);
  auto out = model->forward(x, nodes_cpu.to(device));
  out.expression = out.expression.to(at::kCPU, at::kFloat);
  if (out.valence_arousal.defined())
    out.valence_arousal = out.valence_arousal.to(at::kCPU, at::kFloat);
  return out;
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

// |a - b| <= rtol * max(1, max |expected|), both finite: a tolerance on the outputs' own scale.
bool close_on_scale(const at::Tensor& actual, const at::Tensor& expected, double rtol) {
  if (!at::isfinite(actual).all().item<bool>() || !at::isfinite(expected).all().item<bool>())
    return false;
  return max_abs_diff(actual, expected) <=
         rtol * std::max(1.0, expected.abs().max().item<double>());
}

}  // namespace

TEST_CASE("CUDA is requested with a clear error where none is usable", "[gpu]") {
  if (have_gpu()) {
    CHECK(fer::training::parse_device("cuda").is_cuda());
    REQUIRE_THROWS_WITH(
        fer::training::parse_device("cuda:" + std::to_string(fer::compat::cuda_device_count())),
        Catch::Contains("only"));
    return;
  }
  REQUIRE_THROWS_WITH(fer::training::parse_device("cuda"), Catch::Contains("no usable CUDA"));
  const fer::compat::CudaInfo info = fer::compat::cuda_info();
  CHECK(info.device_name == "none");
  CHECK(info.cudnn_version == "none");
}

TEST_CASE("the six models compute on CUDA what they compute on the CPU", "[gpu]") {
  REQUIRE_GPU_OR_SKIP();
  // TF32 would make CUDA convolutions differ from the CPU by ~1e-3 relative: compare true fp32.
  at::globalContext().setAllowTF32CuDNN(false);
  at::globalContext().setAllowTF32CuBLAS(false);
  const auto kind =
      GENERATE(fm::ModelKind::kSingleTask, fm::ModelKind::kMultiTask, fm::ModelKind::kEmotionGcn);
  const auto backbone = GENERATE(fm::Backbone::kDenseNet, fm::Backbone::kBReGNeXt);
  at::manual_seed(1);
  const at::Tensor x = at::randn({3, 3, 64, 64});
  const at::Tensor nodes = at::randn({9, 300});
  const auto cpu = forward({kind, backbone}, c10::kCPU, "fp32", false, x, nodes);
  const auto gpu = forward({kind, backbone}, c10::Device("cuda"), "fp32", false, x, nodes);
  CHECK(close_on_scale(gpu.expression, cpu.expression, 1e-3));
  if (cpu.valence_arousal.defined())
    CHECK(close_on_scale(gpu.valence_arousal, cpu.valence_arousal, 1e-3));
  // Channels-last is the same function; bf16 and fp16 autocast stay close to fp32.
  const auto cl = forward({kind, backbone}, c10::Device("cuda"), "fp32", true, x, nodes);
  CHECK(close_on_scale(cl.expression, gpu.expression, 1e-3));
  for (const char* precision : {"bf16", "fp16"}) {
    const auto low = forward({kind, backbone}, c10::Device("cuda"), precision, true, x, nodes);
    INFO(precision);
    CHECK(close_on_scale(low.expression, gpu.expression, 0.15));
  }
  at::globalContext().setAllowTF32CuDNN(true);
}

TEST_CASE("fp16 loss scaling skips an overflowing step and halves the scale", "[gpu]") {
  REQUIRE_GPU_OR_SKIP();
  const c10::Device cuda("cuda");
  fer::training::GradScaler scaler(/*enabled=*/true, cuda);
  at::Tensor w = at::ones({4}, at::TensorOptions().device(cuda)).requires_grad_(true);
  const at::Tensor loss = (w * 2).sum();
  CHECK(scaler.scale(loss).item<float>() == 8.0f * 65536.0f);
  scaler.scale(loss).backward();
  REQUIRE(scaler.unscale({w}));  // Finite: gradients unscaled back to 2.
  CHECK(max_abs_diff(w.grad().cpu(), at::full({4}, 2.0)) == 0.0);
  w.mutable_grad().fill_(std::numeric_limits<float>::infinity());
  CHECK_FALSE(scaler.unscale({w}));
  CHECK(scaler.scale(at::ones({1}, at::TensorOptions().device(cuda))).item<float>() == 32768.0f);
}

TEST_CASE("the loss scaler's state restores exactly", "[gpu]") {
  // Runs on any device: only the state is checked, not the CUDA-only unscale kernels.
  fer::training::GradScaler scaler(/*enabled=*/true, c10::Device("cpu"));
  CHECK(scaler.current_scale() == 65536.0);
  CHECK(scaler.growth_tracker() == 0);
  scaler.restore(1024.0, 7);
  CHECK(scaler.current_scale() == 1024.0);
  CHECK(scaler.growth_tracker() == 7);
  CHECK(scaler.scale(at::ones({1})).item<float>() == 1024.0f);
  CHECK_THROWS(scaler.restore(0.0, 1));
  CHECK_THROWS(scaler.restore(std::nan(""), 1));
  CHECK_THROWS(scaler.restore(2.0, -1));
  fer::training::GradScaler off(/*enabled=*/false, c10::Device("cpu"));
  CHECK_FALSE(off.enabled());
  CHECK_THROWS(off.current_scale());
}

TEST_CASE("an interrupted fp16 run resumes with its loss scale to the uninterrupted result",
          "[gpu]") {
  REQUIRE_GPU_OR_SKIP();
  // Deterministic kernels, so that two runs of one config can be compared bit for bit.
  at::globalContext().setDeterministicCuDNN(true);
  at::globalContext().setBenchmarkCuDNN(false);
  auto config = [](const std::string& name) {
    ex::RunConfig c = fer::testing::tiny_config(fer::testing::temp_dir(name));
    c.device = "cuda";
    c.precision = "fp16";
    return c;
  };
  std::ostringstream log;
  const auto straight = ex::run_experiment(config("gpu_fp16_straight"), log);
  REQUIRE(straight.status == "finished");
  ex::RunConfig c = config("gpu_fp16_resumed");
  c.interrupt_after_steps = 5;
  const auto interrupted = ex::run_experiment(c, log);
  REQUIRE(interrupted.status == "interrupted");
  // The resume state holds the scaler: 5 finite steps since the start (or fewer after a skip).
  // Its path as the store records it (the file name carries the store's id).
  const std::string state_path = std::get<std::string>(
      fer::reports::ResultStore(ex::resolve(c).db)
          .db()
          .query("SELECT resume_state FROM runs WHERE id = ?1", {interrupted.run_id})
          .at(0)
          .at(0));
  std::ifstream in(state_path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto state = torch::jit::pickle_load(bytes).toGenericDict();
  REQUIRE(state.contains("scaler_scale"));
  CHECK(state.at("scaler_scale").toDouble() > 0);
  CHECK(state.at("scaler_growth_tracker").toInt() <= 5);
  c.interrupt_after_steps = 0;
  c.resume = true;
  const auto resumed = ex::run_experiment(c, log);
  INFO(log.str());
  REQUIRE(resumed.status == "finished");
  CHECK(resumed.final_record.best_epoch == straight.final_record.best_epoch);
  CHECK(resumed.final_record.val.accuracy == straight.final_record.val.accuracy);
  CHECK(resumed.final_record.confusion == straight.final_record.confusion);
  CHECK(fer::testing::same_weights(resumed.final_record.checkpoint_path,
                                   straight.final_record.checkpoint_path));
}

TEST_CASE("saved weights evaluate on CUDA in every precision", "[gpu]") {
  REQUIRE_GPU_OR_SKIP();
  const auto dir = fer::testing::temp_dir("gpu_evaluate");
  ex::RunConfig train = fer::testing::tiny_config(dir, "emotion_gcn");
  std::ostringstream log;
  const auto trained = ex::run_experiment(train, log);  // On the CPU.
  REQUIRE(trained.status == "finished");
  const std::string precision = GENERATE("fp32", "bf16", "fp16");
  const char* argv[] = {"evaluate",
                        "--checkpoint",
                        trained.final_record.checkpoint_path.c_str(),
                        "--db",
                        train.db.c_str(),
                        "--cache_dir",
                        train.cache_dir.c_str(),
                        "--batch_size",
                        "6",
                        "--input_size",
                        "48",
                        "--synth_train_per_class",
                        "3",
                        "--synth_val_per_class",
                        "2",
                        "--device",
                        "cuda",
                        "--precision",
                        precision.c_str()};
  ex::EvaluateConfig e;
  REQUIRE(ex::parse_evaluate_config(static_cast<int>(std::size(argv)), argv, &e));
  const auto evaluated = ex::evaluate_checkpoint(e, log);
  INFO(log.str());
  REQUIRE(evaluated.status == "finished");
  // The same weights on another device and precision: the same predictions but for near ties.
  CHECK(std::abs(evaluated.evaluation.metrics.accuracy - trained.final_record.val.accuracy) <=
        0.15);
  CHECK(std::isfinite(evaluated.evaluation.metrics.loss));
}

TEST_CASE("the runner trains on CUDA in every precision and records the GPU", "[gpu]") {
  REQUIRE_GPU_OR_SKIP();
  const auto dir = fer::testing::temp_dir("gpu_runner");
  const std::string precision = GENERATE("fp32", "bf16", "fp16");
  ex::RunConfig c = fer::testing::tiny_config(dir, "emotion_gcn");
  c.epochs = 1;
  c.device = "cuda";
  c.precision = precision;
  c.channels_last = precision != "fp32";
  std::ostringstream log;
  const ex::RunOutcome outcome = ex::run_experiment(c, log);
  INFO(log.str());
  CHECK(outcome.status == "finished");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(c.db.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT key, value FROM provenance WHERE run_id = ?", -1, &stmt,
                             nullptr) == SQLITE_OK);
  sqlite3_bind_int64(stmt, 1, outcome.run_id);
  std::map<std::string, std::string> prov;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    prov[reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))] =
        reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  for (const char* key : {"gpu_name", "cuda_runtime", "cudnn", "gpu_capability"}) {
    INFO(key);
    REQUIRE(prov.count(key));
    CHECK(prov[key] != "none");
  }
}

TEST_CASE(
    "NCCL on one GPU: collectives, CPU tensors staged and returned, bucketed gradient averaging",
    "[gpu]") {
  REQUIRE_GPU_OR_SKIP();
  if (!fer::compat::built_with_nccl()) {
    WARN("SKIPPED: this LibTorch has no NCCL (" << fer::torch_build_summary() << ")");
    return;
  }
  // A world of one: NCCL refuses two ranks on one GPU, and the GPU machines have one. It still
  // runs ProcessGroupNCCL's set-up, every collective the runner uses and the staging of tensors
  // that live on the CPU.
  namespace dist = fer::distributed;
  dist::GroupOptions o;
  o.backend = dist::resolve_backend("auto", "cuda:0");
  REQUIRE(o.backend == "nccl");
  o.device = c10::Device("cuda:0");
  o.timeout = std::chrono::seconds(60);
  auto group = dist::Group::over_store(c10::make_intrusive<c10d::HashStore>(), 0, 1, o);
  at::Tensor on_gpu = at::arange(4, at::kFloat).to(o.device), on_cpu = at::full({3}, 2.0);
  group->allreduce_sum(on_gpu, "test");
  group->allreduce_sum(on_cpu, "test");
  CHECK(on_gpu.is_cuda());
  CHECK(at::equal(on_gpu.cpu(), at::arange(4, at::kFloat)));
  CHECK(on_cpu.device().is_cpu());
  CHECK(at::equal(on_cpu, at::full({3}, 2.0)));
  std::vector<at::Tensor> b = {at::full({2}, 5.0), at::ones({2}).to(o.device)};
  group->broadcast(b, 0, "test");
  CHECK(b[0].device().is_cpu());
  CHECK(at::equal(b[0], at::full({2}, 5.0)));
  const at::Tensor rows = at::arange(6, at::kLong).view({3, 2});
  const at::Tensor gathered = group->all_gather_rows(rows, "test");
  CHECK(gathered.device().is_cpu());
  CHECK(at::equal(gathered, rows));
  CHECK(group->any(true, "test"));
  CHECK(group->broadcast_string("nccl", 0, "test") == "nccl");
  group->barrier("test");
  // Overlapped buckets on CUDA gradients: averaged over one rank they stay what backward gave.
  at::manual_seed(0);
  auto model = fm::make_model([] {
    fm::ModelSpec s;
    s.backbone = fm::Backbone::kBReGNeXt;
    s.kind = fm::ModelKind::kSingleTask;
    s.num_classes = 7;
    return s;
  }());
  model->to(o.device);
  dist::GradientSync sync(*group, model->parameters(), dist::GradientSync::Mode::kOverlap, 1 << 16);
  sync.prepare();
  const at::Tensor x = at::randn({4, 3, 16, 16}).to(o.device);
  model->forward(x, at::Tensor()).expression.sum().backward();
  std::vector<at::Tensor> before;
  for (const auto& p : model->parameters()) before.push_back(p.grad().clone());
  sync.finish();
  const auto params = model->parameters();
  for (size_t i = 0; i < params.size(); ++i) CHECK(at::allclose(params[i].grad(), before[i]));
}
