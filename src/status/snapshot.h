#pragma once
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "alert/alert_engine.h"
#include "core/clock.h"
#include "diagnose/findings.h"
#include "diagnose/responder.h"
#include "notify/dispatcher.h"
#include "probe/result.h"
#include "status/target_history.h"

// A read-only picture of the agent that the probe loop publishes (as
// std::shared_ptr<const StatusSnapshot>) for the server threads: /metrics, /api and the
// status page all render from it, so they never touch loop-owned state.
namespace gatewatch::status {

// Cumulative-free histogram: counts[i] holds observations <= bounds[i] and > bounds[i-1];
// counts[bounds.size()] holds the rest (+Inf).
struct Histogram {
  // The agent's layouts have 11 bounds. Inline, not a vector: every target's counters hold
  // one, copied on every change once published, and a heap block each would cost 112 bytes
  // and an allocation per copy.
  static constexpr std::size_t kMaxBounds = 11;
  // Upper bounds, ascending, seconds; at most kMaxBounds. Points at storage that outlives
  // every snapshot (the agent's fixed bucket layouts), so copying a histogram never copies
  // its bounds.
  std::span<const double> bounds;
  std::array<std::uint64_t, kMaxBounds + 1> counts{};
  double sum = 0;
  std::uint64_t count = 0;
};

// A latency quantile in seconds, or none (an empty window); reads like std::optional<double>.
// Held as whole microseconds, which is what window::LatencyHistogram's quantiles are, so
// nothing is rounded away: 4 bytes instead of std::optional<double>'s 16.
class QuantileSeconds {
 public:
  QuantileSeconds() = default;
  QuantileSeconds(std::nullopt_t) {}  // NOLINT: converts like std::optional
  // Saturates at about 71 minutes (the histogram tops out at 120 s); negatives count as 0.
  QuantileSeconds(std::chrono::microseconds value)  // NOLINT: converts like std::optional
      : us_(static_cast<std::uint32_t>(std::clamp<std::int64_t>(value.count(), 0, kNone - 1))) {}
  QuantileSeconds(double seconds)  // NOLINT: converts like std::optional
      : QuantileSeconds(std::chrono::microseconds(std::llround(std::clamp(seconds, 0.0, 1e4) * 1e6))) {}
  bool has_value() const { return us_ != kNone; }
  explicit operator bool() const { return has_value(); }
  double operator*() const { return static_cast<double>(us_) / 1e6; }
  operator std::optional<double>() const {  // NOLINT: converts like std::optional
    return has_value() ? std::optional<double>(**this) : std::nullopt;
  }
  bool operator==(const QuantileSeconds&) const = default;

 private:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t us_ = kNone;
};

// One window of one target, as of a snapshot. Every target's status holds one per window and
// a changed target's status is copied (copy-on-write, see TargetStatus), so it is kept to 48
// bytes: 32-bit counts (a bucket ring holds at most 2^32 - 1 results per counter anyway, see
// window/sliding_window.h; larger sums saturate) and 4-byte quantiles.
struct WindowSummary {
  std::chrono::milliseconds span{0};
  std::uint32_t total = 0, failed = 0;
  std::uint32_t status_5xx = 0, status_502 = 0, status_503 = 0, status_504 = 0;
  QuantileSeconds p50, p90, p99;  // none for an empty window
  static double Ratio(std::uint64_t part, std::uint64_t whole) {
    return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
  }
};
static_assert(sizeof(WindowSummary) == 48);

// A target's cumulative counters since it was added: the gatewatch_probe_* counter and
// histogram series.
struct ProbeCounters {
  std::map<int, std::uint64_t> responses_by_code;  // exact HTTP status -> count
  // Failed probes by main reason; `reason` is not kNone (a pass has no slot, which keeps the
  // counters at 312 bytes: with make_shared's 16, jemalloc's 320-byte size class, not 384).
  std::uint64_t& failures(probe::FailureReason reason) { return failures_by_reason[Slot(reason)]; }
  std::uint64_t failures(probe::FailureReason reason) const {
    return failures_by_reason[Slot(reason)];
  }
  // 5xx answers by who produced them: (code, origin, responder) -> count. Bounded: codes
  // 500..599 times the fixed enums.
  std::map<std::tuple<int, diagnose::Origin, diagnose::Responder>, std::uint64_t> fivexx_by_hop;
  Histogram duration;  // whole-probe seconds

 private:
  static std::size_t Slot(probe::FailureReason reason) {
    return static_cast<std::size_t>(reason) - 1;  // kNone is 0
  }
  std::array<std::uint64_t, std::size(probe::kAllFailureReasons)> failures_by_reason{};
};
static_assert(sizeof(ProbeCounters) <= 304);
static_assert(static_cast<std::size_t>(probe::FailureReason::kHealth) ==
                  std::size(probe::kAllFailureReasons),
              "every reason but kNone has a slot, in enum order");

struct TargetStatus {
  std::string name;
  std::string url;  // redacted: safe to show
  std::map<std::string, std::string> labels;
  std::chrono::milliseconds interval{0}, timeout{0};

  // nullptr until the first probe completed. Shared, never modified: the loop and every
  // snapshot holding this result point at one copy (a result is ~300 bytes plus strings).
  std::shared_ptr<const probe::ProbeResult> last;
  bool up = false;                         // last probe passed
  core::Clock::WallTimePoint state_since{};  // when `up` last changed (or first probe)
  std::uint64_t consecutive_failures = 0;
  // For a failing target: the last failure in one plain sentence (diagnose/describe.h) and,
  // for a 5xx, which hop produced it. Empty while the target passes.
  std::string diagnosis;
  std::optional<diagnose::Fingerprint> responder;
  // With `upstream` set: the latest direct probe of the backend; its kind and text say what
  // it showed about the current failure (kNotApplicable while the target passes).
  // nullptr when never probed. Shared, never modified, like `last`.
  std::shared_ptr<const diagnose::UpstreamFinding> upstream;
  // The confirm probes of the latest failure; nullopt while passing or when none ran (a
  // failure after failures gets none: the diagnosis then counts the failures in a row).
  std::optional<diagnose::ConfirmFinding> confirmed;
  // resolve_all: each address of the latest round; empty otherwise.
  std::vector<diagnose::BackendResult> backends;

  std::uint64_t probes_total = 0;
  // Never null. Shared, never modified once in a snapshot: the loop copies it before its next
  // change (copy-on-write), so every snapshot shares one instance per target instead of
  // copying ~500 bytes of counters and maps.
  std::shared_ptr<const ProbeCounters> counters = std::make_shared<const ProbeCounters>();
  std::vector<WindowSummary> windows;                   // one per agent window, ascending span
  Sparkline sparkline;  // the recent trend for the status page (72 bytes, no heap)
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
  // Config order. Never null. Shared with the probe loop and with earlier snapshots: a target
  // whose status did not change since the last snapshot is the same instance in both.
  std::vector<std::shared_ptr<const TargetStatus>> targets;
  std::vector<alert::InstanceSnapshot> alerts;  // every (rule, target) pair
};

}  // namespace gatewatch::status
