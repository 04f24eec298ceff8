// core::ParseDuration / FormatDuration: every accepted text lies in [0, 100 years] and
// survives a Format -> Parse round trip; Format itself takes any millisecond count.
#include <cstdint>
#include <cstring>

#include "core/duration.h"
#include "fuzz_support.h"

namespace {

using gatewatch::core::FormatDuration;
using gatewatch::core::Millis;
using gatewatch::core::ParseDuration;
using gatewatch::fuzz::Check;

constexpr std::int64_t kMaxMillis = 100LL * 365 * 24 * 3600 * 1000;

bool IsDurationChar(char c) {
  return (c >= '0' && c <= '9') || c == 'm' || c == 's' || c == 'h' || c == 'd';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = gatewatch::fuzz::AsText(data, size);
  if (const auto parsed = ParseDuration(text)) {
    Check(parsed->count() >= 0 && parsed->count() <= kMaxMillis, "parsed duration in range");
    for (const char c : text) Check(IsDurationChar(c), "accepted text holds only digits/units");
    const std::string formatted = FormatDuration(*parsed);
    Check(ParseDuration(formatted) == parsed, "Format -> Parse round trip");
  }
  // Format's contract covers any count, negative ones included.
  if (size >= sizeof(std::int64_t)) {
    std::int64_t raw;
    std::memcpy(&raw, data, sizeof raw);
    const std::string formatted = FormatDuration(Millis(raw));
    Check(!formatted.empty(), "Format never returns empty");
    if (raw >= 0 && raw <= kMaxMillis) {
      Check(ParseDuration(formatted) == Millis(raw), "Format -> Parse round trip (raw)");
    }
  }
  return 0;
}
