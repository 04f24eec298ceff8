#pragma once
#include <mutex>

#include "core/clock.h"

namespace gatewatch::testing {

// A clock that moves only when told to. Thread-safe, so server threads may read it.
class ManualClock final : public core::Clock {
 public:
  ManualClock()
      : now_(TimePoint{} + std::chrono::hours(1000)),
        wall_(WallTimePoint{} + std::chrono::seconds(1'790'000'000)) {}

  TimePoint Now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  WallTimePoint WallNow() const override {
    std::lock_guard lock(mu_);
    return wall_;
  }
  void Advance(Duration d) {
    std::lock_guard lock(mu_);
    now_ += d;
    wall_ += std::chrono::duration_cast<WallTimePoint::duration>(d);
  }

 private:
  mutable std::mutex mu_;
  TimePoint now_;
  WallTimePoint wall_;
};

}  // namespace gatewatch::testing
