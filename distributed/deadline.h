// Calls that may block past any timeout of their own (issue #11): a c10d TCPStore client whose
// server stopped, or speaks another protocol version, waits in recv() for good. run_within
// gives such a call a deadline: the caller stops waiting, and the call, if it ever returns,
// ends on its own thread.
#pragma once

#include <chrono>
#include <functional>

namespace fer::distributed {

/// Runs `work` on a thread of its own and waits for it up to `limit`. Returns true when it
/// finished (rethrowing here what it threw), false when the deadline passed: the thread is then
/// detached and keeps what `work` captured alive, so capture by value (shared_ptr for results).
bool run_within(std::chrono::milliseconds limit, std::function<void()> work);

}  // namespace fer::distributed
