// distributed/collective.h's world of one: what the training loop runs against in one process.
// Every collective must return its input unchanged, so that the loop written once for a job
// gives a single process the numbers it computed before the loop knew of jobs.
#include "distributed/collective.h"

#include <ATen/ATen.h>

#include <vector>

#include "tests/catch.h"

TEST_CASE("a world of one is rank 0 of 1 and every collective is the identity", "[training]") {
  fer::distributed::WorldOfOne world;
  CHECK(world.rank() == 0);
  CHECK(world.size() == 1);
  at::Tensor sums = at::tensor({1.5, 2.0, 7.0}, at::kDouble);
  const at::Tensor before = sums.clone();
  world.allreduce_sum(sums, "sums");
  CHECK(at::equal(sums, before));
  std::vector<at::Tensor> weights = {at::ones({2, 2}), at::zeros({3})};
  world.broadcast(weights, 0, "weights");
  CHECK(at::equal(weights[0], at::ones({2, 2})));
  const at::Tensor rows = at::arange(6).view({3, 2});
  CHECK(at::equal(world.all_gather_rows(rows, "rows"), rows));
  CHECK(world.broadcast_string("state bytes", 0, "state") == "state bytes");
  CHECK(world.any(true, "stop"));
  CHECK_FALSE(world.any(false, "stop"));
  CHECK(world.gradient_sync({at::ones({2}, at::requires_grad())}) == nullptr);
}
