// Metrics against values computed by hand (see the comments for the arithmetic).
#include <cmath>
#include <stdexcept>

#include "metrics/classification.h"
#include "metrics/regression.h"
#include "tests/catch.h"

using Catch::Matchers::WithinAbs;
using fer::metrics::ConfusionMatrix;

TEST_CASE("confusion matrix, accuracy and macro F1 match hand computation", "[metrics]") {
  // truth 0 0 1 1 2 2 / pred 0 1 1 1 0 2: 4 of 6 correct.
  // class 0: TP 1 FP 1 FN 1 -> F1 2/4; class 1: TP 2 FP 1 FN 0 -> 4/5; class 2: TP 1 FN 1 -> 2/3.
  const std::vector<int> truth = {0, 0, 1, 1, 2, 2};
  const std::vector<int> pred = {0, 1, 1, 1, 0, 2};

  SECTION("three classes") {
    ConfusionMatrix cm(3);
    cm.add(truth, pred);
    CHECK(cm.total() == 6);
    CHECK(cm.count(0, 1) == 1);
    CHECK(cm.count(2, 0) == 1);
    CHECK(cm.count(1, 1) == 2);
    CHECK_THAT(cm.accuracy(), WithinAbs(4.0 / 6.0, 1e-12));
    auto f1 = cm.per_class_f1();
    CHECK_THAT(f1[0], WithinAbs(0.5, 1e-12));
    CHECK_THAT(f1[1], WithinAbs(0.8, 1e-12));
    CHECK_THAT(f1[2], WithinAbs(2.0 / 3.0, 1e-12));
    CHECK_THAT(cm.macro_f1(), WithinAbs((0.5 + 0.8 + 2.0 / 3.0) / 3.0, 1e-12));
    auto recall = cm.per_class_recall();
    CHECK_THAT(recall[0], WithinAbs(0.5, 1e-12));
    CHECK_THAT(recall[1], WithinAbs(1.0, 1e-12));
    CHECK_THAT(recall[2], WithinAbs(0.5, 1e-12));
  }
  SECTION(
      "a class absent from truth and predictions is left out of the macro mean (scikit-learn)") {
    // sklearn.metrics.f1_score([0,0,1,1,2,2], [0,1,1,1,0,2], average='macro') = 0.6555...: the
    // fourth class occurs nowhere, so it is not a label and not in the mean.
    ConfusionMatrix cm(4);
    cm.add(truth, pred);
    CHECK(cm.per_class_f1()[3] == 0.0);
    CHECK_THAT(cm.macro_f1(), WithinAbs((0.5 + 0.8 + 2.0 / 3.0) / 3.0, 1e-12));
  }
  SECTION("a class only predicted, or only true, counts with F1 0 (scikit-learn)") {
    // f1_score([0,0,1,1,2,2], [0,1,1,1,0,3], average='macro'): labels 0..3, class 2 never
    // predicted and class 3 never true -> (0.5 + 0.8 + 0 + 0) / 4.
    ConfusionMatrix cm(4);
    cm.add(truth, std::vector<int>{0, 1, 1, 1, 0, 3});
    CHECK_THAT(cm.macro_f1(), WithinAbs((0.5 + 0.8) / 4.0, 1e-12));
  }
}

TEST_CASE("confusion matrix rejects bad input", "[metrics]") {
  CHECK_THROWS_AS(ConfusionMatrix(0), std::invalid_argument);
  ConfusionMatrix cm(7);
  REQUIRE_THROWS_WITH(cm.add(7, 0), Catch::Contains("outside [0, 7)"));
  CHECK_THROWS_AS(cm.add(-1, 0), std::out_of_range);
  CHECK_THROWS_AS(cm.add(std::vector<int>{1, 2}, std::vector<int>{1}), std::invalid_argument);
  CHECK(cm.total() == 0);
  CHECK(cm.accuracy() == 0.0);
}

TEST_CASE("Aff-Wild2 challenge scores weigh F1 and accuracy as published", "[metrics]") {
  CHECK_THAT(fer::metrics::affwild2_expression_score(0.5, 0.6),
             WithinAbs(0.67 * 0.5 + 0.33 * 0.6, 1e-12));
  CHECK_THAT(fer::metrics::affwild2_va_score(0.4, 0.2), WithinAbs(0.3, 1e-12));
}

TEST_CASE("CCC, PCC, RMSE and SAGR match hand computation", "[metrics]") {
  // x = 1 2 3, y = 2 4 6: means 2, 4; population var 2/3, 8/3; cov 4/3.
  // CCC = (8/3) / (2/3 + 8/3 + 4) = 8/22; PCC = 1; RMSE = sqrt(14/3).
  const std::vector<double> x = {1, 2, 3}, y = {2, 4, 6};
  CHECK_THAT(fer::metrics::ccc(x, y), WithinAbs(8.0 / 22.0, 1e-12));
  CHECK_THAT(fer::metrics::pcc(x, y), WithinAbs(1.0, 1e-12));
  CHECK_THAT(fer::metrics::rmse(x, y), WithinAbs(std::sqrt(14.0 / 3.0), 1e-12));
  CHECK_THAT(fer::metrics::sagr(x, y), WithinAbs(1.0, 1e-12));
  CHECK_THAT(fer::metrics::ccc(x, x), WithinAbs(1.0, 1e-12));
  CHECK_THAT(fer::metrics::pcc({1, 2, 3}, {3, 2, 1}), WithinAbs(-1.0, 1e-12));

  // Signs -1/+1, +1/+1, 0/0: two of three agree.
  CHECK_THAT(fer::metrics::sagr({1.0, 0.2, 0.0}, {-1.0, 0.5, 0.0}), WithinAbs(2.0 / 3.0, 1e-12));

  auto s = fer::metrics::regression_scores(x, y);
  CHECK_THAT(s.ccc, WithinAbs(8.0 / 22.0, 1e-12));
  CHECK_THAT(s.rmse, WithinAbs(std::sqrt(14.0 / 3.0), 1e-12));
}

TEST_CASE("regression metrics handle constant and mismatched input", "[metrics]") {
  CHECK(fer::metrics::pcc({1, 1, 1}, {1, 2, 3}) == 0.0);
  CHECK(fer::metrics::ccc({0.5, 0.5}, {0.5, 0.5}) == 1.0);
  CHECK(fer::metrics::ccc({0.5, 0.5}, {0.0, 0.0}) == 0.0);
  REQUIRE_THROWS_WITH(fer::metrics::ccc({1, 2}, {1}),
                      Catch::Contains("2 predictions and 1 targets"));
  CHECK_THROWS_AS(fer::metrics::rmse({}, {}), std::invalid_argument);
}
