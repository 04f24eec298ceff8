#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/duration.h"
#include "core/log.h"
#include "core/pattern.h"
#include "core/secret.h"

// Plain, immutable-after-load description of what the agent should do. Built only by
// config/load.h; everything else reads it. No runtime state lives here.
namespace gatewatch::config {

using core::Millis;

// One entry of expect_status: an exact code (200) or a class ("2xx" -> klass = 2).
struct StatusMatcher {
  int code = 0;   // exact code, or 0 when this is a class
  int klass = 0;  // 1..5 for "1xx".."5xx", or 0 when this is an exact code
  bool Matches(int status) const {
    return code != 0 ? status == code : (status / 100 == klass);
  }
  std::string ToString() const {
    return code != 0 ? std::to_string(code) : std::to_string(klass) + "xx";
  }
  bool operator==(const StatusMatcher&) const = default;
};

// One byte each: with the flags beside them they pack into a word of TargetSpec, which every
// target holds (app/target_state.h counts its bytes).
enum class ConnectionMode : std::uint8_t { kFresh, kReuse };
enum class HealthMode : std::uint8_t { kAuto, kOff };

struct Header {
  std::string name;
  core::Secret value;  // header values may carry credentials; never printed
  bool operator==(const Header&) const = default;
};

struct TargetSpec {
  std::string name;                     // unique; [A-Za-z0-9_.-]+; the metrics label
  std::string url;                      // http:// or https:// only
  // The backend behind the gateway (http:// or https://), probed directly: in the same round
  // when the gateway answers 5xx or breaks mid-exchange, else every max(10 intervals, 1m).
  // May carry credentials in its user info or query: shown only through core::RedactUrl.
  std::optional<std::string> upstream;
  std::string method = "GET";
  std::vector<Header> headers;
  std::string body;
  Millis interval{15'000};
  Millis timeout{5'000};
  std::optional<Millis> unhealthy_interval;  // faster cadence while failing
  std::vector<StatusMatcher> expect_status{StatusMatcher{0, 2}};
  std::optional<core::Pattern> expect_body;  // RE2 searched in the (capped) body
  HealthMode health = HealthMode::kAuto;
  bool follow_redirects = false;
  bool tls_insecure = false;
  ConnectionMode connection = ConnectionMode::kFresh;
  // Probe every address the URL's host resolves to (A and AAAA, at most 16), each pinned with
  // the Host header and TLS name unchanged; the round's result is the worst address's.
  bool resolve_all = false;
  // After a failure that follows a pass, up to this many quick probes on fresh connections
  // (0..5), each only when it can finish before the next scheduled round: transient vs
  // persistent. Later failures in a row need none: the target's own probes reproduce them.
  // One byte, like the fields before it, so the six share a word.
  std::int8_t confirm = 1;
  std::size_t max_body_bytes = 1 << 20;
  std::map<std::string, std::string> labels;  // shown only in gatewatch_target_info

  // True when probing it would behave the same (used by reload to keep windows).
  bool SameProbe(const TargetSpec& other) const;
};

struct Shard {
  std::uint32_t index = 0;  // 0-based
  std::uint32_t count = 1;
};

struct AgentSpec {
  std::string listen = "0.0.0.0:9502";  // host:port; "[::1]:9502" for IPv6
  std::string state_dir;                 // alert state, notification outbox; "" = memory only
  core::LogFormat log_format = core::LogFormat::kText;
  std::string log_level = "info";
  std::vector<Millis> windows{Millis{60'000}, Millis{300'000}, Millis{3'600'000}};  // sorted, unique
  // Added to every alert's labels. Names as for target labels; also not "alertname" or
  // "severity", which every alert sets.
  std::map<std::string, std::string> labels;
  Shard shard;
  core::Secret api_token;  // empty = mutating endpoints are off
  // Notifiers told when the agent itself cannot keep its schedule (and when it recovers):
  // its own alert, "gatewatch-saturated". Empty = only the log line and the metric.
  std::vector<std::string> saturation_notify;
};

// What an [[alert]] rule watches. Units of `above` / `clear_below` per signal:
//  - k502Ratio, k5xxRatio, kFailureRatio: share of the window's probes, 0..1 (0.05 = 5%);
//    502 and 5xx count responses by status whether or not the probe passed, failure counts
//    probes that failed any check;
//  - kLatencyP50/P90/P99: the window's latency quantile in SECONDS (0.8 = 800 ms);
//  - kConsecutiveFailures: failed probes in a row (no window; a pass resets it to 0);
//  - kBurnRate: error-budget burn rate, failure ratio / (1 - slo), see BurnRateSpec.
enum class AlertSignal {
  k502Ratio,
  k5xxRatio,
  kFailureRatio,
  kLatencyP50,
  kLatencyP90,
  kLatencyP99,
  kConsecutiveFailures,
  kBurnRate,
};

// "502_ratio", "5xx_ratio", "failure_ratio", "latency_p50", "latency_p90", "latency_p99",
// "consecutive_failures", "burn_rate": the config spelling, also used in alert payloads.
std::string_view SignalName(AlertSignal signal);

// The SRE-workbook multi-window, multi-burn-rate rule: fires only while BOTH windows burn
// the error budget faster than `factor` (burn rate = failure ratio / (1 - slo)). The long
// window proves the burn is significant, the short one that it is still going on (so the
// alert resolves soon after the burning stops).
struct BurnRateSpec {
  double slo = 0.999;             // 0 < slo < 1: the target success ratio
  Millis long_window{3'600'000};  // default 1h
  Millis short_window{300'000};   // default 5m; shorter than long_window
  double factor = 14.4;           // > 0 and < 1 / (1 - slo), so it can be reached
};

struct AlertRule {
  std::string name;                  // unique; [A-Za-z0-9_.-]+; the `alert` metrics label
  std::vector<std::string> targets;  // target names or globs (`*`, `?`); empty = every target
  AlertSignal signal = AlertSignal::k502Ratio;
  // The sliding window the signal is read from. Default 5m. Unused (and not settable) for
  // kConsecutiveFailures and kBurnRate (that one uses burn_rate's windows).
  Millis window{300'000};
  // Fires when the signal is strictly above this (units: see AlertSignal). Ratios are in
  // [0, 1), latencies in [0, 120) seconds, consecutive failures a whole number >= 1
  // (above = 2 fires on the 3rd failure in a row). For kBurnRate it is burn_rate->factor.
  double above = 0;
  // Hysteresis: a firing alert resolves only when the signal is strictly below this.
  // Equal to `above` when not set, and then it resolves as soon as the signal is no longer
  // above (<= above). Otherwise 0 < clear_below < above.
  double clear_below = 0;
  Millis for_duration{0};         // `for`: how long the condition must hold before firing
  std::uint64_t min_samples = 1;  // >= 1: a window with fewer probes is never judged
  Millis repeat{3'600'000};       // reminder interval while firing; 0 = never. Default 1h
  std::string severity = "warning";
  std::vector<std::string> notify;        // notifier names, each defined in [[notifier]]
  std::optional<BurnRateSpec> burn_rate;  // set exactly when signal == kBurnRate
};

// True when `name` matches `glob`: `*` matches any run of characters (also none), `?`
// exactly one, anything else itself (case-sensitive). Pure.
bool GlobMatches(std::string_view glob, std::string_view name);

// True when `rule` applies to the target named `target_name`: its `targets` is empty, or an
// entry matches by GlobMatches. Pure; the loader uses it for the "matches no target" check,
// the alert engine to pair rules with targets.
bool TargetMatches(const AlertRule& rule, std::string_view target_name);

enum class NotifierType {
  kWebhook,
  kSlack,
  kDiscord,
  kTeams,
  kMattermost,
  kGoogleChat,
  kAlertmanager,
};

// "webhook", "slack", "discord", "teams", "mattermost", "googlechat", "alertmanager".
std::string_view NotifierTypeName(NotifierType type);

// The placeholders a notifier `template` may use; the loader rejects any other {{...}}.
inline constexpr std::string_view kTemplatePlaceholders[] = {
    "{{alert}}",  "{{target}}",    "{{value}}", "{{threshold}}",
    "{{window}}", "{{diagnosis}}", "{{status}}"};

struct NotifierSpec {
  std::string name;  // unique; [A-Za-z0-9_.-]+; the `notifier` metrics label
  NotifierType type = NotifierType::kWebhook;
  // http:// or https://. Secret as a whole: chat webhook URLs carry their token in the path.
  core::Secret url;
  bool send_resolved = true;  // also deliver resolved notifications
  Millis timeout{10'000};     // one delivery attempt; 10ms..5m
  // webhook only: HMAC-SHA256 key for X-Gatewatch-Signature; empty = unsigned.
  core::Secret secret;
  std::vector<Header> headers;  // webhook only: extra request headers (values are secrets)
  // Optional message text using only kTemplatePlaceholders; nullopt = the provider's default.
  std::optional<std::string> message_template;
};

struct Config {
  std::string source;  // file name it was loaded from, for messages
  AgentSpec agent;
  std::vector<TargetSpec> targets;      // in file order; names unique
  std::vector<AlertRule> alerts;        // in file order; names unique
  std::vector<NotifierSpec> notifiers;  // in file order; names unique
};

// The spans every target's windows must keep: agent.windows plus each alert's window
// (burn_rate: long_window and short_window; consecutive_failures: none), sorted ascending,
// without duplicates. The loader caps it at 8 entries.
std::vector<Millis> RequiredWindows(const Config& config);

}  // namespace gatewatch::config
