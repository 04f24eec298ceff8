#include <gtest/gtest.h>

#include <chrono>
#include <optional>

#include "status/snapshot.h"
#include "window/latency_histogram.h"

namespace gatewatch::status {
namespace {

using std::chrono::microseconds;

TEST(QuantileSeconds, EmptyReadsLikeNullopt) {
  const QuantileSeconds none;
  EXPECT_FALSE(none.has_value());
  EXPECT_FALSE(static_cast<bool>(none));
  EXPECT_EQ(static_cast<std::optional<double>>(none), std::nullopt);
  EXPECT_EQ(QuantileSeconds(std::nullopt), none);
}

// Stored as the histogram's own microseconds, so what Summarize gets from Quantile() reads
// back as exactly the seconds the old std::optional<double> held.
TEST(QuantileSeconds, HistogramQuantilesRoundTripExactly) {
  window::LatencyHistogram h;
  for (int us : {150, 2'300, 87'000, 1'250'000, 119'000'000}) h.Record(microseconds(us));
  for (double q : {0.0, 0.5, 0.9, 0.99, 1.0}) {
    const microseconds v = *h.Quantile(q);
    const QuantileSeconds stored(v);
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(*stored, static_cast<double>(v.count()) / 1e6) << "q=" << q;
  }
}

TEST(QuantileSeconds, SecondsRoundToTheMicrosecondAndClamp) {
  EXPECT_EQ(*QuantileSeconds(0.0031), 0.0031);
  EXPECT_EQ(*QuantileSeconds(0.30000049), 0.3);
  EXPECT_EQ(*QuantileSeconds(-1.0), 0.0);
  EXPECT_TRUE(QuantileSeconds(0.0).has_value());  // 0 s is a value, not "none"
  EXPECT_EQ(*QuantileSeconds(1e9), 4294.967294);  // saturates, never the "none" marker
}

TEST(WindowSummary, StaysSmallBecauseEveryChangedStatusCopiesIt) {
  // Three windows per target in one heap block of 144 bytes (jemalloc's 160 class), copied
  // whenever a target's status changes between snapshots.
  EXPECT_EQ(sizeof(WindowSummary), 48u);
  WindowSummary w;
  w.total = 4;
  w.status_502 = 1;
  EXPECT_EQ(WindowSummary::Ratio(w.status_502, w.total), 0.25);
}

}  // namespace
}  // namespace gatewatch::status
