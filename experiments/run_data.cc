#include "experiments/run_data.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "core/hash.h"
#include "datasets/label_stats.h"
#include "training/interrupt.h"

namespace fer::experiments {

datasets::Dataset open_run_data(const RunConfig& c, std::ostream* log) {
  datasets::DatasetOptions o;
  o.name = c.dataset;
  o.root = c.data_root;
  o.cache_root = c.cache_dir;
  o.glove_path = c.glove;
  o.read.bad_rows =
      c.skip_bad_rows ? datasets::BadRowPolicy::kSkip : datasets::BadRowPolicy::kError;
  o.image_check.mode =
      *datasets::parse_image_check_mode(c.image_check);  // resolve() checked the name.
  o.image_check.threads = std::max(1, c.workers);
  o.image_check.cancelled = [] { return training::g_interrupt_requested.load(); };
  if (log != nullptr) {
    o.image_check.progress = [log, mode = c.image_check](int64_t done, int64_t total) {
      *log << "checking images (" << mode << "): " << done << "/" << total << "\n" << std::flush;
    };
  }
  o.synthetic.train_per_class = c.synth_train_per_class;
  o.synthetic.val_per_class = c.synth_val_per_class;
  o.synthetic.label_noise = c.synth_label_noise;
  datasets::Dataset d = datasets::open_dataset(o);
  // The embedding ablations that read no file (experiments/graph_flags.h); the dataset's own
  // (GloVe or the documented fallback) otherwise.
  if (c.node_embeddings == "random" || c.node_embeddings == "onehot") {
    d.node_embeddings = datasets::node_embeddings_for(c.node_embeddings, d.node_words, "", c.seed,
                                                      &d.embedding_dim);
    d.embedding_source =
        c.node_embeddings == "onehot" ? "onehot" : "random:normal-seed" + std::to_string(c.seed);
  }
  return d;
}

void shuffle_labels(datasets::Dataset& d, uint64_t seed) {
  auto& samples = d.index.train.samples;
  uint64_t state = seed ^ 0x5DEECE66Dull;
  for (size_t i = samples.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(splitmix64(state) % i);
    std::swap(samples[i - 1].expression, samples[j].expression);
    std::swap(samples[i - 1].valence, samples[j].valence);
    std::swap(samples[i - 1].arousal, samples[j].arousal);
  }
}

nlohmann::json shared_data(const datasets::Dataset& d) {
  const auto& e = d.node_embeddings;
  const std::string_view embeddings(reinterpret_cast<const char*>(e.data()),
                                    e.size() * sizeof(float));
  return {{"index_digest", d.index.digest},
          {"train_samples", d.index.train.samples.size()},
          {"val_samples", d.index.val.samples.size()},
          {"classes", d.index.class_names},
          {"node_embeddings", fnv1a_hex(embeddings)}};
}

}  // namespace fer::experiments
