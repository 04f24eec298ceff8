#include "config/load.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <system_error>
#include <tuple>
#include <unordered_map>

#include "config/env_expand.h"
#include "config/values.h"
#include "core/duration.h"
#include "core/log.h"
#include "core/pattern.h"
#include "core/secret.h"

namespace gatewatch::config {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kTopLevelKeys[] = {"agent", "defaults", "target", "alert", "notifier"};
constexpr std::string_view kAgentKeys[] = {"listen",  "state_dir", "log_format", "log_level",
                                           "windows", "labels",    "shard",      "api_token",
                                           "saturation_notify"};
constexpr std::string_view kTargetKeys[] = {"name",
                                            "url",
                                            "method",
                                            "headers",
                                            "body",
                                            "interval",
                                            "timeout",
                                            "unhealthy_interval",
                                            "expect_status",
                                            "expect_body",
                                            "follow_redirects",
                                            "tls_insecure",
                                            "max_body_bytes",
                                            "connection",
                                            "health",
                                            "upstream",
                                            "resolve_all",
                                            "confirm",
                                            "labels"};

constexpr std::string_view kAlertKeys[] = {
    "name",   "targets",  "signal", "window", "above",       "clear_below",  "for",   "min_samples",
    "repeat", "severity", "notify", "slo",    "long_window", "short_window", "factor"};
constexpr std::string_view kBurnRateKeys[] = {"slo", "long_window", "short_window", "factor"};
constexpr std::string_view kNotifierKeys[] = {"name",    "type",   "url",     "send_resolved",
                                              "timeout", "secret", "headers", "template"};

// In the order of config::AlertSignal and config::NotifierType.
constexpr std::string_view kSignals[] = {
    "502_ratio",   "5xx_ratio",   "failure_ratio",        "latency_p50",
    "latency_p90", "latency_p99", "consecutive_failures", "burn_rate"};
constexpr std::string_view kNotifierTypes[] = {"webhook",    "slack",      "discord",     "teams",
                                               "mattermost", "googlechat", "alertmanager"};

constexpr std::string_view kLogFormats[] = {"text", "json"};
constexpr std::string_view kMethods[] = {"GET",   "HEAD",   "POST",   "PUT",
                                         "PATCH", "DELETE", "OPTIONS"};
constexpr std::string_view kConnections[] = {"fresh", "reuse"};
constexpr std::string_view kHealthModes[] = {"auto", "off"};

constexpr core::Millis kMinInterval = 100ms;
constexpr core::Millis kMinTimeout = 10ms;
constexpr core::Millis kMinWindow = 1s;
constexpr core::Millis kMaxWindow = 7 * 24h;
constexpr std::size_t kMaxWindows = 8;  // agent.windows, and also with the alert windows added
constexpr core::Millis kMinRepeat = 1min;
constexpr core::Millis kMaxNotifierTimeout = 5min;
constexpr std::int64_t kMaxMinSamples = 1'000'000;
// Latencies at or above this are recorded as this (window/latency_histogram.h), so a latency
// threshold must be below it to be reachable.
constexpr double kMaxLatencySeconds = 120.0;
constexpr std::int64_t kMaxBodyBytesLimit = 64 << 20;
constexpr std::int64_t kMaxConfirm = 5;
constexpr long kMaxFileBytes = 16 << 20;

bool Contains(std::span<const std::string_view> list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// The closest known key within edit distance 2, for "did you mean".
std::optional<std::string_view> Suggest(std::string_view key,
                                        std::span<const std::string_view> known) {
  std::optional<std::string_view> best;
  int best_distance = 3;
  for (std::string_view candidate : known) {
    const int d = EditDistance(key, candidate);
    if (d < best_distance && d < static_cast<int>(key.size())) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

// `must be "a" or "b"` / `must be one of A, B, C`.
std::string MustBeOneOf(std::span<const std::string_view> allowed) {
  if (allowed.size() == 2) {
    return "must be \"" + std::string(allowed[0]) + "\" or \"" + std::string(allowed[1]) + "\"";
  }
  std::string out = "must be one of ";
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    if (i > 0) out += ", ";
    out += allowed[i];
  }
  return out;
}

template <std::size_t N>
std::size_t IndexOf(const std::string_view (&list)[N], std::string_view value) {
  return static_cast<std::size_t>(std::find(std::begin(list), std::end(list), value) -
                                  std::begin(list));
}

// A threshold in a message: "0.05", "14.4", "10" (not "10.000000000000002").
std::string FormatNumber(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  return buf;
}

bool IsRatio(AlertSignal signal) {
  return signal == AlertSignal::k502Ratio || signal == AlertSignal::k5xxRatio ||
         signal == AlertSignal::kFailureRatio;
}

bool IsLatency(AlertSignal signal) {
  return signal == AlertSignal::kLatencyP50 || signal == AlertSignal::kLatencyP90 ||
         signal == AlertSignal::kLatencyP99;
}

// Why `key` of an [[alert]] does not go with `signal`; nullopt when it does.
std::optional<std::string> KeyNotUsed(AlertSignal signal, std::string_view key) {
  const bool burn_key = Contains(kBurnRateKeys, key);
  if (signal == AlertSignal::kBurnRate) {
    if (key == "window") {
      return "not used with signal \"burn_rate\" (it reads long_window and short_window)";
    }
    if (key == "above") return "not used with signal \"burn_rate\" (its threshold is factor)";
    return std::nullopt;
  }
  if (burn_key) return "only valid with signal \"burn_rate\"";
  if (signal == AlertSignal::kConsecutiveFailures && (key == "window" || key == "min_samples")) {
    return "not used with signal \"consecutive_failures\" (it counts failed probes in a row, "
           "with no window)";
  }
  return std::nullopt;
}

// The range of `above` for `signal` (not kBurnRate); nullopt when `value` is in it.
std::optional<std::string> CheckAbove(AlertSignal signal, double value) {
  if (IsRatio(signal) && (value < 0 || value >= 1)) {
    return "must be a ratio, at least 0 and below 1 (0.05 = 5%), got " + FormatNumber(value);
  }
  if (IsLatency(signal) && (value < 0 || value >= kMaxLatencySeconds)) {
    return "must be a latency in seconds, at least 0 and below " +
           FormatNumber(kMaxLatencySeconds) + " (0.8 = 800ms), got " + FormatNumber(value);
  }
  if (signal == AlertSignal::kConsecutiveFailures &&
      (value < 1 || value != std::floor(value) || value > 1e9)) {
    return "must be a whole number of failures, at least 1, got " + FormatNumber(value);
  }
  return std::nullopt;
}

struct Position {
  int line = 0;
  int column = 0;
};

Position At(const toml::source_region& region) {
  return {static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}
Position At(const toml::node& node) { return At(node.source()); }

// Where a key is defined. For a [table] or [[array]] header toml++ puts the key inside the
// brackets, so use the header's start instead, which is where the user looks.
Position KeyAt(const toml::key& key, const toml::node& node) {
  const toml::source_position& k = key.source().begin;
  const toml::source_position& n = node.source().begin;
  if ((node.is_table() || node.is_array()) && n.line == k.line && n.column < k.column) {
    return At(node);
  }
  return At(key.source());
}

// How much of a value a message may show.
enum class Show { kValue, kUrl, kNothing };

std::string_view TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::array:
      return "array";
    case toml::node_type::table:
      return "table";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// What a type error says was found instead: "integer 15", "string \"15\"", "boolean".
std::string Describe(const toml::node& node, Show show) {
  std::string out(TypeName(node));
  if (show == Show::kNothing) return out;
  if (const auto* i = node.as_integer()) {
    out += ' ';
    out += std::to_string(i->get());
  } else if (const auto* f = node.as_floating_point()) {
    char buf[32];
    const auto end = std::to_chars(buf, buf + sizeof buf, f->get()).ptr;
    out += ' ';
    out.append(buf, end);
  } else if (const auto* s = node.as_string()) {
    out += ' ';
    out += Quote(show == Show::kUrl ? core::RedactUrl(s->get()) : s->get());
  }
  return out;
}

std::string Indexed(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

// Where a target's interval or timeout was set, for the timeout <= interval check.
struct Origin {
  const toml::node* node = nullptr;  // nullptr: not set at this level
  std::string key_path;
  std::string text;
};
struct TimingOrigins {
  Origin interval, timeout;
  bool invalid = false;  // one of them had a bad value (already reported)
};

struct DurationValue {
  core::Millis value;
  std::string text;  // as written (after ${} expansion), for messages
};

// Walks a parsed TOML document into a Config, collecting errors. One instance per load.
class Loader {
 public:
  Loader(std::string_view file, const EnvLookup& env) : file_(file), env_(env) {}

  void Load(const toml::table& root, Config& config) {
    const toml::node* defaults = nullptr;
    const toml::node* targets = nullptr;
    const toml::node* alerts = nullptr;
    const toml::node* notifiers = nullptr;
    for (auto&& [key, value] : root) {
      const std::string_view k = key.str();
      if (!Accept(kTopLevelKeys, key, value, std::string(k))) continue;
      if (k == "agent") {
        ParseAgent(value, config.agent);
      } else if (k == "defaults") {
        defaults = &value;
      } else if (k == "target") {
        targets = &value;
      } else if (k == "alert") {
        alerts = &value;
      } else {
        notifiers = &value;
      }
    }
    ParseTargets(targets, defaults, config.targets);
    // Alerts last: they refer to targets and notifiers by name.
    if (notifiers != nullptr) ParseNotifiers(*notifiers, config.notifiers);
    if (saturation_notify_ != nullptr) {
      ParseNotify(*saturation_notify_, "agent.saturation_notify", config.notifiers,
                  config.agent.saturation_notify);
    }
    if (alerts != nullptr) ParseAlerts(*alerts, config);
  }

  std::vector<ConfigError> TakeErrors() { return std::move(errors_); }

 private:
  const toml::node* saturation_notify_ = nullptr;

 public:

 private:
  void Error(Position at, std::string key_path, std::string message) {
    errors_.push_back(
        ConfigError{file_, at.line, at.column, std::move(key_path), std::move(message)});
  }

  // True when `key` is one of `known`; otherwise reports it and returns false.
  bool Accept(std::span<const std::string_view> known, const toml::key& key,
              const toml::node& value, const std::string& path) {
    const std::string_view name = key.str();
    if (Contains(known, name)) return true;
    std::string message = "unknown key";
    if (const auto suggestion = Suggest(name, known)) {
      message += " (did you mean \"" + std::string(*suggestion) + "\"?)";
    }
    Error(KeyAt(key, value), path, std::move(message));
    return false;
  }

  std::optional<std::string> String(const toml::node& node, const std::string& path, Show show) {
    const auto* s = node.as_string();
    if (s == nullptr) {
      Error(At(node), path, "must be a string, got " + Describe(node, show));
      return std::nullopt;
    }
    ExpandResult expanded = ExpandEnv(s->get(), env_);
    if (!expanded.errors.empty()) {
      for (std::string& message : expanded.errors) Error(At(node), path, std::move(message));
      return std::nullopt;
    }
    return std::move(expanded.value);
  }

  std::optional<std::string> OneOf(const toml::node& node, const std::string& path,
                                   std::span<const std::string_view> allowed) {
    std::optional<std::string> s = String(node, path, Show::kValue);
    if (!s) return std::nullopt;
    if (Contains(allowed, *s)) return s;
    Error(At(node), path, MustBeOneOf(allowed) + ", got " + Quote(*s));
    return std::nullopt;
  }

  std::optional<bool> Bool(const toml::node& node, const std::string& path) {
    if (const auto* b = node.as_boolean()) return b->get();
    Error(At(node), path, "must be true or false, got " + Describe(node, Show::kValue));
    return std::nullopt;
  }

  std::optional<DurationValue> Duration(const toml::node& node, const std::string& path,
                                        core::Millis min,
                                        std::optional<core::Millis> max = std::nullopt) {
    static constexpr std::string_view kForm = "must be a duration string like \"15s\", got ";
    if (!node.is_string()) {
      Error(At(node), path, std::string(kForm) + Describe(node, Show::kValue));
      return std::nullopt;
    }
    std::optional<std::string> text = String(node, path, Show::kValue);
    if (!text) return std::nullopt;
    const std::optional<core::Millis> d = core::ParseDuration(*text);
    if (!d) {
      Error(At(node), path, std::string(kForm) + Quote(*text));
      return std::nullopt;
    }
    if (*d < min) {
      Error(At(node), path,
            "must be at least " + core::FormatDuration(min) + ", got " + Quote(*text));
      return std::nullopt;
    }
    if (max && *d > *max) {
      Error(At(node), path,
            "must be at most " + core::FormatDuration(*max) + ", got " + Quote(*text));
      return std::nullopt;
    }
    return DurationValue{*d, std::move(*text)};
  }

  void ParseAgent(const toml::node& node, AgentSpec& agent) {
    const auto* table = node.as_table();
    if (table == nullptr) {
      Error(At(node), "agent", "must be a table ([agent])");
      return;
    }
    for (auto&& [key, value] : *table) {
      const std::string_view k = key.str();
      const std::string path = "agent." + std::string(k);
      if (!Accept(kAgentKeys, key, value, path)) continue;
      if (k == "listen") {
        if (auto s = String(value, path, Show::kValue)) {
          if (auto problem = CheckListen(*s)) {
            Error(At(value), path, std::move(*problem));
          } else {
            agent.listen = std::move(*s);
          }
        }
      } else if (k == "state_dir") {
        if (auto s = String(value, path, Show::kValue)) agent.state_dir = std::move(*s);
      } else if (k == "labels") {
        ParseLabels(value, path, agent.labels, CheckAgentLabelName);
      } else if (k == "log_format") {
        if (auto s = OneOf(value, path, kLogFormats)) {
          agent.log_format = *s == "json" ? core::LogFormat::kJson : core::LogFormat::kText;
        }
      } else if (k == "log_level") {
        if (auto s = String(value, path, Show::kValue)) {
          if (core::IsValidLogLevel(*s)) {
            agent.log_level = std::move(*s);
          } else {
            Error(
                At(value), path,
                "must be one of trace, debug, info, warn, error, critical, off, got " + Quote(*s));
          }
        }
      } else if (k == "windows") {
        ParseWindows(value, path, agent.windows);
      } else if (k == "shard") {
        if (auto s = String(value, path, Show::kValue)) {
          if (auto shard = ParseShard(*s)) {
            agent.shard = *shard;
          } else {
            Error(At(value), path,
                  "must be \"index/count\" with 0 <= index < count <= " +
                      std::to_string(kMaxShardCount) + ", got " + Quote(*s));
          }
        }
      } else if (k == "api_token") {
        if (auto s = String(value, path, Show::kNothing)) agent.api_token = core::Secret(*s);
      } else if (k == "saturation_notify") {
        saturation_notify_ = &value;  // checked once the notifiers are known
      }
    }
  }

  void ParseWindows(const toml::node& node, const std::string& path,
                    std::vector<core::Millis>& out) {
    const auto* array = node.as_array();
    if (array == nullptr) {
      Error(At(node), path,
            "must be an array of durations like [\"1m\", \"5m\", \"1h\"], got " +
                Describe(node, Show::kValue));
      return;
    }
    if (array->empty() || array->size() > kMaxWindows) {
      Error(At(node), path,
            "must list 1 to " + std::to_string(kMaxWindows) + " windows, got " +
                std::to_string(array->size()));
      return;
    }
    std::vector<core::Millis> windows;
    for (std::size_t i = 0; i < array->size(); ++i) {
      if (auto d = Duration(*array->get(i), Indexed(path, i), kMinWindow, kMaxWindow)) {
        windows.push_back(d->value);
      }
    }
    if (windows.size() != array->size()) return;
    std::sort(windows.begin(), windows.end());
    windows.erase(std::unique(windows.begin(), windows.end()), windows.end());
    out = std::move(windows);
  }

  // Reads the `name` of the index-th table of an array such as [[target]] into `name` (left
  // empty when missing or invalid) and returns the key-path prefix for the table's keys:
  // "targets.api" once the name is known, else "targets[2]".
  std::string ReadName(const toml::table& table, std::string_view plural, std::string_view kind,
                       std::size_t index, std::unordered_map<std::string, int>& first_line_by_name,
                       std::string& name) {
    std::string prefix = Indexed(std::string(plural), index);
    const toml::node* node = table.get("name");
    if (node == nullptr) {
      Error(At(table), prefix + ".name", "missing required key");
      return prefix;
    }
    std::optional<std::string> s = String(*node, prefix + ".name", Show::kValue);
    if (!s) return prefix;
    if (!IsValidTargetName(*s)) {
      Error(At(*node), prefix + ".name",
            "must match [A-Za-z0-9_.-]+ (1 to " + std::to_string(kMaxTargetNameLength) +
                " characters), got " + Quote(*s));
      return prefix;
    }
    prefix = std::string(plural) + "." + *s;
    const auto [it, inserted] = first_line_by_name.emplace(*s, At(*node).line);
    if (!inserted) {
      Error(At(*node), prefix + ".name",
            "duplicate " + std::string(kind) + " name " + Quote(*s) + " (first defined at line " +
                std::to_string(it->second) + ")");
    }
    name = std::move(*s);
    return prefix;
  }

  // `node` as an array of tables ([[key]]), or nullptr after reporting that it is not one.
  const toml::array* TableArray(const toml::node& node, std::string_view key) {
    const toml::array* array = node.as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      const std::string k(key);
      Error(At(node), k, "must be an array of tables ([[" + k + "]])");
      return nullptr;
    }
    return array;
  }

  void ParseTargets(const toml::node* targets, const toml::node* defaults,
                    std::vector<TargetSpec>& out) {
    TargetSpec base;
    TimingOrigins defaults_timing;
    if (defaults != nullptr) {
      if (const auto* table = defaults->as_table()) {
        ApplyTargetKeys(*table, "defaults", /*in_defaults=*/true, base, defaults_timing);
      } else {
        Error(At(*defaults), "defaults", "must be a table ([defaults])");
      }
    }
    const toml::array* array = targets != nullptr ? targets->as_array() : nullptr;
    if (targets != nullptr && array == nullptr) {
      Error(At(*targets), "target", "must be an array of tables ([[target]])");
      return;
    }
    if (array == nullptr || array->empty()) {
      Error(Position{1, 1}, "", "config has no [[target]]; add at least one");
      return;
    }
    if (!array->is_array_of_tables()) {
      Error(At(*targets), "target", "must be an array of tables ([[target]])");
      return;
    }
    std::unordered_map<std::string, int> first_line_by_name;
    bool defaults_timing_reported = false;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::table& table = *array->get(i)->as_table();
      TargetSpec spec = base;
      const std::string prefix =
          ReadName(table, "targets", "target", i, first_line_by_name, spec.name);
      TimingOrigins timing;
      ApplyTargetKeys(table, prefix, /*in_defaults=*/false, spec, timing);
      if (!table.contains("url")) Error(At(table), prefix + ".url", "missing required key");
      CheckTiming(spec, timing, defaults_timing, defaults_timing_reported);
      out.push_back(std::move(spec));
    }
  }

  // timeout <= interval, reported where the user can fix it: at the target's own key when it
  // set one, else once at the [defaults] key that causes it.
  void CheckTiming(const TargetSpec& spec, const TimingOrigins& own, const TimingOrigins& defaults,
                   bool& defaults_reported) {
    if (own.invalid || defaults.invalid || spec.timeout <= spec.interval) return;
    const auto timeout_too_long = [&](const Origin& timeout) {
      Error(At(*timeout.node), timeout.key_path,
            "must not exceed interval (" + core::FormatDuration(spec.interval) + "), got " +
                Quote(timeout.text));
    };
    const auto interval_too_short = [&](const Origin& interval) {
      Error(At(*interval.node), interval.key_path,
            "must not be less than timeout (" + core::FormatDuration(spec.timeout) + "), got " +
                Quote(interval.text));
    };
    if (own.timeout.node != nullptr) {
      timeout_too_long(own.timeout);
    } else if (own.interval.node != nullptr) {
      interval_too_short(own.interval);
    } else if (!defaults_reported) {
      defaults_reported = true;
      if (defaults.timeout.node != nullptr) {
        timeout_too_long(defaults.timeout);
      } else {
        interval_too_short(defaults.interval);
      }
    }
  }

  // Applies the keys of a [[target]] (or of [defaults]) on top of `spec`. The name is read
  // by the caller, because it decides the key paths.
  void ApplyTargetKeys(const toml::table& table, const std::string& prefix, bool in_defaults,
                       TargetSpec& spec, TimingOrigins& timing) {
    for (auto&& [key, value] : table) {
      const std::string_view k = key.str();
      const std::string path = prefix + "." + std::string(k);
      if (!Accept(kTargetKeys, key, value, path)) continue;
      if (in_defaults && (k == "name" || k == "url")) {
        Error(KeyAt(key, value), path, "not allowed in [defaults]; set it in each [[target]]");
      } else if (k == "name") {
        continue;
      } else if (k == "url") {
        if (auto s = String(value, path, Show::kUrl)) {
          if (auto problem = CheckTargetUrl(*s)) {
            Error(At(value), path, std::move(*problem));
          } else {
            spec.url = std::move(*s);
          }
        }
      } else if (k == "upstream") {
        if (auto s = String(value, path, Show::kUrl)) {
          if (auto problem = CheckTargetUrl(*s)) {
            Error(At(value), path, std::move(*problem));
          } else {
            spec.upstream = std::move(*s);
          }
        }
      } else if (k == "resolve_all") {
        if (auto b = Bool(value, path)) spec.resolve_all = *b;
      } else if (k == "confirm") {
        const auto* i = value.as_integer();
        if (i != nullptr && i->get() >= 0 && i->get() <= kMaxConfirm) {
          spec.confirm = static_cast<std::int8_t>(i->get());
        } else {
          Error(At(value), path,
                "must be an integer 0.." + std::to_string(kMaxConfirm) +
                    " (confirm probes after a failure), got " + Describe(value, Show::kValue));
        }
      } else if (k == "method") {
        if (auto s = OneOf(value, path, kMethods)) spec.method = std::move(*s);
      } else if (k == "headers") {
        ParseHeaders(value, path, spec.headers);
      } else if (k == "body") {
        if (auto s = String(value, path, Show::kValue)) spec.body = std::move(*s);
      } else if (k == "interval" || k == "timeout") {
        const bool is_interval = k == "interval";
        auto d = Duration(value, path, is_interval ? kMinInterval : kMinTimeout);
        if (!d) {
          timing.invalid = true;
          continue;
        }
        (is_interval ? spec.interval : spec.timeout) = d->value;
        (is_interval ? timing.interval : timing.timeout) = Origin{&value, path, std::move(d->text)};
      } else if (k == "unhealthy_interval") {
        if (auto d = Duration(value, path, kMinInterval)) spec.unhealthy_interval = d->value;
      } else if (k == "expect_status") {
        ParseExpectStatus(value, path, spec.expect_status);
      } else if (k == "expect_body") {
        if (auto s = String(value, path, Show::kValue)) {
          auto compiled = core::Pattern::Compile(*s);
          if (auto* problem = std::get_if<std::string>(&compiled)) {
            Error(At(value), path, "invalid regular expression: " + *problem);
          } else {
            spec.expect_body = std::get<core::Pattern>(std::move(compiled));
          }
        }
      } else if (k == "follow_redirects") {
        if (auto b = Bool(value, path)) spec.follow_redirects = *b;
      } else if (k == "tls_insecure") {
        if (auto b = Bool(value, path)) spec.tls_insecure = *b;
      } else if (k == "max_body_bytes") {
        const auto* i = value.as_integer();
        if (i != nullptr && i->get() >= 0 && i->get() <= kMaxBodyBytesLimit) {
          spec.max_body_bytes = static_cast<std::size_t>(i->get());
        } else {
          Error(At(value), path,
                "must be an integer 0.." + std::to_string(kMaxBodyBytesLimit) + " (64 MiB), got " +
                    Describe(value, Show::kValue));
        }
      } else if (k == "connection") {
        if (auto s = OneOf(value, path, kConnections)) {
          spec.connection = *s == "reuse" ? ConnectionMode::kReuse : ConnectionMode::kFresh;
        }
      } else if (k == "health") {
        if (auto s = OneOf(value, path, kHealthModes)) {
          spec.health = *s == "off" ? HealthMode::kOff : HealthMode::kAuto;
        }
      } else if (k == "labels") {
        ParseLabels(value, path, spec.labels, CheckLabelName);
      }
    }
  }

  // Merges into `headers`: an entry here replaces one with the same name (case-insensitive).
  void ParseHeaders(const toml::node& node, const std::string& path, std::vector<Header>& headers) {
    const auto* table = node.as_table();
    if (table == nullptr) {
      Error(At(node), path,
            "must be a table of header names to strings, e.g. { Authorization = \"Bearer "
            "${TOKEN}\" }, got " +
                Describe(node, Show::kNothing));
      return;
    }
    std::vector<std::string_view> seen;
    for (auto&& [key, value] : *table) {
      const std::string_view name = key.str();
      const std::string header_path = path + "." + std::string(name);
      if (!IsHttpToken(name)) {
        Error(KeyAt(key, value), header_path,
              "header name must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~)");
        continue;
      }
      if (std::any_of(seen.begin(), seen.end(),
                      [&](std::string_view other) { return EqualsIgnoreCase(name, other); })) {
        Error(KeyAt(key, value), header_path,
              "duplicate header name (header names are case-insensitive)");
        continue;
      }
      seen.push_back(name);
      std::optional<std::string> text = String(value, header_path, Show::kNothing);
      if (!text) continue;
      if (text->find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
        Error(At(value), header_path, "must not contain line breaks or NUL characters");
        continue;
      }
      const auto existing = std::find_if(headers.begin(), headers.end(), [&](const Header& h) {
        return EqualsIgnoreCase(h.name, name);
      });
      if (existing != headers.end()) {
        *existing = Header{std::string(name), core::Secret(std::move(*text))};
      } else {
        headers.push_back(Header{std::string(name), core::Secret(std::move(*text))});
      }
    }
  }

  // Merges into `labels`: an entry here replaces one with the same name.
  void ParseLabels(const toml::node& node, const std::string& path,
                   std::map<std::string, std::string>& labels,
                   std::optional<std::string> (*check_name)(std::string_view)) {
    const auto* table = node.as_table();
    if (table == nullptr) {
      Error(At(node), path,
            "must be a table of label names to strings, e.g. { team = \"payments\" }, got " +
                Describe(node, Show::kValue));
      return;
    }
    for (auto&& [key, value] : *table) {
      const std::string_view name = key.str();
      const std::string label_path = path + "." + std::string(name);
      if (auto problem = check_name(name)) {
        Error(KeyAt(key, value), label_path, std::move(*problem));
        continue;
      }
      if (auto text = String(value, label_path, Show::kValue)) {
        labels.insert_or_assign(std::string(name), std::move(*text));
      }
    }
  }

  // A number (integer or float, finite), or nullopt after reporting.
  std::optional<double> Number(const toml::node& node, const std::string& path) {
    if (const auto* i = node.as_integer()) return static_cast<double>(i->get());
    if (const auto* f = node.as_floating_point(); f != nullptr && std::isfinite(f->get())) {
      return f->get();
    }
    Error(At(node), path, "must be a finite number, got " + Describe(node, Show::kValue));
    return std::nullopt;
  }

  void ParseNotifiers(const toml::node& node, std::vector<NotifierSpec>& out) {
    const toml::array* array = TableArray(node, "notifier");
    if (array == nullptr) return;
    std::unordered_map<std::string, int> first_line_by_name;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::table& table = *array->get(i)->as_table();
      NotifierSpec spec;
      const std::string prefix =
          ReadName(table, "notifiers", "notifier", i, first_line_by_name, spec.name);
      std::optional<NotifierType> type;
      if (const toml::node* node_type = table.get("type")) {
        if (auto s = OneOf(*node_type, prefix + ".type", kNotifierTypes)) {
          type = static_cast<NotifierType>(IndexOf(kNotifierTypes, *s));
          spec.type = *type;
        }
      } else {
        Error(At(table), prefix + ".type", "missing required key");
      }
      for (auto&& [key, value] : table) {
        const std::string_view k = key.str();
        const std::string path = prefix + "." + std::string(k);
        if (!Accept(kNotifierKeys, key, value, path)) continue;
        if (k == "name" || k == "type") continue;
        if ((k == "secret" || k == "headers") && type && *type != NotifierType::kWebhook) {
          Error(KeyAt(key, value), path,
                "only valid for type \"webhook\", not " + Quote(NotifierTypeName(*type)));
        } else if (k == "url") {
          if (auto s = String(value, path, Show::kNothing)) {
            if (auto problem = CheckNotifierUrl(*s)) {
              Error(At(value), path, std::move(*problem));
            } else {
              spec.url = core::Secret(std::move(*s));
            }
          }
        } else if (k == "send_resolved") {
          if (auto b = Bool(value, path)) spec.send_resolved = *b;
        } else if (k == "timeout") {
          if (auto d = Duration(value, path, kMinTimeout, kMaxNotifierTimeout)) {
            spec.timeout = d->value;
          }
        } else if (k == "secret") {
          if (auto s = String(value, path, Show::kNothing)) {
            spec.secret = core::Secret(std::move(*s));
          }
        } else if (k == "headers") {
          ParseHeaders(value, path, spec.headers);
        } else if (k == "template") {
          if (auto s = String(value, path, Show::kValue)) {
            if (auto problem = CheckTemplate(*s)) {
              Error(At(value), path, std::move(*problem));
            } else {
              spec.message_template = std::move(*s);
            }
          }
        }
      }
      if (!table.contains("url")) Error(At(table), prefix + ".url", "missing required key");
      out.push_back(std::move(spec));
    }
  }

  // Where an [[alert]] set the values its cross-checks compare; nullptr: not set (or invalid).
  struct AlertOrigins {
    const toml::node* window = nullptr;
    const toml::node* clear_below = nullptr;
    const toml::node* slo = nullptr;
    const toml::node* factor = nullptr;
    std::optional<DurationValue> long_window, short_window;
    const toml::node* long_window_node = nullptr;
    const toml::node* short_window_node = nullptr;
    std::optional<double> above, clear_below_value;
    bool invalid = false;  // a value they depend on was rejected (already reported)
  };

  // Reads [[alert]] into config.alerts; config.targets and config.notifiers must be loaded.
  void ParseAlerts(const toml::node& node, Config& config) {
    const toml::array* array = TableArray(node, "alert");
    if (array == nullptr) return;
    std::unordered_map<std::string, int> first_line_by_name;
    std::vector<core::Millis> spans = config.agent.windows;
    std::vector<AlertRule> rules;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::table& table = *array->get(i)->as_table();
      AlertRule rule;
      const std::string prefix =
          ReadName(table, "alerts", "alert", i, first_line_by_name, rule.name);
      std::optional<AlertSignal> signal;
      if (const toml::node* node_signal = table.get("signal")) {
        if (auto s = OneOf(*node_signal, prefix + ".signal", kSignals)) {
          signal = static_cast<AlertSignal>(IndexOf(kSignals, *s));
          rule.signal = *signal;
        }
      } else {
        Error(At(table), prefix + ".signal", "missing required key");
      }
      if (signal == AlertSignal::kBurnRate) rule.burn_rate.emplace();
      AlertOrigins origins;
      for (auto&& [key, value] : table) {
        const std::string_view k = key.str();
        const std::string path = prefix + "." + std::string(k);
        if (!Accept(kAlertKeys, key, value, path)) continue;
        if (k == "name" || k == "signal") continue;
        if (auto problem = signal ? KeyNotUsed(*signal, k) : std::nullopt) {
          Error(KeyAt(key, value), path, std::move(*problem));
          continue;
        }
        ApplyAlertKey(k, value, path, signal, config, rule, origins);
      }
      if (signal) CheckAlert(table, prefix, *signal, rule, origins);
      if (signal) CheckWindowCount(table, prefix, rule, origins, spans);
      rules.push_back(std::move(rule));
    }
    config.alerts = std::move(rules);
  }

  void ApplyAlertKey(std::string_view k, const toml::node& value, const std::string& path,
                     std::optional<AlertSignal> signal, const Config& config, AlertRule& rule,
                     AlertOrigins& origins) {
    if (k == "targets") {
      ParseAlertTargets(value, path, config.targets, rule.targets);
    } else if (k == "window") {
      if (auto d = Duration(value, path, kMinWindow, kMaxWindow)) {
        rule.window = d->value;
        origins.window = &value;
      }
    } else if (k == "above") {
      std::optional<double> x = Number(value, path);
      if (!x) {
        origins.invalid = true;
      } else if (auto problem = signal ? CheckAbove(*signal, *x) : std::nullopt) {
        Error(At(value), path, std::move(*problem));
        origins.invalid = true;
      } else {
        rule.above = *x;
        origins.above = *x;
      }
    } else if (k == "clear_below") {
      if (auto x = Number(value, path)) {
        origins.clear_below_value = *x;
        origins.clear_below = &value;
      }
    } else if (k == "for") {
      if (auto d = Duration(value, path, 0ms)) rule.for_duration = d->value;
    } else if (k == "min_samples") {
      const auto* n = value.as_integer();
      if (n != nullptr && n->get() >= 1 && n->get() <= kMaxMinSamples) {
        rule.min_samples = static_cast<std::uint64_t>(n->get());
      } else {
        Error(At(value), path,
              "must be an integer 1.." + std::to_string(kMaxMinSamples) + ", got " +
                  Describe(value, Show::kValue));
      }
    } else if (k == "repeat") {
      if (auto d = Duration(value, path, 0ms)) {
        if (d->value != 0ms && d->value < kMinRepeat) {
          Error(At(value), path,
                "must be \"0s\" (no reminders) or at least " + core::FormatDuration(kMinRepeat) +
                    ", got " + Quote(d->text));
        } else {
          rule.repeat = d->value;
        }
      }
    } else if (k == "severity") {
      if (auto s = String(value, path, Show::kValue)) {
        if (s->empty()) {
          Error(At(value), path, "must not be empty");
        } else {
          rule.severity = std::move(*s);
        }
      }
    } else if (k == "notify") {
      ParseNotify(value, path, config.notifiers, rule.notify);
    } else if (k == "slo") {
      std::optional<double> x = Number(value, path);
      if (x && (*x <= 0 || *x >= 1)) {
        Error(At(value), path,
              "must be a ratio above 0 and below 1 (0.999 = 99.9%), got " + FormatNumber(*x));
        x.reset();
      }
      if (!x) {
        origins.invalid = true;
      } else {
        rule.burn_rate->slo = *x;
        origins.slo = &value;
      }
    } else if (k == "factor") {
      std::optional<double> x = Number(value, path);
      if (x && *x <= 0) {
        Error(At(value), path, "must be greater than 0, got " + FormatNumber(*x));
        x.reset();
      }
      if (!x) {
        origins.invalid = true;
      } else {
        rule.burn_rate->factor = *x;
        origins.factor = &value;
      }
    } else if (k == "long_window" || k == "short_window") {
      const bool is_long = k == "long_window";
      std::optional<DurationValue> d = Duration(value, path, kMinWindow, kMaxWindow);
      if (!d) {
        origins.invalid = true;
        return;
      }
      (is_long ? rule.burn_rate->long_window : rule.burn_rate->short_window) = d->value;
      (is_long ? origins.long_window : origins.short_window) = std::move(d);
      (is_long ? origins.long_window_node : origins.short_window_node) = &value;
    }
  }

  // Checks between keys of one [[alert]], once all are read, and fills in the derived
  // thresholds (burn_rate's above, the default clear_below).
  void CheckAlert(const toml::table& table, const std::string& prefix, AlertSignal signal,
                  AlertRule& rule, const AlertOrigins& origins) {
    const bool burn = signal == AlertSignal::kBurnRate;
    if (!burn && !table.contains("above")) {
      Error(At(table), prefix + ".above", "missing required key");
    }
    if (burn && !table.contains("slo")) Error(At(table), prefix + ".slo", "missing required key");
    if (origins.invalid) return;
    if (burn) {
      BurnRateSpec& b = *rule.burn_rate;
      rule.above = b.factor;
      if (b.short_window >= b.long_window) {
        if (origins.short_window_node != nullptr) {
          Error(At(*origins.short_window_node), prefix + ".short_window",
                "must be shorter than long_window (" + core::FormatDuration(b.long_window) +
                    "), got " + Quote(origins.short_window->text));
        } else {
          Error(At(*origins.long_window_node), prefix + ".long_window",
                "must be longer than short_window (" + core::FormatDuration(b.short_window) +
                    "), got " + Quote(origins.long_window->text));
        }
      }
      // A burn rate is at most 1 / (1 - slo), reached when every probe fails.
      if (origins.slo != nullptr && b.factor * (1 - b.slo) >= 1) {
        const std::string most = FormatNumber(1 / (1 - b.slo));
        if (origins.factor != nullptr) {
          Error(At(*origins.factor), prefix + ".factor",
                "must be below 1 / (1 - slo) = " + most +
                    " (the burn rate when every probe fails), got " + FormatNumber(b.factor));
        } else {
          Error(At(*origins.slo), prefix + ".slo",
                "leaves a burn rate of at most " + most + " (every probe failing), so factor " +
                    FormatNumber(b.factor) + " can never be exceeded; raise slo or set factor");
        }
      }
    } else if (!origins.above) {
      return;
    }
    const std::string threshold_key = burn ? "factor" : "above";
    if (!origins.clear_below_value) {
      rule.clear_below = rule.above;
    } else if (*origins.clear_below_value > rule.above) {
      Error(At(*origins.clear_below), prefix + ".clear_below",
            "must not exceed " + threshold_key + " (" + FormatNumber(rule.above) + "), got " +
                FormatNumber(*origins.clear_below_value));
    } else if (*origins.clear_below_value < rule.above && *origins.clear_below_value <= 0) {
      Error(At(*origins.clear_below), prefix + ".clear_below",
            "must be greater than 0 (no signal goes below 0, so the alert could never resolve), "
            "got " +
                FormatNumber(*origins.clear_below_value));
    } else {
      rule.clear_below = *origins.clear_below_value;
    }
  }

  // Every target keeps every window any alert needs, so their number is capped like
  // agent.windows: memory per target grows with each distinct span.
  void CheckWindowCount(const toml::table& table, const std::string& prefix, const AlertRule& rule,
                        const AlertOrigins& origins, std::vector<core::Millis>& spans) {
    struct Need {
      core::Millis span;
      const toml::node* node;
      std::string_view key;
    };
    std::vector<Need> needs;
    if (rule.burn_rate) {
      needs.push_back({rule.burn_rate->long_window, origins.long_window_node, "long_window"});
      needs.push_back({rule.burn_rate->short_window, origins.short_window_node, "short_window"});
    } else if (rule.signal != AlertSignal::kConsecutiveFailures) {
      needs.push_back({rule.window, origins.window, "window"});
    }
    for (const Need& need : needs) {
      if (std::find(spans.begin(), spans.end(), need.span) != spans.end()) continue;
      if (spans.size() >= kMaxWindows) {
        Error(need.node != nullptr ? At(*need.node) : At(table),
              prefix + "." + std::string(need.key),
              "would make " + std::to_string(spans.size() + 1) + " distinct windows (adding " +
                  core::FormatDuration(need.span) +
                  "); agent.windows and alert windows together may use at most " +
                  std::to_string(kMaxWindows));
        continue;
      }
      spans.push_back(need.span);
    }
  }

  void ParseAlertTargets(const toml::node& node, const std::string& path,
                         const std::vector<TargetSpec>& targets, std::vector<std::string>& out) {
    const auto* array = node.as_array();
    if (array == nullptr) {
      Error(At(node), path,
            "must be an array of target names or globs, e.g. [\"checkout\", \"edge-*\"], got " +
                Describe(node, Show::kValue));
      return;
    }
    if (array->empty()) {
      Error(At(node), path,
            "must list at least one target name or glob (leave it out for every target)");
      return;
    }
    std::vector<std::string_view> names;
    for (const TargetSpec& t : targets) {
      if (!t.name.empty()) names.push_back(t.name);
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& element = *array->get(i);
      const std::string element_path = Indexed(path, i);
      std::optional<std::string> s = String(element, element_path, Show::kValue);
      if (!s) continue;
      if (!IsValidTargetGlob(*s)) {
        Error(At(element), element_path,
              "must be a target name or glob ([A-Za-z0-9_.-], * and ?), got " + Quote(*s));
        continue;
      }
      // With no target loaded that error is already reported; do not repeat it per glob.
      const bool matches =
          names.empty() || std::any_of(names.begin(), names.end(), [&](std::string_view name) {
            return GlobMatches(*s, name);
          });
      if (!matches) {
        std::string message = Quote(*s) + " matches no target";
        if (!IsGlob(*s)) {
          if (const auto suggestion = Suggest(*s, names)) {
            message += " (did you mean \"" + std::string(*suggestion) + "\"?)";
          }
        }
        Error(At(element), element_path, std::move(message));
        continue;
      }
      if (std::find(out.begin(), out.end(), *s) == out.end()) out.push_back(std::move(*s));
    }
  }

  void ParseNotify(const toml::node& node, const std::string& path,
                   const std::vector<NotifierSpec>& notifiers, std::vector<std::string>& out) {
    const auto* array = node.as_array();
    if (array == nullptr) {
      Error(At(node), path,
            "must be an array of notifier names, e.g. [\"oncall-slack\"], got " +
                Describe(node, Show::kValue));
      return;
    }
    std::vector<std::string_view> names;
    for (const NotifierSpec& n : notifiers) {
      if (!n.name.empty()) names.push_back(n.name);
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& element = *array->get(i);
      const std::string element_path = Indexed(path, i);
      std::optional<std::string> s = String(element, element_path, Show::kValue);
      if (!s) continue;
      if (std::find(names.begin(), names.end(), *s) == names.end()) {
        std::string message = "unknown notifier " + Quote(*s);
        if (const auto suggestion = Suggest(*s, names)) {
          message += " (did you mean \"" + std::string(*suggestion) + "\"?)";
        }
        Error(At(element), element_path, std::move(message));
        continue;
      }
      if (std::find(out.begin(), out.end(), *s) == out.end()) out.push_back(std::move(*s));
    }
  }

  void ParseExpectStatus(const toml::node& node, const std::string& path,
                         std::vector<StatusMatcher>& out) {
    std::vector<StatusMatcher> matchers;
    bool ok = true;
    const auto parse_one = [&](const toml::node& element, const std::string& element_path) {
      std::optional<StatusMatcher> matcher;
      std::string got;
      if (const auto* i = element.as_integer()) {
        if (i->get() >= 100 && i->get() <= 599) {
          matcher = StatusMatcher{static_cast<int>(i->get()), 0};
        } else {
          got = std::to_string(i->get());
        }
      } else if (element.is_string()) {
        std::optional<std::string> s = String(element, element_path, Show::kValue);
        if (!s) {
          ok = false;
          return;
        }
        matcher = ParseStatusMatcher(*s);
        if (!matcher) got = Quote(*s);
      } else {
        got = Describe(element, Show::kValue);
      }
      if (!matcher) {
        Error(At(element), element_path,
              "must be a status code 100..599 or a class \"1xx\"..\"5xx\", got " + got);
        ok = false;
      } else if (std::find(matchers.begin(), matchers.end(), *matcher) == matchers.end()) {
        matchers.push_back(*matcher);
      }
    };
    if (const auto* array = node.as_array()) {
      if (array->empty()) {
        Error(At(node), path, "must list at least one status code or class");
        return;
      }
      for (std::size_t i = 0; i < array->size(); ++i) parse_one(*array->get(i), Indexed(path, i));
    } else if (node.is_integer() || node.is_string()) {
      parse_one(node, path);
    } else {
      Error(At(node), path,
            "must be a status code (200), a class (\"2xx\") or an array of them, got " +
                Describe(node, Show::kValue));
      return;
    }
    if (ok) out = std::move(matchers);
  }

  std::string file_;
  const EnvLookup& env_;
  std::vector<ConfigError> errors_;
};

// Reads a whole file; on failure returns nullopt and sets `error`.
std::optional<std::string> ReadFile(const std::string& path, std::string& error) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  if (!file) {
    error = std::generic_category().message(errno);
    return std::nullopt;
  }
  std::string text;
  char buf[1 << 16];
  while (true) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, file.get());
    text.append(buf, n);
    if (static_cast<long>(text.size()) > kMaxFileBytes) {
      error = "larger than 16 MiB";
      return std::nullopt;
    }
    if (n < sizeof buf) break;
  }
  if (std::ferror(file.get())) {
    error = std::generic_category().message(errno);
    return std::nullopt;
  }
  return text;
}

}  // namespace

std::string ConfigError::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += ':';
    out += std::to_string(line);
    out += ':';
    out += std::to_string(column);
  }
  out += ": ";
  if (!key_path.empty()) {
    out += key_path;
    out += ": ";
  }
  out += message;
  return out;
}

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

LoadResult ParseConfig(std::string_view toml_text, std::string_view file_name,
                       const EnvLookup& env) {
  LoadResult result;
  toml::table root;
  try {
    root = toml::parse(toml_text, file_name);
  } catch (const toml::parse_error& e) {
    const Position at = At(e.source());
    result.errors.push_back(
        ConfigError{std::string(file_name), at.line, at.column, "", std::string(e.description())});
    return result;
  }
  Config config;
  config.source = std::string(file_name);
  Loader loader(file_name, env);
  loader.Load(root, config);
  result.errors = loader.TakeErrors();
  if (result.errors.empty()) {
    result.config = std::move(config);
  } else {
    std::stable_sort(result.errors.begin(), result.errors.end(),
                     [](const ConfigError& a, const ConfigError& b) {
                       return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                     });
  }
  return result;
}

LoadResult LoadConfigFile(const std::string& path, const EnvLookup& env) {
  std::string error;
  std::optional<std::string> text = ReadFile(path, error);
  if (!text) {
    LoadResult result;
    result.errors.push_back(ConfigError{path, 0, 0, "", "cannot read: " + error});
    return result;
  }
  return ParseConfig(*text, path, env);
}

std::string Summarize(const Config& config) {
  std::size_t https = 0;
  for (const TargetSpec& target : config.targets) {
    if (EqualsIgnoreCase(std::string_view(target.url).substr(0, 8), "https://")) ++https;
  }
  const std::size_t http = config.targets.size() - https;
  std::string out = std::to_string(config.targets.size());
  out += config.targets.size() == 1 ? " target" : " targets";
  if (!config.targets.empty()) {
    out += " (";
    if (https > 0) out += std::to_string(https) + " https";
    if (https > 0 && http > 0) out += ", ";
    if (http > 0) out += std::to_string(http) + " http";
    out += ')';
  }
  out += ", windows ";
  for (std::size_t i = 0; i < config.agent.windows.size(); ++i) {
    if (i > 0) out += '/';
    out += core::FormatDuration(config.agent.windows[i]);
  }
  if (!config.alerts.empty()) {
    out += ", " + std::to_string(config.alerts.size()) +
           (config.alerts.size() == 1 ? " alert" : " alerts");
  }
  if (!config.notifiers.empty()) {
    out += ", " + std::to_string(config.notifiers.size()) +
           (config.notifiers.size() == 1 ? " notifier" : " notifiers");
  }
  out += ", listen " + config.agent.listen;
  out += ", shard " + std::to_string(config.agent.shard.index) + "/" +
         std::to_string(config.agent.shard.count);
  return out;
}

}  // namespace gatewatch::config
