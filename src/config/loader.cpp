// Loader: the value readers every section uses, and [agent].
#include "config/loader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <span>
#include <tuple>
#include <unordered_map>

#include "config/env_expand.h"
#include "config/values.h"
#include "core/duration.h"
#include "core/log.h"
#include "core/pattern.h"
#include "core/secret.h"

namespace gatewatch::config::internal {

using namespace std::chrono_literals;

namespace {

constexpr std::string_view kTopLevelKeys[] = {"agent", "defaults", "target", "alert", "notifier"};
constexpr std::string_view kAgentKeys[] = {"listen",    "state_dir", "log_format",
                                           "log_level", "windows",   "labels",
                                           "shard",     "api_token", "saturation_notify"};
constexpr std::string_view kLogFormats[] = {"text", "json"};

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

}  // namespace

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

void Loader::Load(const toml::table& root, Config& config) {
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

void Loader::Error(Position at, std::string key_path, std::string message) {
  errors_.push_back(
      ConfigError{file_, at.line, at.column, std::move(key_path), std::move(message)});
}

bool Loader::Accept(std::span<const std::string_view> known, const toml::key& key,
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

std::optional<std::string> Loader::String(const toml::node& node, const std::string& path,
                                          Show show) {
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

std::optional<std::string> Loader::OneOf(const toml::node& node, const std::string& path,
                                         std::span<const std::string_view> allowed) {
  std::optional<std::string> s = String(node, path, Show::kValue);
  if (!s) return std::nullopt;
  if (Contains(allowed, *s)) return s;
  Error(At(node), path, MustBeOneOf(allowed) + ", got " + Quote(*s));
  return std::nullopt;
}

std::optional<bool> Loader::Bool(const toml::node& node, const std::string& path) {
  if (const auto* b = node.as_boolean()) return b->get();
  Error(At(node), path, "must be true or false, got " + Describe(node, Show::kValue));
  return std::nullopt;
}

std::optional<DurationValue> Loader::Duration(const toml::node& node, const std::string& path,
                                              core::Millis min, std::optional<core::Millis> max) {
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

void Loader::ParseAgent(const toml::node& node, AgentSpec& agent) {
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
          Error(At(value), path,
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

void Loader::ParseWindows(const toml::node& node, const std::string& path,
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

std::string Loader::ReadName(const toml::table& table, std::string_view plural,
                             std::string_view kind, std::size_t index,
                             std::unordered_map<std::string, int>& first_line_by_name,
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

const toml::array* Loader::TableArray(const toml::node& node, std::string_view key) {
  const toml::array* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    const std::string k(key);
    Error(At(node), k, "must be an array of tables ([[" + k + "]])");
    return nullptr;
  }
  return array;
}

std::optional<double> Loader::Number(const toml::node& node, const std::string& path) {
  if (const auto* i = node.as_integer()) return static_cast<double>(i->get());
  if (const auto* f = node.as_floating_point(); f != nullptr && std::isfinite(f->get())) {
    return f->get();
  }
  Error(At(node), path, "must be a finite number, got " + Describe(node, Show::kValue));
  return std::nullopt;
}

}  // namespace gatewatch::config::internal
