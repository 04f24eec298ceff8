#include "window/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace gatewatch::window {
namespace {

using std::chrono::microseconds;

static_assert(sizeof(LatencyHistogram) <= 200, "one per time bucket per window per target");

// The nearest-rank quantile of the exact samples (sorted), as Quantile defines it.
microseconds TrueQuantile(const std::vector<microseconds>& samples, double q) {
  const double rank = std::ceil(q * static_cast<double>(samples.size()) - 1e-9);
  const auto index = static_cast<std::size_t>(std::max(1.0, rank)) - 1;
  return samples[std::min(index, samples.size() - 1)];
}

double RelativeError(microseconds estimate, microseconds truth) {
  return std::abs(static_cast<double>(estimate.count() - truth.count())) /
         static_cast<double>(truth.count());
}

LatencyHistogram Of(const std::vector<microseconds>& samples) {
  LatencyHistogram histogram;
  for (microseconds sample : samples) histogram.Record(sample);
  return histogram;
}

struct Distribution {
  const char* name;
  std::vector<microseconds> samples;
  double max_error;  // relative, for every quantile checked
};

// n values spread evenly over [lo, hi] on a linear (or, with log_scale, logarithmic) scale.
std::vector<microseconds> Spread(double lo_us, double hi_us, int n, bool log_scale = false) {
  std::vector<microseconds> samples;
  for (int i = 0; i < n; ++i) {
    const double f = (i + 0.5) / n;
    const double value =
        log_scale ? lo_us * std::pow(hi_us / lo_us, f) : lo_us + (hi_us - lo_us) * f;
    samples.push_back(microseconds(std::llround(value)));
  }
  return samples;
}

// Two uniform modes with hard edges: 99% in 20..30 ms, 1% in 2..3 s.
std::vector<microseconds> Bimodal() {
  std::vector<microseconds> samples = Spread(20'000, 30'000, 9'900);
  for (microseconds slow : Spread(2'000'000, 3'000'000, 100)) samples.push_back(slow);
  return samples;
}

// n log-normal samples around `median_us`, from a fixed seed.
std::vector<microseconds> LogNormal(double median_us, double sigma, int n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> distribution(std::log(median_us), sigma);
  std::vector<microseconds> samples;
  for (int i = 0; i < n; ++i) samples.push_back(microseconds(std::llround(distribution(rng))));
  return samples;
}

// Real latencies: a log-normal bulk and 1% slow ones (a struggling backend).
std::vector<microseconds> RealisticBimodal() {
  std::vector<microseconds> samples = LogNormal(25'000, 0.3, 99'000, 1);
  for (microseconds slow : LogNormal(2'500'000, 0.3, 1'000, 2)) samples.push_back(slow);
  return samples;
}

constexpr double kQuantiles[] = {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999};

TEST(LatencyHistogram, QuantilesOfKnownDistributionsWithinTenPercent) {
  Distribution distributions[] = {
      {"uniform 1ms..1s", Spread(1'000, 1'000'000, 100'000), 0.02},
      {"uniform 100us..120s", Spread(100, 120'000'000, 100'000), 0.02},
      {"log-uniform 1ms..10s", Spread(1'000, 10'000'000, 100'000, true), 0.10},
      {"narrow 40..42ms", Spread(40'000, 42'000, 1'000), 0.05},
      {"log-normal 50ms", LogNormal(50'000, 0.5, 100'000, 3), 0.10},
      {"log-normal 2ms, wide", LogNormal(2'000, 1.0, 100'000, 4), 0.10},
      {"bimodal 1% slow, log-normal", RealisticBimodal(), 0.10},
  };
  for (Distribution& d : distributions) {
    std::sort(d.samples.begin(), d.samples.end());
    const LatencyHistogram histogram = Of(d.samples);
    EXPECT_EQ(histogram.Count(), d.samples.size()) << d.name;
    for (double q : kQuantiles) {
      const microseconds truth = TrueQuantile(d.samples, q);
      const std::optional<microseconds> estimate = histogram.Quantile(q);
      ASSERT_TRUE(estimate.has_value());
      EXPECT_LE(RelativeError(*estimate, truth), d.max_error)
          << d.name << " q=" << q << " estimate=" << estimate->count()
          << "us truth=" << truth.count() << "us";
    }
  }
}

TEST(LatencyHistogram, HardEdgedModesStayWithinTheirBucket) {
  // Inside a bucket the spread of samples is unknown, so where a mode ends abruptly mid-bucket
  // (the fast mode at exactly 30 ms) the estimate is only as good as the bucket's width.
  const std::vector<microseconds> samples = Bimodal();  // already sorted
  const LatencyHistogram histogram = Of(samples);
  const double ratio = std::pow(1.2e6, 1.0 / 45.0);
  for (double q : kQuantiles) {
    const microseconds truth = TrueQuantile(samples, q);
    const microseconds estimate = *histogram.Quantile(q);
    const std::size_t bucket = LatencyHistogram::BucketOf(truth);
    EXPECT_GE(estimate, LatencyHistogram::LowerBound(bucket)) << q;
    EXPECT_LE(estimate, LatencyHistogram::LowerBound(bucket + 1)) << q;
    const bool at_edge = q >= 0.9 && q <= 0.99;
    EXPECT_LE(RelativeError(estimate, truth), at_edge ? ratio - 1 : 0.10) << q;
  }
  EXPECT_LT(*histogram.Quantile(0.5), microseconds(30'000));
  EXPECT_LT(*histogram.Quantile(0.99), microseconds(41'000));  // the 9,900th sample is fast
  EXPECT_GT(*histogram.Quantile(0.995), microseconds(2'000'000));
  EXPECT_GT(*histogram.Quantile(0.999), microseconds(2'500'000));
}

TEST(LatencyHistogram, EmptyHasNoQuantile) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.Count(), 0u);
  for (double q : {0.0, 0.5, 0.99, 1.0}) EXPECT_EQ(histogram.Quantile(q), std::nullopt) << q;
}

TEST(LatencyHistogram, SingleSampleIsExact) {
  for (std::int64_t us :
       {0LL, 42LL, 100LL, 137LL, 1'000LL, 7'300LL, 250'000LL, 3'000'000LL, 119'999'999LL}) {
    const LatencyHistogram histogram = Of({microseconds(us)});
    EXPECT_EQ(histogram.Count(), 1u);
    for (double q : {0.0, 0.5, 0.99, 1.0}) {
      EXPECT_EQ(histogram.Quantile(q), microseconds(us)) << us << "us q=" << q;
    }
  }
}

TEST(LatencyHistogram, MinAndMaxAreExact) {
  const LatencyHistogram histogram =
      Of({microseconds(1'234), microseconds(5'000), microseconds(5'100), microseconds(987'654)});
  EXPECT_EQ(histogram.Quantile(0.0), microseconds(1'234));
  EXPECT_EQ(histogram.Quantile(0.25), microseconds(1'234));
  EXPECT_EQ(histogram.Quantile(1.0), microseconds(987'654));
}

TEST(LatencyHistogram, TightClusterBetweenOthersStaysInItsBucket) {
  // The worst case: 1,000 samples at exactly 5 ms, with samples below and above it, so
  // neither min nor max narrows the 5 ms bucket.
  std::vector<microseconds> samples(1'000, microseconds(5'000));
  samples.push_back(microseconds(1'000));
  samples.push_back(microseconds(50'000));
  const LatencyHistogram histogram = Of(samples);
  const std::size_t bucket = LatencyHistogram::BucketOf(microseconds(5'000));
  for (double q : {0.01, 0.5, 0.99}) {
    const microseconds estimate = *histogram.Quantile(q);
    EXPECT_GE(estimate, LatencyHistogram::LowerBound(bucket)) << q;
    EXPECT_LT(estimate, LatencyHistogram::LowerBound(bucket + 1)) << q;
  }
  EXPECT_LE(RelativeError(*histogram.Quantile(0.5), microseconds(5'000)), 0.18);
}

TEST(LatencyHistogram, OutOfRangeValues) {
  struct Case {
    microseconds recorded, reported;
  };
  const Case cases[] = {
      {microseconds(-5), microseconds(0)},
      {microseconds(0), microseconds(0)},
      {microseconds(50), microseconds(50)},
      {microseconds(120'000'000), LatencyHistogram::kMax},
      {microseconds(3'600'000'000), LatencyHistogram::kMax},
      {microseconds(std::numeric_limits<std::int64_t>::max()), LatencyHistogram::kMax},
      {microseconds(std::numeric_limits<std::int64_t>::min()), microseconds(0)},
  };
  for (const Case& c : cases) {
    const LatencyHistogram histogram = Of({c.recorded});
    EXPECT_EQ(histogram.Count(), 1u);
    EXPECT_EQ(histogram.Quantile(0.5), c.reported) << c.recorded.count();
  }
  // Many values above the range: every quantile reports the max bound.
  const LatencyHistogram slow = Of(Spread(130'000'000, 900'000'000, 100));
  EXPECT_EQ(slow.Quantile(0.0), LatencyHistogram::kMax);
  EXPECT_EQ(slow.Quantile(0.99), LatencyHistogram::kMax);
  // Many values below it: interpolated between the exact min and max.
  const LatencyHistogram fast = Of(Spread(10, 90, 81));
  EXPECT_EQ(fast.Quantile(0.0), microseconds(10));
  EXPECT_NEAR(fast.Quantile(0.5)->count(), 50, 1);
  EXPECT_EQ(fast.Quantile(1.0), microseconds(90));

  EXPECT_EQ(LatencyHistogram::BucketOf(microseconds(-1)), 0u);
  EXPECT_EQ(LatencyHistogram::BucketOf(microseconds(99)), 0u);
  EXPECT_EQ(LatencyHistogram::BucketOf(microseconds(100)), 0u);
  EXPECT_EQ(LatencyHistogram::BucketOf(microseconds(119'999'999)), LatencyHistogram::kBuckets - 2);
  EXPECT_EQ(LatencyHistogram::BucketOf(microseconds(120'000'000)), LatencyHistogram::kBuckets - 1);
}

TEST(LatencyHistogram, BoundsAreLogScaled) {
  EXPECT_EQ(LatencyHistogram::LowerBound(0), microseconds(0));
  EXPECT_EQ(LatencyHistogram::LowerBound(LatencyHistogram::kBuckets - 1), LatencyHistogram::kMax);
  EXPECT_EQ(LatencyHistogram::LowerBound(LatencyHistogram::kBuckets), LatencyHistogram::kMax);
  const double ratio = std::pow(1.2e6, 1.0 / 45.0);
  EXPECT_NEAR(static_cast<double>(LatencyHistogram::LowerBound(1).count()), 100 * ratio, 1);
  for (std::size_t i = 1; i + 1 < LatencyHistogram::kBuckets; ++i) {
    const auto lo = LatencyHistogram::LowerBound(i), hi = LatencyHistogram::LowerBound(i + 1);
    EXPECT_NEAR(static_cast<double>(hi.count()) / static_cast<double>(lo.count()), ratio, 0.01)
        << i;
    EXPECT_EQ(LatencyHistogram::BucketOf(lo), i);
    EXPECT_EQ(LatencyHistogram::BucketOf(lo - microseconds(1)), i - 1);
  }
}

TEST(LatencyHistogram, QuantileClampsQ) {
  const LatencyHistogram histogram = Of({microseconds(1'000), microseconds(50'000)});
  EXPECT_EQ(histogram.Quantile(-1.0), histogram.Quantile(0.0));
  EXPECT_EQ(histogram.Quantile(std::nan("")), histogram.Quantile(0.0));
  EXPECT_EQ(histogram.Quantile(2.0), histogram.Quantile(1.0));
  EXPECT_EQ(histogram.Quantile(0.0), microseconds(1'000));
  EXPECT_EQ(histogram.Quantile(1.0), microseconds(50'000));
}

TEST(LatencyHistogram, MergeEqualsRecordingEverything) {
  const std::vector<microseconds> all = Bimodal();
  LatencyHistogram first, second;
  for (std::size_t i = 0; i < all.size(); ++i) (i % 3 == 0 ? first : second).Record(all[i]);
  LatencyHistogram merged = first;
  merged.Merge(second);
  EXPECT_EQ(merged, Of(all));
  EXPECT_EQ(merged.Count(), first.Count() + second.Count());
  EXPECT_EQ(merged.Quantile(0.999), Of(all).Quantile(0.999));

  LatencyHistogram unchanged = first;
  unchanged.Merge(LatencyHistogram{});
  EXPECT_EQ(unchanged, first);
}

TEST(LatencyHistogram, CountersSaturate) {
  LatencyHistogram histogram = Of({microseconds(5'000)});
  for (int i = 0; i < 40; ++i) histogram.Merge(LatencyHistogram(histogram));  // 2^40 samples
  const std::size_t bucket = LatencyHistogram::BucketOf(microseconds(5'000));
  EXPECT_EQ(histogram.bucket_count(bucket), std::numeric_limits<std::uint32_t>::max());
  histogram.Record(microseconds(5'000));
  EXPECT_EQ(histogram.bucket_count(bucket), std::numeric_limits<std::uint32_t>::max());
  EXPECT_EQ(histogram.Count(), std::numeric_limits<std::uint32_t>::max());
  EXPECT_EQ(histogram.Quantile(0.5), microseconds(5'000));
}

TEST(LatencyHistogram, ClearEmpties) {
  LatencyHistogram histogram = Of(Spread(1'000, 9'000, 10));
  ASSERT_EQ(histogram.Count(), 10u);
  histogram.Clear();
  EXPECT_EQ(histogram.Count(), 0u);
  EXPECT_EQ(histogram.Quantile(0.5), std::nullopt);
  EXPECT_EQ(histogram, LatencyHistogram{});
}

TEST(LatencyHistogram, NarrowCountersGiveIdenticalResults) {
  static_assert(sizeof(BasicLatencyHistogram<std::uint8_t>) == 56);
  static_assert(sizeof(BasicLatencyHistogram<std::uint16_t>) == 100);
  // 250 samples: no 8-bit counter can fill.
  std::vector<microseconds> samples = LogNormal(40'000, 0.8, 240, 5);
  for (microseconds slow : Spread(1'000'000, 200'000'000, 10)) samples.push_back(slow);
  LatencyHistogram wide;
  BasicLatencyHistogram<std::uint16_t> mid;
  BasicLatencyHistogram<std::uint8_t> narrow;
  for (microseconds sample : samples) {
    wide.Record(sample);
    mid.Record(sample);
    EXPECT_TRUE(narrow.TryRecord(sample));
  }
  EXPECT_EQ(narrow.Count(), samples.size());
  for (double q : kQuantiles) {
    EXPECT_EQ(narrow.Quantile(q), wide.Quantile(q)) << q;
    EXPECT_EQ(mid.Quantile(q), wide.Quantile(q)) << q;
  }
  for (std::size_t i = 0; i < LatencyHistogram::kBuckets; ++i) {
    EXPECT_EQ(narrow.bucket_count(i), wide.bucket_count(i)) << i;
  }
  // Merged into a 32-bit histogram, narrow ones are exactly the 32-bit one.
  LatencyHistogram merged;
  merged.Merge(narrow);
  EXPECT_EQ(merged, wide);
  merged.Merge(mid);
  LatencyHistogram doubled = wide;
  doubled.Merge(wide);
  EXPECT_EQ(merged, doubled);
}

TEST(LatencyHistogram, TryRecordRefusesAFullCounter) {
  const std::size_t bucket = LatencyHistogram::BucketOf(microseconds(5'000));
  ASSERT_EQ(LatencyHistogram::BucketOf(microseconds(5'100)), bucket);
  BasicLatencyHistogram<std::uint8_t> histogram;
  for (int i = 0; i < 255; ++i) ASSERT_TRUE(histogram.TryRecord(microseconds(5'000))) << i;
  EXPECT_FALSE(histogram.TryRecord(microseconds(5'100)));  // full: nothing changes
  EXPECT_EQ(histogram.bucket_count(bucket), 255u);
  EXPECT_EQ(histogram.Quantile(1.0), microseconds(5'000));
  // Record saturates instead, but the sample still counts for the exact max.
  histogram.Record(microseconds(5'100));
  EXPECT_EQ(histogram.bucket_count(bucket), 255u);
  EXPECT_EQ(histogram.Quantile(1.0), microseconds(5'100));
  EXPECT_TRUE(histogram.TryRecord(microseconds(50'000)));  // other buckets still take samples
  EXPECT_EQ(histogram.Count(), 256u);
  BasicLatencyHistogram<std::uint8_t> wider_max;
  wider_max.Record(microseconds(5'000));
  wider_max.Merge(histogram);
  EXPECT_EQ(wider_max.bucket_count(bucket), 255u);  // merging saturates at the narrow width
}

}  // namespace
}  // namespace gatewatch::window
