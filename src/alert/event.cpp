#include "alert/event.h"

#include <cassert>
#include <chrono>
#include <cstdio>

#include "alert/signal.h"
#include "core/duration.h"

namespace gatewatch::alert {
namespace {

using config::AlertSignal;

// "over 5m ", "over 1h and 5m ", or nothing for consecutive_failures.
std::string Over(const config::AlertRule& rule) {
  if (rule.burn_rate) {
    return "over " + core::FormatDuration(rule.burn_rate->long_window) + " and " +
           core::FormatDuration(rule.burn_rate->short_window) + " ";
  }
  if (rule.signal == AlertSignal::kConsecutiveFailures) return "";
  return "over " + core::FormatDuration(rule.window) + " ";
}

std::map<std::string, std::string> Labels(std::string_view rule, std::string_view target,
                                          std::string_view severity,
                                          const std::map<std::string, std::string>* agent) {
  std::map<std::string, std::string> labels;
  if (agent != nullptr) labels = *agent;
  labels.insert_or_assign("alertname", std::string(rule));
  labels.insert_or_assign("target", std::string(target));
  labels.insert_or_assign("severity", std::string(severity));
  return labels;
}

}  // namespace

std::string_view StatusName(AlertStatus status) {
  return status == AlertStatus::kFiring ? "firing" : "resolved";
}

std::string_view EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kFired:
      return "fired";
    case EventKind::kReminder:
      return "reminder";
    case EventKind::kResolved:
      return "resolved";
    case EventKind::kTest:
      return "test";
  }
  return "";
}

std::string Fingerprint(std::string_view rule, std::string_view target) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  const auto mix = [&hash](std::string_view text) {
    for (const char c : text) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 0x100000001b3ULL;
    }
  };
  mix(rule);
  mix(std::string_view("\0", 1));  // so ("ab", "c") and ("a", "bc") differ
  mix(target);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash));
  return buf;
}

std::string IdempotencyKey(const AlertEvent& event) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(event.started_at.time_since_epoch())
          .count();
  return event.fingerprint + "-" + std::to_string(ms) + "-" + std::to_string(event.sequence);
}

std::string Summary(const config::AlertRule& rule, std::string_view target,
                    std::optional<double> value, EventKind kind) {
  if (kind == EventKind::kTest) return "test notification from gatewatch";
  const std::string label(SignalLabel(rule.signal));
  if (!value) {
    return label + " on " + std::string(target) +
           " is no longer evaluated (removed from the config)";
  }
  std::string out = label + " " + FormatSignalValue(rule.signal, *value) + " ";
  if (kind != EventKind::kResolved) {
    out += "above " + FormatSignalValue(rule.signal, rule.above);
  } else if (rule.clear_below < rule.above) {
    out += "below " + FormatSignalValue(rule.signal, rule.clear_below);
  } else {
    out += "no longer above " + FormatSignalValue(rule.signal, rule.above);
  }
  out += " ";
  out += Over(rule);
  out += "on ";
  out += target;
  return out;
}

std::string Describe(const config::AlertRule& rule) {
  std::string out(config::SignalName(rule.signal));
  out += " above " + FormatSignalValue(rule.signal, rule.above);
  if (rule.burn_rate) {
    char slo[32];
    std::snprintf(slo, sizeof slo, "%.6g", rule.burn_rate->slo);
    out += " (slo " + std::string(slo) + ")";
  }
  const std::string over = Over(rule);
  if (!over.empty()) out += " " + over.substr(0, over.size() - 1);
  if (rule.for_duration > core::Millis{0}) {
    out += " for " + core::FormatDuration(rule.for_duration);
  }
  if (rule.min_samples > 1 && rule.signal != AlertSignal::kConsecutiveFailures) {
    out += " (at least " + std::to_string(rule.min_samples) + " probes)";
  }
  return out;
}

AlertEvent MakeEvent(const config::AlertRule& rule, std::string_view target,
                     const AlertState& state, Transition transition, const EventContext& context) {
  assert(transition == Transition::kFired || transition == Transition::kReminder ||
         transition == Transition::kResolved);
  AlertEvent e;
  e.rule = rule.name;
  e.target = std::string(target);
  e.severity = rule.severity;
  e.kind = transition == Transition::kResolved   ? EventKind::kResolved
           : transition == Transition::kReminder ? EventKind::kReminder
                                                 : EventKind::kFired;
  const bool resolved = e.kind == EventKind::kResolved;
  e.status = resolved ? AlertStatus::kResolved : AlertStatus::kFiring;
  e.signal = std::string(config::SignalName(rule.signal));
  e.value = state.value;
  e.threshold = resolved && rule.clear_below < rule.above ? rule.clear_below : rule.above;
  e.value_text = FormatSignalValue(rule.signal, e.value);
  e.threshold_text = FormatSignalValue(rule.signal, e.threshold);
  e.window = WindowText(rule);
  e.started_at = state.fired_at_wall;
  if (resolved) e.ended_at = state.since_wall;
  e.fingerprint = Fingerprint(rule.name, target);
  e.sequence = state.sequence;
  e.labels = Labels(rule.name, target, rule.severity, context.agent_labels);
  e.summary = Summary(rule, target,
                      context.removed ? std::nullopt : std::optional<double>(state.value), e.kind);
  e.description = Describe(rule);
  if (!resolved) {
    e.diagnosis = std::string(context.diagnosis);
    e.trace_id = std::string(context.trace_id);
  }
  e.notify = rule.notify;
  return e;
}

AlertEvent MakeTestEvent(std::string_view notifier, core::Clock::WallTimePoint wall_now,
                         const std::map<std::string, std::string>& agent_labels) {
  AlertEvent e;
  e.rule = "gatewatch-test";
  e.target = "notify-test";
  e.severity = "info";
  e.status = AlertStatus::kFiring;
  e.kind = EventKind::kTest;
  e.signal = "test";
  e.value_text = "0";
  e.threshold_text = "0";
  e.started_at = wall_now;
  e.fingerprint = Fingerprint(e.rule, e.target);
  e.sequence = 1;
  e.labels = Labels(e.rule, e.target, e.severity, &agent_labels);
  e.summary = Summary(config::AlertRule{}, e.target, std::nullopt, EventKind::kTest);
  e.description = "a test sent by gatewatch notify-test to check the notifier";
  e.notify = {std::string(notifier)};
  return e;
}

}  // namespace gatewatch::alert
