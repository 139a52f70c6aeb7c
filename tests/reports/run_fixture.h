// A finished run stored by hand, for the reports' tests: two epochs, then a final record with the
// given accuracy (and CCC where the model has valence/arousal), as the runner would store it.
#ifndef FER_TESTS_REPORTS_RUN_FIXTURE_H_
#define FER_TESTS_REPORTS_RUN_FIXTURE_H_

#include <cstdint>
#include <string>

#include "metrics/records.h"
#include "reports/store.h"

namespace fer::testing {

// One finished run with the given accuracy (and CCC for models with valence/arousal).
inline int64_t add_run(
    fer::reports::ResultStore& store, const std::string& dataset, const std::string& backbone,
    const std::string& model, int seed, double accuracy,
    const std::string& extra_config = "\"lr\": 0.005, \"shuffle_train_labels\": false") {
  // As the runner stores it: the seed and the run name are part of the JSON and of the hash.
  const std::string config = "{\"input_size\": 48, " + extra_config + ", \"run_name\": \"r" +
                             std::to_string(seed) + "\", \"seed\": " + std::to_string(seed) + "}";
  fer::reports::RunRecord run{dataset + backbone + model,
                              config,
                              dataset + backbone + model + config,
                              "code",
                              seed,
                              dataset,
                              backbone,
                              model,
                              "smoke",
                              "cpu",
                              "fp32"};
  const int64_t id =
      store.begin_run(run, {{"host", "h"}}, {dataset, "/x", "d", "[\"A\", \"B\"]", "", 10, 4});
  for (int e = 0; e < 2; ++e) {
    fer::metrics::EpochRecord rec;
    rec.epoch = e;
    rec.train_loss = 2.0 - e;
    rec.val.accuracy = accuracy - 0.1 * (1 - e);
    rec.train_images_per_s = 100;
    rec.data_wait_s = 1;
    rec.compute_s = 9;
    store.record_epoch(id, rec);
  }
  fer::metrics::FinalRecord f;
  f.best_epoch = 1;
  f.val.accuracy = accuracy;
  f.val.macro_f1 = accuracy - 0.05;
  f.val.has_va = model != "single_task";
  f.val.ccc_valence = 0.5;
  f.val.ccc_arousal = 0.25;
  f.confusion = {3, 1, 0, 4};
  f.per_class_recall = {0.75, 1.0};
  f.train_images_per_s = 100 + seed;
  f.eval_images_per_s = 300;
  store.finish_run(id, f);
  return id;
}

}  // namespace fer::testing

#endif  // FER_TESTS_REPORTS_RUN_FIXTURE_H_
