#include "alert/evaluator.h"

namespace gatewatch::alert {
namespace {

void Enter(AlertState& s, State state, core::Clock::TimePoint now,
           core::Clock::WallTimePoint wall_now) {
  s.state = state;
  s.since = now;
  s.since_wall = wall_now;
}

void Fire(Evaluation& out, core::Clock::TimePoint now, core::Clock::WallTimePoint wall_now) {
  AlertState& s = out.state;
  Enter(s, State::kFiring, now, wall_now);
  s.fired_at_wall = wall_now;
  s.last_notified = now;
  s.last_notified_wall = wall_now;
  ++s.sequence;
  out.transition = Transition::kFired;
}

}  // namespace

std::string_view StateName(State state) {
  switch (state) {
    case State::kInactive:
      return "inactive";
    case State::kPending:
      return "pending";
    case State::kFiring:
      return "firing";
  }
  return "";
}

std::string_view TransitionName(Transition transition) {
  switch (transition) {
    case Transition::kNone:
      return "none";
    case Transition::kPending:
      return "pending";
    case Transition::kFired:
      return "fired";
    case Transition::kResolved:
      return "resolved";
    case Transition::kReminder:
      return "reminder";
    case Transition::kCancelled:
      return "cancelled";
  }
  return "";
}

bool Clears(const config::AlertRule& rule, double value) {
  // Without hysteresis the alert ends exactly when its condition does; with it, strictly
  // below clear_below, as SPEC words it.
  return rule.clear_below < rule.above ? value < rule.clear_below : value <= rule.above;
}

Evaluation Evaluate(const config::AlertRule& rule, const AlertState& current,
                    std::optional<double> value, bool agent_saturated, core::Clock::TimePoint now,
                    core::Clock::WallTimePoint wall_now) {
  Evaluation out{current, Transition::kNone, false};
  AlertState& s = out.state;
  s.last_value = value;
  if (value) s.value = *value;
  switch (current.state) {
    case State::kInactive:
      if (!value || *value <= rule.above) break;
      if (agent_saturated) {
        out.held = true;
        break;
      }
      s.active_since = now;
      if (rule.for_duration <= core::Millis{0}) {
        Fire(out, now, wall_now);
      } else {
        Enter(s, State::kPending, now, wall_now);
        out.transition = Transition::kPending;
      }
      break;
    case State::kPending:
      if (!value) break;
      if (*value <= rule.above) {
        Enter(s, State::kInactive, now, wall_now);
        out.transition = Transition::kCancelled;
      } else if (now - s.active_since >= rule.for_duration) {
        if (agent_saturated) {
          out.held = true;
        } else {
          Fire(out, now, wall_now);
        }
      }
      break;
    case State::kFiring:
      if (value && Clears(rule, *value)) {
        Enter(s, State::kInactive, now, wall_now);
        ++s.sequence;
        out.transition = Transition::kResolved;
      } else if (rule.repeat > core::Millis{0} && now - s.last_notified >= rule.repeat) {
        s.last_notified = now;
        s.last_notified_wall = wall_now;
        ++s.sequence;
        out.transition = Transition::kReminder;
      }
      break;
  }
  return out;
}

Evaluation ResolveRemoved(const AlertState& current, core::Clock::TimePoint now,
                          core::Clock::WallTimePoint wall_now) {
  Evaluation out{current, Transition::kNone, false};
  AlertState& s = out.state;
  if (current.state == State::kFiring) {
    Enter(s, State::kInactive, now, wall_now);
    ++s.sequence;
    out.transition = Transition::kResolved;
  } else if (current.state == State::kPending) {
    Enter(s, State::kInactive, now, wall_now);
    out.transition = Transition::kCancelled;
  }
  return out;
}

}  // namespace gatewatch::alert
