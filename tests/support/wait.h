#pragma once
#include <chrono>
#include <functional>
#include <thread>

namespace gatewatch::testing {

// Polls `done` until it is true or `limit` passes. For waiting on other processes and
// threads (real I/O), never for letting simulated time pass: use ManualClock for that.
inline bool WaitFor(const std::function<bool()>& done,
                    std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace gatewatch::testing
