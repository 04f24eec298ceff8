#include "status/target_history.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

namespace gatewatch::status {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kWall = core::Clock::WallTimePoint{} + seconds(1'790'000'000);
constexpr auto kSteady = core::Clock::TimePoint{} + std::chrono::hours(1000);

probe::ProbeResult Result(int status, microseconds latency,
                          core::Clock::TimePoint started = kSteady,
                          core::Clock::WallTimePoint wall = kWall) {
  probe::ProbeResult r;
  r.http_status = status;
  r.reason =
      status >= 200 && status < 300 ? probe::FailureReason::kNone : probe::FailureReason::kStatus;
  r.latency = latency;
  r.started = started;
  r.wall_started = wall;
  return r;
}

TEST(RecentResults, TimeCodesAreExactBelow4msThenWithin0Point05Percent) {
  for (const std::int64_t us : {0, 1, 999, 4095}) {
    EXPECT_EQ(RecentResults::DecodeTime(RecentResults::EncodeTime(microseconds(us))).count(), us);
  }
  for (const std::int64_t us :
       {4096LL, 4097LL, 12'345LL, 999'999LL, 3'000'000LL, 60'000'000LL, 133'000'000LL}) {
    const auto back = RecentResults::DecodeTime(RecentResults::EncodeTime(microseconds(us)));
    EXPECT_NEAR(static_cast<double>(back.count()), static_cast<double>(us), us * 0.0005) << us;
  }
  // Saturates instead of wrapping, and never collides with "not measured".
  EXPECT_EQ(RecentResults::EncodeTime(std::chrono::hours(1)), RecentResults::kMaxTimeCode);
  EXPECT_EQ(RecentResults::EncodeTime(microseconds(-5)), 0);
  EXPECT_GT(RecentResults::DecodeTime(RecentResults::kMaxTimeCode), seconds(134));
}

TEST(RecentResults, KeepsTheLastEighteenNewestFirst) {
  RecentResults recent;
  EXPECT_EQ(recent.size(), 0u);
  for (int i = 0; i < 25; ++i) {
    recent.Add(Result(200 + i, microseconds(1000 + i), kSteady, kWall + milliseconds(i * 1001)),
               nullptr);
  }
  ASSERT_EQ(recent.size(), RecentResults::kCapacity);
  EXPECT_EQ(RecentResults::kCapacity, 18u);
  EXPECT_EQ(recent[0].http_status, 224);
  EXPECT_EQ(recent[0].started, kWall + milliseconds(24 * 1001));  // to the millisecond
  EXPECT_EQ(recent[17].http_status, 207);
  EXPECT_EQ(recent[17].latency, microseconds(1007));
}

TEST(RecentResults, KeepsReasonPhasesAndWhoAnswered) {
  probe::ProbeResult r = Result(502, microseconds(5'123'456));
  r.phases.dns = microseconds(120);
  r.phases.connect = microseconds(250);
  r.phases.ttfb = microseconds(5'000'000);
  r.phases.transfer = microseconds(0);
  diagnose::Fingerprint hop;
  hop.responder = diagnose::Responder::kNginx;
  hop.origin = diagnose::Origin::kGateway;
  RecentResults recent;
  recent.Add(r, &hop);

  probe::ProbeResult refused;
  refused.reason = probe::FailureReason::kRefused;
  refused.latency = microseconds(300);
  refused.phases.dns = microseconds(20);
  refused.wall_started = kWall;
  recent.Add(refused, nullptr);

  const RecentResult a = recent[1];
  EXPECT_FALSE(a.success());
  EXPECT_EQ(a.reason, probe::FailureReason::kStatus);
  EXPECT_EQ(a.http_status, 502);
  ASSERT_TRUE(a.responder);
  EXPECT_EQ(*a.responder, diagnose::Responder::kNginx);
  EXPECT_EQ(a.origin, diagnose::Origin::kGateway);
  EXPECT_EQ(a.phases.dns, microseconds(120));
  EXPECT_EQ(a.phases.connect, microseconds(250));
  EXPECT_FALSE(a.phases.tls) << "never measured stays unmeasured, not zero";
  ASSERT_TRUE(a.phases.ttfb);
  EXPECT_NEAR(static_cast<double>(a.phases.ttfb->count()), 5e6, 5e6 * 0.0005);
  EXPECT_EQ(a.phases.transfer, microseconds(0));
  EXPECT_NEAR(static_cast<double>(a.latency.count()), 5'123'456, 5'123'456 * 0.0005);

  const RecentResult b = recent[0];
  EXPECT_EQ(b.reason, probe::FailureReason::kRefused);
  EXPECT_EQ(b.http_status, 0);
  EXPECT_FALSE(b.responder);
  EXPECT_EQ(b.phases.dns, microseconds(20));
  EXPECT_FALSE(b.phases.connect);
  EXPECT_EQ(b.latency, microseconds(300));
}

TEST(Sparkline, QuantizesShareAndLatency) {
  EXPECT_EQ(Sparkline::EncodeRatio(0, 0), 0);
  EXPECT_EQ(Sparkline::EncodeRatio(1, 2), 100);
  EXPECT_EQ(Sparkline::EncodeRatio(3, 3), 200);
  EXPECT_EQ(Sparkline::EncodeRatio(1, 10'000), 1) << "one 502 never reads as none";
  EXPECT_DOUBLE_EQ(*Sparkline::DecodeRatio(100), 0.5);
  EXPECT_FALSE(Sparkline::DecodeRatio(Sparkline::kEmpty));

  for (const double s : {0.0002, 0.0015, 0.035, 0.8, 4.0, 60.0}) {
    const auto code = Sparkline::EncodeLatency(microseconds(static_cast<std::int64_t>(s * 1e6)));
    EXPECT_NE(code, Sparkline::kEmpty);
    EXPECT_NEAR(*Sparkline::DecodeLatencySeconds(code), s, s * 0.03) << s;
  }
  EXPECT_EQ(Sparkline::EncodeLatency(microseconds(1)), 0);
  EXPECT_EQ(Sparkline::EncodeLatency(std::chrono::hours(1)), 254);
  EXPECT_FALSE(Sparkline::DecodeLatencySeconds(Sparkline::kEmpty));
}

TEST(Sparkline, WidthIsHalfTheShortestWindowWithinLimits) {
  EXPECT_EQ(SparklineWidthFor({milliseconds(60'000), milliseconds(300'000)}), seconds(30));
  EXPECT_EQ(SparklineWidthFor({milliseconds(500)}), seconds(1));
  EXPECT_EQ(SparklineWidthFor({milliseconds(6'666)}), seconds(3));
  EXPECT_EQ(SparklineWidthFor({std::chrono::hours(24 * 7)}), std::chrono::hours(1));
  EXPECT_EQ(SparklineWidthFor({}), seconds(30));
}

TEST(TargetHistory, FitsTheMemoryBudget) {
  // About 512 bytes per target in the loop: this plus the Sparkline its status carries.
  EXPECT_LE(sizeof(TargetHistory) + sizeof(Sparkline), 520u);
  EXPECT_LE(sizeof(Sparkline), 128u) << "the snapshot's share";
}

TEST(TargetHistory, BuildsPointsOfShareAndSlowestProbe) {
  TargetHistory h(seconds(10));
  const auto base = kSteady;  // a multiple of 10 s: point boundaries fall on base + 10 s * k
  h.Record(Result(200, microseconds(2'000), base + seconds(1)), nullptr);
  h.Record(Result(502, microseconds(9'000), base + seconds(2)), nullptr);
  h.Record(Result(200, microseconds(4'000), base + seconds(3)), nullptr);
  h.Record(Result(502, microseconds(1'000), base + seconds(4)), nullptr);
  // Nothing in [base + 10s, base + 20s); one probe in the point after.
  h.Record(Result(200, microseconds(3'000), base + seconds(25)), nullptr);

  const Sparkline s = h.SparklineAt(base + seconds(38));
  EXPECT_EQ(s.width, seconds(10));
  constexpr std::size_t kLast = Sparkline::kPoints - 1;
  // Points, oldest first: ..., [base, +10s), [+10s, +20s), [+20s, +30s), [+30s, +40s) (now).
  EXPECT_EQ(s.latency[kLast], Sparkline::kEmpty) << "nothing yet in the current point";
  EXPECT_EQ(s.ratio_502[kLast - 1], 0);
  EXPECT_NEAR(*Sparkline::DecodeLatencySeconds(s.latency[kLast - 1]), 0.003, 0.0002);
  EXPECT_EQ(s.latency[kLast - 2], Sparkline::kEmpty);
  EXPECT_EQ(s.ratio_502[kLast - 3], 100) << "2 of 4 answered 502";
  EXPECT_NEAR(*Sparkline::DecodeLatencySeconds(s.latency[kLast - 3]), 0.009, 0.0005)
      << "the slowest of the point";
  for (std::size_t i = 0; i < kLast - 3; ++i) EXPECT_EQ(s.latency[i], Sparkline::kEmpty) << i;
  EXPECT_FALSE(s.empty());
}

TEST(TargetHistory, OldPointsScrollOutAndALongGapClearsAll) {
  TargetHistory h(seconds(1));
  h.Record(Result(502, microseconds(1'000), kSteady), nullptr);
  EXPECT_EQ(h.SparklineAt(kSteady).ratio_502[Sparkline::kPoints - 1], 200);
  // 29 points later the first point is the oldest shown; 30 later it is gone.
  EXPECT_EQ(h.SparklineAt(kSteady + seconds(29)).ratio_502[0], 200);
  EXPECT_TRUE(h.SparklineAt(kSteady + seconds(30)).empty());

  h.Record(Result(200, microseconds(1'000), kSteady + std::chrono::hours(5)), nullptr);
  const Sparkline s = h.SparklineAt(kSteady + std::chrono::hours(5));
  EXPECT_EQ(s.ratio_502[Sparkline::kPoints - 1], 0);
  for (std::size_t i = 0; i + 1 < Sparkline::kPoints; ++i) {
    EXPECT_EQ(s.latency[i], Sparkline::kEmpty) << i;
  }
}

TEST(TargetHistory, ALateResultCountsInTheNewestPoint) {
  TargetHistory h(seconds(1));
  h.Record(Result(200, microseconds(1'000), kSteady + seconds(5)), nullptr);
  // Started before the newest point, finished after it: filed in the newest one.
  h.Record(Result(502, microseconds(8'000), kSteady + seconds(3)), nullptr);
  const Sparkline s = h.SparklineAt(kSteady + seconds(5));
  EXPECT_EQ(s.ratio_502[Sparkline::kPoints - 1], 100);
  EXPECT_EQ(s.latency[Sparkline::kPoints - 3], Sparkline::kEmpty);
}

TEST(TargetHistory, ANewWidthStartsTheSeriesOverButKeepsResults) {
  TargetHistory h(seconds(30));
  h.Record(Result(502, microseconds(1'000)), nullptr);
  h.SetSparklineWidth(seconds(30));
  EXPECT_FALSE(h.SparklineAt(kSteady).empty()) << "same width: no-op";
  h.SetSparklineWidth(seconds(5));
  EXPECT_EQ(h.sparkline_width(), seconds(5));
  EXPECT_TRUE(h.SparklineAt(kSteady).empty());
  EXPECT_EQ(h.recent().size(), 1u);
}

TEST(TargetHistory, APhaseMovesThePointBoundaries) {
  // 10 s points: aligned they start at kSteady + 10 s * k, with a 4 s phase at +4 s + 10 s * k.
  TargetHistory aligned(seconds(10));
  TargetHistory shifted(seconds(10), seconds(4));
  EXPECT_EQ(aligned.NextPointAt(kSteady + seconds(1)), kSteady + seconds(10));
  EXPECT_EQ(shifted.NextPointAt(kSteady + seconds(1)), kSteady + seconds(4));
  EXPECT_EQ(shifted.NextPointAt(kSteady + seconds(4)), kSteady + seconds(14));
  // Two results 2 s apart, at +3 s and +5 s: one point aligned, two points shifted.
  for (TargetHistory* h : {&aligned, &shifted}) {
    h->Record(Result(502, microseconds(1'000), kSteady + seconds(3)), nullptr);
    h->Record(Result(200, microseconds(1'000), kSteady + seconds(5)), nullptr);
  }
  constexpr std::size_t kLast = Sparkline::kPoints - 1;
  const Sparkline a = aligned.SparklineAt(kSteady + seconds(5));
  EXPECT_EQ(a.ratio_502[kLast], 100);
  EXPECT_EQ(a.latency[kLast - 1], Sparkline::kEmpty);
  const Sparkline b = shifted.SparklineAt(kSteady + seconds(5));
  EXPECT_EQ(b.ratio_502[kLast], 0);
  EXPECT_EQ(b.ratio_502[kLast - 1], 200);
}

TEST(TargetHistory, NothingRecordedIsAnEmptySeries) {
  const TargetHistory h(seconds(30));
  const Sparkline s = h.SparklineAt(kSteady);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.width, seconds(30));
}

}  // namespace
}  // namespace gatewatch::status
