// Loader: [[notifier]] and [[alert]].
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

constexpr core::Millis kMinRepeat = 1min;
constexpr core::Millis kMaxNotifierTimeout = 5min;
constexpr std::int64_t kMaxMinSamples = 1'000'000;
// Latencies at or above this are recorded as this (window/latency_histogram.h), so a latency
// threshold must be below it to be reachable.
constexpr double kMaxLatencySeconds = 120.0;

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

}  // namespace

void Loader::ParseNotifiers(const toml::node& node, std::vector<NotifierSpec>& out) {
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

void Loader::ParseAlerts(const toml::node& node, Config& config) {
  const toml::array* array = TableArray(node, "alert");
  if (array == nullptr) return;
  std::unordered_map<std::string, int> first_line_by_name;
  std::vector<core::Millis> spans = config.agent.windows;
  std::vector<AlertRule> rules;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::table& table = *array->get(i)->as_table();
    AlertRule rule;
    const std::string prefix = ReadName(table, "alerts", "alert", i, first_line_by_name, rule.name);
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

void Loader::ApplyAlertKey(std::string_view k, const toml::node& value, const std::string& path,
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

void Loader::CheckAlert(const toml::table& table, const std::string& prefix, AlertSignal signal,
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

void Loader::CheckWindowCount(const toml::table& table, const std::string& prefix,
                              const AlertRule& rule, const AlertOrigins& origins,
                              std::vector<core::Millis>& spans) {
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
      Error(need.node != nullptr ? At(*need.node) : At(table), prefix + "." + std::string(need.key),
            "would make " + std::to_string(spans.size() + 1) + " distinct windows (adding " +
                core::FormatDuration(need.span) +
                "); agent.windows and alert windows together may use at most " +
                std::to_string(kMaxWindows));
      continue;
    }
    spans.push_back(need.span);
  }
}

void Loader::ParseAlertTargets(const toml::node& node, const std::string& path,
                               const std::vector<TargetSpec>& targets,
                               std::vector<std::string>& out) {
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
        names.empty() || std::any_of(names.begin(), names.end(),
                                     [&](std::string_view name) { return GlobMatches(*s, name); });
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

void Loader::ParseNotify(const toml::node& node, const std::string& path,
                         const std::vector<NotifierSpec>& notifiers,
                         std::vector<std::string>& out) {
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

}  // namespace gatewatch::config::internal
