// predict: expressions (and valence/arousal) of saved weights on new faces, one CSV row per image.
// `predict --checkpoint FILE --input CSV_OR_FOLDER --out predictions.csv`; `predict --help`.
#include <iostream>

#include "core/main.h"
#include "experiments/job.h"
#include "experiments/predict.h"

int main(int argc, char** argv) {
  namespace ex = fer::experiments;
  return fer::run_main("predict", [&] {
    ex::PredictConfig config;
    if (!ex::parse_predict_config(argc, argv, &config)) return 0;
    ex::require_one_process("predict");
    ex::predict(config, std::cout);
    return 0;
  });
}
