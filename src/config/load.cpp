#include "config/load.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
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

constexpr std::string_view kNotYetSupported = "not supported by this version of gatewatch yet";

enum class Scope { kTopLevel, kAgent, kTarget };  // kTarget covers [defaults] too

struct PlannedKey {
  Scope scope;
  std::string_view key;
};

// Keys SPEC.md defines whose feature is not in this build. They get kNotYetSupported rather
// than "unknown key", so a config written for the full SPEC fails loudly and says why instead
// of losing behaviour silently. When a feature lands, delete its entries here and parse them.
constexpr PlannedKey kNotYetSupportedKeys[] = {
    {Scope::kTopLevel, "alert"},      // alert rules
    {Scope::kTopLevel, "notifier"},   // alert delivery
    {Scope::kAgent, "state_dir"},     // persisted alert state and notification outbox
    {Scope::kAgent, "labels"},        // labels added to every alert
    {Scope::kTarget, "upstream"},     // direct probe of the backend behind the gateway
    {Scope::kTarget, "resolve_all"},  // probe every resolved address
    {Scope::kTarget, "confirm"},      // confirm probes: transient vs persistent
    {Scope::kTarget, "health"},       // health-body parsing
};

constexpr std::string_view kTopLevelKeys[] = {"agent", "defaults", "target"};
constexpr std::string_view kAgentKeys[] = {"listen",  "log_format", "log_level",
                                           "windows", "shard",      "api_token"};
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
                                            "labels"};

constexpr std::string_view kLogFormats[] = {"text", "json"};
constexpr std::string_view kMethods[] = {"GET",   "HEAD",   "POST",   "PUT",
                                         "PATCH", "DELETE", "OPTIONS"};
constexpr std::string_view kConnections[] = {"fresh", "reuse"};

constexpr core::Millis kMinInterval = 100ms;
constexpr core::Millis kMinTimeout = 10ms;
constexpr core::Millis kMinWindow = 1s;
constexpr core::Millis kMaxWindow = 7 * 24h;
constexpr std::size_t kMaxWindows = 8;
constexpr std::int64_t kMaxBodyBytesLimit = 64 << 20;
constexpr long kMaxFileBytes = 16 << 20;

bool IsNotYetSupported(Scope scope, std::string_view key) {
  return std::any_of(std::begin(kNotYetSupportedKeys), std::end(kNotYetSupportedKeys),
                     [&](const PlannedKey& p) { return p.scope == scope && p.key == key; });
}

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
    for (auto&& [key, value] : root) {
      const std::string_view k = key.str();
      if (!Accept(Scope::kTopLevel, kTopLevelKeys, key, value, std::string(k))) continue;
      if (k == "agent") {
        ParseAgent(value, config.agent);
      } else if (k == "defaults") {
        defaults = &value;
      } else {
        targets = &value;
      }
    }
    ParseTargets(targets, defaults, config.targets);
  }

  std::vector<ConfigError> TakeErrors() { return std::move(errors_); }

 private:
  void Error(Position at, std::string key_path, std::string message) {
    errors_.push_back(
        ConfigError{file_, at.line, at.column, std::move(key_path), std::move(message)});
  }

  // True when this build parses `key` in `scope`; otherwise reports it and returns false.
  bool Accept(Scope scope, std::span<const std::string_view> known, const toml::key& key,
              const toml::node& value, const std::string& path) {
    const std::string_view name = key.str();
    if (Contains(known, name)) return true;
    if (IsNotYetSupported(scope, name)) {
      Error(KeyAt(key, value), path, std::string(kNotYetSupported));
      return false;
    }
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
      if (!Accept(Scope::kAgent, kAgentKeys, key, value, path)) continue;
      if (k == "listen") {
        if (auto s = String(value, path, Show::kValue)) {
          if (auto problem = CheckListen(*s)) {
            Error(At(value), path, std::move(*problem));
          } else {
            agent.listen = std::move(*s);
          }
        }
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
      std::string prefix = Indexed("targets", i);
      TargetSpec spec = base;
      if (const toml::node* name = table.get("name")) {
        const std::string path = prefix + ".name";
        if (auto s = String(*name, path, Show::kValue)) {
          if (!IsValidTargetName(*s)) {
            Error(At(*name), path,
                  "must match [A-Za-z0-9_.-]+ (1 to " + std::to_string(kMaxTargetNameLength) +
                      " characters), got " + Quote(*s));
          } else {
            prefix = "targets." + *s;
            const auto [it, inserted] = first_line_by_name.emplace(*s, At(*name).line);
            if (!inserted) {
              Error(At(*name), prefix + ".name",
                    "duplicate target name " + Quote(*s) + " (first defined at line " +
                        std::to_string(it->second) + ")");
            }
            spec.name = std::move(*s);
          }
        }
      } else {
        Error(At(table), prefix + ".name", "missing required key");
      }
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
      if (!Accept(Scope::kTarget, kTargetKeys, key, value, path)) continue;
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
      } else if (k == "labels") {
        ParseLabels(value, path, spec.labels);
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
                   std::map<std::string, std::string>& labels) {
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
      if (auto problem = CheckLabelName(name)) {
        Error(KeyAt(key, value), label_path, std::move(*problem));
        continue;
      }
      if (auto text = String(value, label_path, Show::kValue)) {
        labels.insert_or_assign(std::string(name), std::move(*text));
      }
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
  out += ", listen " + config.agent.listen;
  out += ", shard " + std::to_string(config.agent.shard.index) + "/" +
         std::to_string(config.agent.shard.count);
  return out;
}

}  // namespace gatewatch::config
