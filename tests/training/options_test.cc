// training/options.h: the typed names the runner's flags map to, and StepLR's schedule.
#include "training/options.h"

#include <stdexcept>

#include "tests/catch.h"

namespace tr = fer::training;

TEST_CASE("precision, preprocessing and decoding names parse to their enums", "[training]") {
  CHECK(tr::parse_precision("fp32") == tr::Precision::kFp32);
  CHECK(tr::parse_precision("fp16") == tr::Precision::kFp16);
  CHECK(tr::parse_precision("bf16") == tr::Precision::kBf16);
  for (const char* name : {"fp32", "fp16", "bf16"})
    CHECK(tr::to_string(tr::parse_precision(name)) == name);
  CHECK(tr::parse_preprocess("reference") == tr::Preprocess::kReference);
  CHECK(tr::parse_preprocess("fast") == tr::Preprocess::kFast);
  CHECK(tr::parse_decode("scaled") == tr::Decode::kScaled);
  CHECK(tr::parse_decode("full") == tr::Decode::kFull);
}

TEST_CASE("an unknown name is refused with the valid ones listed", "[training]") {
  REQUIRE_THROWS_WITH(tr::parse_precision("fp64"),
                      Catch::Contains("'fp64'") && Catch::Contains("fp32, fp16, bf16"));
  REQUIRE_THROWS_AS(tr::parse_preprocess("auto"), std::invalid_argument);
  REQUIRE_THROWS_WITH(tr::parse_decode("half"), Catch::Contains("scaled, full"));
}

TEST_CASE("lr_for gives StepLR's rate: lr * gamma^(epoch / step)", "[training]") {
  tr::OptimOptions o;
  o.lr = 0.01;
  o.lr_step = 3;
  o.lr_gamma = 0.5;
  CHECK(o.lr_for(0) == 0.01);
  CHECK(o.lr_for(2) == 0.01);
  CHECK(o.lr_for(3) == 0.01 * 0.5);
  CHECK(o.lr_for(7) == 0.01 * 0.5 * 0.5);
}

TEST_CASE("the defaults are the paper's recipe", "[training]") {
  const tr::TrainOptions o;
  CHECK(o.optim.lr == 0.001);
  CHECK(o.optim.momentum == 0.9);
  CHECK(o.optim.weight_decay == 0.001);
  CHECK(o.data.batch_size == 35);
  CHECK(o.data.input_size == 227);
  CHECK(o.lambda == 1.0);
  CHECK(o.precision == tr::Precision::kFp32);
  CHECK(o.data.preprocess == tr::Preprocess::kReference);
}
