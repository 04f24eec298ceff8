#include "schedule/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace gatewatch::schedule {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using Duration = core::Clock::Duration;
using TimePoint = Scheduler::TimePoint;

const TimePoint kStart = TimePoint{} + hours(1000);

Duration MaxJitter(milliseconds interval) {
  return std::min<Duration>(Duration(interval) / 100, milliseconds(100));
}

// The next run of the only id scheduled.
TimePoint NextRun(const Scheduler& scheduler) {
  EXPECT_EQ(scheduler.size(), 1u);
  return *scheduler.NextDue();
}

TEST(Scheduler, EmptyHasNothingDue) {
  Scheduler scheduler(1);
  EXPECT_EQ(scheduler.NextDue(), std::nullopt);
  EXPECT_TRUE(scheduler.PopDue(kStart + hours(1)).empty());
  EXPECT_EQ(scheduler.size(), 0u);
  EXPECT_EQ(scheduler.missed_slots(), 0u);
}

TEST(Scheduler, FirstRunsSpreadOverTheInterval) {
  Scheduler scheduler(1);
  const milliseconds interval = seconds(10);
  for (Scheduler::Id id = 0; id < 1'000; ++id) {
    scheduler.Add(id, interval, kStart, std::hash<std::string>{}("target-" + std::to_string(id)));
  }
  EXPECT_EQ(scheduler.size(), 1'000u);
  EXPECT_GE(*scheduler.NextDue(), kStart);
  EXPECT_TRUE(scheduler.PopDue(kStart - milliseconds(1)).empty());

  const std::vector<Scheduler::Due> first = scheduler.PopDue(kStart + interval);
  ASSERT_EQ(first.size(), 1'000u);
  std::array<int, 10> per_tenth{};
  std::vector<bool> seen(1'000, false);
  for (std::size_t i = 0; i < first.size(); ++i) {
    const Scheduler::Due& due = first[i];
    ASSERT_GE(due.scheduled, kStart);
    ASSERT_LT(due.scheduled, kStart + interval);
    if (i > 0) {
      EXPECT_GE(due.scheduled, first[i - 1].scheduled);  // earliest first
    }
    EXPECT_FALSE(seen[due.id]);
    seen[due.id] = true;
    ++per_tenth[static_cast<std::size_t>((due.scheduled - kStart) * 10 / interval)];
  }
  // Expect 100 per tenth of the interval; a fair spread stays well within +-40.
  for (int count : per_tenth) {
    EXPECT_GT(count, 60);
    EXPECT_LT(count, 140);
  }
}

TEST(Scheduler, SameKeyKeepsItsPhaseAcrossRestarts) {
  const std::uint64_t key = std::hash<std::string>{}("checkout");
  Scheduler before(1), after(99);  // a restart: new seed, later steady time
  const TimePoint restart = kStart + hours(7) + milliseconds(123);
  before.Add(1, seconds(15), kStart, key);
  after.Add(42, seconds(15), restart, key);
  EXPECT_EQ(*before.NextDue() - kStart, *after.NextDue() - restart);

  // Different keys land on different offsets.
  Scheduler other(1);
  other.Add(1, seconds(15), kStart, std::hash<std::string>{}("payments"));
  EXPECT_NE(*other.NextDue(), *before.NextDue());
}

TEST(Scheduler, CadenceDoesNotDriftOverManyCycles) {
  for (const milliseconds interval :
       {milliseconds(1'000), milliseconds(15'000), milliseconds(60'000)}) {
    Scheduler scheduler(5);
    scheduler.Add(7, interval, kStart, 1234);
    const TimePoint first = *scheduler.NextDue();
    const Duration max_jitter = MaxJitter(interval);
    Duration largest_jitter{0};
    for (int k = 0; k < 10'000; ++k) {
      // A punctual loop: it wakes exactly when asked, sometimes a little later.
      const TimePoint now = *scheduler.NextDue() + milliseconds(k % 3);
      const std::vector<Scheduler::Due> due = scheduler.PopDue(now);
      ASSERT_EQ(due.size(), 1u);
      EXPECT_EQ(due[0].id, 7u);
      const Duration jitter = due[0].scheduled - (first + interval * k);
      ASSERT_GE(jitter, Duration(0)) << k;
      ASSERT_LE(jitter, max_jitter) << k;
      largest_jitter = std::max(largest_jitter, jitter);
      if (k == 0) {
        EXPECT_EQ(jitter, Duration(0));  // the first run is not jittered
      }
    }
    EXPECT_GT(largest_jitter, max_jitter / 2);  // jitter does happen
    EXPECT_EQ(scheduler.missed_slots(), 0u);
  }
}

TEST(Scheduler, LateLoopSkipsMissedSlotsInsteadOfBunching) {
  Scheduler scheduler(3);
  const milliseconds interval = seconds(10);
  for (Scheduler::Id id = 0; id < 3; ++id) scheduler.Add(id, interval, kStart, id);
  std::vector<TimePoint> slots;
  for (const Scheduler::Due& due : scheduler.PopDue(kStart + interval - Duration(1))) {
    slots.resize(std::max<std::size_t>(slots.size(), due.id + 1));
    slots[due.id] = due.scheduled;  // first runs: their slots, no jitter
  }
  ASSERT_EQ(slots.size(), 3u);

  // The loop stalls for an hour: each id comes back once, with its original due time.
  const TimePoint now = kStart + hours(1) + milliseconds(4'321);
  const std::vector<Scheduler::Due> due = scheduler.PopDue(now);
  ASSERT_EQ(due.size(), 3u);
  std::uint64_t expected_missed = 0;
  for (const Scheduler::Due& d : due) {
    // Its next slot after the first was slot + interval; every slot up to now but that one
    // is skipped.
    const auto passed = static_cast<std::uint64_t>((now - slots[d.id]) / interval);
    expected_missed += passed - 1;
    EXPECT_GE(d.scheduled, slots[d.id] + interval);
    EXPECT_LE(d.scheduled, slots[d.id] + interval + MaxJitter(interval));
  }
  EXPECT_EQ(scheduler.missed_slots(), expected_missed);
  EXPECT_GT(expected_missed, 3u * 350);
  EXPECT_TRUE(scheduler.PopDue(now).empty());  // no burst
  EXPECT_GT(*scheduler.NextDue(), now);

  // The phase survives the stall: next runs are on the original slots.
  std::vector<Scheduler::Due> next;
  while (next.size() < 3) {
    const std::vector<Scheduler::Due> due_now = scheduler.PopDue(*scheduler.NextDue());
    next.insert(next.end(), due_now.begin(), due_now.end());
  }
  ASSERT_EQ(next.size(), 3u);
  for (const Scheduler::Due& d : next) {
    const Duration offset = (d.scheduled - slots[d.id]) % interval;
    EXPECT_LE(offset, MaxJitter(interval));
    EXPECT_GT(d.scheduled, now);
  }
  EXPECT_EQ(scheduler.missed_slots(), expected_missed);
}

TEST(Scheduler, SetIntervalFaster) {
  Scheduler scheduler(1);
  scheduler.Add(1, seconds(10), kStart, 0);
  const TimePoint slot = NextRun(scheduler);
  ASSERT_EQ(scheduler.PopDue(slot).size(), 1u);  // last slot: `slot`; next: slot + 10s

  // 1s after the run, switch to 2s: next at slot + 2s (plus jitter of at most 20ms).
  scheduler.SetInterval(1, seconds(2), slot + seconds(1));
  EXPECT_GE(NextRun(scheduler), slot + seconds(2));
  EXPECT_LE(NextRun(scheduler), slot + seconds(2) + milliseconds(20));
  ASSERT_EQ(scheduler.PopDue(slot + seconds(3)).size(), 1u);
  EXPECT_GE(NextRun(scheduler), slot + seconds(4));
  EXPECT_LE(NextRun(scheduler), slot + seconds(4) + milliseconds(20));

  // Switching when last slot + new interval has already passed: run now, never in the past.
  Scheduler late(1);
  late.Add(1, seconds(10), kStart, 0);
  const TimePoint late_slot = NextRun(late);
  ASSERT_EQ(late.PopDue(late_slot).size(), 1u);
  const TimePoint now = late_slot + seconds(5);
  late.SetInterval(1, seconds(2), now);
  EXPECT_GE(NextRun(late), now);
  EXPECT_LE(NextRun(late), now + milliseconds(20));
  ASSERT_EQ(late.PopDue(now + milliseconds(20)).size(), 1u);
  EXPECT_GE(NextRun(late), now + seconds(2));  // the cadence now starts from `now`
  EXPECT_LE(NextRun(late), now + seconds(2) + milliseconds(20));
  EXPECT_EQ(late.missed_slots(), 0u);
}

TEST(Scheduler, SetIntervalSlower) {
  Scheduler scheduler(1);
  scheduler.Add(1, seconds(2), kStart, 0);
  const TimePoint slot = NextRun(scheduler);
  ASSERT_EQ(scheduler.PopDue(slot).size(), 1u);
  const TimePoint next = NextRun(scheduler);  // slot + 2s + jitter
  scheduler.SetInterval(1, seconds(10), slot + seconds(1));
  EXPECT_EQ(NextRun(scheduler), next);  // kept
  ASSERT_EQ(scheduler.PopDue(next).size(), 1u);
  EXPECT_GE(NextRun(scheduler), slot + seconds(2) + seconds(10));
  EXPECT_LE(NextRun(scheduler), slot + seconds(12) + milliseconds(100));

  // Unchanged interval and unknown id: no-ops.
  const TimePoint unchanged = NextRun(scheduler);
  scheduler.SetInterval(1, seconds(10), slot + seconds(3));
  scheduler.SetInterval(99, seconds(1), slot + seconds(3));
  EXPECT_EQ(NextRun(scheduler), unchanged);
  EXPECT_FALSE(scheduler.Contains(99));
}

TEST(Scheduler, RemoveWhileQueued) {
  Scheduler scheduler(1);
  for (Scheduler::Id id = 0; id < 3; ++id) scheduler.Add(id, seconds(10), kStart, id * 1'000);
  const TimePoint earliest = *scheduler.NextDue();
  const Scheduler::Id first_id = scheduler.PopDue(earliest)[0].id;
  // Put it back at the front, then remove it: NextDue moves on to a live id.
  scheduler.Add(first_id, seconds(10), kStart - seconds(10), first_id * 1'000);
  ASSERT_EQ(*scheduler.NextDue(), earliest - seconds(10));
  scheduler.Remove(first_id);
  EXPECT_FALSE(scheduler.Contains(first_id));
  EXPECT_EQ(scheduler.size(), 2u);
  EXPECT_GT(*scheduler.NextDue(), earliest);

  for (int round = 0; round < 5; ++round) {
    for (const Scheduler::Due& due : scheduler.PopDue(kStart + seconds(10) * (round + 1))) {
      EXPECT_NE(due.id, first_id);
    }
  }
  scheduler.Remove(12345);  // unknown: no-op
  EXPECT_EQ(scheduler.size(), 2u);

  // Remove then Add the same id: one schedule, never two.
  const Scheduler::Id other = first_id == 0 ? 1 : 0;
  scheduler.Remove(other);
  scheduler.Add(other, seconds(10), kStart + minutes(1), 5);
  const std::vector<Scheduler::Due> due = scheduler.PopDue(kStart + minutes(1) + seconds(10));
  EXPECT_EQ(std::count_if(due.begin(), due.end(), [&](const auto& d) { return d.id == other; }), 1);
}

TEST(Scheduler, AddReplacesAnExistingSchedule) {
  Scheduler fresh(1);
  fresh.Add(1, minutes(1), kStart + seconds(1), 0);
  Scheduler scheduler(1);
  scheduler.Add(1, seconds(10), kStart, 0);
  ASSERT_LT(*scheduler.NextDue(), *fresh.NextDue());  // so the replaced entry was on top
  scheduler.Add(1, minutes(1), kStart + seconds(1), 0);
  EXPECT_EQ(scheduler.size(), 1u);
  EXPECT_EQ(scheduler.NextDue(), fresh.NextDue());
  const std::vector<Scheduler::Due> due = scheduler.PopDue(kStart + minutes(2));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_GE(due[0].scheduled, kStart + seconds(1));
}

TEST(Scheduler, MaxLimitLeavesTheRestDue) {
  Scheduler scheduler(1);
  for (Scheduler::Id id = 0; id < 10; ++id) scheduler.Add(id, seconds(10), kStart, id);
  const TimePoint now = kStart + seconds(10);
  std::vector<Scheduler::Due> all;
  for (int call = 0; call < 4; ++call) {
    const std::vector<Scheduler::Due> due = scheduler.PopDue(now, 3);
    EXPECT_EQ(due.size(), call < 3 ? 3u : 1u);
    all.insert(all.end(), due.begin(), due.end());
  }
  ASSERT_EQ(all.size(), 10u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.scheduled < b.scheduled;
  }));
  for (const Scheduler::Due& due : all) EXPECT_LT(due.scheduled, now);  // lag is visible
  EXPECT_TRUE(scheduler.PopDue(now, 3).empty());
  EXPECT_TRUE(scheduler.PopDue(now, 0).empty());
}

TEST(Scheduler, TiesPopInIdOrder) {
  Scheduler scheduler(1);
  for (Scheduler::Id id : {5u, 3u, 9u, 1u}) scheduler.Add(id, seconds(10), kStart, 77);
  const std::vector<Scheduler::Due> due = scheduler.PopDue(kStart + seconds(10));
  ASSERT_EQ(due.size(), 4u);
  EXPECT_EQ(due[0].id, 1u);
  EXPECT_EQ(due[1].id, 3u);
  EXPECT_EQ(due[2].id, 5u);
  EXPECT_EQ(due[3].id, 9u);
  EXPECT_EQ(due[0].scheduled, due[3].scheduled);
}

TEST(Scheduler, AllocationFreeVariantReusesTheVector) {
  Scheduler scheduler(1);
  for (Scheduler::Id id = 0; id < 100; ++id) scheduler.Add(id, seconds(1), kStart, id);
  std::vector<Scheduler::Due> out;
  out.reserve(100);
  const Scheduler::Due* data = out.data();
  std::size_t popped = 0;
  for (int step = 1; step <= 100; ++step) {
    scheduler.PopDue(kStart + milliseconds(step * 50), out, SIZE_MAX);
    popped += out.size();
    EXPECT_EQ(out.data(), data);
  }
  // 5s of a 1s cadence: 4 or 5 runs each, depending on their phase.
  EXPECT_GE(popped, 100u * 4);
  EXPECT_LE(popped, 100u * 5);
}

TEST(Scheduler, SameSeedSameSchedule) {
  const auto run = [](std::uint64_t seed) {
    Scheduler scheduler(seed);
    for (Scheduler::Id id = 0; id < 50; ++id) scheduler.Add(id, seconds(1 + id % 7), kStart, id);
    std::vector<std::pair<Scheduler::Id, TimePoint>> events;
    for (int step = 0; step < 2'000; ++step) {
      for (const Scheduler::Due& due : scheduler.PopDue(kStart + milliseconds(step * 10))) {
        events.emplace_back(due.id, due.scheduled);
      }
      if (step == 500) {
        scheduler.SetInterval(3, milliseconds(500), kStart + milliseconds(step * 10));
      }
    }
    return events;
  };
  const auto a = run(42);
  EXPECT_GT(a.size(), 300u);
  EXPECT_EQ(a, run(42));
  EXPECT_NE(a, run(43));  // jitter differs
}

TEST(Scheduler, TinyIntervalIsClampedToOneMillisecond) {
  Scheduler scheduler(1);
  scheduler.Add(1, milliseconds(0), kStart, 0);
  TimePoint previous;
  for (int i = 0; i < 1'000; ++i) {
    const TimePoint now = *scheduler.NextDue();
    ASSERT_EQ(scheduler.PopDue(now).size(), 1u);
    if (i > 0) {
      EXPECT_GE(now - previous, milliseconds(1) - std::chrono::microseconds(10));
      EXPECT_LE(now - previous, milliseconds(1) + std::chrono::microseconds(10));
    }
    previous = now;
  }
  EXPECT_EQ(scheduler.missed_slots(), 0u);
  EXPECT_EQ(scheduler.PopDue(previous + seconds(1)).size(), 1u);
  EXPECT_EQ(scheduler.missed_slots(), 999u);
}

TEST(Scheduler, ChurnKeepsTheQueueBounded) {
  // Flipping intervals leaves stale queue entries behind; they must not pile up or pop.
  Scheduler scheduler(1);
  for (Scheduler::Id id = 0; id < 100; ++id) scheduler.Add(id, minutes(10), kStart, id);
  for (int i = 0; i < 100'000; ++i) {
    const auto id = static_cast<Scheduler::Id>(i % 100);
    scheduler.SetInterval(id, (i / 100) % 2 == 0 ? minutes(5) : minutes(10), kStart);
    ASSERT_LE(scheduler.queued(), 2 * scheduler.size() + 16);
  }
  for (Scheduler::Id id = 0; id < 100; id += 2) {
    scheduler.Remove(id);
    ASSERT_LE(scheduler.queued(), 2 * scheduler.size() + 16);
  }
  EXPECT_EQ(scheduler.size(), 50u);
  const std::vector<Scheduler::Due> due = scheduler.PopDue(kStart + minutes(10));
  EXPECT_EQ(due.size(), 50u);
  for (const Scheduler::Due& d : due) EXPECT_EQ(d.id % 2, 1u);
}

// A million events for 10,000 ids on a simulated clock that ticks every 10ms: everything runs
// on its slots, nothing is missed, lost or duplicated.
TEST(Scheduler, MillionEventsForTenThousandIds) {
  constexpr Scheduler::Id kIds = 10'000;
  constexpr std::size_t kEvents = 1'000'000;
  const Duration tick = milliseconds(10);
  Scheduler scheduler(2024);
  const auto interval_of = [](Scheduler::Id id) { return seconds(1 + id % 10); };
  for (Scheduler::Id id = 0; id < kIds; ++id) scheduler.Add(id, interval_of(id), kStart, id * 7919);

  std::vector<TimePoint> first(kIds), last(kIds);
  std::vector<std::uint32_t> runs(kIds, 0);
  std::vector<Scheduler::Due> out;
  std::size_t events = 0;
  TimePoint now = kStart;
  for (int step = 0; step < 1'000'000 && events < kEvents; ++step) {
    scheduler.PopDue(now, out, kEvents - events);
    for (const Scheduler::Due& due : out) {
      ASSERT_LE(due.scheduled, now);
      ASSERT_LT(now - due.scheduled, tick);  // popped on the first tick at or after it
      const Duration interval = interval_of(due.id);
      if (runs[due.id] == 0) {
        first[due.id] = due.scheduled;
      } else {
        // On its k-th slot after the first, jittered by at most 1% (these intervals <= 10s).
        const Duration since_first = due.scheduled - first[due.id];
        ASSERT_EQ(since_first / interval, runs[due.id]);
        ASSERT_LE(since_first % interval, interval / 100);
        ASSERT_GT(due.scheduled, last[due.id]);
      }
      last[due.id] = due.scheduled;
      ++runs[due.id];
    }
    events += out.size();
    now += tick;
  }
  EXPECT_EQ(events, kEvents);
  EXPECT_EQ(scheduler.missed_slots(), 0u);
  EXPECT_EQ(scheduler.size(), kIds);
  // Each id ran once per interval for the simulated time, give or take one.
  const Duration elapsed = now - kStart;
  for (Scheduler::Id id = 0; id < kIds; ++id) {
    const auto expected = static_cast<std::int64_t>(elapsed / interval_of(id));
    EXPECT_NEAR(static_cast<std::int64_t>(runs[id]), expected, 1) << id;
  }
}

}  // namespace
}  // namespace gatewatch::schedule
