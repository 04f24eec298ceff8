#pragma once
#include <string>

namespace gatewatch::testing {

inline constexpr const char* kPromtool = "/usr/bin/promtool";

// True if kPromtool exists and is executable.
bool PromtoolAvailable();

// Runs `promtool check metrics` with `exposition` on its stdin (bounded to 30 s).
struct PromtoolResult {
  int exit_code = -1;  // 0: no problems found
  std::string output;  // everything promtool printed (lint findings, parse errors)
};
PromtoolResult CheckMetrics(const std::string& exposition);

}  // namespace gatewatch::testing
