#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "net/http_request.h"

namespace gatewatch::probe {

// Why a probe failed, one main reason each; the `reason` label of
// gatewatch_probe_failures_total. kNone means the probe passed every check.
enum class FailureReason {
  kNone,
  kDns,
  kRefused,
  kConnectTimeout,
  kTls,
  kTimeout,
  kReset,
  kProtocol,
  kStatus,  // a response arrived, its status is not in expect_status
  kBody,    // expect_body did not match, or the body exceeded max_body_bytes while matching
  kHealth,  // a health document said the service is down
};
inline constexpr FailureReason kAllFailureReasons[] = {
    FailureReason::kDns,     FailureReason::kRefused, FailureReason::kConnectTimeout,
    FailureReason::kTls,     FailureReason::kTimeout, FailureReason::kReset,
    FailureReason::kProtocol, FailureReason::kStatus, FailureReason::kBody,
    FailureReason::kHealth};

// "dns", "refused", "connect_timeout", "tls", "timeout", "reset", "protocol", "status",
// "body", "health"; "" for kNone.
std::string_view ReasonName(FailureReason reason);

using Phases = net::PhaseTimings;

struct ProbeResult {
  bool success() const { return reason == FailureReason::kNone; }

  FailureReason reason = FailureReason::kNone;
  int http_status = 0;                     // 0 when no response arrived
  std::chrono::microseconds latency{0};    // whole probe
  Phases phases;                           // only phases that were measured
  std::string detail;                      // one line: curl's error or what check failed
  core::Clock::TimePoint started{};        // steady time the probe began
  core::Clock::WallTimePoint wall_started{};
  std::string remote_ip;
  std::optional<std::int64_t> tls_not_after;  // Unix seconds
  std::size_t body_bytes = 0;
  // Kept for diagnosis: the response's headers and the first bytes of its body.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body_excerpt;  // at most kBodyExcerptBytes
  std::string trace_id;      // W3C trace id sent in traceparent (32 hex chars)
};

inline constexpr std::size_t kBodyExcerptBytes = 512;

}  // namespace gatewatch::probe
