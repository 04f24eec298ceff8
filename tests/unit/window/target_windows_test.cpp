#include "window/target_windows.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace gatewatch::window {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using TimePoint = core::Clock::TimePoint;

const TimePoint kBase = TimePoint{} + hours(1000);

probe::ProbeResult Result(int status) {
  probe::ProbeResult result;
  result.http_status = status;
  result.latency = std::chrono::microseconds(15'000);
  if (status >= 400) result.reason = probe::FailureReason::kStatus;
  return result;
}

const std::vector<milliseconds> kSpans{minutes(1), minutes(5), hours(1)};

TEST(TargetWindows, OneStatsPerSpanInOrder) {
  TargetWindows windows(kSpans);
  EXPECT_EQ(windows.spans(), kSpans);
  ASSERT_EQ(windows.windows().size(), 3u);
  EXPECT_EQ(windows.windows()[1].span(), minutes(5));

  const std::vector<WindowStats> empty = windows.Stats(kBase);
  ASSERT_EQ(empty.size(), 3u);
  for (const WindowStats& stats : empty) EXPECT_EQ(stats.total, 0u);

  // One 502 at 0s, then one 200 per second until 10 minutes.
  windows.Record(kBase, Result(502));
  for (int s = 1; s <= 600; ++s) windows.Record(kBase + seconds(s), Result(200));
  const std::vector<WindowStats> stats = windows.Stats(kBase + seconds(600));
  ASSERT_EQ(stats.size(), 3u);
  // 1m and 5m windows: span .. span + one 12s / 60s bucket of history.
  EXPECT_GE(stats[0].total, 60u);
  EXPECT_LE(stats[0].total, 72u);
  EXPECT_GE(stats[1].total, 300u);
  EXPECT_LE(stats[1].total, 360u);
  EXPECT_EQ(stats[0].status_502, 0u);
  EXPECT_EQ(stats[1].status_502, 0u);
  EXPECT_EQ(stats[2].total, 601u);  // the 1h window still has everything, the 502 too
  EXPECT_EQ(stats[2].status_502, 1u);
  EXPECT_EQ(stats[2].failed, 1u);
  EXPECT_EQ(stats[2].latency.Count(), 601u);
}

TEST(TargetWindows, StatsIntoReusesTheVector) {
  TargetWindows windows(kSpans);
  windows.Record(kBase, Result(503));
  std::vector<WindowStats> out;
  windows.Stats(kBase, out);
  ASSERT_EQ(out.size(), 3u);
  const WindowStats* data = out.data();
  windows.Record(kBase + seconds(1), Result(503));
  windows.Stats(kBase + seconds(1), out);
  EXPECT_EQ(out.data(), data);
  for (const WindowStats& stats : out) EXPECT_EQ(stats.status_503, 2u);
}

TEST(TargetWindows, DefaultThreeWindowsStayUnderTwoKilobytes) {
  // The agent's budget at 10,000 targets: under 2 KB of windows per target, about 1 KB
  // while latencies cluster.
  TargetWindows windows(kSpans);
  EXPECT_LE(windows.memory_bytes(), 2'048u);
  // 1m: 8-bit counters; 5m and 1h: 16-bit; all sparse to start with.
  EXPECT_EQ(windows.memory_bytes(), sizeof(TargetWindows) + 248u + 320u + 320u);
  // Probing at the fastest configurable cadence (100 ms) for 2 hours changes nothing.
  for (int i = 0; i < 72'000; ++i) windows.Record(kBase + milliseconds(100) * i, Result(502));
  EXPECT_LE(windows.memory_bytes(), 2'048u);
  const std::vector<WindowStats> stats = windows.Stats(kBase + hours(2));
  ASSERT_EQ(stats.size(), 3u);
  EXPECT_EQ(stats[0].total, 600u);  // 1m..1m12s of history, at the bucket edge: exactly 1m
  EXPECT_EQ(stats[1].status_502, 3'000u);
  EXPECT_EQ(stats[2].status_5xx, 36'000u);
}

TEST(TargetWindows, WorstCaseIsTheOldThirtyTwoBitSize) {
  // Far faster than one result per 100 ms: every window widens to 32 bits, and no further.
  TargetWindows windows(kSpans);
  for (int i = 0; i < 70'000; ++i) windows.Record(kBase, Result(503));
  EXPECT_EQ(windows.memory_bytes(), sizeof(TargetWindows) + 3 * (sizeof(SlidingWindow) + 1'272u));
  for (const WindowStats& stats : windows.Stats(kBase)) EXPECT_EQ(stats.status_503, 70'000u);
}

TEST(TargetWindows, APhaseMovesEveryBucketBoundaryByIt) {
  // The 1m window has 12 s buckets: aligned to the epoch they start at kBase + 12 s * k;
  // with a 5 s phase at kBase + 5 s + 12 s * k.
  TargetWindows aligned(kSpans);
  TargetWindows shifted(kSpans, SlidingWindow::kMinProbeInterval, seconds(5));
  aligned.Record(kBase + seconds(1), Result(502));
  shifted.Record(kBase + seconds(1), Result(502));
  // Aligned, the result's bucket [kBase, +12s) leaves the 1m window at kBase + 72 s; shifted,
  // its bucket [kBase - 7s, +5s) leaves at kBase + 65 s.
  EXPECT_EQ(aligned.Stats(kBase + seconds(64))[0].status_502, 1u);
  EXPECT_EQ(shifted.Stats(kBase + seconds(64))[0].status_502, 1u);
  EXPECT_EQ(aligned.Stats(kBase + seconds(65))[0].status_502, 1u);
  EXPECT_EQ(shifted.Stats(kBase + seconds(65))[0].status_502, 0u);
  EXPECT_EQ(aligned.Stats(kBase + seconds(72))[0].status_502, 0u);
  // The longer windows still hold it either way.
  EXPECT_EQ(shifted.Stats(kBase + seconds(65))[2].status_502, 1u);

  // The next boundary of any window: the 1m window's, the earliest.
  EXPECT_EQ(aligned.NextBoundary(kBase + seconds(1)), kBase + seconds(12));
  EXPECT_EQ(shifted.NextBoundary(kBase + seconds(1)), kBase + seconds(5));
  EXPECT_EQ(shifted.NextBoundary(kBase + seconds(5)), kBase + seconds(17)) << "strictly after";
  // Only the phase modulo the bucket width counts.
  TargetWindows wrapped(kSpans, SlidingWindow::kMinProbeInterval, seconds(5) + hours(7));
  EXPECT_EQ(wrapped.NextBoundary(kBase + seconds(1)), kBase + seconds(5));
  // Before the steady epoch too (floor, not truncation).
  const TimePoint early = TimePoint{} - seconds(30);
  EXPECT_EQ(aligned.NextBoundary(early), TimePoint{} - seconds(24));
  EXPECT_EQ(TargetWindows({}).NextBoundary(kBase), TimePoint::max());
}

TEST(TargetWindows, NoSpansIsValid) {
  TargetWindows windows({});
  windows.Record(kBase, Result(200));
  EXPECT_TRUE(windows.Stats(kBase).empty());
  EXPECT_TRUE(windows.spans().empty());
}

}  // namespace
}  // namespace gatewatch::window
