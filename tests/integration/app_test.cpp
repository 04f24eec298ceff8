// The assembled agent (App) against real peers on loopback: a real nginx whose upstream is
// dead (real 502s) or alive, driven step by step on a manual clock.
#include "app/app.h"

#include <httplib.h>

#include <gtest/gtest.h>

#include "config/load.h"
#include "support/fake_upstream.h"
#include "support/manual_clock.h"
#include "support/nginx_fixture.h"
#include "support/promtool.h"
#include "support/raw_tcp_server.h"
#include "support/wait.h"

namespace gatewatch::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

config::Config Parse(const std::string& toml) {
  auto result = config::ParseConfig(toml, "test.toml", [](std::string_view) { return std::nullopt; });
  std::string errors;
  for (const auto& e : result.errors) errors += e.ToString() + "\n";
  EXPECT_TRUE(result.config.has_value()) << errors;
  return result.config ? std::move(*result.config) : config::Config{};
}

std::string Target(const std::string& name, const std::string& url,
                   const std::string& extra = "") {
  return "[[target]]\nname = \"" + name + "\"\nurl = \"" + url +
         "\"\ninterval = \"1s\"\ntimeout = \"200ms\"\n" + extra + "\n";
}

const status::TargetStatus* Find(const status::StatusSnapshot& s, const std::string& name) {
  for (const auto& t : s.targets) {
    if (t->name == name) return t.get();
  }
  return nullptr;
}

// Drives the app one simulated second at a time until every target has `probes` results.
void RunCycles(app::App& app, ManualClock& clock, int cycles) {
  for (int i = 0; i < cycles; ++i) {
    clock.Advance(seconds(1));
    const auto before = app.Snapshot();
    std::uint64_t want = 0;
    for (const auto& t : before->targets) want += t->probes_total;
    // Every target is due once per simulated second; wait (really) for their answers.
    WaitFor(
        [&] {
          app.Step(milliseconds(20));
          app.PublishSnapshot();
          std::uint64_t got = 0;
          const auto now = app.Snapshot();  // held: nothing else keeps a snapshot alive
          for (const auto& t : now->targets) got += t->probes_total;
          return got >= want + before->targets.size();
        },
        seconds(3));
  }
}

class AppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_.Set("/live/health", FakeUpstream::Step(200, R"({"status":"UP"})"));
    backend_.Start();
    // The fixture's locations are exact paths; nginx passes the whole URI upstream.
    for (const char* path : {"/live/health", "/live/flaky", "/live/hang", "/live/outage"}) {
      nginx_.AddProxy(path, backend_.port());
    }
    nginx_.AddDeadProxy("/dead/health");
    nginx_.AddDeadProxy("/dead/x");
    ASSERT_TRUE(nginx_.Start());
  }
  app::AppOptions Options() {
    app::AppOptions o;
    o.clock = &clock_;
    o.seed = 42;
    o.status_interval = seconds(3600);  // saturation is judged by PublishSnapshot()
    return o;
  }
  std::string Config(const std::string& targets) {
    return "[agent]\nlisten = \"127.0.0.1:0\"\nwindows = [\"1m\", \"5m\"]\n\n" + targets;
  }
  FakeUpstream backend_;
  NginxFixture nginx_;
  ManualClock clock_;
};

TEST_F(AppTest, RealNginx502sShowInWindowsMetricsAndApi) {
  app::App app(Parse(Config(Target("via-live", nginx_.Url("/live/health")) +
                            Target("via-dead", nginx_.Url("/dead/health")))),
               Options());
  EXPECT_FALSE(app.Snapshot()->agent.ready);
  RunCycles(app, clock_, 10);

  const auto snap = app.Snapshot();
  EXPECT_TRUE(snap->agent.ready);
  const auto* live = Find(*snap, "via-live");
  const auto* dead = Find(*snap, "via-dead");
  ASSERT_NE(live, nullptr);
  ASSERT_NE(dead, nullptr);
  EXPECT_GE(live->probes_total, 10u);
  EXPECT_GE(dead->probes_total, 10u);
  EXPECT_TRUE(live->up);
  EXPECT_FALSE(dead->up);
  ASSERT_TRUE(dead->last != nullptr);
  EXPECT_EQ(dead->last->http_status, 502);
  EXPECT_EQ(dead->last->reason, probe::FailureReason::kStatus);
  EXPECT_EQ(dead->consecutive_failures, dead->probes_total);
  ASSERT_EQ(dead->windows.size(), 2u);
  EXPECT_EQ(dead->windows[0].total, dead->windows[0].status_502);
  EXPECT_EQ(dead->windows[0].total, dead->windows[0].failed);
  EXPECT_GE(dead->windows[0].total, 10u);
  EXPECT_EQ(live->windows[0].status_502, 0u);
  EXPECT_EQ(live->windows[0].failed, 0u);
  EXPECT_TRUE(live->windows[0].p99.has_value());
  EXPECT_EQ(dead->counters->failures(probe::FailureReason::kStatus),
            dead->probes_total);

  // The same numbers over HTTP, and the exposition is promtool-clean.
  httplib::Client client("127.0.0.1", app.http_port());
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find(
                "gatewatch_window_ratio{target=\"via-dead\",window=\"1m\",signal=\"502\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics->body.find(
                "gatewatch_window_ratio{target=\"via-live\",window=\"1m\",signal=\"502\"} 0"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("gatewatch_probe_http_status_code{target=\"via-dead\"} 502"),
            std::string::npos);
  EXPECT_NE(metrics->body.find(
                "gatewatch_probe_failures_total{target=\"via-dead\",reason=\"status\"} " +
                std::to_string(dead->probes_total)),
            std::string::npos);
  const auto lint = CheckMetrics(metrics->body);
  EXPECT_EQ(lint.exit_code, 0) << lint.output;
  EXPECT_EQ(lint.output, "");

  auto api = client.Get("/api/v1/targets?target=via-dead");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 200);
  EXPECT_NE(api->body.find("\"status\":502"), std::string::npos) << api->body;
  EXPECT_NE(api->body.find("\"reason\":\"status\""), std::string::npos);
  EXPECT_EQ(client.Get("/readyz")->status, 200);
  EXPECT_EQ(client.Get("/healthz")->status, 200);
}

TEST_F(AppTest, BackendDeathAndReturnMoveTheWindowRatio) {
  backend_.Script("/live/flaky", {FakeUpstream::Step(200, "ok"), FakeUpstream::Step(200, "ok"),
                             FakeUpstream::Step(200, "ok"), FakeUpstream::Step(502, "bad"),
                             FakeUpstream::Step(502, "bad")},
                  /*cycle=*/true);
  // No confirm probes: each probe takes exactly one step of the script.
  app::App app(Parse(Config(Target("flaky", nginx_.Url("/live/flaky"), "confirm = 0"))),
               Options());
  RunCycles(app, clock_, 20);
  const auto snap = app.Snapshot();
  const auto* t = Find(*snap, "flaky");
  ASSERT_NE(t, nullptr);
  const auto& w = t->windows[0];
  ASSERT_GE(w.total, 20u);
  // Exactly 2 of every 5 answers are 502s.
  EXPECT_EQ(w.status_502 * 5, w.total * 2) << w.status_502 << " of " << w.total;
  EXPECT_EQ(w.failed, w.status_502);
}

TEST_F(AppTest, ReloadKeepsWindowsOfUnchangedAndEditedTargetsButNotMovedOnes) {
  const auto live = nginx_.Url("/live/health");
  const auto dead = nginx_.Url("/dead/x");
  app::App app(Parse(Config(Target("a", live) + Target("b", dead) + Target("c", dead))),
               Options());
  RunCycles(app, clock_, 4);
  const auto before = app.Snapshot();
  const auto probes_a = Find(*before, "a")->probes_total;
  const auto probes_b = Find(*before, "b")->probes_total;
  ASSERT_GE(probes_a, 4u);

  // a unchanged, b edited (timeout), c's URL changed (a new thing to watch: removed and
  // added), d new.
  const auto outcome = app.ApplyConfig(Parse(Config(
      Target("a", live) +
      "[[target]]\nname = \"b\"\nurl = \"" + dead + "\"\ninterval = \"1s\"\ntimeout = \"150ms\"\n" +
      Target("c", live) + Target("d", live))));
  EXPECT_TRUE(outcome.ok);
  EXPECT_NE(outcome.message.find("2 added, 1 removed, 1 changed, 1 unchanged"), std::string::npos)
      << outcome.message;
  app.PublishSnapshot();
  const auto after = app.Snapshot();
  ASSERT_EQ(after->targets.size(), 4u);
  EXPECT_EQ(Find(*after, "a")->probes_total, probes_a);
  EXPECT_EQ(Find(*after, "b")->probes_total, probes_b);
  EXPECT_EQ(Find(*after, "b")->timeout, milliseconds(150));
  EXPECT_EQ(Find(*after, "c")->probes_total, 0u);
  EXPECT_EQ(Find(*after, "d")->probes_total, 0u);
  EXPECT_EQ(after->targets[0]->name, "a");
  EXPECT_EQ(after->targets[3]->name, "d");
}

TEST_F(AppTest, RejectedReloadKeepsRunningAndSaysSo) {
  app::App app(Parse(Config(Target("a", nginx_.Url("/live/health")))), Options());
  const auto outcome = app.RejectConfig(
      {config::ConfigError{"test.toml", 3, 7, "targets.a.interval", "must be a duration"}});
  EXPECT_FALSE(outcome.ok);
  EXPECT_NE(outcome.message.find("test.toml:3:7: targets.a.interval: must be a duration"),
            std::string::npos);
  app.PublishSnapshot();
  EXPECT_FALSE(app.Snapshot()->agent.last_reload_success);
  EXPECT_EQ(app.Snapshot()->targets.size(), 1u);
  httplib::Client client("127.0.0.1", app.http_port());
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("gatewatch_config_last_reload_success 0"), std::string::npos);
}

TEST_F(AppTest, HungTargetNeverDelaysOthersAndIsNeverOverlapped) {
  // The backend answers /hang after 3 s, far beyond the 200 ms timeout.
  backend_.Set("/live/hang", FakeUpstream::Step(200, "late").Delay(seconds(3)));
  app::App app(Parse(Config(Target("hung", nginx_.Url("/live/hang")) +
                            Target("fine", nginx_.Url("/live/health")))),
               Options());
  RunCycles(app, clock_, 6);
  const auto snap = app.Snapshot();
  const auto* hung = Find(*snap, "hung");
  const auto* fine = Find(*snap, "fine");
  EXPECT_GE(fine->probes_total, 6u);
  EXPECT_TRUE(fine->up) << fine->last->body_excerpt << " hits=" << backend_.TotalHits();
  EXPECT_GE(hung->probes_total, 1u);
  EXPECT_EQ(hung->last->reason, probe::FailureReason::kTimeout);
}

TEST_F(AppTest, A502RuleFiresOnceThroughARealNginxAndResolvesOnce) {
  // Five real 502s from nginx's upstream, then the backend is healthy for good.
  std::vector<FakeUpstream::Step> steps(5, FakeUpstream::Step(502, "upstream down"));
  steps.emplace_back(200, "ok");
  backend_.Script("/live/outage", steps);
  std::vector<alert::AlertEvent> events;
  auto options = Options();
  options.on_alert_events = [&](const std::vector<alert::AlertEvent>& batch) {
    for (const auto& e : batch) events.push_back(e);
  };
  app::App app(Parse(Config(Target("checkout", nginx_.Url("/live/outage"), "confirm = 0")) +
                     "[[alert]]\nname = \"gateway-502\"\nsignal = \"502_ratio\"\n"
                     "window = \"1m\"\nabove = 0.5\nclear_below = 0.2\nmin_samples = 3\n"
                     "severity = \"critical\"\n"),
               options);
  RunCycles(app, clock_, 6);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, alert::EventKind::kFired);
  EXPECT_EQ(events[0].rule, "gateway-502");
  EXPECT_EQ(events[0].target, "checkout");
  EXPECT_EQ(events[0].severity, "critical");
  EXPECT_NE(events[0].diagnosis.find("502"), std::string::npos) << events[0].diagnosis;

  httplib::Client client("127.0.0.1", app.http_port());
  auto alerts = client.Get("/api/v1/alerts");
  ASSERT_TRUE(alerts);
  EXPECT_EQ(alerts->status, 200);
  EXPECT_NE(alerts->body.find("\"state\":\"firing\""), std::string::npos) << alerts->body;
  EXPECT_NE(client.Get("/metrics")->body.find(
                "gatewatch_alert_state{alert=\"gateway-502\",target=\"checkout\"} 2"),
            std::string::npos);

  // Healthy answers dilute the 502s below clear_below (5 of 26+): one resolve, no repeats.
  RunCycles(app, clock_, 25);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, alert::EventKind::kResolved);
  EXPECT_EQ(events[1].fingerprint, events[0].fingerprint);
  RunCycles(app, clock_, 5);
  EXPECT_EQ(events.size(), 2u);
  EXPECT_NE(client.Get("/metrics")->body.find(
                "gatewatch_alert_state{alert=\"gateway-502\",target=\"checkout\"} 0"),
            std::string::npos);
}

TEST_F(AppTest, FailingTargetIsProbedAtUnhealthyIntervalUntilItRecovers) {
  // 502 for the first three answers, then healthy.
  std::vector<FakeUpstream::Step> steps(3, FakeUpstream::Step(502, "bad"));
  steps.emplace_back(200, "ok");
  backend_.Script("/live/outage", steps);
  app::App app(Parse(Config("[[target]]\nname = \"t\"\nurl = \"" + nginx_.Url("/live/outage") +
                            "\"\ninterval = \"4s\"\ntimeout = \"200ms\"\n"
                            "unhealthy_interval = \"500ms\"\nconfirm = 0\n")),
               Options());
  const auto probes = [&] {
    app.PublishSnapshot();
    return app.Snapshot()->targets[0]->probes_total;
  };
  // Let the first (spread) probe happen: at most one interval.
  for (int i = 0; i < 40 && probes() == 0; ++i) {
    clock_.Advance(std::chrono::milliseconds(100));
    WaitFor([&] { app.Step(milliseconds(20)); return probes() > 0; }, milliseconds(300));
  }
  ASSERT_EQ(probes(), 1u);
  // While failing: one probe per 500 ms, so three in the next 1.5 s (the third one passes).
  for (int i = 0; i < 15; ++i) {
    clock_.Advance(std::chrono::milliseconds(100));
    const auto before = probes();
    WaitFor([&] { app.Step(milliseconds(20)); return probes() > before; }, milliseconds(100));
  }
  EXPECT_EQ(probes(), 4u);
  EXPECT_TRUE(app.Snapshot()->targets[0]->up);
  // Healthy again: the run already booked 500 ms out still happens (the scheduler never
  // pushes a booked run later), then every 4 s: exactly one more in the next 3 s.
  for (int i = 0; i < 30; ++i) {
    clock_.Advance(std::chrono::milliseconds(100));
    const auto before = probes();
    WaitFor([&] { app.Step(milliseconds(5)); return probes() > before; }, milliseconds(30));
  }
  EXPECT_EQ(probes(), 5u);
}

TEST_F(AppTest, SaturationSendsTheAgentsOwnAlertAndItsResolve) {
  std::vector<alert::AlertEvent> events;
  auto options = Options();
  options.start_dispatcher = false;  // the receiver is not the point here
  options.on_alert_events = [&](const std::vector<alert::AlertEvent>& batch) {
    for (const auto& e : batch) events.push_back(e);
  };
  app::App app(Parse("[agent]\nlisten = \"127.0.0.1:0\"\nsaturation_notify = [\"ops\"]\n\n" +
                     Target("a", nginx_.Url("/live/health")) +
                     "[[notifier]]\nname = \"ops\"\ntype = \"webhook\"\n"
                     "url = \"http://127.0.0.1:1/hook\"\n"),
               options);
  RunCycles(app, clock_, 2);
  EXPECT_TRUE(events.empty());
  // The loop was away for 5 s: the due probe starts about 4 s late.
  clock_.Advance(std::chrono::seconds(5));
  app.Step(milliseconds(20));
  app.PublishSnapshot();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].rule, "gatewatch-saturated");
  EXPECT_EQ(events[0].status, alert::AlertStatus::kFiring);
  EXPECT_EQ(events[0].notify, std::vector<std::string>{"ops"});
  EXPECT_TRUE(app.Snapshot()->agent.saturated);
  // On time again: one resolve with the same fingerprint.
  RunCycles(app, clock_, 2);
  app.PublishSnapshot();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].status, alert::AlertStatus::kResolved);
  EXPECT_EQ(events[1].fingerprint, events[0].fingerprint);
  EXPECT_FALSE(app.Snapshot()->agent.saturated);
}

TEST_F(AppTest, ABacklogStartsOneBatchPerStepAndHungProbesNeverHoldItBack) {
  // 100 targets on a server that accepts and never answers: no probe ends during the test.
  RawTcpServer hang(RawTcpServer::Behavior::kHang);
  hang.Start();
  std::string targets;
  for (int i = 0; i < 100; ++i) {
    targets += "[[target]]\nname = \"h" + std::to_string(i) + "\"\nurl = \"" +
               hang.Url("/" + std::to_string(i)) +
               "\"\ninterval = \"10s\"\ntimeout = \"10s\"\n\n";
  }
  app::App app(Parse(Config(targets)), Options());
  const auto in_flight = [&] {
    app.PublishSnapshot();
    return app.Snapshot()->agent.probes_in_flight;
  };
  // The loop was away for a whole interval: all 100 are due at once.
  clock_.Advance(seconds(10));
  app.Step(milliseconds(0));
  EXPECT_EQ(in_flight(), app::App::kMaxStartsPerStep);
  app.Step(milliseconds(0));
  EXPECT_EQ(in_flight(), 2 * app::App::kMaxStartsPerStep);
  // The cap is on starts, not on probes in flight: the hung ones never hold back the rest.
  for (int i = 0; i < 2; ++i) app.Step(milliseconds(0));
  EXPECT_EQ(in_flight(), 100u);
}

TEST_F(AppTest, PortInUseFailsConstructionWithAClearError) {
  httplib::Server blocker;
  const int port = blocker.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  auto cfg = Parse("[agent]\nlisten = \"127.0.0.1:" + std::to_string(port) + "\"\n" +
                   Target("a", nginx_.Url("/live/health")));
  try {
    app::App app(std::move(cfg), Options());
    FAIL() << "expected the bind to fail";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("Address already in use"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace gatewatch::testing
