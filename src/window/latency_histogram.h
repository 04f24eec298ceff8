#pragma once
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>

namespace gatewatch::window {

// A compact latency histogram with fixed, log-scaled buckets, for quantiles (p50, p90, p99)
// over a window. No heap; a value type, cheap to copy. `Counter`, the type of its 46
// counters, is std::uint8_t, std::uint16_t or std::uint32_t (56, 100 or 192 bytes in all):
// LatencyHistogram, the 32-bit one, is what WindowStats carries; each time bucket of a
// SlidingWindow holds the narrowest one its width allows (window/sliding_window.h), merged
// into a LatencyHistogram by Stats. All widths share one bucket layout and give identical
// counts and quantiles for the same samples, as long as no counter is full.
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
// Counters saturate at the Counter's maximum (UINT32_MAX for LatencyHistogram) instead of
// wrapping; TryRecord lets a caller notice a full counter before it loses a sample.
// Not thread-safe; copies may be handed to other threads.
template <typename Counter>
class BasicLatencyHistogram {
  static_assert(std::is_same_v<Counter, std::uint8_t> || std::is_same_v<Counter, std::uint16_t> ||
                std::is_same_v<Counter, std::uint32_t>);

 public:
  using CounterType = Counter;
  static constexpr std::size_t kBuckets = 46;
  static constexpr std::chrono::microseconds kMin{100};          // where the log scale starts
  static constexpr std::chrono::microseconds kMax{120'000'000};  // lower bound of overflow
  static constexpr Counter kFull = std::numeric_limits<Counter>::max();

  void Record(std::chrono::microseconds latency);
  // Records like Record, unless the sample's bucket counter is already kFull: then nothing
  // changes and it returns false.
  bool TryRecord(std::chrono::microseconds latency);
  // Adds every count of `other` (saturating), as if its samples had been recorded here.
  // Any counter width to any other: a window merges its 8/16-bit buckets into a 32-bit one.
  template <typename OtherCounter>
  void Merge(const BasicLatencyHistogram<OtherCounter>& other);
  std::uint64_t Count() const;
  // The q-quantile (q clamped to [0, 1]; 0.5 is the median); nullopt when empty.
  std::optional<std::chrono::microseconds> Quantile(double q) const;
  void Clear();

  // Bucket i covers [LowerBound(i), LowerBound(i + 1)); LowerBound(0) is 0 and
  // LowerBound(kBuckets - 1) == LowerBound(kBuckets) == kMax.
  static std::chrono::microseconds LowerBound(std::size_t bucket);
  static std::size_t BucketOf(std::chrono::microseconds latency);
  Counter bucket_count(std::size_t bucket) const { return counts_[bucket]; }
  // How many buckets hold a sample.
  std::size_t UsedBuckets() const {
    return static_cast<std::size_t>(std::count_if(counts_.begin(), counts_.end(),
                                                  [](Counter count) { return count != 0; }));
  }
  // The exact extremes in µs (clamped to [0, kMax]); min > max while empty.
  std::uint32_t min_us() const { return min_us_; }
  std::uint32_t max_us() const { return max_us_; }
  // Adds `count` samples to `bucket` (saturating), and widens the extremes to cover
  // [min_us, max_us]: how a compact form of this histogram merges into it
  // (window/sparse_latency_histogram.h). A sample's extremes must be added with it.
  void AddToBucket(std::size_t bucket, std::uint64_t count) {
    const std::uint64_t sum = std::uint64_t{counts_[bucket]} + count;
    counts_[bucket] = sum > kFull ? kFull : static_cast<Counter>(sum);
  }
  void AddExtremes(std::uint32_t min_us, std::uint32_t max_us) { Extend(min_us, max_us); }

  bool operator==(const BasicLatencyHistogram&) const = default;

 private:
  template <typename>
  friend class BasicLatencyHistogram;

  void Extend(std::uint32_t min_us, std::uint32_t max_us) {
    min_us_ = std::min(min_us_, min_us);
    max_us_ = std::max(max_us_, max_us);
  }

  std::array<Counter, kBuckets> counts_{};
  // Extremes in µs, clamped to [0, kMax]; min > max while empty.
  std::uint32_t min_us_ = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t max_us_ = 0;
};

using LatencyHistogram = BasicLatencyHistogram<std::uint32_t>;

template <typename Counter>
template <typename OtherCounter>
void BasicLatencyHistogram<Counter>::Merge(const BasicLatencyHistogram<OtherCounter>& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) {
    const std::uint64_t sum = std::uint64_t{counts_[i]} + other.counts_[i];
    counts_[i] = sum > kFull ? kFull : static_cast<Counter>(sum);
  }
  Extend(other.min_us_, other.max_us_);
}

// Defined in latency_histogram.cpp for these three.
extern template class BasicLatencyHistogram<std::uint8_t>;
extern template class BasicLatencyHistogram<std::uint16_t>;
extern template class BasicLatencyHistogram<std::uint32_t>;

}  // namespace gatewatch::window
