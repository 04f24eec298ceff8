#pragma once
#include <atomic>
#include <functional>
#include <thread>

namespace gatewatch::app {

// Turns SIGTERM/SIGINT into `on_stop` and SIGHUP into `on_reload`, on one thread of its own.
// BlockSignals() must run before any other thread starts: threads inherit the mask, so no
// curl or HTTP-server thread is ever interrupted and the signals reach only this watcher.
// A second SIGTERM/SIGINT while stopping exits the process at once (exit code 1).
void BlockSignals();

class SignalWatcher {
 public:
  SignalWatcher(std::function<void()> on_stop, std::function<void()> on_reload);
  ~SignalWatcher();  // joins the thread (within about 200 ms)
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  std::atomic<bool> done_{false};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace gatewatch::app
