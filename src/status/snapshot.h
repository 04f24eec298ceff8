#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "alert/alert_engine.h"
#include "core/clock.h"
#include "diagnose/responder.h"
#include "notify/dispatcher.h"
#include "probe/result.h"

// A read-only picture of the agent that the probe loop publishes (as
// std::shared_ptr<const StatusSnapshot>) for the server threads: /metrics, /api and the
// status page all render from it, so they never touch loop-owned state.
namespace gatewatch::status {

// Cumulative-free histogram: counts[i] holds observations <= bounds[i] and > bounds[i-1];
// counts.back() (one more than bounds) holds the rest (+Inf).
struct Histogram {
  std::vector<double> bounds;  // upper bounds, ascending, seconds
  std::vector<std::uint64_t> counts;
  double sum = 0;
  std::uint64_t count = 0;
};

struct WindowSummary {
  std::chrono::milliseconds span{0};
  std::uint64_t total = 0, failed = 0;
  std::uint64_t status_5xx = 0, status_502 = 0, status_503 = 0, status_504 = 0;
  // Latency quantiles in seconds; nullopt for an empty window.
  std::optional<double> p50, p90, p99;
  static double Ratio(std::uint64_t part, std::uint64_t whole) {
    return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
  }
};

inline constexpr std::size_t kReasonCount = 11;  // indexes are FailureReason values

struct TargetStatus {
  std::string name;
  std::string url;  // redacted: safe to show
  std::map<std::string, std::string> labels;
  std::chrono::milliseconds interval{0}, timeout{0};

  std::optional<probe::ProbeResult> last;  // nullopt until the first probe completed
  bool up = false;                         // last probe passed
  core::Clock::WallTimePoint state_since{};  // when `up` last changed (or first probe)
  std::uint64_t consecutive_failures = 0;
  // For a failing target: the last failure in one plain sentence (diagnose/describe.h) and,
  // for a 5xx, which hop produced it. Empty while the target passes.
  std::string diagnosis;
  std::optional<diagnose::Fingerprint> responder;

  std::uint64_t probes_total = 0;
  std::map<int, std::uint64_t> responses_by_code;       // exact HTTP status -> count
  std::array<std::uint64_t, kReasonCount> failures_by_reason{};
  // 5xx answers by who produced them: (code, origin, responder) -> count. Bounded: codes
  // 500..599 times the fixed enums.
  std::map<std::tuple<int, diagnose::Origin, diagnose::Responder>, std::uint64_t> fivexx_by_hop;
  Histogram duration;                                   // whole-probe seconds
  std::vector<WindowSummary> windows;                   // one per agent window, ascending span
};

struct AgentStatus {
  std::string version;
  core::Clock::WallTimePoint started{};
  bool ready = false;  // config loaded and every target probed once
  std::uint64_t probes_in_flight = 0;
  Histogram schedule_lag;  // seconds late against the schedule
  bool saturated = false;  // cannot keep its schedule
  bool last_reload_success = true;
  core::Clock::WallTimePoint last_reload{};  // config load or last reload attempt
  std::uint64_t skipped_probes = 0;  // due while the previous probe was still running
  std::uint64_t alerts_held = 0;     // alert pairs held back by saturation at the last evaluation
  notify::DispatcherStats notifications;  // per-notifier outcomes and the queue depth
};

struct StatusSnapshot {
  core::Clock::WallTimePoint generated{};
  AgentStatus agent;
  std::vector<TargetStatus> targets;  // config order
  std::vector<alert::InstanceSnapshot> alerts;  // every (rule, target) pair
};

}  // namespace gatewatch::status
