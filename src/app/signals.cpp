#include "app/signals.h"

#include <signal.h>

#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>

namespace gatewatch::app {
namespace {

sigset_t WatchedSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

void BlockSignals() {
  const sigset_t set = WatchedSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A receiver closing its socket mid-write must be an error value, not a process kill.
  signal(SIGPIPE, SIG_IGN);
}

SignalWatcher::SignalWatcher(std::function<void()> on_stop, std::function<void()> on_reload) {
  thread_ = std::thread([this, on_stop = std::move(on_stop), on_reload = std::move(on_reload)] {
    const sigset_t set = WatchedSignals();
    const timespec tick{0, 200'000'000};
    while (!done_.load()) {
      const int sig = sigtimedwait(&set, nullptr, &tick);
      if (sig == SIGHUP) {
        if (on_reload) on_reload();
      } else if (sig == SIGTERM || sig == SIGINT) {
        if (stopping_.exchange(true)) {
          spdlog::warn("second {} while stopping: exiting now", strsignal(sig));
          std::_Exit(1);
        }
        spdlog::info("{}: stopping", strsignal(sig));
        on_stop();
      }
    }
  });
}

SignalWatcher::~SignalWatcher() {
  done_.store(true);
  if (thread_.joinable()) thread_.join();
}

}  // namespace gatewatch::app
