#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace gatewatch::core {

// The one source of time. Steady time (Now) drives intervals, windows, timeouts and backoff;
// wall time (WallNow) is only for timestamps people read. Tests inject a ManualClock.
// Implementations must be safe to call from any thread.
class Clock {
 public:
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;
  using WallTimePoint = std::chrono::system_clock::time_point;

  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  virtual WallTimePoint WallNow() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
  WallTimePoint WallNow() const override;
};

// Seconds since the Unix epoch, for metrics and JSON.
double ToUnixSeconds(Clock::WallTimePoint t);
// Whole milliseconds since the Unix epoch and back, for state files.
std::int64_t ToUnixMillis(Clock::WallTimePoint t);
Clock::WallTimePoint FromUnixMillis(std::int64_t ms);
// RFC 3339 in UTC with milliseconds, e.g. "2026-11-23T13:25:48.123Z".
std::string FormatRfc3339(Clock::WallTimePoint t);

}  // namespace gatewatch::core
