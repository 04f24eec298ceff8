#include "app/compaction_schedule.h"

#include <gtest/gtest.h>

namespace gatewatch::app {
namespace {

using std::chrono::seconds;
const core::Clock::TimePoint kStart{seconds(1'000)};

TEST(CompactionSchedule, NothingAtStartUpAndTheFirstDuePassRunsAtOnce) {
  CompactionSchedule s(kStart);
  EXPECT_FALSE(s.ShouldStart(kStart));
  EXPECT_FALSE(s.ShouldStart(kStart + seconds(3)));
  // The first scrape's snapshot is gone 4 s after start: no pass ran yet, so no gap applies.
  s.MarkDue();
  EXPECT_TRUE(s.ShouldStart(kStart + seconds(4)));
  s.Finished(kStart + seconds(4));
  // The mark was consumed.
  EXPECT_FALSE(s.ShouldStart(kStart + seconds(30)));
}

TEST(CompactionSchedule, DuePassesKeepTheGapBetweenThem) {
  CompactionSchedule s(kStart, seconds(10), seconds(60));
  s.MarkDue();
  ASSERT_TRUE(s.ShouldStart(kStart + seconds(1)));
  s.Finished(kStart + seconds(2));
  s.MarkDue();  // readers every second
  EXPECT_FALSE(s.ShouldStart(kStart + seconds(3)));
  EXPECT_FALSE(s.ShouldStart(kStart + seconds(11)));
  EXPECT_TRUE(s.ShouldStart(kStart + seconds(12)));  // 10 s after the last pass ended
  s.Finished(kStart + seconds(12));
  EXPECT_FALSE(s.ShouldStart(kStart + seconds(50)));  // nothing due, not yet periodic
}

TEST(CompactionSchedule, PeriodicPassesWithoutReaders) {
  CompactionSchedule s(kStart, seconds(10), seconds(60));
  EXPECT_FALSE(s.ShouldStart(kStart + seconds(59)));
  ASSERT_TRUE(s.ShouldStart(kStart + seconds(60)));  // from the start, before any pass
  s.Finished(kStart + seconds(61));
  EXPECT_FALSE(s.ShouldStart(kStart + seconds(120)));
  EXPECT_TRUE(s.ShouldStart(kStart + seconds(121)));  // from the last pass after that
}

}  // namespace
}  // namespace gatewatch::app
