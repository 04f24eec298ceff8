#pragma once
// Internal to src/config: the walker behind ParseConfig (load.h), which turns a parsed TOML
// document into a Config and collects every error. One class, split by section over three
// files: loader.cpp (the value readers and [agent]), loader_targets.cpp ([defaults] and
// [[target]]) and loader_alerts.cpp ([[notifier]] and [[alert]]). Nothing outside
// src/config includes this: toml++ types stay here.
#include <toml++/toml.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "config/load.h"
#include "core/duration.h"

namespace gatewatch::config::internal {

// Limits more than one section checks.
inline constexpr core::Millis kMinTimeout = core::Millis(10);
inline constexpr core::Millis kMinWindow = std::chrono::seconds(1);
inline constexpr core::Millis kMaxWindow = std::chrono::hours(7 * 24);
// agent.windows, and also with the alert windows added.
inline constexpr std::size_t kMaxWindows = 8;

struct Position {
  int line = 0;
  int column = 0;
};

// How much of a value a message may show.
enum class Show { kValue, kUrl, kNothing };

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

bool Contains(std::span<const std::string_view> list, std::string_view value);

// The closest known key within edit distance 2, for "did you mean".
std::optional<std::string_view> Suggest(std::string_view key,
                                        std::span<const std::string_view> known);

Position At(const toml::source_region& region);
Position At(const toml::node& node);

// Where a key is defined. For a [table] or [[array]] header toml++ puts the key inside the
// brackets, so use the header's start instead, which is where the user looks.
Position KeyAt(const toml::key& key, const toml::node& node);

// What a type error says was found instead: "integer 15", "string \"15\"", "boolean".
std::string Describe(const toml::node& node, Show show);

std::string Indexed(const std::string& path, std::size_t index);

// Walks a parsed TOML document into a Config, collecting errors. One instance per load.
class Loader {
 public:
  Loader(std::string_view file, const EnvLookup& env) : file_(file), env_(env) {}

  void Load(const toml::table& root, Config& config);

  std::vector<ConfigError> TakeErrors() { return std::move(errors_); }

 private:
  // --- the value readers and [agent] (loader.cpp) ---
  void Error(Position at, std::string key_path, std::string message);

  // True when `key` is one of `known`; otherwise reports it and returns false.
  bool Accept(std::span<const std::string_view> known, const toml::key& key,
              const toml::node& value, const std::string& path);

  std::optional<std::string> String(const toml::node& node, const std::string& path, Show show);

  std::optional<std::string> OneOf(const toml::node& node, const std::string& path,
                                   std::span<const std::string_view> allowed);

  std::optional<bool> Bool(const toml::node& node, const std::string& path);

  std::optional<DurationValue> Duration(const toml::node& node, const std::string& path,
                                        core::Millis min,
                                        std::optional<core::Millis> max = std::nullopt);

  void ParseAgent(const toml::node& node, AgentSpec& agent);

  void ParseWindows(const toml::node& node, const std::string& path,
                    std::vector<core::Millis>& out);

  // A number (integer or float, finite), or nullopt after reporting.
  std::optional<double> Number(const toml::node& node, const std::string& path);

  // Reads the `name` of the index-th table of an array such as [[target]] into `name` (left
  // empty when missing or invalid) and returns the key-path prefix for the table's keys:
  // "targets.api" once the name is known, else "targets[2]".
  std::string ReadName(const toml::table& table, std::string_view plural, std::string_view kind,
                       std::size_t index, std::unordered_map<std::string, int>& first_line_by_name,
                       std::string& name);

  // `node` as an array of tables ([[key]]), or nullptr after reporting that it is not one.
  const toml::array* TableArray(const toml::node& node, std::string_view key);

  // --- [defaults] and [[target]] (loader_targets.cpp) ---
  void ParseTargets(const toml::node* targets, const toml::node* defaults,
                    std::vector<TargetSpec>& out);

  // timeout <= interval, reported where the user can fix it: at the target's own key when it
  // set one, else once at the [defaults] key that causes it.
  void CheckTiming(const TargetSpec& spec, const TimingOrigins& own, const TimingOrigins& defaults,
                   bool& defaults_reported);

  // Applies the keys of a [[target]] (or of [defaults]) on top of `spec`. The name is read
  // by the caller, because it decides the key paths.
  void ApplyTargetKeys(const toml::table& table, const std::string& prefix, bool in_defaults,
                       TargetSpec& spec, TimingOrigins& timing);

  // Merges into `headers`: an entry here replaces one with the same name (case-insensitive).
  void ParseHeaders(const toml::node& node, const std::string& path, std::vector<Header>& headers);

  // Merges into `labels`: an entry here replaces one with the same name.
  void ParseLabels(const toml::node& node, const std::string& path,
                   std::map<std::string, std::string>& labels,
                   std::optional<std::string> (*check_name)(std::string_view));

  void ParseExpectStatus(const toml::node& node, const std::string& path,
                         std::vector<StatusMatcher>& out);

  // --- [[notifier]] and [[alert]] (loader_alerts.cpp) ---
  void ParseNotifiers(const toml::node& node, std::vector<NotifierSpec>& out);

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
  void ParseAlerts(const toml::node& node, Config& config);

  void ApplyAlertKey(std::string_view k, const toml::node& value, const std::string& path,
                     std::optional<AlertSignal> signal, const Config& config, AlertRule& rule,
                     AlertOrigins& origins);

  // Checks between keys of one [[alert]], once all are read, and fills in the derived
  // thresholds (burn_rate's above, the default clear_below).
  void CheckAlert(const toml::table& table, const std::string& prefix, AlertSignal signal,
                  AlertRule& rule, const AlertOrigins& origins);

  // Every target keeps every window any alert needs, so their number is capped like
  // agent.windows: memory per target grows with each distinct span.
  void CheckWindowCount(const toml::table& table, const std::string& prefix, const AlertRule& rule,
                        const AlertOrigins& origins, std::vector<core::Millis>& spans);

  void ParseAlertTargets(const toml::node& node, const std::string& path,
                         const std::vector<TargetSpec>& targets, std::vector<std::string>& out);

  void ParseNotify(const toml::node& node, const std::string& path,
                   const std::vector<NotifierSpec>& notifiers, std::vector<std::string>& out);

  std::string file_;
  // agent.saturation_notify, checked once the notifiers are known.
  const toml::node* saturation_notify_ = nullptr;
  const EnvLookup& env_;
  std::vector<ConfigError> errors_;
};

}  // namespace gatewatch::config::internal
