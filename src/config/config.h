#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
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

enum class ConnectionMode { kFresh, kReuse };
enum class HealthMode { kAuto, kOff };

struct Header {
  std::string name;
  core::Secret value;  // header values may carry credentials; never printed
  bool operator==(const Header&) const = default;
};

struct TargetSpec {
  std::string name;                     // unique; [A-Za-z0-9_.-]+; the metrics label
  std::string url;                      // http:// or https:// only
  std::optional<std::string> upstream;  // the backend behind the gateway, probed directly
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
  std::size_t max_body_bytes = 1 << 20;
  ConnectionMode connection = ConnectionMode::kFresh;
  bool resolve_all = false;
  int confirm = 0;
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
  std::string state_dir;                 // "" = memory only
  core::LogFormat log_format = core::LogFormat::kText;
  std::string log_level = "info";
  std::vector<Millis> windows{Millis{60'000}, Millis{300'000}, Millis{3'600'000}};  // sorted, unique
  std::map<std::string, std::string> labels;
  Shard shard;
  core::Secret api_token;  // empty = mutating endpoints are off
};

struct Config {
  std::string source;  // file name it was loaded from, for messages
  AgentSpec agent;
  std::vector<TargetSpec> targets;  // in file order; names unique
};

}  // namespace gatewatch::config
