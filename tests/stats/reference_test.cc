// stats/ against numpy, scipy and statsmodels on fixed data (tests/testdata/stats/reference.txt,
// written by tools/reference/make_stats_fixtures.py): the paired bootstrap on numpy's own
// resample plan (sacreBLEU's), McNemar's exact test as scipy.stats.binomtest, Holm as
// statsmodels' multipletests.
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "stats/bootstrap.h"
#include "stats/outputs.h"
#include "stats/significance.h"
#include "tests/catch.h"

namespace st = fer::stats;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

// "== section" headers, then "key value..." lines.
using Section = std::map<std::string, std::vector<std::string>>;

std::map<std::string, Section> read_reference() {
  std::ifstream in("tests/testdata/stats/reference.txt");
  REQUIRE(in);
  std::map<std::string, Section> out;
  std::string line, section;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key, word;
    words >> key;
    if (key == "==") {
      words >> section;
      continue;
    }
    std::vector<std::string>& values = out[section][key];
    while (words >> word) values.push_back(word);
  }
  return out;
}

template <typename T>
std::vector<T> numbers(const std::vector<std::string>& words) {
  std::vector<T> out;
  for (const auto& w : words) out.push_back(static_cast<T>(std::stod(w)));
  return out;
}

st::SampleOutputs outputs(const Section& s) {
  st::SampleOutputs o;
  o.num_classes = 7;
  o.truth = numbers<int>(s.at("truth"));
  o.predicted = numbers<int>(s.at("pred"));
  o.valence_pred = numbers<double>(s.at("valence_pred"));
  o.valence_true = numbers<double>(s.at("valence_true"));
  o.arousal_pred = numbers<double>(s.at("arousal_pred"));
  o.arousal_true = numbers<double>(s.at("arousal_true"));
  return o;
}

}  // namespace

TEST_CASE("the paired bootstrap on numpy's plan gives numpy's interval and p-value", "[stats]") {
  const auto ref = read_reference();
  const st::SampleOutputs base = outputs(ref.at("baseline")), cand = outputs(ref.at("candidate"));
  std::vector<std::vector<int32_t>> plan(ref.at("plan").size());
  for (const auto& [key, rows] : ref.at("plan")) {
    plan.at(std::stoul(key.substr(1))) = numbers<int32_t>(rows);
  }
  REQUIRE(plan.size() == 300);
  for (const auto& [name, v] : ref.at("bootstrap")) {
    INFO(name);
    const std::vector<double> expected = numbers<double>(v);
    const st::Difference d = st::paired_bootstrap_on(base, cand, st::parse_metric(name), plan);
    CHECK_THAT(d.delta, WithinAbs(expected[0], 1e-12));
    CHECK_THAT(d.low, WithinAbs(expected[1], 1e-12));
    CHECK_THAT(d.high, WithinAbs(expected[2], 1e-12));
    CHECK_THAT(d.p_value, WithinAbs(expected[3], 1e-12));
    CHECK(d.resamples == 300);
  }
  CHECK(ref.at("bootstrap").size() == 5);
}

TEST_CASE("McNemar's exact test equals scipy's binomtest", "[stats]") {
  const auto ref = read_reference();
  const auto& mc = ref.at("mcnemar");
  const std::vector<double> on_outputs = numbers<double>(mc.at("outputs"));
  const st::McNemar m =
      st::mcnemar_exact(outputs(ref.at("baseline")), outputs(ref.at("candidate")));
  CHECK(m.baseline_only == static_cast<int64_t>(on_outputs[0]));
  CHECK(m.candidate_only == static_cast<int64_t>(on_outputs[1]));
  CHECK_THAT(m.p_value, WithinRel(on_outputs[2], 1e-9));
  int pairs = 0;
  for (const auto& [key, v] : mc) {
    if (key == "outputs") continue;
    INFO(key);
    const std::vector<double> x = numbers<double>(v);
    const auto b = static_cast<int64_t>(x[0]), c = static_cast<int64_t>(x[1]);
    const double p = st::binomial_two_sided_half(c, b + c);
    if (x[2] < 1e-300) {
      CHECK(p < 1e-300);
    } else {
      CHECK_THAT(p, WithinRel(x[2], 1e-9));
    }
    ++pairs;
  }
  CHECK(pairs == 8);
  CHECK(st::binomial_two_sided_half(0, 0) == 1.0);
}

TEST_CASE("Holm's adjustment equals statsmodels'", "[stats]") {
  const auto ref = read_reference();
  const auto& holm = ref.at("holm");
  for (int i = 0; i < 4; ++i) {
    INFO("family " << i);
    const std::vector<double> p = numbers<double>(holm.at("p" + std::to_string(i)));
    const std::vector<double> expected = numbers<double>(holm.at("adjusted" + std::to_string(i)));
    const std::vector<double> got = st::holm_adjust(p);
    REQUIRE(got.size() == expected.size());
    for (size_t k = 0; k < got.size(); ++k) CHECK_THAT(got[k], WithinAbs(expected[k], 1e-15));
  }
}
