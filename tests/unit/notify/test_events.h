#pragma once
#include <chrono>
#include <string>

#include "alert/event.h"

// Hand-built AlertEvents for the notify tests (unit and integration): what
// alert::MakeEvent would produce for a 502_ratio rule, with fixed times.
namespace gatewatch::notify::testing {

// 2026-09-21T... : the ManualClock's wall start, so events and clocks agree.
inline core::Clock::WallTimePoint SampleWallTime() {
  return core::Clock::WallTimePoint{} + std::chrono::seconds(1'790'000'000);
}

inline alert::AlertEvent SampleEvent(alert::EventKind kind = alert::EventKind::kFired,
                                     const std::string& rule = "gateway-502",
                                     const std::string& target = "checkout") {
  alert::AlertEvent e;
  e.rule = rule;
  e.target = target;
  e.severity = "critical";
  e.kind = kind;
  e.status = kind == alert::EventKind::kResolved ? alert::AlertStatus::kResolved
                                                 : alert::AlertStatus::kFiring;
  e.signal = "502_ratio";
  e.value = kind == alert::EventKind::kResolved ? 0.01 : 0.42;
  e.threshold = kind == alert::EventKind::kResolved ? 0.02 : 0.05;
  e.value_text = kind == alert::EventKind::kResolved ? "0.01" : "0.42";
  e.threshold_text = kind == alert::EventKind::kResolved ? "0.02" : "0.05";
  e.window = "5m";
  e.started_at = SampleWallTime() - std::chrono::minutes(10);
  if (kind == alert::EventKind::kResolved) e.ended_at = SampleWallTime();
  e.fingerprint = alert::Fingerprint(rule, target);
  e.sequence = kind == alert::EventKind::kResolved ? 2 : 1;
  e.labels = {
      {"alertname", rule}, {"target", target}, {"severity", "critical"}, {"region", "eu-west-1"}};
  e.summary = kind == alert::EventKind::kResolved
                  ? "502 ratio 0.01 below 0.02 over 5m on " + target
                  : "502 ratio 0.42 above 0.05 over 5m on " + target;
  e.description = "502_ratio above 0.05 over 5m for 1m (at least 10 probes)";
  if (kind != alert::EventKind::kResolved) {
    e.diagnosis = "nginx answered 502; the backend refused connections";
    e.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  }
  e.notify = {"hook"};
  return e;
}

}  // namespace gatewatch::notify::testing
