#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "net/http_request.h"

namespace gatewatch::net {

// Many concurrent HTTP transfers on one thread, with no thread per request: one libcurl
// multi handle plus a pool of reusable easy handles.
//
// Threading: every method except Wakeup() must be called from the one thread that owns the
// object (the probe loop). Callbacks run on that thread, inside Poll() or Cancel*().
class CurlMulti {
 public:
  using RequestId = std::uint64_t;
  using Callback = std::function<void(HttpResponse&&)>;

  // Idle easy handles kept for reuse; beyond this, finished handles are freed so a burst of
  // concurrency does not pin its memory.
  static constexpr std::size_t kDefaultMaxIdleHandles = 256;

  explicit CurlMulti(std::size_t max_idle_handles = kDefaultMaxIdleHandles);
  ~CurlMulti();  // cancels everything still in flight (callbacks get kCancelled)
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  // Starts a transfer; never blocks. The callback runs exactly once: on completion, on
  // failure, or on cancellation. `request` is copied; it need not outlive the call.
  RequestId Start(const HttpRequest& request, Callback on_done);
  void Cancel(RequestId id);  // no-op if already done
  void CancelAll();

  // Waits up to max_wait for socket activity or Wakeup(), drives transfers, runs completion
  // callbacks. Returns the number of callbacks run.
  std::size_t Poll(std::chrono::milliseconds max_wait);

  // Interrupts a Poll() in progress (or makes the next one return at once). Thread-safe.
  void Wakeup();

  std::size_t InFlight() const;

  // Frees the idle easy handles that no request needed since the previous call (as many as
  // the fewest idle there were in between), coldest first, and returns how many. Called now
  // and then, it lets the pool follow demand down after a burst instead of keeping the
  // burst's handles (and their receive buffers) for good.
  std::size_t TrimIdle();
  std::size_t IdleHandles() const;
  // Easy handles made so far. Flat while the pool holds what the load needs: a new handle is
  // made only when no idle one is left.
  std::uint64_t HandlesMade() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gatewatch::net
