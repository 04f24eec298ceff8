#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "config/config.h"
#include "core/clock.h"

// The state machine of one (alert rule, target) pair. Pure: the caller passes the signal
// value and the time, and keeps the returned state. Thread-safe (no shared state).
namespace gatewatch::alert {

enum class State { kInactive, kPending, kFiring };

// What an evaluation did. kFired, kReminder and kResolved are the notification-worthy ones.
enum class Transition {
  kNone,       // nothing changed (or only the remembered value)
  kPending,    // inactive -> pending: above the threshold, waiting for `for`
  kFired,      // pending (or inactive, with for = 0) -> firing
  kResolved,   // firing -> inactive
  kReminder,   // still firing and `repeat` has passed since the last notification
  kCancelled,  // pending -> inactive: the value fell back before `for` had passed
};

// "inactive", "pending", "firing" (the /api/v1/alerts spelling).
std::string_view StateName(State state);
// "none", "pending", "fired", "resolved", "reminder", "cancelled" (for logs).
std::string_view TransitionName(Transition transition);

struct AlertState {
  State state = State::kInactive;
  core::Clock::TimePoint since{};           // steady: when `state` was entered
  core::Clock::TimePoint active_since{};    // steady: when the current pending/firing episode began
  core::Clock::WallTimePoint since_wall{};  // wall time of `since`
  core::Clock::WallTimePoint fired_at_wall{};  // wall: when it last fired (kept after resolving)
  core::Clock::TimePoint last_notified{};      // steady: the last kFired or kReminder
  core::Clock::WallTimePoint last_notified_wall{};  // wall time of last_notified
  double value = 0;                                 // the last judgeable value seen (0 before any)
  std::optional<double> last_value;  // the value of the latest evaluation; nullopt = not judged
  // +1 on every kFired, kReminder and kResolved, so (fingerprint, fired_at, sequence) names
  // one notification: its idempotency key.
  std::uint64_t sequence = 0;
};

struct Evaluation {
  AlertState state;
  Transition transition = Transition::kNone;
  // True when the agent's saturation stopped a move to pending or firing this time.
  bool held = false;
};

// One step of the rule x target state machine at steady time `now`.
//
// `value` is the rule's signal (alert/signal.h), nullopt when the window cannot be judged
// (fewer than min_samples probes). With above = A, clear_below = C (C <= A), for = F and
// repeat = R:
//   inactive: value > A                      -> pending (kPending); with F = 0 straight to
//                                               firing (kFired) in the same call
//   pending:  value <= A                     -> inactive (kCancelled)
//             value > A and now - start >= F -> firing (kFired)
//   firing:   value < C (C < A), or value <= A when C == A (no hysteresis)
//                                            -> inactive (kResolved)
//             otherwise, R > 0 and now - last_notified >= R -> kReminder (stays firing)
// Not judgeable (nullopt): the state is kept, nothing fires or resolves. A target that stops
// being probed, or whose probes stop completing, empties its window; if that resolved the
// alert, an outage would end in a false "resolved" by silence. Reminders still go out while
// firing: the alert is still on as far as anyone knows. Pending keeps its start, so it may
// fire at the next judgeable value above A if F has passed by then.
// agent_saturated (the agent cannot keep its own schedule, so windows may reflect its own
// lateness): no inactive -> pending and no pending -> firing (`held` is set; the pending
// start is kept), while cancels, resolves and reminders still happen.
//
// Worked example: 502_ratio, A = 0.05, C = 0.02, F = 1m, R = 1h; evaluations every 30s.
//   t=0    0.01  inactive
//   t=30s  0.08  -> pending (kPending), active_since = 30s
//   t=60s  0.09  pending (30s < 1m)
//   t=90s  0.07  -> firing (kFired, sequence 1): held 1m since 30s
//   t=120s 0.04  firing: not above A, but not below C either (hysteresis)
//   t=150s 0.06  firing
//   t=1h1m30s 0.06 -> kReminder (sequence 2): 1h after the fire
//   t=1h2m 0.01 -> inactive (kResolved, sequence 3)
// Flapping 0.04 / 0.06 around A with F = 1m never fires: each dip cancels the pending.
Evaluation Evaluate(const config::AlertRule& rule, const AlertState& current,
                    std::optional<double> value, bool agent_saturated, core::Clock::TimePoint now,
                    core::Clock::WallTimePoint wall_now);

// The pair no longer exists (its rule or target left the config): firing -> inactive with
// kResolved (so receivers are told), pending -> inactive with kCancelled, inactive: kNone.
// The caller drops the pair afterwards.
Evaluation ResolveRemoved(const AlertState& current, core::Clock::TimePoint now,
                          core::Clock::WallTimePoint wall_now);

// True when a firing alert of `rule` resolves at `value` (the firing row above).
bool Clears(const config::AlertRule& rule, double value);

}  // namespace gatewatch::alert
