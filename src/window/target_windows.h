#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <vector>

#include "core/clock.h"
#include "probe/result.h"
#include "window/sliding_window.h"

namespace gatewatch::window {

// One target's sliding windows, one per configured span (the agent's `windows` plus any an
// alert needs), each with SlidingWindow::kDefaultBuckets buckets. Every result goes into
// all of them. Consecutive-failure counting is not here; the caller owns it.
//
// Memory: 32 bytes plus one SlidingWindow per span, whose counter width follows its bucket
// width and the target's interval, and whose slots stay sparse while each holds at most 7
// latency buckets, or 12 in the wide form (window/sliding_window.h): 248 or 320 bytes
// sparse, 296 or 392 wide, 440, 728 or 1,328 dense. So for the default 1m/5m/1h, 776 bytes
// for a target probed every 10s or less often whose latencies cluster (most do), 920 for
// one probed every 100 ms, 1,016 for one probed every second whose latencies spread over up
// to 12 buckets; 1,928 at most while they scatter wider (1,328 for the 10s one), plus
// allocator overhead for 4 heap blocks; at most 4,016 if every window widens to 32 bits.
//
// Phase: every window's buckets start at the steady epoch plus `phase` (modulo the bucket
// width), by shifting the times passed to the windows. Targets with different phases cross
// bucket boundaries at different moments, so the agent never re-summarizes all its targets
// in the same second (at 10,000 targets that burst doubled the published statuses at once).
// Not thread-safe: owned by the probe loop; publish copies of Stats().
class TargetWindows {
 public:
  // Spans in the caller's order (the agent keeps them sorted and unique).
  // fastest_interval: the target's shortest interval (see SlidingWindow).
  explicit TargetWindows(
      const std::vector<std::chrono::milliseconds>& spans,
      std::chrono::milliseconds fastest_interval = SlidingWindow::kMinProbeInterval,
      core::Clock::Duration phase = core::Clock::Duration::zero());

  void Record(core::Clock::TimePoint at, const probe::ProbeResult& result);
  // One WindowStats per span, in the order of spans().
  std::vector<WindowStats> Stats(core::Clock::TimePoint now) const;
  // Reuses `out`'s capacity: no allocation once it has held as many entries.
  void Stats(core::Clock::TimePoint now, std::vector<WindowStats>& out) const;

  // The first bucket boundary of any window after `now`: until then Stats(now) can change
  // only by recording.
  core::Clock::TimePoint NextBoundary(core::Clock::TimePoint now) const;

  std::vector<std::chrono::milliseconds> spans() const;
  // Window by window, allocating nothing (the agent summarizes a target per result).
  std::size_t size() const { return windows_.size(); }
  std::chrono::milliseconds span(std::size_t i) const { return windows_[i].span(); }
  WindowStats StatsOf(std::size_t i, core::Clock::TimePoint now) const {
    return windows_[i].Stats(now - phase_);
  }
  const std::vector<SlidingWindow>& windows() const { return windows_; }
  std::size_t memory_bytes() const;  // inline and heap bytes, allocator overhead aside
  // Moves the heap blocks `worth_moving` names (see SlidingWindow::Compact); how many.
  std::size_t Compact(const std::function<bool(const void*)>& worth_moving);

 private:
  std::vector<SlidingWindow> windows_;
  core::Clock::Duration phase_;
};

}  // namespace gatewatch::window
