#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alert/evaluator.h"
#include "config/config.h"
#include "core/clock.h"

// AlertEvent: everything a notifier needs to tell people about one alert notification,
// already formatted, so notify/ reads only this struct (never rules or windows). Value type;
// safe to copy to the dispatcher thread.
namespace gatewatch::alert {

enum class AlertStatus { kFiring, kResolved };
enum class EventKind { kFired, kReminder, kResolved, kTest };

// "firing" / "resolved" (the Alertmanager spelling); "fired", "reminder", "resolved", "test".
std::string_view StatusName(AlertStatus status);
std::string_view EventKindName(EventKind kind);

struct AlertEvent {
  std::string rule;                           // the [[alert]] name (alertname)
  std::string target;                         // the [[target]] name
  std::string severity;                       // the rule's severity
  AlertStatus status = AlertStatus::kFiring;  // kResolved only for EventKind::kResolved
  EventKind kind = EventKind::kFired;
  std::string signal;  // config spelling: "502_ratio", ..., "burn_rate"; "test" for kTest
  double value = 0;    // the signal value that caused this (units: config::AlertSignal)
  // `above` for firing and reminders, the resolving bound for resolved (clear_below, or
  // above when there is no hysteresis).
  double threshold = 0;
  std::string value_text, threshold_text;   // FormatSignalValue of both: "0.42", "812ms"
  std::string window;                       // WindowText: "5m", "1h/5m", "" (consecutive)
  core::Clock::WallTimePoint started_at{};  // when it fired (startsAt)
  std::optional<core::Clock::WallTimePoint> ended_at;  // resolved only: when (endsAt)
  std::string fingerprint;     // Fingerprint(rule, target): stable across restarts and replicas
  std::uint64_t sequence = 0;  // AlertState::sequence after this transition
  // alertname, target, severity, then agent.labels (never colliding: the loader reserves
  // those three names). Target labels are not included (SPEC: alert labels).
  std::map<std::string, std::string> labels;
  // "502 ratio 0.42 above 0.05 over 5m on checkout"; see Summary.
  std::string summary;
  // The rule in words: "502_ratio above 0.05 over 5m for 1m (at least 10 probes)".
  std::string description;
  // Firing and reminders: the caller's explanation of the latest failed probe (reason,
  // detail, which hop answered), and that probe's W3C trace id. "" for resolved and test.
  std::string diagnosis, trace_id;
  std::vector<std::string> notify;  // notifier names from the rule
};

// FNV-1a 64 of rule + '\0' + target as 16 lowercase hex digits, e.g. "a3f1...".
std::string Fingerprint(std::string_view rule, std::string_view target);

// "<fingerprint>-<started_at in Unix ms>-<sequence>": the same for every retry of one
// notification, different for every notification, also across restarts and new episodes.
std::string IdempotencyKey(const AlertEvent& event);

// One line for people. `value` nullopt: the pair was removed from the config.
//   kFired/kReminder: "502 ratio 0.42 above 0.05 over 5m on checkout"
//                     "consecutive failures 3 above 2 on search"
//                     "burn rate 16.3 above 14.4 over 1h and 5m on checkout"
//   kResolved:        "502 ratio 0.01 below 0.02 over 5m on checkout" (clear_below < above)
//                     "502 ratio 0.05 no longer above 0.05 over 5m on checkout" (no hysteresis)
//   removed:          "502 ratio on checkout is no longer evaluated (removed from the config)"
//   kTest:            "test notification from gatewatch"
std::string Summary(const config::AlertRule& rule, std::string_view target,
                    std::optional<double> value, EventKind kind);

// "502_ratio above 0.05 over 5m for 1m (at least 10 probes)"; the `for` and min_samples
// parts only when set; burn_rate: "burn_rate above 14.4 (slo 0.999) over 1h and 5m".
std::string Describe(const config::AlertRule& rule);

// What MakeEvent needs besides the rule and the state.
struct EventContext {
  const std::map<std::string, std::string>* agent_labels = nullptr;  // may be null
  std::string_view diagnosis;  // used for kFired and kReminder only
  std::string_view trace_id;   // ditto
  bool removed = false;        // kResolved because the pair left the config
};

// The event for `transition`, which must be kFired, kReminder or kResolved (the others
// notify nobody), taken from `state` as Evaluate / ResolveRemoved returned it.
AlertEvent MakeEvent(const config::AlertRule& rule, std::string_view target,
                     const AlertState& state, Transition transition, const EventContext& context);

// The synthetic event `gatewatch notify-test` sends: rule "gatewatch-test", target
// "notify-test", severity "info", firing, kind kTest, started_at = wall_now, sequence 1,
// notify = {notifier}.
AlertEvent MakeTestEvent(std::string_view notifier, core::Clock::WallTimePoint wall_now,
                         const std::map<std::string, std::string>& agent_labels);

}  // namespace gatewatch::alert
