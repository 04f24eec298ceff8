#include "window/sliding_window.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <iterator>
#include <limits>
#include <random>
#include <set>
#include <utility>
#include <vector>

namespace gatewatch::window {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using TimePoint = core::Clock::TimePoint;

// Like ManualClock's start: far from the epoch, and a multiple of every bucket width below.
const TimePoint kBase = TimePoint{} + hours(1000);

TimePoint At(core::Clock::Duration offset) { return kBase + offset; }

probe::ProbeResult Result(int status, microseconds latency = microseconds(20'000)) {
  probe::ProbeResult result;
  result.http_status = status;
  result.latency = latency;
  if (status == 0) {
    result.reason = probe::FailureReason::kTimeout;
  } else if (status >= 400) {
    result.reason = probe::FailureReason::kStatus;
  }
  return result;
}

probe::ProbeResult Ok() { return Result(200); }

TEST(SlidingWindow, EmptyIsZeros) {
  const SlidingWindow window(minutes(1));
  const WindowStats stats = window.Stats(At(seconds(0)));
  EXPECT_EQ(stats.total, 0u);
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_EQ(stats.status_5xx, 0u);
  EXPECT_EQ(stats.status_502, 0u);
  EXPECT_EQ(stats.latency.Count(), 0u);
  EXPECT_EQ(stats.latency.Quantile(0.5), std::nullopt);
  EXPECT_EQ(window.span(), minutes(1));
  EXPECT_EQ(window.buckets(), SlidingWindow::kDefaultBuckets);
  EXPECT_EQ(window.bucket_width(), seconds(12));
}

TEST(SlidingWindow, CountsByStatusAndOutcome) {
  struct Case {
    probe::ProbeResult result;
    int times;
  };
  probe::ProbeResult expected_502 = Result(502);
  expected_502.reason = probe::FailureReason::kNone;  // expect_status included 502
  probe::ProbeResult bad_body = Result(200);
  bad_body.reason = probe::FailureReason::kBody;
  const Case cases[] = {
      {Ok(), 5},         {Result(502), 3}, {Result(503), 2}, {Result(504), 1},
      {Result(500), 4},  {Result(599), 1}, {Result(404), 1}, {Result(0), 2},
      {expected_502, 1}, {bad_body, 1},    {Result(301), 1},
  };
  SlidingWindow window(minutes(5));
  int i = 0;
  for (const Case& c : cases) {
    for (int n = 0; n < c.times; ++n) window.Record(At(seconds(i++)), c.result);
  }
  const WindowStats stats = window.Stats(At(seconds(i)));
  EXPECT_EQ(stats.total, 22u);
  EXPECT_EQ(stats.failed, 3u + 2 + 1 + 4 + 1 + 1 + 2 + 1);  // not the expected 502, nor 301
  EXPECT_EQ(stats.status_5xx, 3u + 2 + 1 + 4 + 1 + 1);      // the expected 502 too
  EXPECT_EQ(stats.status_502, 4u);
  EXPECT_EQ(stats.status_503, 2u);
  EXPECT_EQ(stats.status_504, 1u);
  EXPECT_EQ(stats.latency.Count(), 22u);
}

TEST(SlidingWindow, ExactEdges) {
  // span 60s, 5 buckets of 12s. A result at 100s sits in bucket [96s, 108s): counted from
  // 100s through 167.999s, gone at 168s = 100s + span + 8s.
  SlidingWindow window(seconds(60));
  window.Record(At(seconds(100)), Ok());
  struct Case {
    core::Clock::Duration now;
    std::uint64_t total;
  };
  const Case cases[] = {
      {milliseconds(95'999), 0},  // the bucket before: not yet
      {seconds(96), 1},           // same bucket, before the result: bucket granularity
      {seconds(100), 1},
      {seconds(130), 1},
      {seconds(160), 1},  // at + span
      {milliseconds(167'999), 1},
      {seconds(168), 0},
      {seconds(172), 0},  // at + span + bucket width: certainly gone
      {hours(5), 0},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(window.Stats(At(c.now)).total, c.total)
        << std::chrono::duration_cast<milliseconds>(c.now).count() << "ms";
  }
}

TEST(SlidingWindow, EveryResultCountedThroughSpanAndGoneOneBucketLater) {
  std::mt19937_64 rng(7);
  for (const milliseconds span : {milliseconds(10'000), milliseconds(60'000), milliseconds(999)}) {
    for (std::size_t buckets : {std::size_t{1}, std::size_t{3}, std::size_t{5}, std::size_t{60}}) {
      for (int trial = 0; trial < 50; ++trial) {
        SlidingWindow window(span, buckets);
        const TimePoint t = At(microseconds(rng() % 3'600'000'000));
        window.Record(t, Ok());
        const auto width = window.bucket_width();
        EXPECT_EQ(window.Stats(t).total, 1u);
        EXPECT_EQ(window.Stats(t + span / 2).total, 1u);
        EXPECT_EQ(window.Stats(t + span).total, 1u);
        // Plus 1µs: w is rounded up to whole nanoseconds, so buckets * w may exceed span by
        // a few nanoseconds.
        EXPECT_EQ(window.Stats(t + span + width + microseconds(1)).total, 0u)
            << span.count() << "ms/" << buckets << " at " << t.time_since_epoch().count();
        EXPECT_GE(width * static_cast<int>(buckets), span);
        EXPECT_LT(width * static_cast<int>(buckets), span + milliseconds(1));
      }
    }
  }
}

TEST(SlidingWindow, FillAndExpire) {
  SlidingWindow window(seconds(60));  // 12s buckets
  for (int s = 0; s < 300; ++s) window.Record(At(seconds(s)), s % 10 == 0 ? Result(502) : Ok());
  // At 299.5s the window holds buckets [228s, 300s): 72 results, span + one bucket.
  WindowStats stats = window.Stats(At(milliseconds(299'500)));
  EXPECT_EQ(stats.total, 72u);
  EXPECT_EQ(stats.status_502, 7u);
  EXPECT_EQ(stats.failed, 7u);
  // From 300s, buckets [240s, 312s): results 240s..299s; from 312s, [252s, 324s).
  for (int s = 300; s < 312; ++s) EXPECT_EQ(window.Stats(At(seconds(s))).total, 60u) << s;
  for (int s = 312; s < 324; ++s) EXPECT_EQ(window.Stats(At(seconds(s))).total, 48u) << s;
  stats = window.Stats(At(seconds(300)));
  EXPECT_EQ(stats.status_502, 6u);
  EXPECT_EQ(stats.latency.Count(), 60u);
  EXPECT_EQ(window.Stats(At(seconds(300 + 48))).total, 12u);  // only bucket [288s, 300s)
  EXPECT_EQ(window.Stats(At(seconds(300 + 60))).total, 0u);
  // Recording again after the window emptied starts from zero.
  window.Record(At(seconds(400)), Result(503));
  stats = window.Stats(At(seconds(400)));
  EXPECT_EQ(stats.total, 1u);
  EXPECT_EQ(stats.status_503, 1u);
  EXPECT_EQ(stats.status_502, 0u);
}

TEST(SlidingWindow, OutOfOrderRecordsLandInTheirOwnBucket) {
  SlidingWindow window(seconds(60));  // 12s buckets; newest bucket below is [96s, 108s)
  window.Record(At(seconds(100)), Ok());
  window.Record(At(seconds(90)), Result(502));  // started earlier, finished later
  window.Record(At(seconds(40)), Result(503));  // oldest bucket the ring still holds: [36s, 48s)
  window.Record(At(seconds(35)), Result(504));  // older than the ring: dropped
  window.Record(At(seconds(-5)), Result(504));  // far older: dropped

  WindowStats stats = window.Stats(At(seconds(100)));
  EXPECT_EQ(stats.total, 3u);
  EXPECT_EQ(stats.status_502, 1u);
  EXPECT_EQ(stats.status_503, 1u);
  EXPECT_EQ(stats.status_504, 0u);
  // The 90s result expires with its own bucket [84s, 96s), before the 100s one.
  EXPECT_EQ(window.Stats(At(seconds(108))).status_503, 0u);
  EXPECT_EQ(window.Stats(At(seconds(155))).status_502, 1u);
  EXPECT_EQ(window.Stats(At(seconds(156))).status_502, 0u);
  EXPECT_EQ(window.Stats(At(seconds(156))).total, 1u);

  // A late result still inside the ring, but older than the window of a later `now`, counts
  // for its own time only.
  SlidingWindow late(seconds(60));
  late.Record(At(seconds(200)), Ok());         // bucket [192s, 204s); ring from 132s
  late.Record(At(seconds(135)), Result(502));  // bucket [132s, 144s)
  EXPECT_EQ(late.Stats(At(seconds(200))).total, 2u);
  EXPECT_EQ(late.Stats(At(seconds(200))).status_502, 1u);
  EXPECT_EQ(late.Stats(At(seconds(204))).total, 1u);
  EXPECT_EQ(late.Stats(At(seconds(204))).status_502, 0u);
}

TEST(SlidingWindow, StatsBeforeTheNewestRecordSeesOnlyThePast) {
  SlidingWindow window(seconds(60));
  window.Record(At(seconds(100)), Result(502));
  window.Record(At(seconds(130)), Result(503));
  const WindowStats earlier = window.Stats(At(seconds(110)));
  EXPECT_EQ(earlier.total, 1u);
  EXPECT_EQ(earlier.status_502, 1u);
  EXPECT_EQ(earlier.status_503, 0u);
}

TEST(SlidingWindow, BigTimeJumpsResetCleanly) {
  SlidingWindow window(seconds(10), 1000);  // 10ms buckets
  for (int i = 0; i < 2'000; ++i) window.Record(At(milliseconds(i * 5)), Result(502));
  ASSERT_EQ(window.Stats(At(seconds(10))).total, 2'000u);

  // Hours, then decades: one result, and the ring is fully cleared (no per-bucket walk; a
  // walk over 10ms buckets for 100,000 hours would not finish).
  for (const core::Clock::Duration jump :
       {core::Clock::Duration(hours(5)), core::Clock::Duration(hours(100'000))}) {
    window.Record(At(jump), Ok());
    const WindowStats stats = window.Stats(At(jump));
    EXPECT_EQ(stats.total, 1u);
    EXPECT_EQ(stats.status_502, 0u);
    EXPECT_EQ(window.Stats(At(jump + seconds(11))).total, 0u);
  }
  // Back in time after the jump: older than the ring, dropped.
  window.Record(At(seconds(1)), Result(502));
  EXPECT_EQ(window.Stats(At(seconds(1))).total, 0u);
  // Stats long after the last record, without recording: empty, and instant.
  EXPECT_EQ(window.Stats(At(hours(2'000'000))).total, 0u);
}

TEST(SlidingWindow, JumpShorterThanTheRingKeepsRecentBuckets) {
  SlidingWindow window(seconds(60));  // 12s buckets
  window.Record(At(seconds(0)), Result(502));
  window.Record(At(seconds(50)), Result(503));
  window.Record(At(seconds(100)), Ok());  // advances 4 buckets: 0s's bucket is gone
  const WindowStats stats = window.Stats(At(seconds(100)));
  EXPECT_EQ(stats.total, 2u);
  EXPECT_EQ(stats.status_502, 0u);
  EXPECT_EQ(stats.status_503, 1u);
}

TEST(SlidingWindow, ManyRecordsPerBucket) {
  // 200,000 results in one 12s bucket, far beyond one per 100 ms: the 8-bit ring widens
  // (twice) to 32 bits and every count stays exact.
  SlidingWindow window(minutes(1));
  ASSERT_EQ(window.counter_bytes(), 1u);
  for (int i = 0; i < 200'000; ++i) {
    window.Record(At(microseconds(i)), i % 100 == 0
                                           ? Result(504, microseconds(5'000'000))
                                           : Result(200, microseconds(10'000 + i % 1'000)));
  }
  const WindowStats stats = window.Stats(At(milliseconds(200)));
  EXPECT_EQ(stats.total, 200'000u);
  EXPECT_EQ(stats.status_504, 2'000u);
  EXPECT_EQ(stats.failed, 2'000u);
  EXPECT_EQ(stats.latency.Count(), 200'000u);
  EXPECT_LT(*stats.latency.Quantile(0.5), microseconds(12'000));
  EXPECT_EQ(stats.latency.Quantile(1.0), microseconds(5'000'000));
  EXPECT_EQ(window.counter_bytes(), 4u);
  // Bounded memory whatever the rate: the 32-bit ring, and no more.
  const std::size_t widened = window.memory_bytes();
  EXPECT_EQ(widened, sizeof(SlidingWindow) + 6 * 212u);
  for (int i = 0; i < 200'000; ++i) window.Record(At(microseconds(i)), Ok());
  EXPECT_EQ(window.Stats(At(milliseconds(200))).total, 400'000u);
  EXPECT_EQ(window.memory_bytes(), widened);
}

TEST(SlidingWindow, LatencyCoversFailuresToo) {
  SlidingWindow window(minutes(1));
  window.Record(At(seconds(1)), Result(200, microseconds(10'000)));
  window.Record(At(seconds(2)), Result(0, microseconds(3'000'000)));  // timeout
  const WindowStats stats = window.Stats(At(seconds(3)));
  EXPECT_EQ(stats.latency.Count(), 2u);
  EXPECT_EQ(stats.latency.Quantile(0.0), microseconds(10'000));
  EXPECT_EQ(stats.latency.Quantile(1.0), microseconds(3'000'000));
}

TEST(SlidingWindow, SpansFromSecondsToDays) {
  for (const milliseconds span : {milliseconds(seconds(10)), milliseconds(minutes(1)),
                                  milliseconds(hours(1)), milliseconds(days(7))}) {
    SlidingWindow window(span);
    const auto width = window.bucket_width();
    EXPECT_EQ(width, span / 5);
    // One result per span / 100 for two spans.
    for (int i = 0; i < 200; ++i) window.Record(At(span * i / 100), i < 100 ? Result(502) : Ok());
    const TimePoint last = At(span * 199 / 100);
    const WindowStats stats = window.Stats(last);
    EXPECT_GE(stats.total, 100u) << span.count();
    EXPECT_LE(stats.total, 120u) << span.count();
    EXPECT_LE(stats.status_502, 20u) << span.count();
    EXPECT_EQ(window.Stats(last + span + width).total, 0u) << span.count();
  }
}

TEST(SlidingWindow, DegenerateArgumentsAreClamped) {
  SlidingWindow window(milliseconds(0), 0);
  EXPECT_EQ(window.span(), milliseconds(1));
  EXPECT_EQ(window.buckets(), 1u);
  window.Record(At(seconds(1)), Ok());
  EXPECT_EQ(window.Stats(At(seconds(1))).total, 1u);
  EXPECT_EQ(window.Stats(At(seconds(1) + milliseconds(2))).total, 0u);
}

TEST(SlidingWindow, TimeBeforeTheClockEpoch) {
  SlidingWindow window(seconds(60));
  const TimePoint t = TimePoint{} - seconds(30);
  window.Record(t, Result(502));
  EXPECT_EQ(window.Stats(t).status_502, 1u);
  EXPECT_EQ(window.Stats(t + seconds(60)).status_502, 1u);
  EXPECT_EQ(window.Stats(t + seconds(72)).status_502, 0u);
}

TEST(SlidingWindow, CopiesAreIndependent) {
  SlidingWindow window(minutes(1));
  window.Record(At(seconds(1)), Result(502));
  SlidingWindow copy = window;
  copy.Record(At(seconds(2)), Result(502));
  EXPECT_EQ(window.Stats(At(seconds(3))).status_502, 1u);
  EXPECT_EQ(copy.Stats(At(seconds(3))).status_502, 2u);
}

TEST(SlidingWindow, MemoryIsSmallAndFixed) {
  static_assert(sizeof(LatencyHistogram) == 192);
  static_assert(sizeof(BasicLatencyHistogram<std::uint16_t>) == 100);
  static_assert(sizeof(BasicLatencyHistogram<std::uint8_t>) == 56);
  static_assert(sizeof(SlidingWindow) <= 56);
  // Slots start sparse: 32 bytes (8-bit) or 44 (16-bit); 32-bit ones are dense, 212 bytes.
  // Wide sparse ones: 40 or 56.
  // 6 of them with 5 buckets.
  const SlidingWindow one_minute(minutes(1));
  EXPECT_TRUE(one_minute.sparse());
  EXPECT_EQ(one_minute.slot_entries(), 7u);
  EXPECT_EQ(one_minute.memory_bytes(), sizeof(SlidingWindow) + 6 * 32u);
  EXPECT_EQ(one_minute.memory_bytes(), 248u);
  const SlidingWindow five_minutes(minutes(5));
  EXPECT_EQ(five_minutes.memory_bytes(), 320u);
  const SlidingWindow one_hour(hours(1));
  EXPECT_EQ(one_hour.memory_bytes(), 320u);
  const SlidingWindow week(days(7));
  EXPECT_FALSE(week.sparse());
  EXPECT_EQ(week.memory_bytes(), sizeof(SlidingWindow) + 6 * 212u);
  const SlidingWindow fine(days(7), 60);  // 2.8h buckets: 32-bit
  EXPECT_EQ(fine.memory_bytes(), sizeof(SlidingWindow) + 61 * 212u);
  const SlidingWindow day(hours(24), 60);  // 24 min buckets: 16-bit
  EXPECT_EQ(day.memory_bytes(), sizeof(SlidingWindow) + 61 * 44u);
}

TEST(SlidingWindow, SlotsWidenAsLatenciesScatterAndNarrowOnceTheyExpire) {
  SlidingWindow window(minutes(1));  // 12s buckets, 8-bit
  std::vector<std::pair<core::Clock::Duration, microseconds>> recorded;
  const auto record = [&](core::Clock::Duration at, microseconds latency) {
    window.Record(At(at), Result(200, latency));
    recorded.emplace_back(at, latency);
  };
  // What Stats(now) must give: the results in buckets (now - 5 buckets) .. now.
  const auto expected = [&](core::Clock::Duration now) {
    LatencyHistogram latency;
    const auto width = window.bucket_width();
    for (const auto& [at, value] : recorded) {
      if (at / width <= now / width && at / width > now / width - 6) latency.Record(value);
    }
    return latency;
  };
  const auto expect_exact = [&](core::Clock::Duration now, std::uint64_t total) {
    EXPECT_EQ(window.Stats(At(now)).latency, expected(now));
    EXPECT_EQ(window.Stats(At(now)).total, total);
  };
  // Seven latency buckets in one slot (each latency doubles; a bucket is 1.366x wider than
  // the one before): the narrowest form.
  for (int i = 0; i < 7; ++i) record(seconds(1), microseconds(1'000 << i));
  EXPECT_EQ(window.slot_entries(), 7u);
  EXPECT_EQ(window.memory_bytes(), 248u);
  // An eighth: the ring turns wide, keeping every sample.
  record(seconds(2), microseconds(1'000 << 7));
  EXPECT_EQ(window.slot_entries(), SlidingWindow::kWideEntries);
  EXPECT_TRUE(window.sparse());
  EXPECT_EQ(window.counter_bytes(), 1u);
  EXPECT_EQ(window.memory_bytes(), sizeof(SlidingWindow) + 6 * 40u);
  expect_exact(seconds(2), 8);
  // Up to twelve it stays wide; a thirteenth turns it dense.
  for (int i = 8; i < 12; ++i) record(seconds(3), microseconds(1'000 << i));
  EXPECT_EQ(window.slot_entries(), 12u);
  expect_exact(seconds(3), 12);
  record(seconds(4), microseconds(1'000 << 12));
  EXPECT_FALSE(window.sparse());
  EXPECT_EQ(window.slot_entries(), LatencyHistogram::kBuckets);
  EXPECT_EQ(window.counter_bytes(), 1u);
  EXPECT_EQ(window.memory_bytes(), sizeof(SlidingWindow) + 6 * 64u);
  expect_exact(seconds(4), 13);
  // The next bucket needs nine; later ones keep it dense while [0s, 12s) is in the ring.
  for (int i = 0; i < 9; ++i) record(seconds(13), microseconds(1'000 << i));
  record(seconds(60), microseconds(2'000));
  EXPECT_FALSE(window.sparse());
  expect_exact(seconds(60), 23);
  // At 72s bucket [0s, 12s) leaves the ring: the rest fit wide.
  record(seconds(72), microseconds(1'000));
  EXPECT_EQ(window.slot_entries(), 12u);
  EXPECT_EQ(window.memory_bytes(), sizeof(SlidingWindow) + 6 * 40u);
  expect_exact(seconds(72), 11);
  // At 84s [12s, 24s) leaves too: back to seven entries.
  record(seconds(84), microseconds(1'000));
  EXPECT_EQ(window.slot_entries(), 7u);
  EXPECT_EQ(window.memory_bytes(), 248u);
  expect_exact(seconds(84), 3);
  EXPECT_EQ(window.Stats(At(seconds(84))).latency.Quantile(1.0), microseconds(2'000));
}

TEST(SlidingWindow, SixteenBitSlotsWidenAndNarrowToo) {
  SlidingWindow window(minutes(5));  // 60s buckets, 16-bit
  ASSERT_EQ(window.counter_bytes(), 2u);
  EXPECT_EQ(window.memory_bytes(), sizeof(SlidingWindow) + 6 * 44u);
  LatencyHistogram expected;
  for (int i = 0; i < 10; ++i) {
    window.Record(At(seconds(1)), Result(502, microseconds(1'000 << i)));
    expected.Record(microseconds(1'000 << i));
  }
  EXPECT_EQ(window.slot_entries(), 12u);
  EXPECT_EQ(window.memory_bytes(), sizeof(SlidingWindow) + 6 * 56u);
  // 300 samples in one of those buckets: past 8 bits, which a 16-bit slot holds as is.
  for (int i = 0; i < 300; ++i) {
    window.Record(At(seconds(2)), Result(200, microseconds(1'000)));
    expected.Record(microseconds(1'000));
  }
  EXPECT_EQ(window.counter_bytes(), 2u);
  EXPECT_EQ(window.slot_entries(), 12u);
  const WindowStats stats = window.Stats(At(seconds(2)));
  EXPECT_EQ(stats.total, 310u);
  EXPECT_EQ(stats.status_502, 10u);
  EXPECT_EQ(stats.latency, expected);
  // Once that bucket leaves the ring, the narrowest form again.
  window.Record(At(seconds(400)), Result(200, microseconds(1'000)));
  EXPECT_EQ(window.slot_entries(), 7u);
  EXPECT_EQ(window.Stats(At(seconds(400))).total, 1u);
}

// The largest count one bucket of `window` can get from probes `gap` apart.
std::uint64_t MostPerBucket(const SlidingWindow& window, core::Clock::Duration gap) {
  return static_cast<std::uint64_t>((window.bucket_width() + gap - core::Clock::Duration(1)) / gap);
}

TEST(SlidingWindow, CounterWidthFollowsBucketWidth) {
  struct Case {
    milliseconds span;
    std::size_t buckets, counter_bytes;
  };
  const Case cases[] = {
      {seconds(1), 5, 1},
      {seconds(10), 5, 1},
      {minutes(1), 5, 1},
      {milliseconds(63'500), 5, 1},  // 12.7s buckets: 127 probes
      {milliseconds(63'505), 5, 2},  // 12.701s: 128 probes, 256 with headroom
      {minutes(5), 5, 2},
      {hours(1), 5, 2},
      {milliseconds(16'383'500), 5, 2},  // 3,276.7s buckets: 32,767 probes
      {milliseconds(16'383'505), 5, 4},
      {hours(24), 5, 4},
      {days(7), 5, 4},
      {days(7), 60, 4},
      {hours(24), 60, 2},
      {days(7), 1, 4},
      {seconds(10), 1, 1},
  };
  for (const Case& c : cases) {
    const SlidingWindow window(c.span, c.buckets);
    EXPECT_EQ(window.counter_bytes(), c.counter_bytes) << c.span.count() << "ms/" << c.buckets;
  }
}

TEST(SlidingWindow, CountersHoldTwiceTheFastestCadenceForEveryConfigurableSpan) {
  // Config allows spans from 1s to 7d and intervals down to 100 ms. Walk the spans on a
  // log scale (plus the ends) and check that the counters picked leave 2x headroom.
  std::vector<milliseconds> spans{seconds(1), days(7)};
  for (double ms = 1'000; ms < 7 * 24 * 3600e3; ms *= 1.01) {
    spans.push_back(milliseconds(static_cast<std::int64_t>(ms)));
  }
  for (const milliseconds span : spans) {
    const SlidingWindow window(span);
    const std::uint64_t most = MostPerBucket(window, SlidingWindow::kMinProbeInterval);
    const std::uint64_t capacity = (std::uint64_t{1} << (8 * window.counter_bytes())) - 1;
    EXPECT_LE(2 * most, capacity) << span.count() << "ms";
    // And the narrowest such: half the width would not do.
    if (window.counter_bytes() > 1) {
      EXPECT_GT(2 * most, (std::uint64_t{1} << (4 * window.counter_bytes())) - 1)
          << span.count() << "ms";
    }
  }
}

// Fills the bucket starting at `start` with one result per `gap`, every tenth a 502 that
// fails; returns how many it recorded.
std::uint64_t FillBucket(SlidingWindow& window, TimePoint start, core::Clock::Duration gap) {
  std::uint64_t n = 0;
  for (TimePoint t = start; t < start + window.bucket_width(); t += gap, ++n) {
    window.Record(t, n % 10 == 0 ? Result(502, microseconds(900'000)) : Ok());
  }
  return n;
}

TEST(SlidingWindow, CounterWidthFollowsTheTargetsInterval) {
  // A target probed every 20s (10,000 targets at 500 probes/s): 36 results per 12-minute
  // bucket of the 1h window, so 8 bits suffice where 100 ms would need 16.
  EXPECT_EQ(SlidingWindow(hours(1), 5, seconds(20)).counter_bytes(), 1u);
  EXPECT_EQ(SlidingWindow(minutes(5), 5, seconds(20)).counter_bytes(), 1u);
  EXPECT_EQ(SlidingWindow(hours(1), 5, seconds(5)).counter_bytes(), 2u);  // 144 x 2 > 255
  EXPECT_EQ(SlidingWindow(days(7), 5, seconds(30)).counter_bytes(), 2u);  // 4,032 x 2
  EXPECT_EQ(SlidingWindow(days(7), 5, seconds(1)).counter_bytes(), 4u);
  // Below the config's minimum counts as the minimum.
  EXPECT_EQ(SlidingWindow(hours(1), 5, milliseconds(1)).counter_bytes(),
            SlidingWindow(hours(1)).counter_bytes());
  // Memory per target for 1m/5m/1h at 20s: three 8-bit windows.
  EXPECT_EQ(SlidingWindow(hours(1), 5, seconds(20)).memory_bytes(),
            SlidingWindow(minutes(1)).memory_bytes());

  // Recording faster than declared (an interval shortened by a reload) stays exact: the
  // ring widens when a bucket would overflow.
  SlidingWindow window(hours(1), 5, seconds(20));
  const std::uint64_t n = FillBucket(window, kBase, milliseconds(500));  // 1,440 results
  const WindowStats stats = window.Stats(kBase + window.bucket_width());
  EXPECT_EQ(stats.total, n);
  EXPECT_EQ(stats.status_502, (n + 9) / 10);
  EXPECT_EQ(window.counter_bytes(), 2u);
}

TEST(SlidingWindow, NarrowCountersNeverOverflowAtTheConfiguredRates) {
  // The widest bucket each width is picked for, filled at 100 ms and at twice that rate:
  // exact, and no widening.
  for (const milliseconds span : {milliseconds(63'500), milliseconds(16'383'500)}) {
    for (const core::Clock::Duration gap :
         {core::Clock::Duration(milliseconds(100)), core::Clock::Duration(milliseconds(50))}) {
      SlidingWindow window(span);
      const std::size_t bytes = window.counter_bytes(), memory = window.memory_bytes();
      const std::uint64_t n = FillBucket(window, kBase, gap);
      EXPECT_EQ(n, MostPerBucket(window, gap));
      const WindowStats stats = window.Stats(kBase + window.bucket_width());
      EXPECT_EQ(stats.total, n) << span.count();
      EXPECT_EQ(stats.status_502, (n + 9) / 10) << span.count();
      EXPECT_EQ(stats.failed, (n + 9) / 10) << span.count();
      EXPECT_EQ(stats.latency.Count(), n) << span.count();
      EXPECT_EQ(window.counter_bytes(), bytes) << span.count();
      EXPECT_EQ(window.memory_bytes(), memory) << span.count();
    }
  }
}

TEST(SlidingWindow, SevenDaysAtTheFastestCadenceStaysExact) {
  // 7d, 5 buckets of 33.6h: 1,209,600 results per bucket at 100 ms, in 32-bit counters
  // (which would saturate only past 4.29e9, i.e. 13.6 years of such a bucket).
  SlidingWindow window(days(7));
  ASSERT_EQ(window.counter_bytes(), 4u);
  const std::uint64_t n = FillBucket(window, kBase, milliseconds(100));
  EXPECT_EQ(n, 1'209'600u);
  const WindowStats stats = window.Stats(kBase + days(7));
  EXPECT_EQ(stats.total, n);
  EXPECT_EQ(stats.status_502, n / 10);
  EXPECT_EQ(stats.latency.Count(), n);
  EXPECT_EQ(stats.latency.bucket_count(LatencyHistogram::BucketOf(microseconds(20'000))),
            n - n / 10);
  EXPECT_EQ(stats.latency.Quantile(0.0), microseconds(20'000));
  EXPECT_EQ(stats.latency.Quantile(1.0), microseconds(900'000));
}

TEST(SlidingWindow, OverflowingBucketWidensTheRingAndKeepsEveryCount) {
  SlidingWindow window(minutes(1));  // 12s buckets, 8-bit
  ASSERT_EQ(window.counter_bytes(), 1u);
  LatencyHistogram latencies;  // of everything recorded, to compare with
  const auto record = [&](core::Clock::Duration at, const probe::ProbeResult& result) {
    window.Record(At(at), result);
    latencies.Record(result.latency);
  };
  // Older buckets with data that must survive widening.
  record(seconds(0), Result(503, microseconds(1'234)));
  record(seconds(13), Result(504, microseconds(7'000'000)));
  // 300 timeouts spread over many latency buckets: no histogram counter fills, but
  // `failed` does, at 255.
  for (int i = 0; i < 300; ++i) record(seconds(25), Result(0, microseconds(1'000 + 997 * i)));
  EXPECT_EQ(window.counter_bytes(), 2u);
  EXPECT_EQ(window.memory_bytes(), sizeof(SlidingWindow) + 6 * 112u);
  WindowStats stats = window.Stats(At(seconds(30)));
  EXPECT_EQ(stats.total, 302u);
  EXPECT_EQ(stats.failed, 302u);
  EXPECT_EQ(stats.status_503, 1u);
  EXPECT_EQ(stats.status_504, 1u);
  EXPECT_EQ(stats.latency, latencies);
  // 70,000 identical 502s in one bucket: the 16-bit latency and 5xx counters fill next.
  for (int i = 0; i < 70'000; ++i) record(seconds(40), Result(502));
  EXPECT_EQ(window.counter_bytes(), 4u);
  stats = window.Stats(At(seconds(40)));
  EXPECT_EQ(stats.total, 70'302u);
  EXPECT_EQ(stats.failed, 70'302u);
  EXPECT_EQ(stats.status_5xx, 70'002u);
  EXPECT_EQ(stats.status_502, 70'000u);
  EXPECT_EQ(stats.latency, latencies);
  EXPECT_EQ(stats.latency.Quantile(0.0), microseconds(1'000));
  EXPECT_EQ(stats.latency.Quantile(1.0), microseconds(7'000'000));
  // The ring still moves and expires as before: [0s, 12s) is gone at 72s.
  EXPECT_EQ(window.Stats(At(seconds(72))).status_503, 0u);
  EXPECT_EQ(window.Stats(At(seconds(72))).status_504, 1u);
  // And copies of a widened window are independent.
  SlidingWindow copy = window;
  copy.Record(At(seconds(41)), Result(502));
  EXPECT_EQ(copy.Stats(At(seconds(41))).status_502, 70'001u);
  EXPECT_EQ(window.Stats(At(seconds(41))).status_502, 70'000u);
}

TEST(SlidingWindow, MatchesBruteForceAtEveryCounterWidth) {
  // Random results at random, partly out-of-order times, sometimes bunched far beyond one
  // per 100 ms, against a recount of the raw results Stats must cover.
  struct Recorded {
    std::int64_t bucket;
    probe::ProbeResult result;
  };
  // Latencies either anywhere in 0..200 s (every slot dense soon) or clustered around 2 ms
  // with scattered phases, so rings go from sparse to wide to dense and back many times.
  std::mt19937_64 rng(11);
  const int statuses[] = {200, 200, 200, 204, 301, 404, 500, 502, 502, 503, 504, 0};
  for (const bool clustered : {false, true})
  for (const milliseconds span : {milliseconds(seconds(5)), milliseconds(minutes(1)),
                                  milliseconds(hours(1)), milliseconds(days(7))}) {
    SlidingWindow window(span);
    // Every change of form seen, as (entries before, entries after).
    std::set<std::pair<std::size_t, std::size_t>> changes;
    bool scattering = false;
    const auto latency = [&] {
      if (!clustered) return microseconds(rng() % 200'000'000);
      if (rng() % 100 == 0) scattering = !scattering;
      if (scattering) return microseconds(rng() % 10'000'000);
      return microseconds(1'500 + static_cast<std::int64_t>(rng() % 1'000));
    };
    const auto width = window.bucket_width();
    const auto size = static_cast<std::int64_t>(window.buckets() + 1);
    std::vector<Recorded> kept;
    std::int64_t newest = std::numeric_limits<std::int64_t>::min() / 2;
    TimePoint now = kBase;
    for (int step = 0; step < 3'000; ++step) {
      now += width * static_cast<int>(rng() % 5) / 4;  // 0..1 bucket widths on
      const int burst = rng() % 50 == 0 ? 400 : 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < burst; ++k) {
        // Up to 1.5 ring lengths in the past, so some are dropped.
        const auto back = width * static_cast<int>(rng() % (size * 6)) / 4;
        const TimePoint at = rng() % 4 == 0 ? now - back : now;
        probe::ProbeResult result = Result(statuses[rng() % std::size(statuses)], latency());
        const std::size_t entries = window.slot_entries();
        window.Record(at, result);
        if (window.slot_entries() != entries) changes.emplace(entries, window.slot_entries());
        const std::int64_t bucket = (at - TimePoint{}) / width;  // at > epoch: / is floor
        if (bucket > newest) newest = bucket;
        if (bucket > newest - size) kept.push_back({bucket, std::move(result)});
      }
      std::erase_if(kept, [&](const Recorded& r) { return r.bucket <= newest - size; });
      if (step % 10 != 0) continue;
      const TimePoint query = now - width * static_cast<int>(rng() % 3);
      const std::int64_t query_bucket = (query - TimePoint{}) / width;
      WindowStats expected;
      const std::int64_t first = std::max(query_bucket, newest) - (size - 1);
      const std::int64_t last = std::min(query_bucket, newest);
      for (const Recorded& r : kept) {
        if (r.bucket < first || r.bucket > last) continue;
        ++expected.total;
        if (!r.result.success()) ++expected.failed;
        const int status = r.result.http_status;
        if (status >= 500 && status <= 599) ++expected.status_5xx;
        expected.status_502 += status == 502;
        expected.status_503 += status == 503;
        expected.status_504 += status == 504;
        expected.latency.Record(r.result.latency);
      }
      const WindowStats stats = window.Stats(query);
      ASSERT_EQ(stats.total, expected.total) << span.count() << " step " << step;
      ASSERT_EQ(stats.failed, expected.failed) << span.count() << " step " << step;
      ASSERT_EQ(stats.status_5xx, expected.status_5xx) << span.count() << " step " << step;
      ASSERT_EQ(stats.status_502, expected.status_502) << span.count() << " step " << step;
      ASSERT_EQ(stats.status_503, expected.status_503) << span.count() << " step " << step;
      ASSERT_EQ(stats.status_504, expected.status_504) << span.count() << " step " << step;
      ASSERT_EQ(stats.latency, expected.latency) << span.count() << " step " << step;
    }
    if (clustered && span < days(7)) {  // 7d's 32-bit slots are dense from the start
      EXPECT_TRUE(changes.contains({7, 12})) << span.count();
      EXPECT_TRUE(changes.contains({12, 46})) << span.count();
      EXPECT_TRUE(changes.contains({46, 7}) || changes.contains({46, 12})) << span.count();
      EXPECT_TRUE(changes.contains({12, 7}) || changes.contains({46, 7})) << span.count();
    }
  }
}

TEST(SlidingWindow, CompactMovesTheRingAndKeepsEveryCount) {
  SlidingWindow window(minutes(1));
  for (int i = 0; i < 9; ++i) window.Record(At(seconds(i)), Result(i % 3 == 0 ? 502 : 200,
                                                                   microseconds(1'000 << i)));
  const WindowStats before = window.Stats(At(seconds(10)));
  const std::size_t bytes = window.memory_bytes();
  std::vector<const void*> asked;
  const auto move = [&](const void* block) {
    asked.push_back(block);
    return true;
  };
  EXPECT_EQ(window.Compact(move), 1u);
  EXPECT_EQ(window.Compact(move), 1u);
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_NE(asked[0], asked[1]);
  EXPECT_EQ(window.Compact([](const void*) { return false; }), 0u);
  EXPECT_EQ(window.memory_bytes(), bytes);
  const WindowStats after = window.Stats(At(seconds(10)));
  EXPECT_EQ(after.total, before.total);
  EXPECT_EQ(after.status_502, 3u);
  EXPECT_EQ(after.latency, before.latency);
  window.Record(At(seconds(11)), Result(502));
  EXPECT_EQ(window.Stats(At(seconds(11))).status_502, 4u);
}

}  // namespace
}  // namespace gatewatch::window
