#pragma once
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "window/latency_histogram.h"

namespace gatewatch::window {

// A BasicLatencyHistogram<Counter> that holds at most `Entries` non-empty buckets, in far
// fewer bytes than its 46 counters: same bucket layout, same exact extremes, so merged into a
// LatencyHistogram it gives identical counts and quantiles.
//
// Why: a target's latencies over one time bucket of a window usually fall into a handful of
// the 46 log-scaled buckets (each is 1.366 times as wide as the one before, so 7 of them
// span a factor of 8.9 and 12 a factor of 42), and every target holds 18 time buckets
// (three windows of six slots). A SlidingWindow starts with 7 entries, moves the whole ring
// to 12 when a sample needs an eighth bucket, and to the dense histogram when one needs a
// thirteenth (window/sliding_window.h), so nothing is ever lost or estimated.
//   Entries   8-bit   16-bit   dense 8-bit   dense 16-bit
//      7       24       32         56            100
//     12       32       44
// Not thread-safe; a value type.
template <typename Counter, std::size_t Entries = 7>
class SparseLatencyHistogram {
  static_assert(std::is_same_v<Counter, std::uint8_t> || std::is_same_v<Counter, std::uint16_t>);

 public:
  using CounterType = Counter;
  using Dense = BasicLatencyHistogram<Counter>;
  static constexpr std::size_t kEntries = Entries;
  static constexpr Counter kFull = std::numeric_limits<Counter>::max();

  // Records like Dense::TryRecord; false, changing nothing, when the sample's bucket counter
  // is full or it would need one bucket more than kEntries.
  bool TryRecord(std::chrono::microseconds latency) {
    const auto bucket = static_cast<std::uint8_t>(Dense::BucketOf(latency));
    std::size_t free = kEntries;
    for (std::size_t i = 0; i < kEntries; ++i) {
      if (counts_[i] == 0) {
        if (free == kEntries) free = i;
      } else if (buckets_[i] == bucket) {
        if (counts_[i] == kFull) return false;
        ++counts_[i];
        Extend(latency);
        return true;
      }
    }
    if (free == kEntries) return false;
    buckets_[free] = bucket;
    counts_[free] = 1;
    Extend(latency);
    return true;
  }

  std::uint64_t Count() const {
    std::uint64_t total = 0;
    for (Counter count : counts_) total += count;
    return total;
  }

  // Adds every sample to `dense`, as Dense::Merge would.
  template <typename OtherCounter>
  void MergeInto(BasicLatencyHistogram<OtherCounter>& dense) const {
    for (std::size_t i = 0; i < kEntries; ++i) {
      if (counts_[i] != 0) dense.AddToBucket(buckets_[i], counts_[i]);
    }
    dense.AddExtremes(min_us_, max_us_);
  }

  // The number of non-empty buckets (at most kEntries).
  std::size_t UsedBuckets() const {
    return static_cast<std::size_t>(std::count_if(counts_.begin(), counts_.end(),
                                                  [](Counter count) { return count != 0; }));
  }

  // Whether `dense` has at most kEntries non-empty buckets, so AssignFrom takes it.
  static bool Fits(const Dense& dense) { return dense.UsedBuckets() <= kEntries; }

  // The same samples as `dense`, or false (leaving this unchanged) unless Fits(dense).
  bool AssignFrom(const Dense& dense) {
    if (!Fits(dense)) return false;
    SparseLatencyHistogram sparse;
    std::size_t used = 0;
    for (std::size_t bucket = 0; bucket < Dense::kBuckets; ++bucket) {
      const Counter count = dense.bucket_count(bucket);
      if (count == 0) continue;
      sparse.buckets_[used] = static_cast<std::uint8_t>(bucket);
      sparse.counts_[used++] = count;
    }
    sparse.min_us_ = dense.min_us();
    sparse.max_us_ = dense.max_us();
    *this = sparse;
    return true;
  }

  bool operator==(const SparseLatencyHistogram&) const = default;

 private:
  void Extend(std::chrono::microseconds latency) {
    const auto us = static_cast<std::uint32_t>(
        std::clamp(latency, std::chrono::microseconds(0), Dense::kMax).count());
    min_us_ = std::min(min_us_, us);
    max_us_ = std::max(max_us_, us);
  }

  std::array<std::uint8_t, kEntries> buckets_{};  // entry i's bucket, while counts_[i] > 0
  std::array<Counter, kEntries> counts_{};        // 0: a free entry
  std::uint32_t min_us_ = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t max_us_ = 0;
};

static_assert(sizeof(SparseLatencyHistogram<std::uint8_t>) == 24);
static_assert(sizeof(SparseLatencyHistogram<std::uint16_t>) == 32);
static_assert(sizeof(SparseLatencyHistogram<std::uint8_t, 12>) == 32);
static_assert(sizeof(SparseLatencyHistogram<std::uint16_t, 12>) == 44);

}  // namespace gatewatch::window
