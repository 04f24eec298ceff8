#include "alert/evaluator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

// The rule x target state machine on explicit time points: each case is a rule and a
// sequence of evaluations with the state and transition each must produce.
namespace gatewatch::alert {
namespace {

using namespace std::chrono_literals;
using config::AlertRule;
using TimePoint = core::Clock::TimePoint;
using WallTimePoint = core::Clock::WallTimePoint;

const TimePoint kT0 = TimePoint{} + 1000h;
const WallTimePoint kWall0 = WallTimePoint{} + std::chrono::seconds(1'790'000'000);

constexpr std::optional<double> kNoValue = std::nullopt;

struct Step {
  core::Millis at;  // since kT0
  std::optional<double> value;
  State state;
  Transition transition;
  bool saturated = false;
  bool held = false;
};

struct Case {
  std::string name;
  double above = 0.05;
  std::optional<double> clear_below;  // default: above
  core::Millis for_duration{0};
  core::Millis repeat{0};
  std::vector<Step> steps;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

AlertRule RuleOf(const Case& c) {
  AlertRule rule;
  rule.name = "r";
  rule.above = c.above;
  rule.clear_below = c.clear_below.value_or(c.above);
  rule.for_duration = c.for_duration;
  rule.repeat = c.repeat;
  return rule;
}

constexpr State kIn = State::kInactive;
constexpr State kPend = State::kPending;
constexpr State kFire = State::kFiring;
constexpr Transition kNone = Transition::kNone;

std::vector<Case> Cases() {
  return {
      {"crossing_fires_at_once_with_for_0_and_resolves",
       0.05,
       std::nullopt,
       0ms,
       0ms,
       {{0s, 0.01, kIn, kNone},
        {30s, 0.06, kFire, Transition::kFired},
        {60s, 0.07, kFire, kNone},
        {90s, 0.01, kIn, Transition::kResolved}}},
      {"exactly_above_is_not_above",
       0.05,
       std::nullopt,
       0ms,
       0ms,
       {{0s, 0.05, kIn, kNone}, {30s, 0.0500001, kFire, Transition::kFired}}},
      {"without_hysteresis_resolves_at_the_threshold",
       0.05,
       std::nullopt,
       0ms,
       0ms,
       {{0s, 0.06, kFire, Transition::kFired}, {30s, 0.05, kIn, Transition::kResolved}}},
      {"for_waits_then_fires_exactly_when_held_long_enough",
       0.05,
       std::nullopt,
       1min,
       0ms,
       {{0s, 0.06, kPend, Transition::kPending},
        {30s, 0.09, kPend, kNone},
        {59'999ms, 0.09, kPend, kNone},
        {60s, 0.07, kFire, Transition::kFired}}},
      {"pending_cancels_when_the_value_falls_back_and_for_restarts",
       0.05,
       std::nullopt,
       1min,
       0ms,
       {{0s, 0.06, kPend, Transition::kPending},
        {45s, 0.05, kIn, Transition::kCancelled},
        {50s, 0.06, kPend, Transition::kPending},
        {100s, 0.06, kPend, kNone},  // 50s held, not 1m: the earlier start does not count
        {110s, 0.06, kFire, Transition::kFired}}},
      {"flapping_around_the_threshold_never_fires_with_for",
       0.05,
       std::nullopt,
       1min,
       0ms,
       {{0s, 0.06, kPend, Transition::kPending},
        {30s, 0.04, kIn, Transition::kCancelled},
        {60s, 0.06, kPend, Transition::kPending},
        {90s, 0.04, kIn, Transition::kCancelled},
        {120s, 0.06, kPend, Transition::kPending},
        {150s, 0.04, kIn, Transition::kCancelled}}},
      {"hysteresis_keeps_firing_between_clear_below_and_above",
       0.05,
       0.02,
       0ms,
       0ms,
       {{0s, 0.06, kFire, Transition::kFired},
        {30s, 0.04, kFire, kNone},
        {60s, 0.06, kFire, kNone},  // no second kFired
        {90s, 0.03, kFire, kNone},
        {120s, 0.02, kFire, kNone},  // at clear_below is not below it
        {150s, 0.019, kIn, Transition::kResolved},
        {180s, 0.04, kIn, kNone}}},  // back between the bounds: inactive stays inactive
      {"flapping_with_hysteresis_fires_once",
       0.05,
       0.02,
       0ms,
       0ms,
       {{0s, 0.06, kFire, Transition::kFired},
        {30s, 0.04, kFire, kNone},
        {60s, 0.06, kFire, kNone},
        {90s, 0.04, kFire, kNone},
        {120s, 0.06, kFire, kNone}}},
      {"not_judgeable_never_fires_or_resolves",
       0.05,
       std::nullopt,
       0ms,
       0ms,
       {{0s, kNoValue, kIn, kNone},
        {30s, 0.06, kFire, Transition::kFired},
        {60s, kNoValue, kFire, kNone},
        {90s, kNoValue, kFire, kNone},
        {120s, 0.01, kIn, Transition::kResolved}}},
      {"pending_holds_while_not_judgeable_and_keeps_its_start",
       0.05,
       std::nullopt,
       1min,
       0ms,
       {{0s, 0.06, kPend, Transition::kPending},
        {30s, kNoValue, kPend, kNone},
        {90s, kNoValue, kPend, kNone},  // for has passed, but nothing fires on no data
        {120s, 0.06, kFire, Transition::kFired}}},
      {"repeat_sends_reminders_every_interval_while_firing",
       0.05,
       std::nullopt,
       0ms,
       1h,
       {{0s, 0.06, kFire, Transition::kFired},
        {30min, 0.06, kFire, kNone},
        {59min, 0.06, kFire, kNone},
        {60min, 0.06, kFire, Transition::kReminder},
        {90min, 0.06, kFire, kNone},
        {120min, kNoValue, kFire, Transition::kReminder},  // still firing as far as we know
        {150min, 0.01, kIn, Transition::kResolved},
        {180min, 0.01, kIn, kNone}}},
      {"repeat_0_never_reminds",
       0.05,
       std::nullopt,
       0ms,
       0ms,
       {{0s, 0.06, kFire, Transition::kFired},
        {24h, 0.06, kFire, kNone},
        {7 * 24h, 0.06, kFire, kNone}}},
      {"saturation_holds_new_pending_and_new_firing",
       0.05,
       std::nullopt,
       1min,
       0ms,
       {{0s, 0.06, kIn, kNone, /*saturated=*/true, /*held=*/true},
        {30s, 0.06, kPend, Transition::kPending},
        {90s, 0.06, kPend, kNone, true, true},  // for has passed: would fire
        {120s, 0.06, kFire, Transition::kFired}}},
      {"saturation_holds_for_0_fires_too",
       0.05,
       std::nullopt,
       0ms,
       0ms,
       {{0s, 0.06, kIn, kNone, true, true}, {30s, 0.06, kFire, Transition::kFired}}},
      {"saturation_still_resolves_cancels_and_reminds",
       0.05,
       std::nullopt,
       0ms,
       1h,
       {{0s, 0.06, kFire, Transition::kFired},
        {1h, 0.06, kFire, Transition::kReminder, true},
        {2h, 0.01, kIn, Transition::kResolved, true},
        {3h, 0.01, kIn, kNone, true}}},
      {"saturation_still_cancels_pending",
       0.05,
       std::nullopt,
       1min,
       0ms,
       {{0s, 0.06, kPend, Transition::kPending}, {30s, 0.01, kIn, Transition::kCancelled, true}}},
      {"consecutive_failures_count_above_2_fires_on_the_third",
       2,
       1,
       0ms,
       0ms,
       {{0s, 1, kIn, kNone},
        {10s, 2, kIn, kNone},
        {20s, 3, kFire, Transition::kFired},
        {30s, 4, kFire, kNone},
        {40s, 0, kIn, Transition::kResolved}}},
  };
}

class EvaluateTable : public ::testing::TestWithParam<Case> {};

TEST_P(EvaluateTable, ProducesTheExpectedStatesAndTransitions) {
  const Case& c = GetParam();
  const AlertRule rule = RuleOf(c);
  AlertState state;
  for (std::size_t i = 0; i < c.steps.size(); ++i) {
    const Step& step = c.steps[i];
    const Evaluation e =
        Evaluate(rule, state, step.value, step.saturated, kT0 + step.at, kWall0 + step.at);
    EXPECT_EQ(StateName(e.state.state), StateName(step.state)) << "step " << i;
    EXPECT_EQ(TransitionName(e.transition), TransitionName(step.transition)) << "step " << i;
    EXPECT_EQ(e.held, step.held) << "step " << i;
    EXPECT_EQ(e.state.last_value, step.value) << "step " << i;
    state = e.state;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, EvaluateTable, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.name;
                         });

TEST(Evaluate, RecordsTimesValueAndSequence) {
  AlertRule rule;
  rule.above = 0.05;
  rule.clear_below = 0.02;
  rule.for_duration = 1min;
  rule.repeat = 1h;
  AlertState s;

  s = Evaluate(rule, s, 0.06, false, kT0 + 30s, kWall0 + 30s).state;
  EXPECT_EQ(s.state, State::kPending);
  EXPECT_EQ(s.since, kT0 + 30s);
  EXPECT_EQ(s.active_since, kT0 + 30s);
  EXPECT_EQ(s.since_wall, kWall0 + 30s);
  EXPECT_EQ(s.sequence, 0u);  // pending notifies nobody

  s = Evaluate(rule, s, 0.09, false, kT0 + 90s, kWall0 + 90s).state;
  EXPECT_EQ(s.state, State::kFiring);
  EXPECT_EQ(s.since, kT0 + 90s);
  EXPECT_EQ(s.active_since, kT0 + 30s);  // the episode began when it went pending
  EXPECT_EQ(s.fired_at_wall, kWall0 + 90s);
  EXPECT_EQ(s.last_notified, kT0 + 90s);
  EXPECT_EQ(s.last_notified_wall, kWall0 + 90s);
  EXPECT_DOUBLE_EQ(s.value, 0.09);
  EXPECT_EQ(s.sequence, 1u);

  s = Evaluate(rule, s, std::nullopt, false, kT0 + 2min, kWall0 + 2min).state;
  EXPECT_DOUBLE_EQ(s.value, 0.09);  // the last judgeable value is kept
  EXPECT_EQ(s.last_value, std::nullopt);

  s = Evaluate(rule, s, 0.07, false, kT0 + 90s + 1h, kWall0 + 90s + 1h).state;
  EXPECT_EQ(s.sequence, 2u);  // reminder
  EXPECT_EQ(s.last_notified, kT0 + 90s + 1h);
  EXPECT_EQ(s.since, kT0 + 90s);  // still the same firing

  const Evaluation resolved = Evaluate(rule, s, 0.01, false, kT0 + 2h, kWall0 + 2h);
  EXPECT_EQ(resolved.transition, Transition::kResolved);
  EXPECT_EQ(resolved.state.sequence, 3u);
  EXPECT_EQ(resolved.state.since_wall, kWall0 + 2h);
  EXPECT_EQ(resolved.state.fired_at_wall, kWall0 + 90s);  // kept for the resolved event
  EXPECT_DOUBLE_EQ(resolved.state.value, 0.01);

  const Evaluation again = Evaluate(rule, resolved.state, 0.5, false, kT0 + 3h, kWall0 + 3h);
  EXPECT_EQ(again.transition, Transition::kPending);
  EXPECT_EQ(again.state.sequence, 3u);
}

TEST(ResolveRemoved, ResolvesFiringCancelsPendingIgnoresInactive) {
  AlertState firing;
  firing.state = State::kFiring;
  firing.sequence = 4;
  firing.fired_at_wall = kWall0;
  const Evaluation r = ResolveRemoved(firing, kT0 + 1h, kWall0 + 1h);
  EXPECT_EQ(r.transition, Transition::kResolved);
  EXPECT_EQ(r.state.state, State::kInactive);
  EXPECT_EQ(r.state.sequence, 5u);
  EXPECT_EQ(r.state.since_wall, kWall0 + 1h);

  AlertState pending;
  pending.state = State::kPending;
  EXPECT_EQ(ResolveRemoved(pending, kT0, kWall0).transition, Transition::kCancelled);
  EXPECT_EQ(ResolveRemoved(AlertState{}, kT0, kWall0).transition, Transition::kNone);
}

TEST(Clears, StrictlyBelowClearBelowOrAtMostAboveWithoutHysteresis) {
  AlertRule rule;
  rule.above = 0.05;
  rule.clear_below = 0.02;
  EXPECT_FALSE(Clears(rule, 0.02));
  EXPECT_TRUE(Clears(rule, 0.0199));
  rule.clear_below = 0.05;
  EXPECT_TRUE(Clears(rule, 0.05));
  EXPECT_FALSE(Clears(rule, 0.0501));
  rule.above = rule.clear_below = 0;  // "any 502 at all" resolves at 0
  EXPECT_TRUE(Clears(rule, 0));
}

TEST(Names, StatesAndTransitions) {
  EXPECT_EQ(StateName(State::kInactive), "inactive");
  EXPECT_EQ(StateName(State::kPending), "pending");
  EXPECT_EQ(StateName(State::kFiring), "firing");
  EXPECT_EQ(TransitionName(Transition::kCancelled), "cancelled");
  EXPECT_EQ(TransitionName(Transition::kReminder), "reminder");
}

}  // namespace
}  // namespace gatewatch::alert
