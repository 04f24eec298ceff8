#pragma once
#include <optional>
#include <string_view>

#include "config/config.h"
#include "net/http_request.h"
#include "probe/result.h"

namespace gatewatch::probe {

// Judges one finished transfer against its target's expectations. Pure: no clock, no I/O,
// no allocation beyond the result. The first failing check wins:
//   1. transport error -> the matching reason (ReasonFor), detail = curl's error text
//   2. http_status not matched by any of target.expect_status (an empty list accepts any
//      status) -> kStatus, detail "status 502, expected 2xx" ("expected 200 or 3xx" for
//      several matchers)
//   3. target.expect_body set and not found in the body read (which stops at
//      max_body_bytes) -> kBody, detail "body does not match /<regex>/", plus
//      " (searched only the first N bytes: the body was truncated at max_body_bytes)" when
//      the body was cut. A truncated body that does match passes.
//   4. target.health == kAuto and the body is a JSON object (content-type with "json", or a
//      body starting with '{') whose top-level "status" string is "DOWN", "OUT_OF_SERVICE",
//      "fail" or "error" (any case; Spring Boot actuator and application/health+json) ->
//      kHealth, detail `health status "DOWN"`. Other values ("UP", "pass", "warn",
//      "UNKNOWN") pass. Truncated bodies are not judged.
// Always copied: http_status (also with a transport error, e.g. a reset after the status
// line), latency (= timings.total), phases, remote_ip, tls_not_after, body_bytes (bytes read).
// Only for failed probes: headers and body_excerpt (the first kBodyExcerptBytes bytes, cut
// back to a UTF-8 character boundary); a passing probe leaves them empty so it costs nothing
// to keep. started, wall_started and trace_id are left for the caller (HttpProber) to fill.
//
// A cancelled transfer has no result: HttpProber drops cancelled completions and never calls
// Classify with kCancelled. If it is given one anyway, it is treated like kOther.
ProbeResult Classify(const config::TargetSpec& target, net::HttpResponse&& response);

// The failure reason for a transport error: kNone -> kNone, and each error to the reason of
// the same name. kOther (a local failure such as out-of-memory or a URL curl cannot parse)
// and kCancelled have no reason of their own and map to kProtocol: the exchange could not be
// carried out as HTTP.
FailureReason ReasonFor(net::TransportError error);

// The value of the top-level "status" member of a JSON object when it is a string (raw,
// escapes not decoded), or nullopt when text is not an object or has no such string.
// Linear in text; nested objects, arrays and strings are skipped, never recursed into.
std::optional<std::string_view> JsonTopLevelStatus(std::string_view text);

// The parts a failing health document names as down, for the diagnosis: Spring Boot's
// "components" (or 2.0's "details"; nested groups as "group/part") and
// application/health+json's "checks" ({"db:connections": [{"status": "fail", ...}]}), as
// "db: DOWN, redis: OUT_OF_SERVICE". "" when the body names none or is not such a
// document. Bounded for hostile bodies: at most kMaxHealthParts names of at most 60 bytes,
// and nothing nested deeper than 8 levels is even built.
inline constexpr std::size_t kMaxHealthParts = 5;
std::string FailingHealthParts(std::string_view body);

}  // namespace gatewatch::probe
