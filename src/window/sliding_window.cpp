#include "window/sliding_window.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <type_traits>
#include <utility>

namespace gatewatch::window {
namespace {

// Far below any real bucket index, yet far enough from the limit that newest_ - N and
// newest_ + N cannot overflow: nothing is recorded yet.
constexpr std::int64_t kNothingRecorded = std::numeric_limits<std::int64_t>::min() / 2;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

std::size_t SlotOf(std::int64_t bucket_index, std::int64_t size) {
  const std::int64_t slot = bucket_index % size;
  return static_cast<std::size_t>(slot < 0 ? slot + size : slot);
}

template <typename Counter>
void Bump(Counter& counter) {
  if (counter != std::numeric_limits<Counter>::max()) ++counter;
}

// 1, 2 or 4: see "Memory" in the header.
std::size_t CounterBytesFor(core::Clock::Duration width, std::chrono::milliseconds fastest) {
  const std::int64_t interval =
      core::Clock::Duration(std::max(fastest, SlidingWindow::kMinProbeInterval)).count();
  const auto per_bucket = static_cast<std::uint64_t>((width.count() + interval - 1) / interval);
  const std::uint64_t needed = SlidingWindow::kHeadroom * per_bucket;
  if (needed <= std::numeric_limits<std::uint8_t>::max()) return 1;
  if (needed <= std::numeric_limits<std::uint16_t>::max()) return 2;
  return 4;
}

}  // namespace

SlidingWindow::SlidingWindow(std::chrono::milliseconds span, std::size_t buckets,
                             std::chrono::milliseconds fastest_interval)
    : span_(std::max(span, std::chrono::milliseconds(1))), width_(0), newest_(kNothingRecorded) {
  const std::size_t size = std::max<std::size_t>(buckets, 1) + 1;
  const std::int64_t span_ticks = core::Clock::Duration(span_).count();
  const auto n = static_cast<std::int64_t>(size - 1);
  // The slot sizes the header's Memory paragraph gives.
  static_assert(sizeof(Slot<SparseLatencyHistogram<std::uint8_t>>) == 32);
  static_assert(sizeof(Slot<SparseLatencyHistogram<std::uint16_t>>) == 44);
  static_assert(sizeof(Slot<SparseLatencyHistogram<std::uint8_t, kWideEntries>>) == 40);
  static_assert(sizeof(Slot<SparseLatencyHistogram<std::uint16_t, kWideEntries>>) == 56);
  static_assert(sizeof(Slot<LatencyHistogram>) == 212);
  // Rounded up so that N buckets cover at least the whole span.
  width_ = core::Clock::Duration((span_ticks + n - 1) / n);
  switch (CounterBytesFor(width_, fastest_interval)) {
    case 1:
      rings_.emplace<SparseRing<std::uint8_t>>(size);
      break;
    case 2:
      rings_.emplace<SparseRing<std::uint16_t>>(size);
      break;
    default:
      rings_.emplace<DenseRing<std::uint32_t>>(size);
      break;
  }
}

std::int64_t SlidingWindow::BucketIndex(core::Clock::TimePoint t) const {
  return FloorDiv(t.time_since_epoch().count(), width_.count());
}

core::Clock::TimePoint SlidingWindow::NextBoundary(core::Clock::TimePoint now) const {
  return core::Clock::TimePoint(width_ * (BucketIndex(now) + 1));
}

template <typename Histogram>
bool SlidingWindow::RecordIn(Ring<Histogram>& ring, std::int64_t index,
                             const probe::ProbeResult& result) {
  using Counter = typename Histogram::CounterType;
  Slot<Histogram>& slot = ring[SlotOf(index, static_cast<std::int64_t>(ring.size()))];
  const bool failed = !result.success();
  const int status = result.http_status;
  const bool status_5xx = status >= 500 && status <= 599;
  if constexpr (std::is_same_v<Counter, std::uint32_t>) {
    slot.latency.Record(result.latency);
  } else {
    // 502..504 never exceed status_5xx, so a full one shows here first.
    constexpr Counter kFull = std::numeric_limits<Counter>::max();
    if ((failed && slot.failed == kFull) || (status_5xx && slot.status_5xx == kFull) ||
        !slot.latency.TryRecord(result.latency)) {
      return false;
    }
  }
  if (failed) Bump(slot.failed);
  if (status_5xx) Bump(slot.status_5xx);
  if (status == 502) Bump(slot.status_502);
  if (status == 503) Bump(slot.status_503);
  if (status == 504) Bump(slot.status_504);
  return true;
}

void SlidingWindow::Record(core::Clock::TimePoint at, const probe::ProbeResult& result) {
  const std::int64_t index = BucketIndex(at);
  if (index > newest_) {
    Advance(index);
  } else if (index < newest_ - static_cast<std::int64_t>(buckets())) {
    return;  // its slot already holds a newer bucket
  }
  const auto record_in = [&](auto& ring) { return RecordIn(ring, index, result); };
  // At most four times: sparse to wide to dense to wider counters; 32-bit rings always take
  // the result.
  while (!std::visit(record_in, rings_)) Widen();
}

namespace {

template <typename From, typename To>
void CopyCounters(const From& from, To& to) {
  to.failed = from.failed;
  to.status_5xx = from.status_5xx;
  to.status_502 = from.status_502;
  to.status_503 = from.status_503;
  to.status_504 = from.status_504;
}

// Adds a slot's latency samples to `into`, whichever form the slot's histogram has.
template <typename From, typename Into>
void AddLatency(const From& from, Into& into) {
  if constexpr (requires { from.MergeInto(into); }) {
    from.MergeInto(into);
  } else {
    into.Merge(from);
  }
}

template <typename Histogram>
struct IsSparse : std::false_type {};
template <typename Counter, std::size_t Entries>
struct IsSparse<SparseLatencyHistogram<Counter, Entries>> : std::true_type {};
template <typename Histogram>
constexpr bool kIsSparse = IsSparse<Histogram>::value;

// A ring of the same slots in another form (`To` must hold every slot: see Fits and Widen).
template <typename To, typename From>
To Converted(const From& from) {
  using ToHistogram = decltype(std::declval<typename To::value_type>().latency);
  To to(from.size());
  for (std::size_t i = 0; i < from.size(); ++i) {
    if constexpr (kIsSparse<ToHistogram>) {
      // Through the dense form, so that buckets are in order and extremes exact.
      typename ToHistogram::Dense dense;
      AddLatency(from[i].latency, dense);
      to[i].latency.AssignFrom(dense);
    } else {
      AddLatency(from[i].latency, to[i].latency);
    }
    CopyCounters(from[i], to[i]);
  }
  return to;
}

// The most latency buckets any slot of `ring` uses.
template <typename Ring>
std::size_t MostUsedBuckets(const Ring& ring) {
  std::size_t most = 0;
  for (const auto& slot : ring) most = std::max(most, slot.latency.UsedBuckets());
  return most;
}

}  // namespace

void SlidingWindow::Advance(std::int64_t index) {
  std::visit(
      [&](auto& ring) {
        using Slot = typename std::decay_t<decltype(ring)>::value_type;
        const auto size = static_cast<std::int64_t>(ring.size());
        if (index >= newest_ + size) {
          std::fill(ring.begin(), ring.end(), Slot{});
        } else {
          for (std::int64_t i = newest_ + 1; i <= index; ++i) ring[SlotOf(i, size)] = Slot{};
        }
      },
      rings_);
  newest_ = index;

  // Back to the narrowest form every slot fits (32-bit rings stay dense: see Memory).
  const auto narrow = [this]<typename Counter>(const auto& ring, bool dense) {
    const std::size_t used = MostUsedBuckets(ring);
    if (used <= SparseLatencyHistogram<Counter>::kEntries) {
      rings_ = Converted<SparseRing<Counter>>(ring);
    } else if (dense && used <= kWideEntries) {
      rings_ = Converted<WideRing<Counter>>(ring);
    }
  };
  if (const auto* ring = std::get_if<WideRing<std::uint8_t>>(&rings_)) {
    narrow.template operator()<std::uint8_t>(*ring, false);
  } else if (const auto* ring = std::get_if<WideRing<std::uint16_t>>(&rings_)) {
    narrow.template operator()<std::uint16_t>(*ring, false);
  } else if (const auto* ring = std::get_if<DenseRing<std::uint8_t>>(&rings_)) {
    narrow.template operator()<std::uint8_t>(*ring, true);
  } else if (const auto* ring = std::get_if<DenseRing<std::uint16_t>>(&rings_)) {
    narrow.template operator()<std::uint16_t>(*ring, true);
  }
}

void SlidingWindow::Widen() {
  if (const auto* ring = std::get_if<SparseRing<std::uint8_t>>(&rings_)) {
    rings_ = Converted<WideRing<std::uint8_t>>(*ring);
  } else if (const auto* ring = std::get_if<SparseRing<std::uint16_t>>(&rings_)) {
    rings_ = Converted<WideRing<std::uint16_t>>(*ring);
  } else if (const auto* ring = std::get_if<WideRing<std::uint8_t>>(&rings_)) {
    rings_ = Converted<DenseRing<std::uint8_t>>(*ring);
  } else if (const auto* ring = std::get_if<WideRing<std::uint16_t>>(&rings_)) {
    rings_ = Converted<DenseRing<std::uint16_t>>(*ring);
  } else if (const auto* ring = std::get_if<DenseRing<std::uint8_t>>(&rings_)) {
    rings_ = Converted<DenseRing<std::uint16_t>>(*ring);
  } else if (const auto* ring = std::get_if<DenseRing<std::uint16_t>>(&rings_)) {
    rings_ = Converted<DenseRing<std::uint32_t>>(*ring);
  }
}

WindowStats SlidingWindow::Stats(core::Clock::TimePoint now) const {
  WindowStats stats;
  const std::int64_t now_index = BucketIndex(now);
  std::visit(
      [&](const auto& ring) {
        const auto size = static_cast<std::int64_t>(ring.size());
        const std::int64_t n = size - 1;
        // Buckets now_index - N .. now_index, of which the ring still holds newest_ - N ..
        // newest_.
        const std::int64_t first = std::max(now_index - n, newest_ - n);
        const std::int64_t last = std::min(now_index, newest_);
        for (std::int64_t i = first; i <= last; ++i) {
          const auto& slot = ring[SlotOf(i, size)];
          stats.total += slot.latency.Count();
          stats.failed += slot.failed;
          stats.status_5xx += slot.status_5xx;
          stats.status_502 += slot.status_502;
          stats.status_503 += slot.status_503;
          stats.status_504 += slot.status_504;
          AddLatency(slot.latency, stats.latency);
        }
      },
      rings_);
  return stats;
}

std::size_t SlidingWindow::buckets() const {
  return std::visit([](const auto& ring) { return ring.size() - 1; }, rings_);
}

std::size_t SlidingWindow::counter_bytes() const {
  constexpr std::size_t kBytes[] = {1, 2, 1, 2, 1, 2, 4};  // in the order of Rings' alternatives
  static_assert(std::size(kBytes) == std::variant_size_v<Rings>);
  return kBytes[rings_.index()];
}

bool SlidingWindow::sparse() const { return slot_entries() < LatencyHistogram::kBuckets; }

std::size_t SlidingWindow::slot_entries() const {
  return std::visit(
      [](const auto& ring) {
        using Histogram = std::decay_t<decltype(ring[0].latency)>;
        if constexpr (kIsSparse<Histogram>) {
          return Histogram::kEntries;
        } else {
          return Histogram::kBuckets;
        }
      },
      rings_);
}

std::size_t SlidingWindow::Compact(const std::function<bool(const void*)>& worth_moving) {
  return std::visit(
      [&](auto& ring) -> std::size_t {
        if (ring.empty() || !worth_moving(ring.data())) return 0;
        auto moved = ring;  // the new block is taken before the old one is freed
        ring = std::move(moved);
        return 1;
      },
      rings_);
}

std::size_t SlidingWindow::memory_bytes() const {
  const auto heap_bytes = [](const auto& ring) {
    using Element = typename std::decay_t<decltype(ring)>::value_type;
    return ring.capacity() * sizeof(Element);
  };
  return sizeof(*this) + std::visit(heap_bytes, rings_);
}

}  // namespace gatewatch::window
