#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "service/systemd_notifier.h"

namespace gatewatch::service {

// Sends WATCHDOG=1 through `notifier` every `period` from a thread of its own, but only while
// `healthy()` returns true: when the probe loop wedges, `healthy` turns false, the pings stop
// and systemd restarts the service once WatchdogSec= passes. The first check is immediate.
//
// `healthy` runs on the ticker's thread and must be thread-safe and quick (App::Alive() is).
// `notifier` is not owned and must outlive the ticker. The destructor stops and joins the
// thread at once (the wait between ticks is interruptible).
class WatchdogTicker {
 public:
  WatchdogTicker(SystemdNotifier& notifier, std::chrono::microseconds period,
                 std::function<bool()> healthy);
  ~WatchdogTicker();
  WatchdogTicker(const WatchdogTicker&) = delete;
  WatchdogTicker& operator=(const WatchdogTicker&) = delete;

 private:
  void Loop();

  SystemdNotifier& notifier_;
  const std::chrono::microseconds period_;
  const std::function<bool()> healthy_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool done_ = false;   // guarded by mu_
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace gatewatch::service
