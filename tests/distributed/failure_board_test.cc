// The failure board of a distributed job (issue #11): it names the rank that failed first and
// the ranks that posted nothing, and a store that does not answer costs its timeout, not a hang.
#include "distributed/failure_board.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <torch/csrc/distributed/c10d/HashStore.hpp>
#include <vector>

#include "core/error.h"
#include "tests/catch.h"

namespace dist = fer::distributed;

namespace {

// A store whose add() does not return until released: a TCPStore whose server (rank 0) is
// stopped.
class StalledStore : public c10d::HashStore {
 public:
  int64_t add(const std::string& key, int64_t value) override {
    std::unique_lock<std::mutex> lock(mutex_);
    released_cv_.wait(lock, [this] { return released_; });
    return c10d::HashStore::add(key, value);
  }
  void release() {
    std::lock_guard<std::mutex> lock(mutex_);
    released_ = true;
    released_cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable released_cv_;
  bool released_ = false;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("the failure board names the rank that failed first and the ranks that posted nothing",
          "[distributed]") {
  auto store = c10::make_intrusive<c10d::HashStore>();
  dist::FailureBoard rank0(store, 0, 4), rank1(store, 1, 4), rank2(store, 2, 4), rank3(store, 3, 4);
  const auto wait = std::chrono::milliseconds(300);
  SECTION("another rank failed first; one posted nothing") {
    rank2.post("open image 7/x.jpg failed: not a JPEG", wait);
    rank1.post("rank 1: gradient all-reduce failed: Connection closed by peer", wait);
    rank0.post("rank 0: gradient all-reduce failed: Connection closed by peer", wait);
    const auto start = std::chrono::steady_clock::now();
    const std::string expected =
        "first failure (rank 2): open image 7/x.jpg failed: not a JPEG; "
        "no error posted within 0.3 s by rank(s) 3 (killed, or hung)";
    CHECK(rank0.explain(wait) == expected);
    CHECK(seconds_since(start) >= 0.29);  // It waited for rank 3.
    CHECK(seconds_since(start) < 5);
    // The first answer stands: a late post changes nothing, and there is no second wait.
    rank3.post("rank 3: late", wait);
    const auto again = std::chrono::steady_clock::now();
    CHECK(rank0.explain(wait) == expected);
    CHECK(seconds_since(again) < 0.2);
  }
  SECTION("this rank failed first and every other rank posted: nothing to add, no wait") {
    rank0.post("rank 0: writing the result store failed", wait);
    rank0.post("a second error of rank 0 is not its first", wait);
    rank1.post("rank 1: broadcast failed", wait);
    rank2.post("rank 2: broadcast failed", wait);
    rank3.post("rank 3: broadcast failed", wait);
    const auto start = std::chrono::steady_clock::now();
    CHECK(rank0.explain(std::chrono::seconds(5)).empty());
    CHECK(seconds_since(start) < 1);
    CHECK(rank1.explain(wait) == "first failure (rank 0): rank 0: writing the result store failed");
  }
  SECTION("a world of one has no one else to name") {
    dist::FailureBoard alone(c10::make_intrusive<c10d::HashStore>(), 0, 1);
    alone.post("rank 0: failed", wait);
    CHECK(alone.explain(wait).empty());
  }
}

TEST_CASE("a failure board whose store does not answer costs its timeout, not a hang",
          "[distributed]") {
  auto store = c10::make_intrusive<StalledStore>();
  dist::FailureBoard rank1(store, 1, 2);
  const auto start = std::chrono::steady_clock::now();
  rank1.post("rank 1: open dataset failed", std::chrono::milliseconds(200));
  const double took = seconds_since(start);
  CHECK(took >= 0.19);
  CHECK(took < 3);
  // Nothing was read either: rank 0 is reported silent, within the grace.
  CHECK(rank1.explain(std::chrono::milliseconds(200)) ==
        "no error posted within 0.2 s by rank(s) 0 (killed, or hung)");
  store->release();  // The abandoned post completes.
}
