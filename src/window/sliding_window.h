#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/clock.h"
#include "probe/result.h"
#include "window/latency_histogram.h"

namespace gatewatch::window {

struct WindowStats {
  std::uint64_t total = 0, failed = 0;  // failed: any result with !success()
  // By the http_status of responses, whether or not the probe passed (502 may be expected).
  std::uint64_t status_5xx = 0, status_502 = 0, status_503 = 0, status_504 = 0;
  LatencyHistogram latency;  // every probe's latency, failures included
};

// Outcome counts and latency for one target over the last `span`, on steady time passed in
// by the caller (the window never reads a clock).
//
// Time is cut into buckets of width w = span / buckets (rounded up to the clock's tick),
// aligned to the steady clock's epoch, and kept in a ring of buckets + 1 slots that is
// reused as time moves, so memory is fixed whatever the probe rate.
//
// Edges, exactly: a result recorded at t is counted by Stats(now) for every now in
// [t, t + span], and is gone at the first bucket boundary after t + span, so it may stay
// up to one bucket width longer (never past t + span + w, give or take the nanoseconds w
// was rounded up by). Put differently, Stats covers between span and span + w of history.
// Example, span 60s and 5 buckets (w = 12s): a result at 100s (bucket [96s, 108s)) is
// counted from 100s through 167.999s and gone at 168s.
//
// Out of order: Record files a result under its own `at`, so a probe that started earlier
// but finished later lands in its own bucket. A result older than the ring (before the
// start of the newest recorded bucket minus span) is dropped. Time may jump by any amount:
// a jump of a whole ring or more clears it in O(buckets), never bucket by bucket.
//
// Memory: sizeof(SlidingWindow) is 48 bytes plus (buckets + 1) * 212 bytes on the heap;
// with kDefaultBuckets that is 1,320 bytes, so three windows per target stay under 4 KB.
// Cost: Record is O(log 48) plus clearing any buckets time moved past; Stats merges
// buckets + 1 histograms (~300 additions with the default).
//
// Not thread-safe: owned by the probe loop; publish copies of Stats().
class SlidingWindow {
 public:
  // 5 buckets: the window reaches back at most 20% further than `span`.
  static constexpr std::size_t kDefaultBuckets = 5;

  // span <= 0 is treated as 1 ms and buckets == 0 as 1.
  explicit SlidingWindow(std::chrono::milliseconds span, std::size_t buckets = kDefaultBuckets);

  void Record(core::Clock::TimePoint at, const probe::ProbeResult& result);
  // Sums the buckets covering (now - span, now] (see the edges above); empty: zeros.
  WindowStats Stats(core::Clock::TimePoint now) const;

  std::chrono::milliseconds span() const { return span_; }
  core::Clock::Duration bucket_width() const { return width_; }
  std::size_t buckets() const { return slots_.size() - 1; }
  // Bytes this window occupies, inline and on the heap (allocator overhead aside).
  std::size_t memory_bytes() const { return sizeof(*this) + slots_.capacity() * sizeof(Slot); }

 private:
  // WindowStats minus `total` (that is latency.Count()), in 32-bit saturating counters.
  struct Slot {
    std::uint32_t failed = 0, status_5xx = 0, status_502 = 0, status_503 = 0, status_504 = 0;
    LatencyHistogram latency;
  };
  static_assert(sizeof(Slot) == 5 * sizeof(std::uint32_t) + sizeof(LatencyHistogram));

  std::int64_t BucketIndex(core::Clock::TimePoint t) const;
  std::size_t SlotOf(std::int64_t bucket_index) const;

  std::chrono::milliseconds span_;
  core::Clock::Duration width_;
  std::int64_t newest_;      // highest bucket index recorded; slots hold newest_ - N .. newest_
  std::vector<Slot> slots_;  // buckets + 1 slots; bucket index i lives at i mod size
};

}  // namespace gatewatch::window
