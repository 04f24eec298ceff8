#include "window/sparse_latency_histogram.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <random>

namespace gatewatch::window {
namespace {

using std::chrono::microseconds;

// Latencies in seven different buckets: each doubles, and a bucket is 1.366 times as wide
// as the one before.
constexpr microseconds kSeven[] = {microseconds(1'000),  microseconds(2'000),
                                   microseconds(4'000),  microseconds(8'000),
                                   microseconds(16'000), microseconds(32'000),
                                   microseconds(64'000)};

TEST(SparseLatencyHistogram, MergesIntoExactlyWhatTheDenseOneHolds) {
  std::mt19937_64 rng(5);
  SparseLatencyHistogram<std::uint16_t> sparse;
  LatencyHistogram dense;
  int recorded = 0;
  for (int i = 0; i < 1'000; ++i) {
    // A narrow cluster around 20 ms with a slow tail: few buckets.
    const microseconds latency(18'000 + static_cast<std::int64_t>(rng() % 8'000) +
                               (i % 97 == 0 ? 400'000 : 0));
    if (!sparse.TryRecord(latency)) continue;
    dense.Record(latency);
    ++recorded;
  }
  EXPECT_EQ(recorded, 1'000);
  EXPECT_EQ(sparse.Count(), 1'000u);
  LatencyHistogram merged;
  sparse.MergeInto(merged);
  EXPECT_EQ(merged, dense);  // every bucket count and the exact min and max
  EXPECT_EQ(merged.Quantile(0.0), dense.Quantile(0.0));
  EXPECT_EQ(merged.Quantile(0.99), dense.Quantile(0.99));
}

TEST(SparseLatencyHistogram, RefusesAnEighthBucketAndAFullCounterChangingNothing) {
  SparseLatencyHistogram<std::uint8_t> sparse;
  for (const microseconds latency : kSeven) ASSERT_TRUE(sparse.TryRecord(latency));
  const SparseLatencyHistogram<std::uint8_t> before = sparse;
  EXPECT_FALSE(sparse.TryRecord(microseconds(128'000)));  // an eighth bucket
  EXPECT_EQ(sparse, before);
  // A bucket it already has still takes samples, until its 8-bit counter is full.
  for (int i = 1; i < 255; ++i) ASSERT_TRUE(sparse.TryRecord(microseconds(1'000))) << i;
  const SparseLatencyHistogram<std::uint8_t> full = sparse;
  EXPECT_FALSE(sparse.TryRecord(microseconds(1'000)));
  EXPECT_EQ(sparse, full);
  EXPECT_EQ(sparse.Count(), 255u + 6u);
}

TEST(SparseLatencyHistogram, AssignsFromADenseOneOnlyWhenItFits) {
  BasicLatencyHistogram<std::uint8_t> dense;
  for (const microseconds latency : kSeven) dense.Record(latency);
  dense.Record(microseconds(150));  // bucket 0 too: extremes must come over exactly
  SparseLatencyHistogram<std::uint8_t> sparse;
  ASSERT_TRUE(sparse.TryRecord(microseconds(3)));
  const SparseLatencyHistogram<std::uint8_t> before = sparse;
  EXPECT_FALSE(sparse.AssignFrom(dense));  // eight buckets
  EXPECT_EQ(sparse, before);

  BasicLatencyHistogram<std::uint8_t> fits;
  for (const microseconds latency : kSeven) fits.Record(latency);
  fits.Record(microseconds(64'001));
  ASSERT_TRUE(sparse.AssignFrom(fits));
  BasicLatencyHistogram<std::uint8_t> back;
  sparse.MergeInto(back);
  EXPECT_EQ(back, fits);
  EXPECT_EQ(back.min_us(), 1'000u);
  EXPECT_EQ(back.max_us(), 64'001u);
}

TEST(SparseLatencyHistogram, TwelveEntriesHoldAFactorOfFortyTwoAndRefuseAThirteenth) {
  SparseLatencyHistogram<std::uint16_t, 12> wide;
  BasicLatencyHistogram<std::uint16_t> dense;
  // Every bucket from 1 ms to 12 buckets later (1.366^11 = 30.8 times as slow).
  const std::size_t first = LatencyHistogram::BucketOf(microseconds(1'000));
  for (std::size_t bucket = first; bucket < first + 12; ++bucket) {
    const microseconds latency = LatencyHistogram::LowerBound(bucket);
    ASSERT_TRUE(wide.TryRecord(latency)) << bucket;
    dense.Record(latency);
  }
  EXPECT_EQ(wide.UsedBuckets(), 12u);
  const auto before = wide;
  EXPECT_FALSE(wide.TryRecord(LatencyHistogram::LowerBound(first + 12)));
  EXPECT_EQ(wide, before);
  BasicLatencyHistogram<std::uint16_t> merged;
  wide.MergeInto(merged);
  EXPECT_EQ(merged, dense);
  // The seven-entry form takes none of it; the twelve-entry one takes it back exactly.
  EXPECT_FALSE(SparseLatencyHistogram<std::uint16_t>::Fits(dense));
  SparseLatencyHistogram<std::uint16_t, 12> assigned;
  ASSERT_TRUE(assigned.AssignFrom(dense));
  EXPECT_EQ(assigned.UsedBuckets(), 12u);
  BasicLatencyHistogram<std::uint16_t> back;
  assigned.MergeInto(back);
  EXPECT_EQ(back, dense);
}

TEST(SparseLatencyHistogram, EmptyMergesAsNothing) {
  const SparseLatencyHistogram<std::uint16_t> empty;
  EXPECT_EQ(empty.Count(), 0u);
  LatencyHistogram merged;
  empty.MergeInto(merged);
  EXPECT_EQ(merged, LatencyHistogram());
  EXPECT_EQ(merged.Quantile(0.5), std::nullopt);
}

}  // namespace
}  // namespace gatewatch::window
