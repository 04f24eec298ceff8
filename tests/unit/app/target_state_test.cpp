#include "app/target_state.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <vector>

namespace gatewatch::app {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

config::TargetSpec Spec() {
  config::TargetSpec spec;
  spec.name = "checkout";
  spec.url = "http://127.0.0.1:1/health";
  return spec;
}

probe::ProbeResult Result(core::Clock::TimePoint at, int status) {
  probe::ProbeResult r;
  r.started = at;
  r.http_status = status;
  r.latency = std::chrono::microseconds(1'000 + status);
  if (status >= 500) r.reason = probe::FailureReason::kStatus;
  return r;
}

// The snapshot's window summaries must always equal a fresh merge of the windows at the
// same instant, however snapshots, results and bucket boundaries interleave (the summaries
// are reused between snapshots while nothing can have changed them).
TEST(TargetStateSnapshot, ReusedWindowSummariesAlwaysEqualAFreshMerge) {
  const std::vector<milliseconds> spans = {milliseconds(10'000), milliseconds(60'000)};
  TargetState state(Spec(), spans);
  std::mt19937 rng(7);
  core::Clock::TimePoint now{seconds(1'000)};
  std::vector<window::WindowStats> fresh;
  for (int step = 0; step < 2'000; ++step) {
    now += milliseconds(std::uniform_int_distribution<int>(1, 900)(rng));
    if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) {
      state.Record(Result(now, std::uniform_int_distribution<int>(0, 1)(rng) ? 200 : 502));
    }
    const auto snapshot = state.Snapshot(now);
    state.WindowStatsAt(now, fresh);
    ASSERT_EQ(snapshot.windows.size(), fresh.size());
    for (std::size_t i = 0; i < fresh.size(); ++i) {
      ASSERT_EQ(snapshot.windows[i].total, fresh[i].total) << "step " << step << " window " << i;
      ASSERT_EQ(snapshot.windows[i].status_502, fresh[i].status_502) << "step " << step;
      ASSERT_EQ(snapshot.windows[i].p99.has_value(), fresh[i].total > 0) << "step " << step;
    }
  }
}

TEST(TargetStateSnapshot, AResultLeavesTheWindowAtItsBucketBoundaryEvenWithoutNewResults) {
  TargetState state(Spec(), {milliseconds(10'000)});
  const core::Clock::TimePoint t0{seconds(1'000)};
  state.Record(Result(t0, 502));
  EXPECT_EQ(state.Snapshot(t0).windows[0].status_502, 1u);
  EXPECT_EQ(state.Snapshot(t0 + seconds(9)).windows[0].status_502, 1u);
  // 10 s span, 2 s buckets: gone by the first boundary after t0 + 10 s.
  EXPECT_EQ(state.Snapshot(t0 + seconds(12)).windows[0].total, 0u);
}

TEST(TargetStateSnapshot, CountersInASnapshotNeverChangeAfterwards) {
  TargetState state(Spec(), {milliseconds(60'000)});
  const core::Clock::TimePoint t0{seconds(1'000)};
  state.Record(Result(t0, 502));
  const auto before = state.Snapshot(t0);
  state.Record(Result(t0 + seconds(1), 502));
  state.Record(Result(t0 + seconds(2), 200));
  EXPECT_EQ(before.counters->responses_by_code.at(502), 1u);
  EXPECT_EQ(before.counters->responses_by_code.count(200), 0u);
  const auto after = state.Snapshot(t0 + seconds(2));
  EXPECT_EQ(after.counters->responses_by_code.at(502), 2u);
  EXPECT_EQ(after.counters->responses_by_code.at(200), 1u);
  EXPECT_NE(before.counters.get(), after.counters.get());
  // Nothing recorded since: the next snapshot shares the same counters.
  EXPECT_EQ(state.Snapshot(t0 + seconds(3)).counters.get(), after.counters.get());
}

}  // namespace
}  // namespace gatewatch::app
