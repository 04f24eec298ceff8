#include "window/latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace gatewatch::window {
namespace {

using std::chrono::microseconds;

constexpr std::size_t kOverflow = LatencyHistogram::kBuckets - 1;

// bounds[i] is bucket i's lower bound in µs; bounds[kBuckets] closes the overflow bucket at
// kMax. Rounded to whole µs they stay strictly increasing, as neighbours differ by >= 36 µs.
using Bounds = std::array<std::int64_t, LatencyHistogram::kBuckets + 1>;

Bounds MakeBounds() {
  const double min = static_cast<double>(LatencyHistogram::kMin.count());
  const double max = static_cast<double>(LatencyHistogram::kMax.count());
  Bounds bounds{};
  for (std::size_t i = 1; i < kOverflow; ++i) {
    const double exponent = static_cast<double>(i) / static_cast<double>(kOverflow);
    bounds[i] = std::llround(min * std::pow(max / min, exponent));
  }
  bounds[kOverflow] = LatencyHistogram::kMax.count();
  bounds[kOverflow + 1] = LatencyHistogram::kMax.count();
  return bounds;
}

const Bounds& GetBounds() {
  static const Bounds bounds = MakeBounds();
  return bounds;
}

std::uint32_t ClampedMicros(microseconds latency) {
  return static_cast<std::uint32_t>(
      std::clamp(latency, microseconds(0), LatencyHistogram::kMax).count());
}

}  // namespace

template <typename Counter>
microseconds BasicLatencyHistogram<Counter>::LowerBound(std::size_t bucket) {
  return microseconds(GetBounds()[std::min(bucket, kBuckets)]);
}

template <typename Counter>
std::size_t BasicLatencyHistogram<Counter>::BucketOf(microseconds latency) {
  const Bounds& bounds = GetBounds();
  // The last of bounds[0..kBuckets-1] that is <= latency names the bucket.
  const auto it = std::upper_bound(bounds.begin(), bounds.begin() + kBuckets, latency.count());
  return it == bounds.begin() ? 0 : static_cast<std::size_t>(it - bounds.begin()) - 1;
}

template <typename Counter>
void BasicLatencyHistogram<Counter>::Record(microseconds latency) {
  if (TryRecord(latency)) return;
  // A saturated counter loses the sample, but the extremes stay true to every sample seen.
  const std::uint32_t us = ClampedMicros(latency);
  Extend(us, us);
}

template <typename Counter>
bool BasicLatencyHistogram<Counter>::TryRecord(microseconds latency) {
  Counter& count = counts_[BucketOf(latency)];
  if (count == kFull) return false;
  ++count;
  const std::uint32_t us = ClampedMicros(latency);
  Extend(us, us);
  return true;
}

template <typename Counter>
std::uint64_t BasicLatencyHistogram<Counter>::Count() const {
  std::uint64_t total = 0;
  for (Counter count : counts_) total += count;
  return total;
}

template <typename Counter>
std::optional<microseconds> BasicLatencyHistogram<Counter>::Quantile(double q) const {
  const std::uint64_t total = Count();
  if (total == 0) return std::nullopt;
  if (!(q > 0.0)) q = 0.0;  // also maps NaN to the minimum
  q = std::min(q, 1.0);
  // Nearest rank, 1-based. The epsilon keeps 0.99 * 100 from rounding up to rank 100.
  const double exact_rank = q * static_cast<double>(total) - 1e-9;
  std::uint64_t rank = static_cast<std::uint64_t>(std::max(1.0, std::ceil(exact_rank)));
  rank = std::min(rank, total);

  std::size_t bucket = 0;
  std::uint64_t before = 0;
  while (rank > before + counts_[bucket]) before += counts_[bucket++];
  if (bucket == kOverflow) return kMax;

  // The bucket's samples sit evenly between its edges, except that an edge beyond the
  // observed min or max moves in to it, and such an edge is itself a sample (offset 0)
  // rather than half a step away from one.
  const Bounds& bounds = GetBounds();
  const auto min = static_cast<std::int64_t>(min_us_), max = static_cast<std::int64_t>(max_us_);
  const bool min_here = min >= bounds[bucket];
  const bool max_here = max < bounds[bucket + 1];
  const double lo = static_cast<double>(min_here ? min : bounds[bucket]);
  const double hi = static_cast<double>(max_here ? max : bounds[bucket + 1]);
  const double lead = min_here ? 0.0 : 0.5, trail = max_here ? 0.0 : 0.5;
  const double count = static_cast<double>(counts_[bucket]);
  const double steps = count - 1.0 + lead + trail;
  if (steps <= 0.0) return microseconds(min);  // the only sample, and both min and max
  const double index = static_cast<double>(rank - before - 1) + lead;
  return microseconds(std::llround(lo + (hi - lo) * index / steps));
}

template <typename Counter>
void BasicLatencyHistogram<Counter>::Clear() {
  *this = BasicLatencyHistogram();
}

template class BasicLatencyHistogram<std::uint8_t>;
template class BasicLatencyHistogram<std::uint16_t>;
template class BasicLatencyHistogram<std::uint32_t>;

}  // namespace gatewatch::window
