#include "window/sliding_window.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>

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
  SlidingWindow window(minutes(1));
  const std::size_t before = window.memory_bytes();
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
  EXPECT_EQ(window.memory_bytes(), before);  // fixed memory whatever the rate
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
  static_assert(sizeof(SlidingWindow) <= 48);
  const SlidingWindow window(minutes(5));
  EXPECT_EQ(window.memory_bytes(), 1'320u);
  const SlidingWindow fine(days(7), 60);
  EXPECT_EQ(fine.memory_bytes(), sizeof(SlidingWindow) + 61 * 212);
}

}  // namespace
}  // namespace gatewatch::window
