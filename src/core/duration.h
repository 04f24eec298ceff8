#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace gatewatch::core {

using Millis = std::chrono::milliseconds;

// Parses config durations: one or more <integer><unit> parts, unit one of ms, s, m, h, d
// ("250ms", "15s", "1m30s", "7d"). Returns nullopt for anything else (empty, negative,
// fractional, unknown unit, overflow past 100 years).
std::optional<Millis> ParseDuration(std::string_view text);

// The shortest exact form: 90000ms -> "1m30s", 250ms -> "250ms", 0 -> "0s".
std::string FormatDuration(Millis d);

}  // namespace gatewatch::core
