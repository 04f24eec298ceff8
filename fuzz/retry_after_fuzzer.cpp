// notify::ParseRetryAfter on any header value, and RetryDelay / DescribeFailure on a 429 or
// 503 answer carrying it: waits are never negative, delta-seconds are capped at a year, and
// RetryDelay never exceeds the policy's max.
#include <chrono>
#include <cstdint>
#include <random>
#include <string>

#include "fuzz_support.h"
#include "net/http_request.h"
#include "notify/backoff.h"

namespace {

using gatewatch::fuzz::Check;
using std::chrono::milliseconds;

// A fixed "now" (2024-05-01T12:00:00.250Z) so a finding replays identically.
const gatewatch::core::Clock::WallTimePoint kNow{milliseconds(1'714'564'800'250)};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view value = gatewatch::fuzz::AsText(data, size);
  if (const auto wait = gatewatch::notify::ParseRetryAfter(value, kNow)) {
    Check(wait->count() >= 0, "Retry-After wait is never negative");
    const std::size_t first = value.find_first_not_of(" \t");
    if (value[first] >= '0' && value[first] <= '9') {
      Check(*wait <= milliseconds(366LL * 24 * 3600 * 1000), "delta-seconds capped at a year");
    }
  }

  gatewatch::net::HttpResponse response;
  response.http_status = size % 2 == 0 ? 429 : 503;
  response.headers.emplace_back("retry-after", std::string(value));
  response.body = std::string(value);
  const gatewatch::notify::BackoffPolicy policy;
  std::mt19937_64 rng(size);
  const milliseconds delay =
      gatewatch::notify::RetryDelay(policy, 1 + size % 12, response, kNow, rng);
  Check(delay >= milliseconds::zero() && delay <= policy.max, "RetryDelay within [0, max]");

  const std::string line = gatewatch::notify::DescribeFailure(response);
  Check(line.size() <= 220, "DescribeFailure stays about 200 bytes");
  for (const char c : line) {
    Check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f, "DescribeFailure has no controls");
  }
  return 0;
}
