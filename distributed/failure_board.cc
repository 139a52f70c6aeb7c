#include "distributed/failure_board.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <torch/csrc/distributed/c10d/Store.hpp>
#include <utility>
#include <vector>

#include "distributed/deadline.h"

namespace fer::distributed {
namespace {

constexpr const char* kSequenceKey = "fer/failure_seq";

std::string key_of(int rank) { return "fer/failure/" + std::to_string(rank); }

struct Post {
  int64_t seq = 0;
  std::string message;
};

// "<seq>\n<message>", as post() writes it.
Post parse_post(const std::vector<uint8_t>& value) {
  const std::string text(value.begin(), value.end());
  const auto newline = text.find('\n');
  Post p;
  p.seq = std::strtoll(text.substr(0, newline).c_str(), nullptr, 10);
  p.message = newline == std::string::npos ? std::string() : text.substr(newline + 1);
  return p;
}

std::string rank_list(const std::vector<int>& ranks) {
  std::string out;
  for (int r : ranks) out += (out.empty() ? "" : ", ") + std::to_string(r);
  return out;
}

}  // namespace

FailureBoard::FailureBoard(c10::intrusive_ptr<c10d::Store> store, int rank, int world_size)
    : store_(std::move(store)), rank_(rank), size_(world_size) {}

void FailureBoard::post(const std::string& message, std::chrono::milliseconds timeout) noexcept {
  if (posted_ || !store_) return;
  posted_ = true;
  auto seq = std::make_shared<int64_t>(-1);
  try {
    run_within(timeout, [store = store_, seq, rank = rank_, message] {
      const int64_t mine = store->add(kSequenceKey, 1);
      const std::string value = std::to_string(mine) + "\n" + message;
      store->set(key_of(rank), std::vector<uint8_t>(value.begin(), value.end()));
      *seq = mine;
    });
  } catch (...) {  // Best effort: an unreachable store is part of the failure being reported.
  }
  posted_seq_ = *seq;
}

std::string FailureBoard::explain(std::chrono::milliseconds grace) noexcept {
  if (explained_) return explanation_;
  explained_ = true;
  if (!store_ || size_ < 2) return explanation_;
  // Read on a thread of its own (a stopped store server blocks reads for good); the map is its
  // result, as far as it got.
  auto posts = std::make_shared<std::map<int, Post>>();
  auto mutex = std::make_shared<std::mutex>();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  try {
    run_within(grace + std::chrono::seconds(1),
               [store = store_, posts, mutex, deadline, self = rank_, n = size_] {
                 for (;;) {
                   bool all = true;
                   for (int r = 0; r < n; ++r) {
                     if (r == self || posts->count(r) != 0) continue;
                     if (store->check({key_of(r)})) {
                       Post p = parse_post(store->get(key_of(r)));
                       std::lock_guard<std::mutex> lock(*mutex);
                       (*posts)[r] = std::move(p);
                     } else {
                       all = false;
                     }
                   }
                   if (all || std::chrono::steady_clock::now() >= deadline) return;
                   std::this_thread::sleep_for(std::chrono::milliseconds(50));
                 }
               });
  } catch (...) {  // What was read before the store failed is the answer.
  }
  std::lock_guard<std::mutex> lock(*mutex);
  std::vector<std::string> parts;
  const auto first =
      std::min_element(posts->begin(), posts->end(),
                       [](const auto& a, const auto& b) { return a.second.seq < b.second.seq; });
  if (first != posts->end() && (posted_seq_ < 0 || first->second.seq < posted_seq_)) {
    parts.push_back("first failure (rank " + std::to_string(first->first) +
                    "): " + first->second.message);
  }
  std::vector<int> silent;
  for (int r = 0; r < size_; ++r) {
    if (r != rank_ && posts->count(r) == 0) silent.push_back(r);
  }
  if (!silent.empty()) {
    char seconds[32];
    std::snprintf(seconds, sizeof(seconds), "%g", static_cast<double>(grace.count()) / 1000.0);
    parts.push_back("no error posted within " + std::string(seconds) + " s by rank(s) " +
                    rank_list(silent) + " (killed, or hung)");
  }
  for (const auto& p : parts) explanation_ += (explanation_.empty() ? "" : "; ") + p;
  return explanation_;
}

}  // namespace fer::distributed
