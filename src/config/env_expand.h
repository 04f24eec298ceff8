#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "config/load.h"

// `${NAME}` substitution for config string values. Internal to src/config/ (load.cpp);
// exposed in a header for tests.
namespace gatewatch::config {

struct ExpandResult {
  std::string value;                // the expanded text; meaningless when errors is non-empty
  std::vector<std::string> errors;  // messages without position or key path; never the value
};

// Replaces each `${NAME}` (NAME = [A-Za-z_][A-Za-z0-9_]*) with env(NAME) and each `$$` with
// `$`; any other `$` stays literal, so regexes such as "^ok$" need no escaping. Expansion is
// one pass: text coming from a variable is not expanded again. Errors, one per problem:
// "environment variable NAME is not set" (once per distinct name) and, for a `${` that is
// not a well-formed reference, a "malformed" message.
ExpandResult ExpandEnv(std::string_view text, const EnvLookup& env);

}  // namespace gatewatch::config
