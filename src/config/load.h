#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

// TOML text -> Config, or every problem found in it. The only toml++ user; toml++ types and
// exceptions never leave src/config/. Schema and messages: SPEC.md "Configuration" and
// config/example.toml.
namespace gatewatch::config {

// One problem in a config file. Never contains a secret (header values, api_token, URL
// credentials and query values, notifier URLs and secrets), even when the secret came from
// the environment.
struct ConfigError {
  std::string file;  // as given to ParseConfig / LoadConfigFile
  // 1-based position of the offending node; for a missing required key, of the table that
  // lacks it (the [[target]] header). 0:0 when there is no position (unreadable file).
  int line = 0, column = 0;
  std::string key_path;  // "targets.api.interval", "targets[2].name", "agent.windows[0]"; may be ""
  std::string message;   // "must be at least 100ms, got \"50ms\""

  // "gatewatch.toml:14:12: targets.api.interval: must be at least 100ms, got \"50ms\"".
  // "key_path: " is omitted when key_path is empty, "line:col:" when line is 0.
  std::string ToString() const;
};

// Exactly one of the two is set: a config with no errors, or no config and >= 1 error,
// sorted by (line, column).
struct LoadResult {
  std::optional<Config> config;
  std::vector<ConfigError> errors;
};

// Resolves ${NAME} references; nullopt when the variable is not set. Must be callable from
// the loading thread only for the duration of the load call.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Reads the process environment (getenv). Do not call setenv concurrently with a load.
EnvLookup ProcessEnv();

// Parses and validates a whole config. Collects every error (never stops at the first):
// a TOML syntax error is reported alone (toml++'s position and description); otherwise every
// unknown key, wrong type, bad value and missing required key is reported.
//
// Semantics beyond plain field mapping:
// - `${NAME}` in any string value is replaced from `env` before the value is validated;
//   `$$` is a literal `$`; any other `$` is kept as is. A missing variable or a malformed
//   `${` is an error at that string.
// - [defaults] holds any [[target]] key except name and url; a target's own value wins.
//   For the tables `headers` and `labels` the entries are merged (the target's entry wins
//   for the same header name, compared case-insensitively, or label name).
// - agent.windows is returned sorted ascending with duplicates removed.
// - [[alert]]: `signal` decides which keys apply (a burn_rate key on another signal, or
//   `window`/`above` on burn_rate, is an error) and the range of `above`; each `targets`
//   entry must match at least one [[target]] and each `notify` entry name a [[notifier]];
//   clear_below defaults to above (burn_rate: to factor). agent.windows plus the alert
//   windows (RequiredWindows) may hold at most 8 distinct spans.
// - [[notifier]]: `secret` and `headers` are for type "webhook" only; `template` may use
//   only kTemplatePlaceholders; the URL is a secret and never shown.
// - [[target]] `upstream` passes the same checks as `url` (and is shown redacted the same
//   way), `resolve_all` is a boolean and `confirm` an integer 0..5 (default 1).
// `file_name` is used for messages and Config::source only. Pure apart from calling `env`;
// thread-safe if `env` is.
LoadResult ParseConfig(std::string_view toml_text, std::string_view file_name,
                       const EnvLookup& env);

// Reads `path` and calls ParseConfig(text, path, env). An unreadable file (missing,
// a directory, no permission, larger than 16 MiB) yields one error at 0:0:
// "cannot read: <strerror>".
LoadResult LoadConfigFile(const std::string& path, const EnvLookup& env);

// One line for `check-config`, e.g. "3 targets (2 https, 1 http), windows 1m/5m/1h,
// 2 alerts, 1 notifier, listen 0.0.0.0:9502, shard 0/1" (alerts and notifiers only when
// there are some).
// Never includes secrets or URLs.
std::string Summarize(const Config& config);

}  // namespace gatewatch::config
