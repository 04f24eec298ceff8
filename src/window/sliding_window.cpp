#include "window/sliding_window.h"

#include <algorithm>
#include <limits>

namespace gatewatch::window {
namespace {

// Far below any real bucket index, yet far enough from the limit that newest_ - N and
// newest_ + N cannot overflow: nothing is recorded yet.
constexpr std::int64_t kNothingRecorded = std::numeric_limits<std::int64_t>::min() / 2;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void Bump(std::uint32_t& counter) {
  if (counter != std::numeric_limits<std::uint32_t>::max()) ++counter;
}

}  // namespace

SlidingWindow::SlidingWindow(std::chrono::milliseconds span, std::size_t buckets)
    : span_(std::max(span, std::chrono::milliseconds(1))),
      width_(0),
      newest_(kNothingRecorded),
      slots_(std::max<std::size_t>(buckets, 1) + 1) {
  const std::int64_t span_ticks = core::Clock::Duration(span_).count();
  const auto n = static_cast<std::int64_t>(slots_.size() - 1);
  // Rounded up so that N buckets cover at least the whole span.
  width_ = core::Clock::Duration((span_ticks + n - 1) / n);
}

std::int64_t SlidingWindow::BucketIndex(core::Clock::TimePoint t) const {
  return FloorDiv(t.time_since_epoch().count(), width_.count());
}

std::size_t SlidingWindow::SlotOf(std::int64_t bucket_index) const {
  const auto size = static_cast<std::int64_t>(slots_.size());
  const std::int64_t slot = bucket_index % size;
  return static_cast<std::size_t>(slot < 0 ? slot + size : slot);
}

void SlidingWindow::Record(core::Clock::TimePoint at, const probe::ProbeResult& result) {
  const std::int64_t index = BucketIndex(at);
  const auto size = static_cast<std::int64_t>(slots_.size());
  if (index > newest_) {
    if (index >= newest_ + size) {
      std::fill(slots_.begin(), slots_.end(), Slot{});
    } else {
      for (std::int64_t i = newest_ + 1; i <= index; ++i) slots_[SlotOf(i)] = Slot{};
    }
    newest_ = index;
  } else if (index <= newest_ - size) {
    return;  // its slot already holds a newer bucket
  }

  Slot& slot = slots_[SlotOf(index)];
  slot.latency.Record(result.latency);
  if (!result.success()) Bump(slot.failed);
  const int status = result.http_status;
  if (status >= 500 && status <= 599) Bump(slot.status_5xx);
  if (status == 502) Bump(slot.status_502);
  if (status == 503) Bump(slot.status_503);
  if (status == 504) Bump(slot.status_504);
}

WindowStats SlidingWindow::Stats(core::Clock::TimePoint now) const {
  WindowStats stats;
  const std::int64_t now_index = BucketIndex(now);
  const auto n = static_cast<std::int64_t>(slots_.size() - 1);
  // Buckets now_index - N .. now_index, of which the ring still holds newest_ - N .. newest_.
  const std::int64_t first = std::max(now_index - n, newest_ - n);
  const std::int64_t last = std::min(now_index, newest_);
  for (std::int64_t i = first; i <= last; ++i) {
    const Slot& slot = slots_[SlotOf(i)];
    stats.total += slot.latency.Count();
    stats.failed += slot.failed;
    stats.status_5xx += slot.status_5xx;
    stats.status_502 += slot.status_502;
    stats.status_503 += slot.status_503;
    stats.status_504 += slot.status_504;
    stats.latency.Merge(slot.latency);
  }
  return stats;
}

}  // namespace gatewatch::window
