#include "metrics/metrics.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>

#include "probe/result.h"
#include "support/promtool.h"
#include "support/shared_status.h"

namespace gatewatch::metrics {
namespace {

using testing::Renamed;
using testing::Share;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kWall = core::Clock::WallTimePoint{} + seconds(1'790'000'000);
// Bucket bounds of the hand-built duration histograms (a histogram points at its bounds).
constexpr double kBounds[] = {0.1, 0.5, 1};
constexpr double kLagBounds[] = {0.01, 0.1};

status::WindowSummary Window(milliseconds span, std::uint64_t total, std::uint64_t failed,
                             std::uint64_t s5xx, std::uint64_t s502) {
  status::WindowSummary w;
  w.span = span;
  w.total = total;
  w.failed = failed;
  w.status_5xx = s5xx;
  w.status_502 = s502;
  if (total > 0) {
    w.p50 = 0.1;
    w.p90 = 0.25;
    w.p99 = 0.5;
  }
  return w;
}

// checkout: passing, answered 200, no TLS phase. edge-1: refused, hostile label values, TLS
// expiry known. fresh: never probed yet.
status::StatusSnapshot RichSnapshot() {
  status::StatusSnapshot s;
  s.generated = kWall;
  s.agent.version = "1.2.3";
  s.agent.ready = false;
  s.agent.probes_in_flight = 2;
  s.agent.saturated = true;
  s.agent.last_reload_success = false;
  s.agent.last_reload = kWall - seconds(30);
  s.agent.skipped_probes = 7;
  s.agent.schedule_lag = {kLagBounds, {4, 1, 0}, 0.05, 5};

  status::TargetStatus checkout;
  checkout.name = "checkout";
  checkout.url = "https://api.example.com/health?token=<redacted>";
  checkout.labels = {{"team", "payments"},
                     {"tier-level", "1"},
                     {"9lives", "x"},
                     {"target", "shadowed"},
                     {"__meta", "reserved"}};
  checkout.interval = seconds(15);
  checkout.timeout = seconds(5);
  probe::ProbeResult ok;
  ok.http_status = 200;
  ok.latency = microseconds(123'000);
  ok.phases.dns = microseconds(1'000);
  ok.phases.connect = microseconds(2'500);
  ok.phases.ttfb = microseconds(100'000);
  ok.phases.transfer = microseconds(19'500);
  ok.wall_started = kWall - seconds(1);
  checkout.last = std::make_shared<const probe::ProbeResult>(ok);
  checkout.up = true;
  checkout.probes_total = 10;
  status::ProbeCounters checkout_counters;
  checkout_counters.responses_by_code = {{200, 9}, {502, 1}};
  checkout_counters.failures(probe::FailureReason::kStatus) =
      1;
  checkout_counters.duration = {kBounds, {5, 3, 1, 1}, 3.25, 10};
  checkout.counters = std::make_shared<const status::ProbeCounters>(checkout_counters);
  checkout.windows = {Window(milliseconds(60'000), 10, 1, 1, 1),
                      Window(milliseconds(300'000), 40, 2, 2, 1),
                      Window(milliseconds(3'600'000), 400, 4, 3, 2)};
  checkout.windows[2].status_503 = 1;

  status::TargetStatus edge;
  edge.name = "edge-1";
  edge.url = "http://10.0.0.1/";
  edge.labels = {{"note", "say \"hi\"\\ then\nbreak"}, {"html", "<b>&</b>"}};
  probe::ProbeResult refused;
  refused.reason = probe::FailureReason::kRefused;
  refused.phases.dns = microseconds(500);
  refused.tls_not_after = 1'800'000'000;
  refused.detail = "Connection refused";
  edge.last = std::make_shared<const probe::ProbeResult>(refused);
  edge.probes_total = 3;
  status::ProbeCounters edge_counters;
  edge_counters.failures(probe::FailureReason::kRefused) = 3;
  edge_counters.duration = {kBounds, {3, 0, 0, 0}, 0.003, 3};
  edge.counters = std::make_shared<const status::ProbeCounters>(edge_counters);
  edge.windows = {Window(milliseconds(60'000), 0, 0, 0, 0),
                  Window(milliseconds(300'000), 3, 3, 0, 0),
                  Window(milliseconds(3'600'000), 3, 3, 0, 0)};

  status::TargetStatus fresh;
  fresh.name = "fresh";
  fresh.url = "http://127.0.0.1:1/";
  status::ProbeCounters fresh_counters;
  fresh_counters.duration = {kBounds, {0, 0, 0, 0}, 0, 0};
  fresh.counters = std::make_shared<const status::ProbeCounters>(fresh_counters);
  fresh.windows = {Window(milliseconds(60'000), 0, 0, 0, 0)};

  s.targets = {Share(checkout), Share(edge), Share(fresh)};
  return s;
}

bool HasLine(const std::string& text, std::string_view line) {
  return text.find("\n" + std::string(line) + "\n") != std::string::npos ||
         text.starts_with(std::string(line) + "\n");
}

std::size_t Count(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

TEST(RenderMetrics, LastResultGauges) {
  const std::string text = RenderMetrics(RichSnapshot());
  EXPECT_TRUE(HasLine(text, R"(gatewatch_probe_success{target="checkout"} 1)")) << text;
  EXPECT_TRUE(HasLine(text, R"(gatewatch_probe_success{target="edge-1"} 0)"));
  EXPECT_TRUE(HasLine(text, R"(gatewatch_probe_http_status_code{target="checkout"} 200)"));
  EXPECT_TRUE(HasLine(text, R"(gatewatch_probe_http_status_code{target="edge-1"} 0)"));
  EXPECT_TRUE(
      HasLine(text, R"(gatewatch_probe_phase_seconds{target="checkout",phase="dns"} 0.001)"));
  EXPECT_TRUE(
      HasLine(text, R"(gatewatch_probe_phase_seconds{target="checkout",phase="connect"} 0.0025)"));
  EXPECT_TRUE(
      HasLine(text, R"(gatewatch_probe_phase_seconds{target="checkout",phase="ttfb"} 0.1)"));
  EXPECT_TRUE(
      HasLine(text, R"(gatewatch_probe_phase_seconds{target="checkout",phase="transfer"} 0.0195)"));
  EXPECT_TRUE(HasLine(
      text, R"(gatewatch_tls_cert_not_after_timestamp_seconds{target="edge-1"} 1800000000)"));
  EXPECT_TRUE(HasLine(text, "# TYPE gatewatch_probe_success gauge"));
  EXPECT_TRUE(HasLine(text, "# TYPE gatewatch_probe_phase_seconds gauge"));
}

TEST(RenderMetrics, UnmeasuredPhasesAreAbsentNotZero) {
  const std::string text = RenderMetrics(RichSnapshot());
  EXPECT_EQ(Count(text, R"(target="checkout",phase="tls")"), 0u);
  EXPECT_EQ(Count(text, R"(gatewatch_probe_phase_seconds{target="edge-1")"), 1u);
  EXPECT_TRUE(
      HasLine(text, R"(gatewatch_probe_phase_seconds{target="edge-1",phase="dns"} 0.0005)"));
  EXPECT_EQ(Count(text, R"(gatewatch_tls_cert_not_after_timestamp_seconds{target="checkout")"), 0u);
}

TEST(RenderMetrics, DurationHistogramIsCumulative) {
  const std::string text = RenderMetrics(RichSnapshot());
  EXPECT_TRUE(HasLine(text, "# TYPE gatewatch_probe_duration_seconds histogram"));
  EXPECT_TRUE(
      HasLine(text, R"(gatewatch_probe_duration_seconds_bucket{target="checkout",le="0.1"} 5)"));
  EXPECT_TRUE(
      HasLine(text, R"(gatewatch_probe_duration_seconds_bucket{target="checkout",le="0.5"} 8)"));
  EXPECT_TRUE(
      HasLine(text, R"(gatewatch_probe_duration_seconds_bucket{target="checkout",le="1"} 9)"));
  EXPECT_TRUE(
      HasLine(text, R"(gatewatch_probe_duration_seconds_bucket{target="checkout",le="+Inf"} 10)"));
  EXPECT_TRUE(HasLine(text, R"(gatewatch_probe_duration_seconds_sum{target="checkout"} 3.25)"));
  EXPECT_TRUE(HasLine(text, R"(gatewatch_probe_duration_seconds_count{target="checkout"} 10)"));
}

TEST(RenderMetrics, CountersIncludeZeroReasons) {
  const std::string text = RenderMetrics(RichSnapshot());
  EXPECT_TRUE(HasLine(text, "# TYPE gatewatch_probes_total counter"));
  EXPECT_TRUE(HasLine(text, R"(gatewatch_probes_total{target="checkout"} 10)"));
  EXPECT_TRUE(HasLine(text, R"(gatewatch_probe_responses_total{target="checkout",code="200"} 9)"));
  EXPECT_TRUE(HasLine(text, R"(gatewatch_probe_responses_total{target="checkout",code="502"} 1)"));
  EXPECT_TRUE(
      HasLine(text, R"(gatewatch_probe_failures_total{target="checkout",reason="status"} 1)"));
  EXPECT_TRUE(
      HasLine(text, R"(gatewatch_probe_failures_total{target="edge-1",reason="refused"} 3)"));
  for (const std::string target : {"checkout", "edge-1", "fresh"}) {
    for (const auto reason : probe::kAllFailureReasons) {
      const std::string prefix = "gatewatch_probe_failures_total{target=\"" + target +
                                 "\",reason=\"" + std::string(probe::ReasonName(reason)) + "\"} ";
      EXPECT_EQ(Count(text, "\n" + prefix), 1u) << prefix;
    }
  }
  EXPECT_TRUE(HasLine(text, R"(gatewatch_probe_failures_total{target="checkout",reason="dns"} 0)"));
  EXPECT_EQ(Count(text, "gatewatch_probe_failures_total{"), 30u);
}

TEST(RenderMetrics, TargetWithoutProbeHasInfoAndZeroedCountersOnly) {
  const std::string text = RenderMetrics(RichSnapshot());
  EXPECT_TRUE(
      HasLine(text, R"(gatewatch_target_info{target="fresh",url="http://127.0.0.1:1/"} 1)"));
  EXPECT_TRUE(HasLine(text, R"(gatewatch_probes_total{target="fresh"} 0)"));
  EXPECT_TRUE(
      HasLine(text, R"(gatewatch_probe_failures_total{target="fresh",reason="timeout"} 0)"));
  EXPECT_TRUE(HasLine(text, R"(gatewatch_probe_duration_seconds_count{target="fresh"} 0)"));
  for (const std::string_view gauge :
       {"gatewatch_probe_success{target=\"fresh\"",
        "gatewatch_probe_phase_seconds{target=\"fresh\"",
        "gatewatch_probe_http_status_code{target=\"fresh\"",
        "gatewatch_tls_cert_not_after_timestamp_seconds{target=\"fresh\""}) {
    EXPECT_EQ(Count(text, gauge), 0u) << gauge;
  }
}

TEST(RenderMetrics, WindowSeries) {
  const std::string text = RenderMetrics(RichSnapshot());
  EXPECT_TRUE(
      HasLine(text, R"(gatewatch_window_ratio{target="checkout",window="1m",signal="502"} 0.1)"));
  EXPECT_TRUE(
      HasLine(text, R"(gatewatch_window_ratio{target="checkout",window="5m",signal="5xx"} 0.05)"));
  EXPECT_TRUE(HasLine(
      text, R"(gatewatch_window_ratio{target="checkout",window="1h",signal="failure"} 0.01)"));
  EXPECT_TRUE(HasLine(
      text, R"(gatewatch_window_ratio{target="checkout",window="1h",signal="503"} 0.0025)"));
  EXPECT_TRUE(
      HasLine(text, R"(gatewatch_window_ratio{target="checkout",window="1h",signal="504"} 0)"));
  EXPECT_TRUE(HasLine(text, R"(gatewatch_window_samples{target="checkout",window="1h"} 400)"));
  EXPECT_TRUE(HasLine(
      text,
      R"(gatewatch_window_latency_seconds{target="checkout",window="1m",quantile="0.5"} 0.1)"));
  EXPECT_TRUE(HasLine(
      text,
      R"(gatewatch_window_latency_seconds{target="checkout",window="1m",quantile="0.99"} 0.5)"));
  // edge-1's 1m window is empty: samples 0, ratios 0, no quantiles.
  EXPECT_TRUE(HasLine(text, R"(gatewatch_window_samples{target="edge-1",window="1m"} 0)"));
  EXPECT_TRUE(
      HasLine(text, R"(gatewatch_window_ratio{target="edge-1",window="1m",signal="failure"} 0)"));
  EXPECT_EQ(Count(text, R"(gatewatch_window_latency_seconds{target="edge-1",window="1m")"), 0u);
  EXPECT_EQ(Count(text, R"(gatewatch_window_latency_seconds{target="edge-1",window="5m")"), 3u);
  EXPECT_EQ(Count(text, "gatewatch_window_ratio{"), (3u + 3u + 1u) * 5u);
  EXPECT_TRUE(HasLine(text, "# TYPE gatewatch_window_latency_seconds untyped"));
}

TEST(RenderMetrics, TargetInfoLabelsAreValidAndEscaped) {
  const std::string text = RenderMetrics(RichSnapshot());
  // Labels sorted by key; invalid names fixed; `target` and `__meta` left out.
  EXPECT_TRUE(HasLine(text, R"(gatewatch_target_info{target="checkout",)"
                            R"(url="https://api.example.com/health?token=<redacted>",)"
                            R"(_9lives="x",team="payments",tier_level="1"} 1)"))
      << text;
  EXPECT_TRUE(HasLine(text, R"(gatewatch_target_info{target="edge-1",url="http://10.0.0.1/",)"
                            R"(html="<b>&</b>",note="say \"hi\"\\ then\nbreak"} 1)"))
      << text;
}

TEST(RenderMetrics, AgentSeries) {
  const std::string text = RenderMetrics(RichSnapshot());
  EXPECT_TRUE(HasLine(text, R"(gatewatch_build_info{version="1.2.3"} 1)"));
  EXPECT_TRUE(HasLine(text, "gatewatch_probes_in_flight 2"));
  EXPECT_TRUE(HasLine(text, "gatewatch_probes_skipped_total 7"));
  EXPECT_TRUE(HasLine(text, "gatewatch_agent_saturated 1"));
  EXPECT_TRUE(HasLine(text, "gatewatch_config_last_reload_success 0"));
  EXPECT_TRUE(HasLine(text, "gatewatch_config_last_reload_timestamp_seconds 1789999970"));
  EXPECT_TRUE(HasLine(text, "# TYPE gatewatch_schedule_lag_seconds histogram"));
  EXPECT_TRUE(HasLine(text, R"(gatewatch_schedule_lag_seconds_bucket{le="0.01"} 4)"));
  EXPECT_TRUE(HasLine(text, R"(gatewatch_schedule_lag_seconds_bucket{le="0.1"} 5)"));
  EXPECT_TRUE(HasLine(text, R"(gatewatch_schedule_lag_seconds_bucket{le="+Inf"} 5)"));
  EXPECT_TRUE(HasLine(text, "gatewatch_schedule_lag_seconds_count 5"));
}

TEST(RenderMetrics, EveryFamilyHasOneHelpAndTypeAcrossBatches) {
  status::StatusSnapshot s = RichSnapshot();
  const status::TargetStatus model = *s.targets[0];
  s.targets.clear();
  for (int i = 0; i < 300; ++i) s.targets.push_back(Renamed(model, "t" + std::to_string(i)));
  const std::string text = RenderMetrics(s);
  // 300 targets x 3 windows x 5 signals: several serializer batches.
  EXPECT_EQ(Count(text, "\ngatewatch_window_ratio{"), 4500u);
  EXPECT_EQ(Count(text, "# TYPE gatewatch_window_ratio gauge\n"), 1u);
  EXPECT_EQ(Count(text, "# HELP gatewatch_window_ratio "), 1u);
  EXPECT_EQ(Count(text, "# TYPE "), Count(text, "# HELP "));
  EXPECT_TRUE(
      HasLine(text, R"(gatewatch_window_ratio{target="t299",window="1h",signal="failure"} 0.01)"));
}

TEST(RenderMetrics, StreamsTheSameTextInLineChunks) {
  status::StatusSnapshot s = RichSnapshot();
  for (int i = 0; i < 500; ++i) s.targets.push_back(Renamed(*s.targets[0], "t" + std::to_string(i)));
  std::string streamed;
  int chunks = 0;
  const bool ok = RenderMetrics(s, [&](std::string_view chunk) {
    EXPECT_TRUE(chunk.ends_with('\n'));
    streamed.append(chunk);
    ++chunks;
    return true;
  });
  EXPECT_TRUE(ok);
  EXPECT_GT(chunks, 1);
  EXPECT_EQ(streamed, RenderMetrics(s));
}

TEST(RenderMetrics, StreamingStopsWhenTheSinkRefuses) {
  status::StatusSnapshot s = RichSnapshot();
  for (int i = 0; i < 500; ++i) s.targets.push_back(Renamed(*s.targets[0], "t" + std::to_string(i)));
  int calls = 0;
  EXPECT_FALSE(RenderMetrics(s, [&](std::string_view) {
    ++calls;
    return false;
  }));
  EXPECT_EQ(calls, 1);
}

TEST(RenderMetrics, EmptySnapshotHasAgentSeriesOnly) {
  status::StatusSnapshot s;
  s.agent.version = "0.1.0";
  const std::string text = RenderMetrics(s);
  EXPECT_TRUE(HasLine(text, R"(gatewatch_build_info{version="0.1.0"} 1)"));
  EXPECT_EQ(Count(text, "target="), 0u);
  // Families without series are left out entirely.
  EXPECT_EQ(Count(text, "gatewatch_probe_success"), 0u);
}

TEST(RenderMetrics, PassesPromtool) {
  ASSERT_TRUE(testing::PromtoolAvailable())
      << testing::kPromtool << " is missing: run the README's test command, scripts/test.sh, "
      << "which installs it (Debian package: prometheus)";
  status::StatusSnapshot s = RichSnapshot();
  for (int i = 0; i < 600; ++i) {  // enough for several serializer batches per family
    s.targets.push_back(Renamed(*s.targets[i % 3], "extra-" + std::to_string(i)));
  }
  const std::string text = RenderMetrics(s);
  const testing::PromtoolResult result = testing::CheckMetrics(text);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output, "") << result.output;
}

TEST(RenderMetrics, TenThousandTargets) {
  status::StatusSnapshot s = RichSnapshot();
  const auto models = s.targets;
  s.targets.clear();
  s.targets.reserve(10'000);
  for (int i = 0; i < 10'000; ++i) {
    s.targets.push_back(Renamed(*models[i % 3], "service-" + std::to_string(i)));
  }
  const auto start = std::chrono::steady_clock::now();
  const std::string text = RenderMetrics(s);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(Count(text, "\ngatewatch_target_info{"), 10'000u);
  EXPECT_EQ(Count(text, "\ngatewatch_probes_total{"), 10'000u);
  // Generous: this also runs in Debug and under sanitizers; Release takes a fraction of it.
  EXPECT_LT(elapsed, std::chrono::seconds(10));
}

}  // namespace
}  // namespace gatewatch::metrics
