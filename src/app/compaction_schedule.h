#pragma once
#include <chrono>
#include <optional>

#include "core/clock.h"

namespace gatewatch::app {

// When a heap compaction pass (App::Impl::CompactSlice) may start. A pass is wanted
//  - soon after the last snapshot is gone ("due"): the copies that snapshot's copy-on-write
//    made left holes among the originals. Not within `gap` of the previous pass, which
//    bounds the CPU (a pass is about 20 ms at 10,000 targets) when readers come every second;
//  - every `every` regardless, counted from the previous pass or, before the first one, from
//    the start: window rings change form as time moves, with no reader involved.
// The first due pass does not wait for the gap: a pass at start-up found nothing to move,
// and counting the gap from it held back the pass after the first scrape by up to 10 s.
// Time is passed in (steady clock), so tests need no sleeps.
class CompactionSchedule {
 public:
  static constexpr std::chrono::seconds kDefaultGap{10};
  static constexpr std::chrono::seconds kDefaultEvery{60};

  explicit CompactionSchedule(core::Clock::TimePoint start,
                              std::chrono::seconds gap = kDefaultGap,
                              std::chrono::seconds every = kDefaultEvery)
      : start_(start), gap_(gap), every_(every) {}

  // The snapshots are gone: a pass is due.
  void MarkDue() { due_ = true; }
  // Whether a pass should start now; if so, the pending due mark is consumed.
  bool ShouldStart(core::Clock::TimePoint now) {
    const bool gap_passed = !last_ || now - *last_ >= gap_;
    const bool periodic = now - (last_ ? *last_ : start_) >= every_;
    if (!(due_ && gap_passed) && !periodic) return false;
    due_ = false;
    return true;
  }
  // The pass that started finished at `now`.
  void Finished(core::Clock::TimePoint now) { last_ = now; }

 private:
  core::Clock::TimePoint start_;
  std::chrono::seconds gap_, every_;
  std::optional<core::Clock::TimePoint> last_;
  bool due_ = false;
};

}  // namespace gatewatch::app
