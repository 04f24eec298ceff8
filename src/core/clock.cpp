#include "core/clock.h"

#include <cstdio>
#include <ctime>

namespace gatewatch::core {

Clock::TimePoint SystemClock::Now() const { return std::chrono::steady_clock::now(); }
Clock::WallTimePoint SystemClock::WallNow() const { return std::chrono::system_clock::now(); }

double ToUnixSeconds(Clock::WallTimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

std::int64_t ToUnixMillis(Clock::WallTimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Clock::WallTimePoint FromUnixMillis(std::int64_t ms) {
  return Clock::WallTimePoint{} +
         std::chrono::duration_cast<Clock::WallTimePoint::duration>(std::chrono::milliseconds(ms));
}

std::string FormatRfc3339(Clock::WallTimePoint t) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  long millis = static_cast<long>(ms % 1000);
  if (millis < 0) {
    millis += 1000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

}  // namespace gatewatch::core
