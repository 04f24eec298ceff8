#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "net/http_request.h"

// Retry timing and verdicts for notification deliveries. Pure functions (the random
// generator is the caller's); safe from any thread on distinct generators.
namespace gatewatch::notify {

struct BackoffPolicy {
  std::chrono::milliseconds base{1'000};   // the cap of the first retry's wait
  std::chrono::milliseconds max{300'000};  // no wait is ever longer (Retry-After included)
};

// The wait before the next attempt after `failures` failed attempts in a row (>= 1):
// "full jitter", uniform in [0, min(max, base * 2^(failures - 1))] milliseconds, drawn
// from `rng`. failures = 0 gives 0.
//   base 1s, max 5m: failures 1 -> [0, 1s], 2 -> [0, 2s], 3 -> [0, 4s], ... 10+ -> [0, 5m]
std::chrono::milliseconds BackoffDelay(const BackoffPolicy& policy, std::uint32_t failures,
                                       std::mt19937_64& rng);

// A Retry-After header value (RFC 9110 10.2.3): delta-seconds ("120") or an HTTP-date in
// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") or the obsolete RFC 850 ("Sunday,
// 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994") forms. Returns the wait
// from `wall_now` (0 for a date in the past), or nullopt for anything else (empty,
// negative, fractional, garbage).
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         core::Clock::WallTimePoint wall_now);

enum class Verdict {
  kDelivered,  // 2xx
  kRetry,      // no complete answer (refused, timeout, reset, ...), 408, 429, 5xx
  kPermanent,  // anything else (other 4xx, 3xx, 1xx): the receiver will not take it
  kCancelled,  // we cancelled the attempt (stop, reload): neither a success nor a failure
};

Verdict Judge(const net::HttpResponse& response);

// The wait before retrying after `response` (whose verdict was kRetry) and `failures`
// failed attempts in a row: BackoffDelay, but on 429 and 503 at least what Retry-After
// asks (it is the earliest time the receiver wants to hear from us, not a promise that
// sooner is fine), always capped at policy.max.
std::chrono::milliseconds RetryDelay(const BackoffPolicy& policy, std::uint32_t failures,
                                     const net::HttpResponse& response,
                                     core::Clock::WallTimePoint wall_now, std::mt19937_64& rng);

// One line about a failed attempt for logs and the outbox: "HTTP 500: <body excerpt>" or
// "connect refused: <curl's text>". Control characters in the excerpt become spaces; at
// most about 200 bytes.
std::string DescribeFailure(const net::HttpResponse& response);

}  // namespace gatewatch::notify
