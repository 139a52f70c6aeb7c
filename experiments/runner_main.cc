// runner: trains and evaluates one ablation (dataset x backbone x model) and stores everything
// in SQLite. `runner --help` lists every flag with its default.
#include <iostream>

#include "core/error.h"
#include "experiments/config.h"
#include "experiments/runner.h"
#include "experiments/trainer.h"

int main(int argc, char** argv) {
  fer::experiments::RunConfig config;
  try {
    if (!fer::experiments::parse_run_config(argc, argv, &config)) return 0;
    fer::experiments::install_interrupt_handler();
    const auto outcome = fer::experiments::run_experiment(config, std::cout);
    return outcome.status == "interrupted" ? 130 : 0;
  } catch (const fer::Error& e) {
    std::cerr << "runner: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "runner: error: " << e.what() << "\n";
    return 1;
  }
}
