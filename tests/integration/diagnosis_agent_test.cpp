// The running agent (App) names the hop that broke: a real nginx in front of a backend the
// test controls, probed with `upstream`, `confirm` and `resolve_all`, driven round by round
// on a manual clock (the probes themselves are real, on loopback).
#include <gtest/gtest.h>
#include <httplib.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/app.h"
#include "app/round_runner.h"
#include "config/load.h"
#include "net/address_resolver.h"
#include "net/curl_multi.h"
#include "probe/http_prober.h"
#include "support/fake_upstream.h"
#include "support/manual_clock.h"
#include "support/nginx_fixture.h"
#include "support/promtool.h"
#include "support/raw_tcp_server.h"
#include "support/wait.h"

namespace gatewatch::testing {
namespace {

using diagnose::UpstreamCase;
using std::chrono::milliseconds;
using std::chrono::seconds;

config::Config Parse(const std::string& toml) {
  auto result =
      config::ParseConfig(toml, "test.toml", [](std::string_view) { return std::nullopt; });
  std::string errors;
  for (const auto& e : result.errors) errors += e.ToString() + "\n";
  EXPECT_TRUE(result.config.has_value()) << errors;
  return result.config ? std::move(*result.config) : config::Config{};
}

// One target named "t", probed every second with a 500 ms timeout unless `extra` says else.
std::string Config(const std::string& url, const std::string& extra = "") {
  return "[agent]\nlisten = \"127.0.0.1:0\"\nwindows = [\"1m\"]\n\n[[target]]\nname = \"t\"\n"
         "url = \"" +
         url + "\"\ninterval = \"1s\"\ntimeout = \"500ms\"\n" + extra + "\n";
}

std::string Upstream(const std::string& url) { return "upstream = \"" + url + "\"\n"; }

app::AppOptions Options(ManualClock& clock) {
  app::AppOptions o;
  o.clock = &clock;
  o.seed = 7;
  return o;
}

status::TargetStatus Target(app::App& app) {
  app.PublishSnapshot();
  return *app.Snapshot()->targets.at(0);
}

// Moves the manual clock to the next round of the (only) target and steps the loop until that
// round is recorded. The clock creeps up on the round (10 ms steps once close) and stands still
// while its probes run, so the round starts on time and sees one fixed "now", as on a real,
// idle agent (a late start would leave confirm probes no time before the next round).
::testing::AssertionResult NextRound(app::App& app, ManualClock& clock,
                                     milliseconds interval = seconds(1)) {
  const auto before = Target(app).probes_total;
  if (before > 0) clock.Advance(interval * 8 / 10);  // the previous round started on time
  for (int i = 0; i < 1000; ++i) {
    app.Step(milliseconds(1));
    app.PublishSnapshot();
    const auto snap = app.Snapshot();
    if (snap->targets.at(0)->probes_total > before) return ::testing::AssertionSuccess();
    if (snap->agent.probes_in_flight == 0) {
      clock.Advance(interval / 100);
    } else {
      app.Step(milliseconds(10));
    }
  }
  return ::testing::AssertionFailure() << "no round recorded after " << before;
}

nlohmann::json ApiTarget(app::App& app) {
  httplib::Client client("127.0.0.1", app.http_port());
  auto res = client.Get("/api/v1/targets?target=t");
  if (!res || res->status != 200) return nullptr;
  return nlohmann::json::parse(res->body)["targets"].at(0);
}

std::string Metrics(app::App& app) {
  httplib::Client client("127.0.0.1", app.http_port());
  auto res = client.Get("/metrics");
  return res ? res->body : "";
}

// Captures what the agent logs (the state-change lines) while it lives.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(out_)) {
    spdlog::default_logger()->sinks().push_back(sink_);
  }
  ~LogCapture() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

class DiagnosisAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_.Set("/api", FakeUpstream::Step(200, "ok"));
    backend_.Start();
  }
  FakeUpstream backend_;
  NginxFixture nginx_;
  ManualClock clock_;
};

TEST_F(DiagnosisAgentTest, BackendDownGateway502SaysTheBackendRefusesConnections) {
  nginx_.AddProxy("/api", backend_.port());
  ASSERT_TRUE(nginx_.Start());
  const std::string backend_url = backend_.Url("/api");
  backend_.Stop();  // its port now refuses connections; nginx answers its own 502

  LogCapture log;
  std::vector<alert::AlertEvent> events;
  auto options = Options(clock_);
  options.on_alert_events = [&](const std::vector<alert::AlertEvent>& batch) {
    events.insert(events.end(), batch.begin(), batch.end());
  };
  app::App app(Parse(Config(nginx_.Url("/api"), Upstream(backend_url)) +
                     "[[alert]]\nname = \"down\"\nsignal = \"consecutive_failures\"\n"
                     "above = 1\n"),
               options);
  ASSERT_TRUE(NextRound(app, clock_));

  const auto t = Target(app);
  ASSERT_TRUE(t.last != nullptr);
  EXPECT_EQ(t.last->http_status, 502);
  EXPECT_NE(t.diagnosis.find("502 from nginx (gateway)"), std::string::npos) << t.diagnosis;
  EXPECT_NE(t.diagnosis.find("the backend refuses connections"), std::string::npos) << t.diagnosis;
  EXPECT_NE(t.diagnosis.find("persistent: reproduced 1 of 1"), std::string::npos) << t.diagnosis;
  ASSERT_TRUE(t.upstream);
  EXPECT_EQ(t.upstream->kind, UpstreamCase::kBackendRefuses);
  EXPECT_EQ(t.upstream->reason, probe::FailureReason::kRefused);
  EXPECT_FALSE(t.upstream->success);
  EXPECT_EQ(t.confirmed, (diagnose::ConfirmFinding{1, 1}));
  EXPECT_EQ(t.probes_total, 1u);
  EXPECT_EQ(t.windows.at(0).total, 1u);

  // The state-change log line carries the whole diagnosis.
  EXPECT_NE(log.text().find("target t is DOWN: 502 from nginx"), std::string::npos) << log.text();
  EXPECT_NE(log.text().find("the backend refuses connections"), std::string::npos) << log.text();

  // So does the API, with the structured fields, and the metric says the backend is down.
  const auto api = ApiTarget(app);
  ASSERT_TRUE(api.is_object());
  EXPECT_EQ(api["upstream"]["case"], "backend_refuses");
  EXPECT_EQ(api["upstream"]["reason"], "refused");
  EXPECT_EQ(api["upstream"]["status"], 0);
  EXPECT_EQ(api["upstream"]["success"], false);
  EXPECT_TRUE(api["upstream"]["latency_seconds"].is_number());
  EXPECT_NE(api["upstream"]["text"].get<std::string>().find("refuses connections"),
            std::string::npos);
  EXPECT_EQ(api["confirmed"],
            (nlohmann::json{{"probes", 1}, {"reproduced", 1}, {"transient", false}}));
  const std::string metrics = Metrics(app);
  EXPECT_NE(metrics.find("gatewatch_upstream_probe_success{target=\"t\"} 0"), std::string::npos);
  const auto lint = CheckMetrics(metrics);
  EXPECT_EQ(lint.exit_code, 0) << lint.output;

  // And the alert's diagnosis annotation.
  ASSERT_TRUE(NextRound(app, clock_));
  ASSERT_TRUE(NextRound(app, clock_));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].kind, alert::EventKind::kFired);
  EXPECT_NE(events[0].diagnosis.find("the backend refuses connections"), std::string::npos)
      << events[0].diagnosis;
}

TEST_F(DiagnosisAgentTest, SlowBackendGateway504SaysTheGatewayTimeoutIsShorter) {
  backend_.Set("/slow", FakeUpstream::Step(200, "late").Delay(milliseconds(300)));
  nginx_.AddProxy("/slow", backend_.port(), milliseconds(100));
  ASSERT_TRUE(nginx_.Start());
  app::App app(
      Parse(Config(nginx_.Url("/slow"), Upstream(backend_.Url("/slow")) + "confirm = 0\n")),
      Options(clock_));
  ASSERT_TRUE(NextRound(app, clock_));
  const auto t = Target(app);
  EXPECT_EQ(t.last->http_status, 504);
  ASSERT_TRUE(t.upstream);
  EXPECT_EQ(t.upstream->kind, UpstreamCase::kGatewayTimeoutShorter) << t.diagnosis;
  EXPECT_TRUE(t.upstream->success);
  EXPECT_EQ(t.upstream->http_status, 200);
  EXPECT_GE(t.upstream->latency, milliseconds(300));
  EXPECT_NE(t.diagnosis.find("the gateway's upstream timeout is shorter than the backend's "
                             "latency"),
            std::string::npos)
      << t.diagnosis;
  EXPECT_FALSE(t.confirmed.has_value());  // confirm = 0
}

TEST_F(DiagnosisAgentTest, HealthyBackendBehindA502SaysTheGatewayIsMisrouted) {
  nginx_.AddDeadProxy("/api");  // the gateway points at the wrong port
  ASSERT_TRUE(nginx_.Start());
  app::App app(Parse(Config(nginx_.Url("/api"), Upstream(backend_.Url("/api")))), Options(clock_));
  ASSERT_TRUE(NextRound(app, clock_));
  const auto t = Target(app);
  EXPECT_EQ(t.last->http_status, 502);
  ASSERT_TRUE(t.upstream);
  EXPECT_EQ(t.upstream->kind, UpstreamCase::kBackendFine);
  EXPECT_NE(t.diagnosis.find("the gateway is misrouted"), std::string::npos) << t.diagnosis;
  EXPECT_EQ(backend_.Hits("/api"), 1u);  // only the direct probe reached the backend
}

TEST_F(DiagnosisAgentTest, UpstreamIsProbedRarelyWhileTheTargetPasses) {
  backend_.Set("/direct", FakeUpstream::Step(200, "ok"));
  nginx_.AddProxy("/api", backend_.port());
  ASSERT_TRUE(nginx_.Start());
  app::App app(Parse(Config(nginx_.Url("/api"), Upstream(backend_.Url("/direct")))),
               Options(clock_));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(NextRound(app, clock_));
  // The first round's backend probe runs beside the round; wait for its answer.
  ASSERT_TRUE(WaitFor([&] {
    app.Step(milliseconds(10));
    return Target(app).upstream != nullptr;
  }));
  EXPECT_EQ(backend_.Hits("/direct"), 1u);
  const auto t = Target(app);
  EXPECT_TRUE(t.up);
  EXPECT_TRUE(t.upstream->success);
  EXPECT_EQ(t.upstream->kind, UpstreamCase::kNotApplicable);
  EXPECT_EQ(t.probes_total, 4u);  // backend probes are not the target's probes
  const auto api = ApiTarget(app);
  EXPECT_EQ(api["upstream"]["case"], "not_applicable");
  EXPECT_EQ(api["upstream"]["text"], nullptr);
  EXPECT_EQ(api["confirmed"], nullptr);
  EXPECT_NE(Metrics(app).find("gatewatch_upstream_probe_success{target=\"t\"} 1"),
            std::string::npos);

  // A minute later (10 intervals are less) the backend is probed again.
  clock_.Advance(seconds(57));
  ASSERT_TRUE(NextRound(app, clock_));
  EXPECT_TRUE(WaitFor([&] {
    app.Step(milliseconds(10));
    return backend_.Hits("/direct") == 2;
  }));

  // Without the key (reload), nothing is left of it: no stale gauge.
  ASSERT_TRUE(app.ApplyConfig(Parse(Config(nginx_.Url("/api")))).ok);
  EXPECT_EQ(Target(app).upstream, nullptr);
  EXPECT_EQ(Metrics(app).find("gatewatch_upstream_probe_success"), std::string::npos);
}

TEST_F(DiagnosisAgentTest, OneFailureThatConfirmProbesDoNotReproduceIsTransient) {
  backend_.Script("/flaky", {FakeUpstream::Step(502, "bad"), FakeUpstream::Step(200, "ok")});
  nginx_.AddProxy("/flaky", backend_.port());
  ASSERT_TRUE(nginx_.Start());
  app::App app(Parse(Config(nginx_.Url("/flaky"), "confirm = 2\n")), Options(clock_));
  ASSERT_TRUE(NextRound(app, clock_));
  auto t = Target(app);
  EXPECT_FALSE(t.up);
  EXPECT_EQ(t.last->http_status, 502);
  EXPECT_NE(t.diagnosis.find("; transient: 2 confirm probes passed"), std::string::npos)
      << t.diagnosis;
  EXPECT_EQ(t.confirmed, (diagnose::ConfirmFinding{2, 0}));
  EXPECT_EQ(ApiTarget(app)["confirmed"]["transient"], true);
  // The failure itself still counts, once.
  EXPECT_EQ(t.probes_total, 1u);
  EXPECT_EQ(t.windows.at(0).total, 1u);
  EXPECT_EQ(t.windows.at(0).status_502, 1u);
  EXPECT_EQ(backend_.Hits("/flaky"), 3u);

  ASSERT_TRUE(NextRound(app, clock_));
  t = Target(app);
  EXPECT_TRUE(t.up);
  EXPECT_EQ(t.diagnosis, "");
  EXPECT_FALSE(t.confirmed.has_value());
}

TEST_F(DiagnosisAgentTest, ConfirmProbesNeverChangeWhatWindowsCountersAndAlertsSee) {
  backend_.Set("/broken", FakeUpstream::Step(502, "bad gateway"));
  std::vector<alert::AlertEvent> events;
  auto options = Options(clock_);
  options.on_alert_events = [&](const std::vector<alert::AlertEvent>& batch) {
    events.insert(events.end(), batch.begin(), batch.end());
  };
  // Fires once the window holds 4 probes: after 4 rounds, not after the first round's
  // 1 + 3 requests.
  app::App app(Parse(Config(backend_.Url("/broken"), "confirm = 3\n") +
                     "[[alert]]\nname = \"bad\"\nsignal = \"502_ratio\"\nwindow = \"1m\"\n"
                     "above = 0.5\nmin_samples = 4\n"),
               options);
  ASSERT_TRUE(NextRound(app, clock_));
  EXPECT_EQ(Target(app).confirmed, (diagnose::ConfirmFinding{3, 3}));
  EXPECT_NE(Target(app).diagnosis.find("; persistent: reproduced 3 of 3"), std::string::npos);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(NextRound(app, clock_));
  EXPECT_TRUE(events.empty());
  ASSERT_TRUE(NextRound(app, clock_));
  // 4 rounds of 1 probe, and 3 confirm probes after the first (the failure began there;
  // later rounds reproduce it by themselves).
  EXPECT_EQ(backend_.Hits("/broken"), 7u);
  const auto t = Target(app);
  EXPECT_EQ(t.probes_total, 4u);
  EXPECT_EQ(t.consecutive_failures, 4u);
  EXPECT_EQ(t.windows.at(0).total, 4u);
  EXPECT_EQ(t.windows.at(0).status_502, 4u);
  EXPECT_EQ(t.counters->responses_by_code.at(502), 4u);
  EXPECT_FALSE(t.confirmed.has_value());  // none after the first failure
  EXPECT_NE(t.diagnosis.find("; persistent: failed 4 probes in a row"), std::string::npos)
      << t.diagnosis;
  EXPECT_NE(Metrics(app).find("gatewatch_probes_total{target=\"t\"} 4"), std::string::npos);

  clock_.Advance(seconds(1));
  app.Step(milliseconds(0));  // the evaluation after the 4th round
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, alert::EventKind::kFired);
}

TEST_F(DiagnosisAgentTest, ResolveAllNamesTheFailingAddress) {
  const auto localhost = net::FixedAddresses("localhost");
  ASSERT_EQ(localhost, (std::vector<std::string>{"127.0.0.1", "::1"}))
      << "this test needs IPv6 on the loopback interface";
  // The backend listens on 127.0.0.1 only: ::1 refuses.
  const std::string url = "http://localhost:" + std::to_string(backend_.port()) + "/api";
  app::App app(Parse(Config(url, "resolve_all = true\n")), Options(clock_));
  ASSERT_TRUE(NextRound(app, clock_));
  const auto t = Target(app);
  EXPECT_FALSE(t.up);
  EXPECT_EQ(t.diagnosis.rfind("1 of 2 backends failing: ::1 refused; ", 0), 0u) << t.diagnosis;
  EXPECT_NE(t.diagnosis.find("persistent: reproduced 1 of 1"), std::string::npos) << t.diagnosis;
  ASSERT_EQ(t.backends.size(), 2u);
  EXPECT_EQ(t.backends[0].address, "127.0.0.1");
  EXPECT_TRUE(t.backends[0].success);
  EXPECT_EQ(t.backends[0].http_status, 200);
  EXPECT_EQ(t.backends[1].address, "::1");
  EXPECT_EQ(t.backends[1].reason, probe::FailureReason::kRefused);
  EXPECT_EQ(t.last->reason, probe::FailureReason::kRefused);  // the worst address speaks
  EXPECT_EQ(t.probes_total, 1u);                              // one sample per round
  EXPECT_EQ(t.windows.at(0).total, 1u);
  EXPECT_EQ(backend_.Hits("/api"), 1u);  // the confirm probe went to ::1 again
  // Pinned to an address, the request still names the URL's host.
  EXPECT_EQ(backend_.LastRequest("/api").headers.find("host")->second,
            "localhost:" + std::to_string(backend_.port()));

  const auto api = ApiTarget(app);
  ASSERT_EQ(api["backends"].size(), 2u);
  EXPECT_EQ(api["backends"][1]["address"], "::1");
  EXPECT_EQ(api["backends"][1]["reason"], "refused");
}

TEST_F(DiagnosisAgentTest, ABackendProbeStillRunningNeverDelaysOrOverlapsTheNextRound) {
  RawTcpServer hung(RawTcpServer::Behavior::kHang);
  hung.Start();
  nginx_.AddDeadProxy("/api");
  ASSERT_TRUE(nginx_.Start());
  // The backend probe hangs for the whole 1 s timeout; the next round is due before that.
  app::App app(Parse("[agent]\nlisten = \"127.0.0.1:0\"\n\n[[target]]\nname = \"t\"\nurl = \"" +
                     nginx_.Url("/api") + "\"\n" + Upstream(hung.Url("/api")) +
                     "interval = \"1s\"\ntimeout = \"1s\"\nconfirm = 0\n"),
               Options(clock_));
  clock_.Advance(seconds(1));
  ASSERT_TRUE(WaitFor([&] {
    app.Step(milliseconds(10));
    return hung.connections() == 1;  // the gateway's 502 is in, the backend probe started
  }));
  EXPECT_EQ(Target(app).probes_total, 0u);  // the round waits for its backend probe...
  clock_.Advance(milliseconds(1100));
  app.Step(milliseconds(0));  // ...until the next round is due: then it is recorded as is
  const auto t = Target(app);
  EXPECT_EQ(t.probes_total, 1u);
  EXPECT_EQ(t.last->http_status, 502);
  EXPECT_EQ(t.diagnosis.find("backend"), std::string::npos) << t.diagnosis;
  EXPECT_EQ(app.Snapshot()->agent.skipped_probes, 0u);
}

// The deadline of confirm probes, on the round runner itself: each starts only if it can end
// (now + timeout) before the target's next round.
TEST(RoundRunner, StartsAConfirmProbeOnlyIfItEndsBeforeTheNextRound) {
  FakeUpstream backend;
  backend.Set("/x", FakeUpstream::Step(502, "bad").Delay(milliseconds(150)));
  backend.Start();
  ManualClock clock;
  net::CurlMulti multi;
  probe::HttpProber prober(multi, clock, 1);
  app::RoundRunner rounds(prober, clock, [](app::RoundRunner::Key, const probe::ProbeResult&) {});
  config::TargetSpec spec;
  spec.name = "x";
  spec.url = backend.Url("/x");
  spec.interval = seconds(1);
  spec.timeout = milliseconds(500);
  spec.confirm = 5;

  std::optional<probe::ProbeResult> result;
  diagnose::Findings findings;
  rounds.Start(1, spec, clock.Now() + milliseconds(700), /*failing=*/false,
               [&](probe::ProbeResult&& r, diagnose::Findings&& f) {
                 result = std::move(r);
                 findings = std::move(f);
               });
  // The first confirm fits (0 + 500 ms <= 700 ms). Once it is under way, time moves on:
  // 300 + 500 ms would end after the next round, so there is no second one.
  ASSERT_TRUE(WaitFor([&] {
    multi.Poll(milliseconds(10));
    return backend.Hits("/x") == 2;
  }));
  clock.Advance(milliseconds(300));
  ASSERT_TRUE(WaitFor([&] {
    multi.Poll(milliseconds(10));
    return result.has_value();
  }));
  EXPECT_EQ(result->http_status, 502);
  EXPECT_EQ(findings.confirm, (diagnose::ConfirmFinding{1, 1}));
  EXPECT_EQ(backend.Hits("/x"), 2u);
  EXPECT_EQ(rounds.active(), 0u);
}

}  // namespace
}  // namespace gatewatch::testing
