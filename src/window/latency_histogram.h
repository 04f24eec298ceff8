#pragma once
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>

namespace gatewatch::window {

// A compact latency histogram with fixed, log-scaled buckets, for quantiles (p50, p90, p99)
// over a window. It is 192 bytes (46 uint32 counters plus the exact min and max, no heap),
// because every time bucket of every window of every target holds one.
//
// Buckets: buckets 0..44 split [100 µs, 120 s) geometrically, each 1.366 times as wide as
// the one before ((120 s / 100 µs)^(1/45)); bucket 0 also takes everything below 100 µs
// (negative latencies count as 0); bucket 45 holds everything >= 120 s, which is recorded
// and reported as 120 s.
//
// Accuracy: Quantile finds the bucket holding the nearest-rank sample and interpolates
// linearly inside it, spreading the bucket's samples evenly over the part of the bucket
// between the observed min and max. So:
//  - q = 0 and q = 1 give the exact min and max; a lone sample, or identical ones, is exact;
//  - real latency distributions (log-normal, uniform, bimodal with a slow 1%, a narrow
//    cluster) come out within 10% at every quantile (the unit tests check these);
//  - worst case, where samples bunch inside a bucket between other samples (e.g. a mode
//    ending abruptly mid-bucket), the estimate is still in the true value's bucket, so
//    within a factor of 1.366 (-27%..+37%). Halving that would take ~90 counters.
//
// Counters saturate at UINT32_MAX instead of wrapping. Value type: cheap to copy.
// Not thread-safe; copies may be handed to other threads.
class LatencyHistogram {
 public:
  static constexpr std::size_t kBuckets = 46;
  static constexpr std::chrono::microseconds kMin{100};          // where the log scale starts
  static constexpr std::chrono::microseconds kMax{120'000'000};  // lower bound of overflow

  void Record(std::chrono::microseconds latency);
  // Adds every count of `other` (saturating), as if its samples had been recorded here.
  void Merge(const LatencyHistogram& other);
  std::uint64_t Count() const;
  // The q-quantile (q clamped to [0, 1]; 0.5 is the median); nullopt when empty.
  std::optional<std::chrono::microseconds> Quantile(double q) const;
  void Clear();

  // Bucket i covers [LowerBound(i), LowerBound(i + 1)); LowerBound(0) is 0 and
  // LowerBound(kBuckets - 1) == LowerBound(kBuckets) == kMax.
  static std::chrono::microseconds LowerBound(std::size_t bucket);
  static std::size_t BucketOf(std::chrono::microseconds latency);
  std::uint32_t bucket_count(std::size_t bucket) const { return counts_[bucket]; }

  bool operator==(const LatencyHistogram&) const = default;

 private:
  std::array<std::uint32_t, kBuckets> counts_{};
  // Extremes in µs, clamped to [0, kMax]; min > max while empty.
  std::uint32_t min_us_ = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t max_us_ = 0;
};

}  // namespace gatewatch::window
