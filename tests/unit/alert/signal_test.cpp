#include "alert/signal.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

namespace gatewatch::alert {
namespace {

using namespace std::chrono_literals;
using config::AlertRule;
using config::AlertSignal;
using window::WindowStats;

WindowStats Counts(std::uint64_t total, std::uint64_t failed, std::uint64_t s5xx = 0,
                   std::uint64_t s502 = 0) {
  WindowStats w;
  w.total = total;
  w.failed = failed;
  w.status_5xx = s5xx;
  w.status_502 = s502;
  for (std::uint64_t i = 0; i < total; ++i) w.latency.Record(10ms);
  return w;
}

AlertRule Rule(AlertSignal signal, std::uint64_t min_samples = 1) {
  AlertRule rule;
  rule.signal = signal;
  rule.min_samples = min_samples;
  return rule;
}

AlertRule BurnRule(double slo, double factor, std::uint64_t min_samples = 1) {
  AlertRule rule = Rule(AlertSignal::kBurnRate, min_samples);
  rule.burn_rate = config::BurnRateSpec{slo, 1h, 5min, factor};
  rule.above = rule.clear_below = factor;
  return rule;
}

TEST(SignalValue, Ratios) {
  const WindowStats w = Counts(200, 30, 20, 10);
  EXPECT_EQ(SignalValue(Rule(AlertSignal::k502Ratio), w, 0), 0.05);
  EXPECT_EQ(SignalValue(Rule(AlertSignal::k5xxRatio), w, 0), 0.1);
  EXPECT_EQ(SignalValue(Rule(AlertSignal::kFailureRatio), w, 0), 0.15);
}

struct MinSamplesCase {
  std::uint64_t total, min_samples;
  bool judged;
};

TEST(SignalValue, WindowWithFewerThanMinSamplesIsNeverJudged) {
  const MinSamplesCase cases[] = {
      {0, 1, false}, {1, 1, true}, {9, 10, false}, {10, 10, true}, {11, 10, true}};
  for (const MinSamplesCase& c : cases) {
    const WindowStats w = Counts(c.total, c.total);  // every probe failed: worst case
    for (AlertSignal s :
         {AlertSignal::k502Ratio, AlertSignal::k5xxRatio, AlertSignal::kFailureRatio,
          AlertSignal::kLatencyP50, AlertSignal::kLatencyP90, AlertSignal::kLatencyP99}) {
      EXPECT_EQ(SignalValue(Rule(s, c.min_samples), w, 0).has_value(), c.judged)
          << config::SignalName(s) << " total " << c.total << " min " << c.min_samples;
    }
  }
}

TEST(SignalValue, LatencyQuantilesAreSeconds) {
  WindowStats w;
  // 98 fast probes, 2 slow: p50 fast, p99 slow.
  for (int i = 0; i < 98; ++i) w.latency.Record(100ms);
  w.latency.Record(2s);
  w.latency.Record(2s);
  w.total = 100;
  const auto p50 = SignalValue(Rule(AlertSignal::kLatencyP50), w, 0);
  const auto p90 = SignalValue(Rule(AlertSignal::kLatencyP90), w, 0);
  const auto p99 = SignalValue(Rule(AlertSignal::kLatencyP99), w, 0);
  ASSERT_TRUE(p50 && p90 && p99);
  // Seconds, within the histogram's bucket accuracy (window/latency_histogram.h).
  EXPECT_GT(*p50, 0.1 / 1.37);
  EXPECT_LT(*p50, 0.1 * 1.37);
  EXPECT_LT(*p90, 0.1 * 1.37);
  EXPECT_GT(*p99, 2.0 / 1.37);
  EXPECT_LT(*p99, 2.0 * 1.37);

  WindowStats single;
  single.latency.Record(250ms);
  single.total = 1;
  EXPECT_DOUBLE_EQ(*SignalValue(Rule(AlertSignal::kLatencyP99), single, 0), 0.25);
}

TEST(SignalValue, ConsecutiveFailuresIgnoresTheWindow) {
  const AlertRule rule = Rule(AlertSignal::kConsecutiveFailures, 1000);
  EXPECT_EQ(SignalValue(rule, WindowStats{}, 0), 0.0);
  EXPECT_EQ(SignalValue(rule, WindowStats{}, 3), 3.0);
  EXPECT_EQ(SignalValue(rule, Counts(5, 0), 7), 7.0);
}

TEST(SignalValue, BurnRateRulesNeedBothWindows) {
  EXPECT_EQ(SignalValue(BurnRule(0.999, 14.4), Counts(100, 100), 0), std::nullopt);
}

TEST(BurnRate, IsFailureRatioOverErrorBudget) {
  EXPECT_NEAR(BurnRate(Counts(1000, 1), 0.999), 1.0, 1e-9);  // exactly on budget
  EXPECT_NEAR(BurnRate(Counts(1000, 2), 0.999), 2.0, 1e-9);
  EXPECT_NEAR(BurnRate(Counts(1000, 144), 0.99), 14.4, 1e-9);
  EXPECT_NEAR(BurnRate(Counts(10, 10), 0.9), 10.0, 1e-9);  // the most it can be
  EXPECT_DOUBLE_EQ(BurnRate(Counts(0, 0), 0.999), 0.0);
  EXPECT_DOUBLE_EQ(BurnRate(Counts(500, 0), 0.999), 0.0);
}

struct BurnCase {
  const char* name;
  std::uint64_t long_total, long_failed, short_total, short_failed;
  std::optional<double> value;  // min of the two burn rates, nullopt: not judged
  bool above_factor;            // would the rule fire (value > 14.4)?
};

TEST(BurnRateSignal, FiresOnlyWhenBothWindowsBurnFasterThanFactor) {
  // slo 0.999: budget 0.1%, factor 14.4 -> failure ratio above 1.44% in both windows.
  const BurnCase cases[] = {
      {"both above", 1000, 20, 100, 5, 20.0, true},                 // 20x and 50x
      {"long only (burst ended)", 1000, 20, 100, 0, 0.0, false},    // 20x and 0x
      {"short only (burst began)", 1000, 10, 100, 5, 10.0, false},  // 10x and 50x
      {"no failures", 1000, 0, 1000, 0, 0.0, false},
      {"both below", 1000, 5, 100, 1, 5.0, false},
      {"empty short window", 1000, 20, 0, 0, std::nullopt, false},
      {"empty long window", 0, 0, 100, 5, std::nullopt, false},
  };
  const AlertRule rule = BurnRule(0.999, 14.4);
  for (const BurnCase& c : cases) {
    const auto v = BurnRateSignal(rule, Counts(c.long_total, c.long_failed),
                                  Counts(c.short_total, c.short_failed));
    ASSERT_EQ(v.has_value(), c.value.has_value()) << c.name;
    if (!v) continue;
    EXPECT_NEAR(*v, *c.value, 1e-9) << c.name;
    EXPECT_EQ(*v > rule.above, c.above_factor) << c.name;
  }
}

TEST(BurnRateSignal, MinSamplesAppliesToEachWindow) {
  const AlertRule rule = BurnRule(0.999, 14.4, 20);
  EXPECT_EQ(BurnRateSignal(rule, Counts(1000, 50), Counts(19, 19)), std::nullopt);
  EXPECT_EQ(BurnRateSignal(rule, Counts(19, 19), Counts(1000, 50)), std::nullopt);
  EXPECT_TRUE(BurnRateSignal(rule, Counts(1000, 50), Counts(20, 20)).has_value());
}

TEST(FormatSignalValue, UnitsPerSignal) {
  EXPECT_EQ(FormatSignalValue(AlertSignal::k502Ratio, 0.42), "0.42");
  EXPECT_EQ(FormatSignalValue(AlertSignal::k502Ratio, 0.05), "0.05");
  EXPECT_EQ(FormatSignalValue(AlertSignal::k5xxRatio, 1.0 / 3), "0.333");
  EXPECT_EQ(FormatSignalValue(AlertSignal::kFailureRatio, 0.0517), "0.0517");
  EXPECT_EQ(FormatSignalValue(AlertSignal::kFailureRatio, 0), "0");
  EXPECT_EQ(FormatSignalValue(AlertSignal::kLatencyP99, 0.8), "800ms");
  EXPECT_EQ(FormatSignalValue(AlertSignal::kLatencyP99, 0.8123), "812ms");
  EXPECT_EQ(FormatSignalValue(AlertSignal::kLatencyP50, 0.0004), "0.4ms");
  EXPECT_EQ(FormatSignalValue(AlertSignal::kLatencyP90, 0.9996), "1s");
  EXPECT_EQ(FormatSignalValue(AlertSignal::kLatencyP90, 1.25), "1.25s");
  EXPECT_EQ(FormatSignalValue(AlertSignal::kLatencyP90, 119.9), "120s");
  EXPECT_EQ(FormatSignalValue(AlertSignal::kConsecutiveFailures, 3), "3");
  EXPECT_EQ(FormatSignalValue(AlertSignal::kBurnRate, 14.4), "14.4");
  EXPECT_EQ(FormatSignalValue(AlertSignal::kBurnRate, 16.333), "16.3");
  EXPECT_EQ(FormatSignalValue(AlertSignal::kBurnRate, 10000), "10000");
}

TEST(WindowText, PerSignal) {
  AlertRule rule = Rule(AlertSignal::k502Ratio);
  rule.window = 5min;
  EXPECT_EQ(WindowText(rule), "5m");
  EXPECT_EQ(WindowText(BurnRule(0.999, 14.4)), "1h/5m");
  EXPECT_EQ(WindowText(Rule(AlertSignal::kConsecutiveFailures)), "");
  EXPECT_EQ(SignalLabel(AlertSignal::kLatencyP99), "p99 latency");
  EXPECT_EQ(SignalLabel(AlertSignal::k502Ratio), "502 ratio");
}

}  // namespace
}  // namespace gatewatch::alert
