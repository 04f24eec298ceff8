#include "core/duration.h"

#include <cstdint>

namespace gatewatch::core {
namespace {
constexpr std::int64_t kMaxMillis = 100LL * 365 * 24 * 3600 * 1000;

struct Unit {
  std::string_view suffix;
  std::int64_t millis;
};
// "ms" must be tried before "m".
constexpr Unit kUnits[] = {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000},
                           {"d", 86'400'000}};
}  // namespace

std::optional<Millis> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t value = 0;
    const std::size_t digits_start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + (text[i] - '0');
      if (value > kMaxMillis) return std::nullopt;
      ++i;
    }
    if (i == digits_start) return std::nullopt;
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(i, u.suffix.size()) == u.suffix) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return std::nullopt;
    i += unit->suffix.size();
    if (value > kMaxMillis / unit->millis) return std::nullopt;
    total += value * unit->millis;
    if (total > kMaxMillis) return std::nullopt;
  }
  return Millis(total);
}

std::string FormatDuration(Millis d) {
  if (d.count() == 0) return "0s";
  std::string out;
  // The magnitude is unsigned: the most negative count has no positive int64 counterpart.
  auto ms = static_cast<std::uint64_t>(d.count());
  if (d.count() < 0) {
    out = "-";
    ms = 0 - ms;
  }
  for (auto it = std::rbegin(kUnits); it != std::rend(kUnits); ++it) {
    const auto unit = static_cast<std::uint64_t>(it->millis);
    if (ms >= unit) {
      out += std::to_string(ms / unit);
      out += it->suffix;
      ms %= unit;
    }
  }
  return out;
}

}  // namespace gatewatch::core
