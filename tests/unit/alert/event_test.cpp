#include "alert/event.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>

namespace gatewatch::alert {
namespace {

using namespace std::chrono_literals;
using config::AlertRule;
using config::AlertSignal;
using ::testing::ElementsAre;
using ::testing::Pair;

const core::Clock::TimePoint kT0 = core::Clock::TimePoint{} + 1000h;
const core::Clock::WallTimePoint kWall0 =
    core::Clock::WallTimePoint{} + std::chrono::seconds(1'790'000'000);

AlertRule Gateway502() {
  AlertRule rule;
  rule.name = "gateway-502";
  rule.signal = AlertSignal::k502Ratio;
  rule.window = 5min;
  rule.above = 0.05;
  rule.clear_below = 0.02;
  rule.for_duration = 1min;
  rule.min_samples = 10;
  rule.severity = "critical";
  rule.notify = {"oncall-slack", "audit-hook"};
  return rule;
}

AlertRule BurnRule() {
  AlertRule rule;
  rule.name = "budget";
  rule.signal = AlertSignal::kBurnRate;
  rule.burn_rate = config::BurnRateSpec{0.999, 1h, 5min, 14.4};
  rule.above = rule.clear_below = 14.4;
  return rule;
}

AlertRule Consecutive() {
  AlertRule rule;
  rule.name = "down";
  rule.signal = AlertSignal::kConsecutiveFailures;
  rule.above = 2;
  rule.clear_below = 2;
  return rule;
}

TEST(Fingerprint, StableFnv1a64OfRuleAndTarget) {
  // Pinned: receivers deduplicate on it across restarts, replicas and versions.
  EXPECT_EQ(Fingerprint("gateway-502", "checkout"), "b2e83cb42904d917");
  EXPECT_EQ(Fingerprint("a", ""), "089be207b544f1e4");
  EXPECT_EQ(Fingerprint("gateway-502", "checkout").size(), 16u);
  EXPECT_NE(Fingerprint("ab", "c"), Fingerprint("a", "bc"));
  EXPECT_NE(Fingerprint("gateway-502", "checkout"), Fingerprint("checkout", "gateway-502"));
}

TEST(IdempotencyKey, SameForOneNotificationDifferentForEachOther) {
  AlertEvent e;
  e.fingerprint = "b2e83cb42904d917";
  e.started_at = kWall0 + 250ms;
  e.sequence = 3;
  EXPECT_EQ(IdempotencyKey(e), "b2e83cb42904d917-1790000000250-3");
  AlertEvent copy = e;
  EXPECT_EQ(IdempotencyKey(copy), IdempotencyKey(e));  // a retry
  copy.sequence = 4;
  EXPECT_NE(IdempotencyKey(copy), IdempotencyKey(e));  // the next notification
  copy = e;
  copy.started_at += 1h;
  EXPECT_NE(IdempotencyKey(copy), IdempotencyKey(e));  // a later episode, same sequence
}

struct SummaryCase {
  AlertRule rule;
  std::optional<double> value;
  EventKind kind;
  std::string expected;
};

TEST(Summary, OneLinePerKindAndSignal) {
  AlertRule no_hysteresis = Gateway502();
  no_hysteresis.clear_below = no_hysteresis.above;
  AlertRule slow = Gateway502();
  slow.signal = AlertSignal::kLatencyP99;
  slow.above = slow.clear_below = 0.8;
  const SummaryCase cases[] = {
      {Gateway502(), 0.42, EventKind::kFired, "502 ratio 0.42 above 0.05 over 5m on checkout"},
      {Gateway502(), 0.06, EventKind::kReminder, "502 ratio 0.06 above 0.05 over 5m on checkout"},
      {Gateway502(), 0.01, EventKind::kResolved, "502 ratio 0.01 below 0.02 over 5m on checkout"},
      {no_hysteresis, 0.05, EventKind::kResolved,
       "502 ratio 0.05 no longer above 0.05 over 5m on checkout"},
      {slow, 1.25, EventKind::kFired, "p99 latency 1.25s above 800ms over 5m on checkout"},
      {Consecutive(), 3, EventKind::kFired, "consecutive failures 3 above 2 on checkout"},
      {BurnRule(), 16.333, EventKind::kFired,
       "burn rate 16.3 above 14.4 over 1h and 5m on checkout"},
      {Gateway502(), std::nullopt, EventKind::kResolved,
       "502 ratio on checkout is no longer evaluated (removed from the config)"},
      {Gateway502(), 0, EventKind::kTest, "test notification from gatewatch"},
  };
  for (const SummaryCase& c : cases) {
    EXPECT_EQ(Summary(c.rule, "checkout", c.value, c.kind), c.expected);
  }
}

TEST(Describe, TheRuleInWords) {
  EXPECT_EQ(Describe(Gateway502()), "502_ratio above 0.05 over 5m for 1m (at least 10 probes)");
  EXPECT_EQ(Describe(Consecutive()), "consecutive_failures above 2");
  EXPECT_EQ(Describe(BurnRule()), "burn_rate above 14.4 (slo 0.999) over 1h and 5m");
}

AlertState Firing(double value, std::uint64_t sequence) {
  AlertState s;
  s.state = State::kFiring;
  s.since = kT0;
  s.since_wall = kWall0;
  s.fired_at_wall = kWall0;
  s.value = value;
  s.sequence = sequence;
  return s;
}

TEST(MakeEvent, FiredCarriesEverythingANotifierNeeds) {
  const std::map<std::string, std::string> agent = {{"region", "eu-west-1"}};
  EventContext context;
  context.agent_labels = &agent;
  context.diagnosis = "status: 502 from nginx; backend refused connections";
  context.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  const AlertEvent e =
      MakeEvent(Gateway502(), "checkout", Firing(0.42, 1), Transition::kFired, context);
  EXPECT_EQ(e.rule, "gateway-502");
  EXPECT_EQ(e.target, "checkout");
  EXPECT_EQ(e.severity, "critical");
  EXPECT_EQ(e.status, AlertStatus::kFiring);
  EXPECT_EQ(e.kind, EventKind::kFired);
  EXPECT_EQ(e.signal, "502_ratio");
  EXPECT_DOUBLE_EQ(e.value, 0.42);
  EXPECT_DOUBLE_EQ(e.threshold, 0.05);
  EXPECT_EQ(e.value_text, "0.42");
  EXPECT_EQ(e.threshold_text, "0.05");
  EXPECT_EQ(e.window, "5m");
  EXPECT_EQ(e.started_at, kWall0);
  EXPECT_FALSE(e.ended_at.has_value());
  EXPECT_EQ(e.fingerprint, "b2e83cb42904d917");
  EXPECT_EQ(e.sequence, 1u);
  EXPECT_THAT(e.labels, ElementsAre(Pair("alertname", "gateway-502"), Pair("region", "eu-west-1"),
                                    Pair("severity", "critical"), Pair("target", "checkout")));
  EXPECT_EQ(e.summary, "502 ratio 0.42 above 0.05 over 5m on checkout");
  EXPECT_EQ(e.description, "502_ratio above 0.05 over 5m for 1m (at least 10 probes)");
  EXPECT_EQ(e.diagnosis, "status: 502 from nginx; backend refused connections");
  EXPECT_EQ(e.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_THAT(e.notify, ElementsAre("oncall-slack", "audit-hook"));
  EXPECT_EQ(StatusName(e.status), "firing");
  EXPECT_EQ(EventKindName(e.kind), "fired");
}

TEST(MakeEvent, ReminderAndResolved) {
  EventContext context;
  context.diagnosis = "stale failure";
  context.trace_id = "abc";
  const AlertEvent reminder =
      MakeEvent(Gateway502(), "checkout", Firing(0.07, 2), Transition::kReminder, context);
  EXPECT_EQ(reminder.kind, EventKind::kReminder);
  EXPECT_EQ(reminder.status, AlertStatus::kFiring);
  EXPECT_EQ(reminder.sequence, 2u);
  EXPECT_EQ(reminder.diagnosis, "stale failure");
  EXPECT_THAT(reminder.labels,
              ElementsAre(Pair("alertname", "gateway-502"), Pair("severity", "critical"),
                          Pair("target", "checkout")));

  AlertState resolved_state = Firing(0.01, 3);
  resolved_state.state = State::kInactive;
  resolved_state.since_wall = kWall0 + 10min;
  const AlertEvent resolved =
      MakeEvent(Gateway502(), "checkout", resolved_state, Transition::kResolved, context);
  EXPECT_EQ(resolved.status, AlertStatus::kResolved);
  EXPECT_EQ(resolved.kind, EventKind::kResolved);
  EXPECT_DOUBLE_EQ(resolved.threshold, 0.02);  // the hysteresis bound it fell below
  EXPECT_EQ(resolved.threshold_text, "0.02");
  EXPECT_EQ(resolved.started_at, kWall0);
  EXPECT_EQ(resolved.ended_at, kWall0 + 10min);
  EXPECT_EQ(resolved.diagnosis, "");  // nothing is failing any more
  EXPECT_EQ(resolved.trace_id, "");
  EXPECT_EQ(resolved.summary, "502 ratio 0.01 below 0.02 over 5m on checkout");

  context.removed = true;
  const AlertEvent removed =
      MakeEvent(Gateway502(), "checkout", resolved_state, Transition::kResolved, context);
  EXPECT_EQ(removed.summary,
            "502 ratio on checkout is no longer evaluated (removed from the config)");
}

TEST(MakeEvent, FingerprintIsPerPairNotPerNotification) {
  const EventContext context;
  std::set<std::string> fingerprints, keys;
  for (std::uint64_t seq = 1; seq <= 3; ++seq) {
    const AlertEvent e =
        MakeEvent(Gateway502(), "checkout", Firing(0.1, seq), Transition::kReminder, context);
    fingerprints.insert(e.fingerprint);
    keys.insert(IdempotencyKey(e));
  }
  EXPECT_EQ(fingerprints.size(), 1u);
  EXPECT_EQ(keys.size(), 3u);
  EXPECT_NE(
      MakeEvent(Gateway502(), "search", Firing(0.1, 1), Transition::kFired, context).fingerprint,
      *fingerprints.begin());
}

TEST(MakeTestEvent, IsASyntheticFiringEvent) {
  const AlertEvent e = MakeTestEvent("oncall-slack", kWall0, {{"region", "eu"}});
  EXPECT_EQ(e.kind, EventKind::kTest);
  EXPECT_EQ(e.status, AlertStatus::kFiring);
  EXPECT_EQ(e.rule, "gatewatch-test");
  EXPECT_EQ(e.target, "notify-test");
  EXPECT_EQ(e.severity, "info");
  EXPECT_EQ(e.started_at, kWall0);
  EXPECT_EQ(e.summary, "test notification from gatewatch");
  EXPECT_EQ(e.labels.at("region"), "eu");
  EXPECT_EQ(e.labels.at("alertname"), "gatewatch-test");
  EXPECT_THAT(e.notify, ElementsAre("oncall-slack"));
  EXPECT_NE(IdempotencyKey(e), IdempotencyKey(MakeTestEvent("oncall-slack", kWall0 + 1s, {})));
}

}  // namespace
}  // namespace gatewatch::alert
