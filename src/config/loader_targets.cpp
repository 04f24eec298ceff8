// Loader: [defaults] and [[target]].
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
#include "config/loader.h"
#include "config/values.h"
#include "core/duration.h"
#include "core/log.h"
#include "core/pattern.h"
#include "core/secret.h"

namespace gatewatch::config::internal {

using namespace std::chrono_literals;

namespace {

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
constexpr std::string_view kMethods[] = {"GET",   "HEAD",   "POST",   "PUT",
                                         "PATCH", "DELETE", "OPTIONS"};
constexpr std::string_view kConnections[] = {"fresh", "reuse"};
constexpr std::string_view kHealthModes[] = {"auto", "off"};

constexpr core::Millis kMinInterval = 100ms;
constexpr std::int64_t kMaxBodyBytesLimit = 64 << 20;
constexpr std::int64_t kMaxConfirm = 5;

}  // namespace

void Loader::ParseTargets(const toml::node* targets, const toml::node* defaults,
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

void Loader::CheckTiming(const TargetSpec& spec, const TimingOrigins& own,
                         const TimingOrigins& defaults, bool& defaults_reported) {
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

void Loader::ApplyTargetKeys(const toml::table& table, const std::string& prefix, bool in_defaults,
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

void Loader::ParseHeaders(const toml::node& node, const std::string& path,
                          std::vector<Header>& headers) {
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

void Loader::ParseLabels(const toml::node& node, const std::string& path,
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

void Loader::ParseExpectStatus(const toml::node& node, const std::string& path,
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

}  // namespace gatewatch::config::internal
