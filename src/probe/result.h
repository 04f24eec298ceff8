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

// A W3C trace id (32 hex characters), or empty. Held inline: as a std::string it took a
// 48-byte heap block per result, allocated on every probe and kept by every target's last
// result (0.5 MB at 10,000 targets). Reads as a NUL-terminated string_view.
class TraceId {
 public:
  static constexpr std::size_t kLength = 32;
  TraceId() = default;
  TraceId(std::string_view hex) { assign(hex.data(), hex.size()); }  // NOLINT: like a string
  TraceId& operator=(std::string_view hex) {
    assign(hex.data(), hex.size());
    return *this;
  }
  // Keeps at most kLength characters.
  void assign(const char* hex, std::size_t n) {
    n = n < kLength ? n : kLength;
    for (std::size_t i = 0; i < n; ++i) chars_[i] = hex[i];
    chars_[n] = '\0';
    size_ = static_cast<std::uint8_t>(n);
  }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {chars_, size_}; }
  operator std::string_view() const { return view(); }  // NOLINT: reads like a string
  std::string str() const { return std::string(view()); }
  const char* c_str() const { return chars_; }
  friend bool operator==(const TraceId& a, const TraceId& b) { return a.view() == b.view(); }
  friend bool operator==(const TraceId& a, std::string_view b) { return a.view() == b; }

 private:
  char chars_[kLength + 1] = {};
  std::uint8_t size_ = 0;
};

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
  TraceId trace_id;          // W3C trace id sent in traceparent (32 hex chars)
};
// With make_shared's 16 bytes, a target's last result fits jemalloc's 320-byte size class.
static_assert(sizeof(ProbeResult) <= 304);

inline constexpr std::size_t kBodyExcerptBytes = 512;

}  // namespace gatewatch::probe
