// Writes one reference-format checkpoint per model (deterministic weights, SGD momentum buffers
// = 0.5 x the weights, lr 0.0005, epoch 3) for tools/reference/check_checkpoints.py, which loads
// them with plain torch.load in PyTorch and compares them with the Python reference models.
//   write_checkpoints OUT_DIR      (files: <backbone>_<model>.pth)
#include <ATen/ATen.h>

#include <iostream>

#include "models/checkpoint.h"
#include "models/factory.h"
#include "tests/model_fixtures.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: write_checkpoints OUT_DIR\n";
    return 2;
  }
  namespace fm = fer::models;
  for (auto backbone : {fm::Backbone::kDenseNet, fm::Backbone::kBReGNeXt}) {
    for (auto kind :
         {fm::ModelKind::kSingleTask, fm::ModelKind::kMultiTask, fm::ModelKind::kEmotionGcn}) {
      auto model = fm::make_model({kind, backbone});
      fer::testing::fill_deterministic(*model);
      fm::SgdState sgd;
      sgd.lr = 0.0005;
      for (const auto& p : model->parameters()) sgd.momentum_buffers.push_back(p.detach() * 0.5);
      const std::string path =
          std::string(argv[1]) + "/" + fm::to_string(backbone) + "_" + fm::to_string(kind) + ".pth";
      fm::save_reference_checkpoint(path, *model, /*epoch=*/3, sgd);
      std::cout << path << "\n";
    }
  }
  return 0;
}
