#include "distributed/deadline.h"

#include <exception>
#include <future>
#include <memory>
#include <thread>
#include <utility>

namespace fer::distributed {

bool run_within(std::chrono::milliseconds limit, std::function<void()> work) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  std::thread([done, work = std::move(work)] {
    try {
      work();
      done->set_value();
    } catch (...) {
      done->set_exception(std::current_exception());
    }
  }).detach();
  if (finished.wait_for(limit) != std::future_status::ready) return false;
  finished.get();  // Rethrows.
  return true;
}

}  // namespace fer::distributed
