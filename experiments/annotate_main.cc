// annotate: an AffectNet-format CSV for a folder of photos (experiments/annotate.h).
// `annotate --input PHOTOS --out training.csv [--labels mapping.csv]`; `annotate --help`.
#include <iostream>

#include "core/main.h"
#include "experiments/annotate.h"

int main(int argc, char** argv) {
  namespace ex = fer::experiments;
  return fer::run_main("annotate", [&] {
    ex::AnnotateConfig config;
    if (!ex::parse_annotate_config(argc, argv, &config)) return 0;
    ex::annotate(config, std::cout);
    return 0;
  });
}
