#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "probe/result.h"
#include "window/latency_histogram.h"
#include "window/sparse_latency_histogram.h"

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
// reused as time moves, so memory does not grow with time or (see Memory) the probe rate.
//
// Edges, exactly: a result recorded at t is counted by Stats(now) for every now in
// [t, t + span], and is gone at the first bucket boundary after t + span, so it may stay
// up to one bucket width longer (never past t + span + w, give or take the nanoseconds w
// was rounded up by). Put differently, Stats covers between span and span + w of history.
// Example, span 60s and 5 buckets (w = 12s): a result at 100s (bucket [96s, 108s)) is
// counted from 100s through 167.999s and gone at 168s.
// Why 5 buckets: each bucket fewer would save one slot (64 to 212 bytes, see Memory), but
// cost users timeliness: with 4 the window reaches back up to 25% past span, with 2 up to
// 50%, so a recovered target keeps a 502 ratio alert firing that much longer, and a rate
// is diluted by up to that much stale history.
//
// Out of order: Record files a result under its own `at`, so a probe that started earlier
// but finished later lands in its own bucket. A result older than the ring (before the
// start of the newest recorded bucket minus span) is dropped. Time may jump by any amount:
// a jump of a whole ring or more clears it in O(buckets), never bucket by bucket.
//
// Memory: each slot holds a latency histogram (exact min and max, and per log-scaled
// latency bucket a count) and the failed/5xx/502/503/504 counters, all of one width picked
// at construction: the narrowest of 8, 16 or 32 bits that holds kHeadroom (2) times the most
// results one bucket can get from a target probed every `fastest_interval` (the target's
// shortest interval, unhealthy_interval included; at least kMinProbeInterval, 100 ms,
// config's minimum), that is ceil(w / fastest_interval) results. At 100 ms, w <= 12.7s
// (spans up to 63s) gets 8 bits, w <= 3,276s (spans up to 4.5 h) 16 bits, longer ones 32
// bits; a target probed every 30s has 8-bit counters up to spans of 16 h. The headroom covers
// the scheduler's jitter and a run moved earlier by an interval change.
// The histogram starts sparse (window/sparse_latency_histogram.h: up to 7 of the 46 latency
// buckets per slot, which is what a target's latencies over one time bucket usually need):
// a slot is then 32 bytes (8-bit) or 44 (16-bit). Wide sparse slots hold up to 12 buckets
// (a factor of 42 between fastest and slowest, which a bucket of a target probed every
// second collects in minutes): 40 or 56 bytes. Dense: 64, 112 or 212 (32-bit counters are
// always dense). sizeof(SlidingWindow) is 56, so with kDefaultBuckets a window is 248 or 320
// bytes sparse, 296 or 392 wide, 440, 728 or 1,328 dense; for 1m/5m/1h, 776 bytes per target
// (with TargetWindows' 32) probed every 10 s or less often, 848 for one probed every 1 s to
// 5 s, and 1,016 for one probed every second whose latencies spread over up to 12 buckets
// (1,640 dense: 624 bytes per target saved where it matters most, at the highest rates).
// Changes of form, each one allocation of the ring, and every count carried over exactly:
//  - sparse to wide, when a sample would need an eighth latency bucket in its slot; wide to
//    dense, when one would need a thirteenth;
//  - back to the narrowest form every slot fits, when time moves to a new bucket (so a burst
//    of scattered latencies costs memory only while it is in the window; the check reads
//    each slot once, at most once per bucket width);
//  - to the next counter width, when a bucket is about to overflow (should a caller record
//    faster than it said): memory then stays at that width, so counts stay exact; only
//    32-bit counters saturate, at UINT32_MAX, instead of wrapping (a 7d window at 10
//    probes/s puts 1.2 million results in a bucket).
// Stats always merges into a 32-bit LatencyHistogram, so counts and quantiles are exactly
// what dense 32-bit slots gave: nothing is traded for accuracy. The trade-offs are a visit
// over the form and counter width per Record and Stats, and memory that depends on the span
// and the latencies' spread (at most the dense size). The exact min and max stay in every
// slot (8 of its bytes): with one pair per window they could not expire, and q = 0 and q = 1
// would stop being exact.
// Cost: Record is O(log 48) plus clearing any buckets time moved past; Stats merges
// buckets + 1 histograms (~300 additions with the default).
//
// Not thread-safe: owned by the probe loop; publish copies of Stats().
class SlidingWindow {
 public:
  // 5 buckets: the window reaches back at most 20% further than `span` (see above).
  static constexpr std::size_t kDefaultBuckets = 5;
  // The fastest cadence the counter width is sized for (config: interval >= 100ms).
  static constexpr std::chrono::milliseconds kMinProbeInterval{100};
  static constexpr std::uint64_t kHeadroom = 2;
  // Latency buckets a wide sparse slot holds (see Memory above).
  static constexpr std::size_t kWideEntries = 12;

  // span <= 0 is treated as 1 ms and buckets == 0 as 1. fastest_interval: how often the
  // caller expects to record at most (it sizes the counters; recording faster still works).
  explicit SlidingWindow(std::chrono::milliseconds span, std::size_t buckets = kDefaultBuckets,
                         std::chrono::milliseconds fastest_interval = kMinProbeInterval);

  void Record(core::Clock::TimePoint at, const probe::ProbeResult& result);
  // Sums the buckets covering (now - span, now] (see the edges above); empty: zeros.
  WindowStats Stats(core::Clock::TimePoint now) const;

  // The start of the bucket after the one holding `now`: until then Stats(now) changes only
  // by recording.
  core::Clock::TimePoint NextBoundary(core::Clock::TimePoint now) const;

  std::chrono::milliseconds span() const { return span_; }
  core::Clock::Duration bucket_width() const { return width_; }
  std::size_t buckets() const;
  // Bytes per slot counter now: 1, 2 or 4 (more than at construction once a bucket overflowed).
  std::size_t counter_bytes() const;
  // Whether the slots' histograms are in a sparse form now, 7 or 12 entries (see Memory).
  bool sparse() const;
  // Latency buckets each slot can hold in the current form: 7, kWideEntries or 46 (dense).
  std::size_t slot_entries() const;
  // Bytes this window occupies, inline and on the heap (allocator overhead aside).
  std::size_t memory_bytes() const;
  // Copies the ring into a new heap block if `worth_moving` says of its block (see
  // core::WorthMoving), so the allocator can empty part-used pages. Counts stay as they are.
  // Returns the number of blocks moved (0 or 1).
  std::size_t Compact(const std::function<bool(const void*)>& worth_moving);

 private:
  // WindowStats minus `total` (that is latency.Count()), in saturating counters. Every
  // counter is at most latency.Count(), and 503/502/504 at most status_5xx.
  template <typename Histogram>
  struct Slot {
    using Counter = typename Histogram::CounterType;
    Histogram latency;
    Counter failed = 0, status_5xx = 0, status_502 = 0, status_503 = 0, status_504 = 0;
  };
  // buckets + 1 slots; index i lives at i mod size.
  template <typename Histogram>
  using Ring = std::vector<Slot<Histogram>>;
  template <typename Counter>
  using SparseRing = Ring<SparseLatencyHistogram<Counter>>;
  template <typename Counter>
  using WideRing = Ring<SparseLatencyHistogram<Counter, kWideEntries>>;
  template <typename Counter>
  using DenseRing = Ring<BasicLatencyHistogram<Counter>>;
  // Exactly one alternative at a time: the current form and counter width.
  using Rings =
      std::variant<SparseRing<std::uint8_t>, SparseRing<std::uint16_t>, WideRing<std::uint8_t>,
                   WideRing<std::uint16_t>, DenseRing<std::uint8_t>, DenseRing<std::uint16_t>,
                   DenseRing<std::uint32_t>>;

  std::int64_t BucketIndex(core::Clock::TimePoint t) const;
  // Moves the ring forward to `index` (see Advance) and records there. False, leaving that
  // bucket as it was, if the slot cannot take the result in its current form: a counter the
  // result needs is full (never for 32-bit ones, which saturate) or a sparse slot has no
  // entry left for its latency bucket.
  template <typename Histogram>
  bool RecordIn(Ring<Histogram>& ring, std::int64_t index, const probe::ProbeResult& result);
  // Clears the slots time moved past on the way to bucket `index` (> newest_), then turns a
  // wide or dense 8/16-bit ring into the narrowest sparse form all its slots fit.
  void Advance(std::int64_t index);
  // Sparse to wide to dense, or dense to the next counter width, keeping every count.
  void Widen();

  std::chrono::milliseconds span_;
  core::Clock::Duration width_;
  std::int64_t newest_;  // highest bucket index recorded; slots hold newest_ - N .. newest_
  Rings rings_;          // exactly one alternative, the current counter width
};

}  // namespace gatewatch::window
