// evaluate: evaluates saved weights on a validation split and stores the result in SQLite.
// `evaluate --checkpoint FILE.pth --dataset affectnet --data_root DIR`; `evaluate --help`.
#include <iostream>

#include "core/error.h"
#include "experiments/evaluate.h"
#include "experiments/job.h"

int main(int argc, char** argv) {
  fer::experiments::EvaluateConfig config;
  try {
    if (!fer::experiments::parse_evaluate_config(argc, argv, &config)) return 0;
    fer::experiments::require_one_process("evaluate");
    fer::experiments::evaluate_checkpoint(config, std::cout);
    return 0;
  } catch (const fer::Error& e) {
    std::cerr << "evaluate: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "evaluate: error: " << e.what() << "\n";
    return 1;
  }
}
