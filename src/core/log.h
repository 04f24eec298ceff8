#pragma once
#include <optional>
#include <string_view>

namespace gatewatch::core {

enum class LogFormat { kText, kJson };

// Replaces spdlog's default logger with one writing to stderr: "text" is a human line with
// a UTC timestamp; "json" is one object per line ({"ts","level","msg"}) for journald/Loki.
// Call from main before any thread starts; later calls replace the format and level.
void SetupLogging(LogFormat format, std::string_view level);

// "trace", "debug", "info", "warn", "error", "critical", "off".
bool IsValidLogLevel(std::string_view level);

}  // namespace gatewatch::core
