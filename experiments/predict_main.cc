// predict: expressions (and valence/arousal) of saved weights on new faces, one CSV row per image.
// `predict --checkpoint FILE --input CSV_OR_FOLDER --out predictions.csv`; `predict --help`.
#include <iostream>

#include "core/error.h"
#include "experiments/job.h"
#include "experiments/predict.h"

int main(int argc, char** argv) {
  fer::experiments::PredictConfig config;
  try {
    if (!fer::experiments::parse_predict_config(argc, argv, &config)) return 0;
    fer::experiments::require_one_process("predict");
    fer::experiments::predict(config, std::cout);
    return 0;
  } catch (const fer::Error& e) {
    std::cerr << "predict: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "predict: error: " << e.what() << "\n";
    return 1;
  }
}
