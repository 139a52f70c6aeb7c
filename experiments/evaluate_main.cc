// evaluate: evaluates saved weights on a validation split and stores the result in SQLite.
// `evaluate --checkpoint FILE.pth --dataset affectnet --data_root DIR`; `evaluate --help`.
#include <iostream>

#include "core/main.h"
#include "experiments/evaluate.h"
#include "experiments/job.h"

int main(int argc, char** argv) {
  namespace ex = fer::experiments;
  return fer::run_main("evaluate", [&] {
    ex::EvaluateConfig config;
    if (!ex::parse_evaluate_config(argc, argv, &config)) return 0;
    ex::require_one_process("evaluate");
    ex::evaluate_checkpoint(config, std::cout);
    return 0;
  });
}
