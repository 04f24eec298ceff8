#include "service/watchdog_ticker.h"

#include <spdlog/spdlog.h>

#include <exception>

namespace gatewatch::service {

WatchdogTicker::WatchdogTicker(SystemdNotifier& notifier, std::chrono::microseconds period,
                               std::function<bool()> healthy)
    : notifier_(notifier),
      period_(period),
      healthy_(std::move(healthy)),
      thread_([this] { Loop(); }) {}

WatchdogTicker::~WatchdogTicker() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void WatchdogTicker::Loop() {
  bool was_healthy = true;
  std::unique_lock lock(mu_);
  while (!done_) {
    lock.unlock();
    bool healthy = false;
    try {
      healthy = healthy_();
    } catch (const std::exception& e) {
      spdlog::error("watchdog health check failed: {}", e.what());
    }
    if (healthy) notifier_.Watchdog();
    if (healthy != was_healthy) {
      if (healthy) {
        spdlog::info("probe loop is alive again: systemd watchdog pings resumed");
      } else {
        spdlog::error("probe loop is not running: systemd watchdog pings withheld");
      }
      was_healthy = healthy;
    }
    lock.lock();
    wake_.wait_for(lock, period_, [this] { return done_; });
  }
}

}  // namespace gatewatch::service
