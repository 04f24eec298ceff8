#include "alert/alert_engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "config/load.h"

// The engine over many pairs: pairing rules with targets, reading the right window,
// events with the caller's diagnosis, reloads, and restoring saved state. Time is explicit.
namespace gatewatch::alert {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using TimePoint = core::Clock::TimePoint;
using WallTimePoint = core::Clock::WallTimePoint;

const TimePoint kT0 = TimePoint{} + 1000h;
const WallTimePoint kWall0 = WallTimePoint{} + std::chrono::seconds(1'790'000'000);

config::Config Load(std::string_view toml) {
  config::LoadResult result = config::ParseConfig(
      toml, "test.toml", [](std::string_view) { return std::optional<std::string>(); });
  for (const config::ConfigError& e : result.errors) ADD_FAILURE() << e.ToString();
  return result.config.value_or(config::Config{});
}

constexpr std::string_view kTargets = R"(
[agent]
windows = ["1m", "5m", "1h"]
labels = { region = "eu-west-1" }
[[target]]
name = "checkout"
url = "http://127.0.0.1:1/"
[[target]]
name = "edge-eu"
url = "http://127.0.0.1:2/"
[[target]]
name = "edge-us"
url = "http://127.0.0.1:3/"
[[target]]
name = "search"
url = "http://127.0.0.1:4/"
)";

config::Config WithAlerts(std::string_view alerts) {
  return Load(std::string(kTargets) + std::string(alerts));
}

constexpr std::string_view kGateway502 = R"(
[[alert]]
name = "gateway-502"
targets = ["checkout", "edge-*"]
signal = "502_ratio"
above = 0.05
clear_below = 0.02
min_samples = 10
repeat = "1h"
severity = "critical"
)";

window::WindowStats Stats(std::uint64_t total, std::uint64_t failed_502) {
  window::WindowStats w;
  w.total = total;
  w.failed = failed_502;
  w.status_5xx = failed_502;
  w.status_502 = failed_502;
  for (std::uint64_t i = 0; i < total; ++i) w.latency.Record(20ms);
  return w;
}

// Per-target window stats the way the probe loop would hand them over.
class FakeTargets {
 public:
  explicit FakeTargets(std::vector<core::Millis> spans) : spans_(std::move(spans)) {}

  // Sets every span of `target` to `stats` (tests that care set one span after).
  void SetAll(const std::string& target, const window::WindowStats& stats) {
    entries_[target].stats.assign(spans_.size(), stats);
  }
  void Set(const std::string& target, core::Millis span, const window::WindowStats& stats) {
    Entry& e = entries_[target];
    e.stats.resize(spans_.size());
    for (std::size_t i = 0; i < spans_.size(); ++i) {
      if (spans_[i] == span) e.stats[i] = stats;
    }
  }
  void SetFailures(const std::string& target, std::uint64_t consecutive, std::string diagnosis = "",
                   std::string trace_id = "") {
    Entry& e = entries_[target];
    e.stats.resize(spans_.size());
    e.consecutive = consecutive;
    e.diagnosis = std::move(diagnosis);
    e.trace_id = std::move(trace_id);
  }
  void Remove(const std::string& target) { entries_.erase(target); }

  TargetLookup Lookup() {
    return [this](std::string_view target) -> const TargetView* {
      ++lookups_;
      const auto it = entries_.find(std::string(target));
      if (it == entries_.end()) return nullptr;
      Entry& e = it->second;
      e.view = TargetView{spans_, e.stats, e.consecutive, e.diagnosis, e.trace_id};
      return &e.view;
    };
  }
  int lookups() const { return lookups_; }

 private:
  struct Entry {
    std::vector<window::WindowStats> stats;
    std::uint64_t consecutive = 0;
    std::string diagnosis, trace_id;
    TargetView view;
  };
  std::vector<core::Millis> spans_;
  std::map<std::string, Entry> entries_;
  int lookups_ = 0;
};

std::vector<std::string> Describe(const std::vector<AlertEvent>& events) {
  std::vector<std::string> out;
  for (const AlertEvent& e : events) {
    out.push_back(std::string(EventKindName(e.kind)) + " " + e.rule + "/" + e.target);
  }
  return out;
}

std::vector<std::string> States(const AlertEngine& engine) {
  std::vector<std::string> out;
  for (const InstanceSnapshot& s : engine.Snapshot()) {
    out.push_back(s.rule + "/" + s.target + "=" + std::string(StateName(s.state)));
  }
  return out;
}

TEST(AlertEngine, PairsEachRuleWithTheTargetsItMatches) {
  const config::Config config = WithAlerts(std::string(kGateway502) + R"(
[[alert]]
name = "down"
signal = "consecutive_failures"
above = 2
)");
  AlertEngine engine;
  EXPECT_TRUE(engine.Reconcile(config, kT0, kWall0).empty());
  EXPECT_EQ(engine.size(), 7u);
  EXPECT_THAT(States(engine), ElementsAre("gateway-502/checkout=inactive", "down/checkout=inactive",
                                          "gateway-502/edge-eu=inactive", "down/edge-eu=inactive",
                                          "gateway-502/edge-us=inactive", "down/edge-us=inactive",
                                          "down/search=inactive"));
  const InstanceSnapshot first = engine.Snapshot().front();
  EXPECT_EQ(first.since, kWall0);
  EXPECT_EQ(first.severity, "critical");
  EXPECT_DOUBLE_EQ(first.threshold, 0.05);
  EXPECT_EQ(first.value, std::nullopt);
  EXPECT_FALSE(first.fired_at.has_value());
}

TEST(AlertEngine, OnlyTheTargetsThisReplicaProbes) {
  const config::Config config = WithAlerts(kGateway502);
  AlertEngine engine;
  const std::vector<std::string> shard = {"edge-us", "search"};
  engine.Reconcile(config, shard, kT0, kWall0);
  EXPECT_THAT(States(engine), ElementsAre("gateway-502/edge-us=inactive"));
}

TEST(AlertEngine, FiresWithTheCallersDiagnosisThenResolves) {
  const config::Config config = WithAlerts(kGateway502);
  AlertEngine engine;
  engine.Reconcile(config, kT0, kWall0);
  FakeTargets targets(config::RequiredWindows(config));
  targets.SetAll("checkout", Stats(20, 10));
  targets.SetFailures("checkout", 3, "status: 502 from nginx", "4bf92f3577b34da6a3ce929d0e0e4736");
  targets.SetAll("edge-eu", Stats(20, 0));

  std::vector<AlertEvent> events = engine.Evaluate(kT0 + 1min, kWall0 + 1min, targets.Lookup(),
                                                   /*agent_saturated=*/false);
  ASSERT_THAT(Describe(events), ElementsAre("fired gateway-502/checkout"));
  const AlertEvent& fired = events[0];
  EXPECT_EQ(fired.summary, "502 ratio 0.5 above 0.05 over 5m on checkout");
  EXPECT_EQ(fired.diagnosis, "status: 502 from nginx");
  EXPECT_EQ(fired.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(fired.labels.at("region"), "eu-west-1");
  EXPECT_EQ(fired.started_at, kWall0 + 1min);
  EXPECT_EQ(fired.sequence, 1u);
  EXPECT_THAT(States(engine),
              ElementsAre("gateway-502/checkout=firing", "gateway-502/edge-eu=inactive",
                          "gateway-502/edge-us=inactive"));
  const InstanceSnapshot snap = engine.Snapshot().front();
  EXPECT_EQ(snap.value, 0.5);
  EXPECT_EQ(snap.fired_at, kWall0 + 1min);
  EXPECT_EQ(snap.since, kWall0 + 1min);

  // Still firing: no second notification.
  EXPECT_TRUE(engine.Evaluate(kT0 + 2min, kWall0 + 2min, targets.Lookup(), false).empty());

  targets.SetAll("checkout", Stats(20, 0));
  events = engine.Evaluate(kT0 + 3min, kWall0 + 3min, targets.Lookup(), false);
  ASSERT_THAT(Describe(events), ElementsAre("resolved gateway-502/checkout"));
  EXPECT_EQ(events[0].ended_at, kWall0 + 3min);
  EXPECT_EQ(events[0].started_at, kWall0 + 1min);
  EXPECT_EQ(events[0].sequence, 2u);
}

TEST(AlertEngine, ReadsTheWindowItsRuleNames) {
  const config::Config config = WithAlerts(R"(
[[alert]]
name = "fast"
targets = ["checkout"]
signal = "502_ratio"
window = "1m"
above = 0.5
)");
  AlertEngine engine;
  engine.Reconcile(config, kT0, kWall0);
  FakeTargets targets(config::RequiredWindows(config));
  targets.SetAll("checkout", Stats(10, 10));    // 5m and 1h: all 502
  targets.Set("checkout", 1min, Stats(10, 1));  // the 1m window: 10%
  EXPECT_TRUE(engine.Evaluate(kT0, kWall0, targets.Lookup(), false).empty());
  targets.Set("checkout", 1min, Stats(10, 6));
  EXPECT_THAT(Describe(engine.Evaluate(kT0 + 1s, kWall0 + 1s, targets.Lookup(), false)),
              ElementsAre("fired fast/checkout"));
}

TEST(AlertEngine, MissingSpanOrTargetIsNotJudgeable) {
  const config::Config config = WithAlerts(kGateway502);
  AlertEngine engine;
  engine.Reconcile(config, kT0, kWall0);
  FakeTargets wrong_spans({1min, 1h});  // no 5m window kept: a wiring mistake
  wrong_spans.SetAll("checkout", Stats(20, 20));
  EXPECT_TRUE(engine.Evaluate(kT0, kWall0, wrong_spans.Lookup(), false).empty());
  EXPECT_EQ(engine.Snapshot().front().value, std::nullopt);

  FakeTargets targets(config::RequiredWindows(config));
  targets.SetAll("checkout", Stats(20, 20));
  ASSERT_EQ(engine.Evaluate(kT0 + 1s, kWall0 + 1s, targets.Lookup(), false).size(), 1u);
  // The target stops reporting (e.g. no longer probed): it does not resolve by silence.
  targets.Remove("checkout");
  EXPECT_TRUE(engine.Evaluate(kT0 + 2s, kWall0 + 2s, targets.Lookup(), false).empty());
  EXPECT_EQ(engine.Snapshot().front().state, State::kFiring);
}

TEST(AlertEngine, MinSamplesHoldsThroughTheEngine) {
  const config::Config config = WithAlerts(kGateway502);  // min_samples = 10
  AlertEngine engine;
  engine.Reconcile(config, kT0, kWall0);
  FakeTargets targets(config::RequiredWindows(config));
  targets.SetAll("checkout", Stats(9, 9));
  EXPECT_TRUE(engine.Evaluate(kT0, kWall0, targets.Lookup(), false).empty());
  targets.SetAll("checkout", Stats(10, 9));
  EXPECT_EQ(engine.Evaluate(kT0 + 1s, kWall0 + 1s, targets.Lookup(), false).size(), 1u);
}

TEST(AlertEngine, LooksUpEachTargetOncePerEvaluation) {
  const config::Config config = WithAlerts(std::string(kGateway502) + R"(
[[alert]]
name = "any"
signal = "failure_ratio"
above = 0.5
[[alert]]
name = "slow"
signal = "latency_p99"
above = 1
)");
  AlertEngine engine;
  engine.Reconcile(config, kT0, kWall0);
  ASSERT_EQ(engine.size(), 3u + 4u + 4u);
  FakeTargets targets(config::RequiredWindows(config));
  engine.Evaluate(kT0, kWall0, targets.Lookup(), false);
  EXPECT_EQ(targets.lookups(), 4);
}

TEST(AlertEngine, ConsecutiveFailures) {
  const config::Config config = WithAlerts(R"(
[[alert]]
name = "down"
targets = ["search"]
signal = "consecutive_failures"
above = 2
)");
  AlertEngine engine;
  engine.Reconcile(config, kT0, kWall0);
  FakeTargets targets(config::RequiredWindows(config));
  targets.SetFailures("search", 2, "refused");
  EXPECT_TRUE(engine.Evaluate(kT0, kWall0, targets.Lookup(), false).empty());
  targets.SetFailures("search", 3, "refused");
  const std::vector<AlertEvent> events =
      engine.Evaluate(kT0 + 1s, kWall0 + 1s, targets.Lookup(), false);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].summary, "consecutive failures 3 above 2 on search");
  EXPECT_EQ(events[0].window, "");
  targets.SetFailures("search", 0);
  EXPECT_THAT(Describe(engine.Evaluate(kT0 + 2s, kWall0 + 2s, targets.Lookup(), false)),
              ElementsAre("resolved down/search"));
}

TEST(AlertEngine, BurnRateNeedsBothWindows) {
  const config::Config config = WithAlerts(R"(
[[alert]]
name = "budget"
targets = ["checkout"]
signal = "burn_rate"
slo = 0.999
long_window = "1h"
short_window = "5m"
factor = 14.4
)");
  AlertEngine engine;
  engine.Reconcile(config, kT0, kWall0);
  FakeTargets targets(config::RequiredWindows(config));
  targets.Set("checkout", 1h, Stats(1000, 20));  // 20x
  targets.Set("checkout", 5min, Stats(100, 0));  // 0x: the burst is over
  EXPECT_TRUE(engine.Evaluate(kT0, kWall0, targets.Lookup(), false).empty());
  targets.Set("checkout", 1h, Stats(1000, 10));  // 10x
  targets.Set("checkout", 5min, Stats(100, 5));  // 50x: a burst that just began
  EXPECT_TRUE(engine.Evaluate(kT0 + 1s, kWall0 + 1s, targets.Lookup(), false).empty());
  targets.Set("checkout", 1h, Stats(1000, 20));  // 20x
  std::vector<AlertEvent> events = engine.Evaluate(kT0 + 2s, kWall0 + 2s, targets.Lookup(), false);
  ASSERT_THAT(Describe(events), ElementsAre("fired budget/checkout"));
  EXPECT_EQ(events[0].value_text, "20");  // min(20x, 50x)
  EXPECT_EQ(events[0].window, "1h/5m");
  // The short window recovers: resolved although the long one still burns.
  targets.Set("checkout", 5min, Stats(100, 0));
  events = engine.Evaluate(kT0 + 3s, kWall0 + 3s, targets.Lookup(), false);
  EXPECT_THAT(Describe(events), ElementsAre("resolved budget/checkout"));
}

TEST(AlertEngine, SaturatedAgentHoldsNewAlertsAndSaysHowMany) {
  const config::Config config = WithAlerts(kGateway502);
  AlertEngine engine;
  engine.Reconcile(config, kT0, kWall0);
  FakeTargets targets(config::RequiredWindows(config));
  targets.SetAll("checkout", Stats(20, 20));
  targets.SetAll("edge-eu", Stats(20, 20));
  EXPECT_TRUE(engine.Evaluate(kT0, kWall0, targets.Lookup(), /*agent_saturated=*/true).empty());
  EXPECT_EQ(engine.held(), 2u);
  EXPECT_TRUE(engine.Snapshot().front().held);
  EXPECT_EQ(engine.Evaluate(kT0 + 1s, kWall0 + 1s, targets.Lookup(), false).size(), 2u);
  EXPECT_EQ(engine.held(), 0u);
  // Resolving is never held.
  targets.SetAll("checkout", Stats(20, 0));
  EXPECT_THAT(Describe(engine.Evaluate(kT0 + 2s, kWall0 + 2s, targets.Lookup(), true)),
              ElementsAre("resolved gateway-502/checkout"));
}

TEST(AlertEngine, ReminderFollowsRepeat) {
  const config::Config config = WithAlerts(kGateway502);  // repeat = 1h
  AlertEngine engine;
  engine.Reconcile(config, kT0, kWall0);
  FakeTargets targets(config::RequiredWindows(config));
  targets.SetAll("checkout", Stats(20, 20));
  ASSERT_EQ(engine.Evaluate(kT0, kWall0, targets.Lookup(), false).size(), 1u);
  EXPECT_TRUE(engine.Evaluate(kT0 + 59min, kWall0 + 59min, targets.Lookup(), false).empty());
  const std::vector<AlertEvent> events =
      engine.Evaluate(kT0 + 1h, kWall0 + 1h, targets.Lookup(), false);
  ASSERT_THAT(Describe(events), ElementsAre("reminder gateway-502/checkout"));
  EXPECT_EQ(events[0].started_at, kWall0);
  EXPECT_EQ(events[0].sequence, 2u);
}

TEST(AlertEngine, ReconcileKeepsUnchangedPairsAndResolvesRemovedOnes) {
  const config::Config before = WithAlerts(std::string(kGateway502) + R"(
[[alert]]
name = "pending-one"
targets = ["search"]
signal = "failure_ratio"
above = 0.1
for = "10m"
)");
  AlertEngine engine;
  engine.Reconcile(before, kT0, kWall0);
  FakeTargets targets(config::RequiredWindows(before));
  for (const char* t : {"checkout", "edge-eu", "search"}) targets.SetAll(t, Stats(20, 20));
  EXPECT_EQ(engine.Evaluate(kT0, kWall0, targets.Lookup(), false).size(), 2u);
  ASSERT_THAT(States(engine),
              ElementsAre("gateway-502/checkout=firing", "gateway-502/edge-eu=firing",
                          "gateway-502/edge-us=inactive", "pending-one/search=pending"));

  // Reload: edge-* leaves gateway-502 (threshold changed too), pending-one is deleted,
  // a new rule appears.
  const config::Config after = WithAlerts(R"(
[[alert]]
name = "gateway-502"
targets = ["checkout"]
signal = "502_ratio"
above = 0.1
severity = "critical"
[[alert]]
name = "new-rule"
targets = ["search"]
signal = "5xx_ratio"
above = 0.5
)");
  const std::vector<AlertEvent> events = engine.Reconcile(after, kT0 + 1min, kWall0 + 1min);
  ASSERT_THAT(Describe(events), ElementsAre("resolved gateway-502/edge-eu"));
  EXPECT_EQ(events[0].summary,
            "502 ratio on edge-eu is no longer evaluated (removed from the config)");
  EXPECT_EQ(events[0].sequence, 2u);
  EXPECT_THAT(States(engine),
              ElementsAre("gateway-502/checkout=firing", "new-rule/search=inactive"));
  EXPECT_EQ(engine.Snapshot().front().fired_at, kWall0);  // the same firing, not a new one
  EXPECT_DOUBLE_EQ(engine.Snapshot().front().threshold, 0.1);

  // The kept pair does not fire again (it is judged by the new rule); the new one fires.
  EXPECT_THAT(Describe(engine.Evaluate(kT0 + 2min, kWall0 + 2min, targets.Lookup(), false)),
              ElementsAre("fired new-rule/search"));
}

TEST(AlertEngine, ReconcileTreatsAChangedSignalAsANewPair) {
  AlertEngine engine;
  const config::Config before = WithAlerts(R"(
[[alert]]
name = "x"
targets = ["checkout"]
signal = "502_ratio"
above = 0.05
)");
  engine.Reconcile(before, kT0, kWall0);
  FakeTargets targets(config::RequiredWindows(before));
  targets.SetAll("checkout", Stats(20, 20));
  ASSERT_EQ(engine.Evaluate(kT0, kWall0, targets.Lookup(), false).size(), 1u);
  const config::Config after = WithAlerts(R"(
[[alert]]
name = "x"
targets = ["checkout"]
signal = "latency_p99"
above = 1
)");
  EXPECT_THAT(Describe(engine.Reconcile(after, kT0 + 1s, kWall0 + 1s)),
              ElementsAre("resolved x/checkout"));
  EXPECT_THAT(States(engine), ElementsAre("x/checkout=inactive"));
}

TEST(AlertEngine, ExportAndRestoreDoNotFireAgain) {
  const config::Config config = WithAlerts(kGateway502);
  AlertEngine engine;
  engine.Reconcile(config, kT0, kWall0);
  FakeTargets targets(config::RequiredWindows(config));
  targets.SetAll("checkout", Stats(20, 20));
  ASSERT_EQ(engine.Evaluate(kT0, kWall0, targets.Lookup(), false).size(), 1u);
  ASSERT_EQ(engine.Evaluate(kT0 + 1h, kWall0 + 1h, targets.Lookup(), false).size(), 1u);

  const std::vector<SavedAlert> saved = engine.Export();
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved[0].rule, "gateway-502");
  EXPECT_EQ(saved[0].target, "checkout");
  EXPECT_EQ(saved[0].state, State::kFiring);
  EXPECT_EQ(saved[0].fired_at_wall, kWall0);
  EXPECT_EQ(saved[0].since_wall, kWall0);
  EXPECT_EQ(saved[0].last_notified_wall, kWall0 + 1h);
  EXPECT_EQ(saved[0].sequence, 2u);

  // A restart 10 minutes later: steady time starts somewhere else entirely.
  const TimePoint t1 = TimePoint{} + 5min;
  const WallTimePoint w1 = kWall0 + 1h + 10min;
  AlertEngine restarted;
  restarted.Reconcile(config, t1, w1);
  const RestoreResult result = restarted.Restore(saved, t1, w1);
  EXPECT_EQ(result.restored, 1u);
  EXPECT_EQ(result.dropped, 0u);
  EXPECT_TRUE(result.events.empty());
  EXPECT_EQ(restarted.Snapshot().front().state, State::kFiring);
  EXPECT_EQ(restarted.Snapshot().front().fired_at, kWall0);

  // Still above: no announcement. The next reminder is 1h after the last one (wall 2h).
  EXPECT_TRUE(restarted.Evaluate(t1, w1, targets.Lookup(), false).empty());
  EXPECT_TRUE(restarted.Evaluate(t1 + 49min, w1 + 49min, targets.Lookup(), false).empty());
  std::vector<AlertEvent> events =
      restarted.Evaluate(t1 + 50min, w1 + 50min, targets.Lookup(), false);
  ASSERT_THAT(Describe(events), ElementsAre("reminder gateway-502/checkout"));
  EXPECT_EQ(events[0].sequence, 3u);
  EXPECT_EQ(events[0].started_at, kWall0);

  targets.SetAll("checkout", Stats(20, 0));
  events = restarted.Evaluate(t1 + 51min, w1 + 51min, targets.Lookup(), false);
  ASSERT_THAT(Describe(events), ElementsAre("resolved gateway-502/checkout"));
  EXPECT_EQ(events[0].sequence, 4u);
  EXPECT_TRUE(restarted.Export().empty());
}

TEST(AlertEngine, RestoreResolvesPairsTheConfigNoLongerHasAndDropsUnknownRules) {
  const config::Config config = WithAlerts(kGateway502);
  AlertEngine engine;
  engine.Reconcile(config, kT0, kWall0);
  const std::vector<SavedAlert> saved = {
      {"gateway-502", "search", State::kFiring, kWall0, kWall0, kWall0, 1, 0.3},  // not covered
      {"deleted-rule", "checkout", State::kFiring, kWall0, kWall0, kWall0, 1, 0.3},
      {"gateway-502", "edge-eu", State::kPending, kWall0, kWall0, kWall0, 0, 0.3},  // ignored
      {"gateway-502", "edge-us", State::kFiring, kWall0 + 1h, kWall0 + 1h, kWall0 + 1h, 7, 0.2},
  };
  const RestoreResult result = engine.Restore(saved, kT0, kWall0);  // edge-us: from the future
  EXPECT_EQ(result.restored, 1u);
  EXPECT_EQ(result.dropped, 1u);
  ASSERT_THAT(Describe(result.events), ElementsAre("resolved gateway-502/search"));
  EXPECT_EQ(result.events[0].sequence, 2u);
  EXPECT_EQ(result.events[0].started_at, kWall0);
  EXPECT_THAT(States(engine),
              ElementsAre("gateway-502/checkout=inactive", "gateway-502/edge-eu=inactive",
                          "gateway-502/edge-us=firing"));
  // A pair already firing is left alone by a second restore.
  const std::vector<SavedAlert> again = {
      {"gateway-502", "edge-us", State::kFiring, kWall0, kWall0, kWall0, 99, 0.9}};
  EXPECT_EQ(engine.Restore(again, kT0, kWall0).restored, 0u);
  EXPECT_EQ(engine.Export().front().sequence, 7u);
}

}  // namespace
}  // namespace gatewatch::alert
