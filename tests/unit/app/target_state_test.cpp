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
TEST(TargetStatePublish, ReusedWindowSummariesAlwaysEqualAFreshMerge) {
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
    const auto snapshot = state.Publish(now);
    state.WindowStatsAt(now, fresh);
    ASSERT_EQ(snapshot->windows.size(), fresh.size());
    for (std::size_t i = 0; i < fresh.size(); ++i) {
      ASSERT_EQ(snapshot->windows[i].total, fresh[i].total) << "step " << step << " window " << i;
      ASSERT_EQ(snapshot->windows[i].status_502, fresh[i].status_502) << "step " << step;
      ASSERT_EQ(snapshot->windows[i].p99.has_value(), fresh[i].total > 0) << "step " << step;
    }
  }
}

TEST(TargetStatePublish, AResultLeavesTheWindowAtItsBucketBoundaryEvenWithoutNewResults) {
  TargetState state(Spec(), {milliseconds(10'000)});
  const core::Clock::TimePoint t0{seconds(1'000)};
  state.Record(Result(t0, 502));
  EXPECT_EQ(state.Publish(t0)->windows[0].status_502, 1u);
  EXPECT_EQ(state.Publish(t0 + seconds(9))->windows[0].status_502, 1u);
  // 10 s span, 2 s buckets: gone by the first boundary after t0 + 10 s.
  EXPECT_EQ(state.Publish(t0 + seconds(12))->windows[0].total, 0u);
}

TEST(TargetStatePublish, CountersInASnapshotNeverChangeAfterwards) {
  TargetState state(Spec(), {milliseconds(60'000)});
  const core::Clock::TimePoint t0{seconds(1'000)};
  state.Record(Result(t0, 502));
  const auto before = state.Publish(t0);
  state.Record(Result(t0 + seconds(1), 502));
  state.Record(Result(t0 + seconds(2), 200));
  EXPECT_EQ(before->counters->responses_by_code.at(502), 1u);
  EXPECT_EQ(before->counters->responses_by_code.count(200), 0u);
  const auto after = state.Publish(t0 + seconds(2));
  EXPECT_EQ(after->counters->responses_by_code.at(502), 2u);
  EXPECT_EQ(after->counters->responses_by_code.at(200), 1u);
  EXPECT_NE(before->counters.get(), after->counters.get());
  // Nothing recorded since: the next snapshot shares the same counters.
  EXPECT_EQ(state.Publish(t0 + seconds(3))->counters.get(), after->counters.get());
}

TEST(TargetStatePublish, APublishedStatusNeverChangesAndAnUnchangedOneIsShared) {
  TargetState state(Spec(), {milliseconds(60'000)});
  const core::Clock::TimePoint t0{seconds(1'000)};
  state.Record(Result(t0, 502));
  const auto first = state.Publish(t0);
  EXPECT_FALSE(first->up);
  EXPECT_EQ(first->probes_total, 1u);
  // Nothing recorded and no boundary crossed: the same instance, not a copy.
  EXPECT_EQ(state.Publish(t0 + milliseconds(10)).get(), first.get());

  state.Record(Result(t0 + seconds(1), 200));
  const auto second = state.Publish(t0 + seconds(1));
  EXPECT_NE(second.get(), first.get());
  EXPECT_TRUE(second->up);
  EXPECT_EQ(second->probes_total, 2u);
  EXPECT_EQ(second->windows[0].total, 2u);
  // What other threads hold is as it was published.
  EXPECT_FALSE(first->up);
  EXPECT_EQ(first->probes_total, 1u);
  EXPECT_EQ(first->windows[0].total, 1u);
  EXPECT_EQ(first->last->http_status, 502);
}

// Copy-on-write costs a second copy of every changed status; once no snapshot holds the
// published one (the loop learns it from status::SnapshotLedger), changes go in place.
TEST(TargetStatePublish, OnceReadersAreGoneChangesAreWrittenInPlace) {
  TargetState state(Spec(), {milliseconds(60'000)});
  const core::Clock::TimePoint t0{seconds(1'000)};
  state.Record(Result(t0, 502));
  const status::TargetStatus* published = state.Publish(t0).get();  // the state still holds it
  const status::ProbeCounters* counters = state.Publish(t0)->counters.get();
  const probe::ProbeResult* last = state.Publish(t0)->last.get();

  state.ReadersGone();
  state.Record(Result(t0 + seconds(1), 200));
  const auto in_place = state.Publish(t0 + seconds(1));
  EXPECT_EQ(in_place.get(), published);
  EXPECT_EQ(in_place->counters.get(), counters);
  EXPECT_EQ(in_place->last.get(), last);
  EXPECT_EQ(in_place->last->http_status, 200);
  EXPECT_TRUE(in_place->up);
  EXPECT_EQ(in_place->probes_total, 2u);
  EXPECT_EQ(in_place->windows[0].total, 2u);
  EXPECT_EQ(in_place->counters->responses_by_code.at(200), 1u);

  // Held again (by in_place): the next change is a copy, and in_place keeps what it said.
  state.Record(Result(t0 + seconds(2), 502));
  const auto copied = state.Publish(t0 + seconds(2));
  EXPECT_NE(copied.get(), in_place.get());
  EXPECT_NE(copied->counters.get(), in_place->counters.get());
  EXPECT_NE(copied->last.get(), in_place->last.get());
  EXPECT_EQ(in_place->last->http_status, 200);
  EXPECT_EQ(copied->last->http_status, 502);
  EXPECT_TRUE(in_place->up);
  EXPECT_EQ(in_place->probes_total, 2u);
  EXPECT_FALSE(copied->up);
  EXPECT_EQ(copied->probes_total, 3u);
}

TEST(TargetStatePublish, TheSparklineMovesOnAtItsPointBoundaryWithoutNewResults) {
  TargetState state(Spec(), {milliseconds(60'000)});
  const auto width = status::SparklineWidthFor({milliseconds(60'000)});
  // The start of a point, so the next point begins exactly one width later.
  const core::Clock::TimePoint t0{width * 1'000};
  state.Record(Result(t0, 502));
  const auto at_t0 = state.Publish(t0);
  ASSERT_EQ(at_t0->sparkline.ratio_502.back(), status::Sparkline::EncodeRatio(1, 1));
  // Before any boundary (the window's 12 s buckets end first): the same instance.
  EXPECT_EQ(state.Publish(t0 + seconds(1)).get(), at_t0.get());
  // One point later the 502 is the second-to-last point and the newest point is empty.
  const auto next_point = state.Publish(t0 + width);
  EXPECT_NE(next_point.get(), at_t0.get());
  EXPECT_EQ(next_point->sparkline.ratio_502.back(), status::Sparkline::kEmpty);
  EXPECT_EQ(next_point->sparkline.ratio_502[status::Sparkline::kPoints - 2],
            status::Sparkline::EncodeRatio(1, 1));
}

// Heap compaction: the blocks a target rewrites over and over move to new addresses when the
// allocator says so, and nothing else about the target changes.
TEST(TargetStateCompact, MovesEveryRewrittenBlockAndChangesNothingElse) {
  TargetState state(Spec(), {milliseconds(60'000), milliseconds(300'000), milliseconds(3'600'000)});
  const core::Clock::TimePoint t0{seconds(1'000)};
  state.Record(Result(t0, 200));
  state.Record(Result(t0 + seconds(1), 502));  // failing: a diagnosis sentence on the heap
  const auto now = t0 + seconds(2);
  const status::TargetStatus before = *state.Publish(now);  // a copy, not a reader
  ASSERT_GT(before.diagnosis.size(), 15u);
  state.ReadersGone();

  std::vector<const void*> first, second;
  const auto all = [](std::vector<const void*>& seen) {
    return [&seen](const void* block) {
      seen.push_back(block);
      return true;
    };
  };
  // The windows' vector and 3 rings, the status, counters, last result, summaries, sentence.
  EXPECT_EQ(state.Compact(all(first)), 9u);
  EXPECT_EQ(state.Compact(all(second)), 9u);
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) EXPECT_NE(first[i], second[i]) << i;

  const auto after = state.Publish(now);
  EXPECT_EQ(after->name, before.name);
  EXPECT_EQ(after->probes_total, 2u);
  EXPECT_FALSE(after->up);
  EXPECT_EQ(after->consecutive_failures, 1u);
  EXPECT_EQ(after->diagnosis, before.diagnosis);
  EXPECT_EQ(after->last->http_status, 502);
  EXPECT_EQ(after->counters->responses_by_code.at(502), 1u);
  EXPECT_EQ(after->counters->responses_by_code.at(200), 1u);
  ASSERT_EQ(after->windows.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(after->windows[i].total, 2u) << i;
    EXPECT_EQ(after->windows[i].status_502, 1u) << i;
    EXPECT_EQ(after->windows[i].p99, before.windows[i].p99) << i;
  }
  // The moved windows keep counting, and the moved last result is still written in place.
  state.ReadersGone();
  state.Record(Result(now, 200));
  const auto later = state.Publish(now + seconds(1));
  EXPECT_EQ(later->windows[0].total, 3u);
  EXPECT_EQ(later->last->http_status, 200);
  EXPECT_TRUE(later->up);
  EXPECT_TRUE(later->diagnosis.empty());
}

TEST(TargetStateCompact, LeavesAStatusASnapshotMayReadAlone) {
  TargetState state(Spec(), {milliseconds(60'000)});
  const core::Clock::TimePoint t0{seconds(1'000)};
  state.Record(Result(t0, 502));
  const auto held = state.Publish(t0);
  int asked = 0;
  EXPECT_EQ(state.Compact([&](const void*) { return ++asked, true; }), 0u);
  EXPECT_EQ(asked, 0);
  EXPECT_EQ(state.Publish(t0).get(), held.get());
  // Nothing the allocator would move: nothing moves.
  state.ReadersGone();
  EXPECT_EQ(state.Compact([](const void*) { return false; }), 0u);
  EXPECT_EQ(state.Publish(t0).get(), held.get());
}

}  // namespace
}  // namespace gatewatch::app
