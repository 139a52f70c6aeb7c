// suite: runs a list of ablations (the Bazel grid targets call it with --ablations) and renders
// the report. Every runner flag passes through (--data_root, --device, --schedule, --db, ...).
#include <iostream>

#include "core/error.h"
#include "experiments/suite.h"
#include "experiments/trainer.h"

int main(int argc, char** argv) {
  fer::experiments::SuiteConfig config;
  try {
    if (!fer::experiments::parse_suite_config(argc, argv, &config)) return 0;
    fer::experiments::install_interrupt_handler();
    return fer::experiments::run_suite(config, std::cout);
  } catch (const fer::Error& e) {
    std::cerr << "suite: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "suite: error: " << e.what() << "\n";
    return 1;
  }
}
