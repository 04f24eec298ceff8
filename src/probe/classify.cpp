#include "probe/classify.h"

#include <strings.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace gatewatch::probe {
namespace {

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool ContainsNoCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (EqualsNoCase(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::size_t SkipSpace(std::string_view s, std::size_t i) {
  while (i < s.size() && IsSpace(s[i])) ++i;
  return i;
}

// s[i] is '"'; returns the index just past the closing quote, or npos.
std::size_t SkipString(std::string_view s, std::size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// Skips one JSON value starting at s[i]; returns the index just past it, or npos.
std::size_t SkipValue(std::string_view s, std::size_t i) {
  if (i >= s.size()) return std::string_view::npos;
  if (s[i] == '"') return SkipString(s, i);
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    while (i < s.size()) {
      const char c = s[i];
      if (c == '"') {
        i = SkipString(s, i);
        if (i == std::string_view::npos) return i;
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if ((c == '}' || c == ']') && --depth == 0) return i + 1;
      ++i;
    }
    return std::string_view::npos;
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !IsSpace(s[i])) ++i;
  return i;
}

std::string ExpectedStatuses(const std::vector<config::StatusMatcher>& matchers) {
  std::string text;
  for (std::size_t i = 0; i < matchers.size(); ++i) {
    if (i > 0) text += i + 1 == matchers.size() ? " or " : ", ";
    text += matchers[i].ToString();
  }
  return text;
}

bool StatusAccepted(const config::TargetSpec& target, int status) {
  if (target.expect_status.empty()) return true;
  return std::any_of(target.expect_status.begin(), target.expect_status.end(),
                     [status](const config::StatusMatcher& m) { return m.Matches(status); });
}

const std::string* FindHeader(const net::HttpResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

bool IsDownStatus(std::string_view status) {
  for (const std::string_view down : {"down", "out_of_service", "fail", "error"}) {
    if (EqualsNoCase(status, down)) return true;
  }
  return false;
}

std::optional<std::string_view> FailingHealthStatus(const net::HttpResponse& response) {
  if (response.body_truncated) return std::nullopt;
  const std::string* type = FindHeader(response, "content-type");
  const std::size_t first = SkipSpace(response.body, 0);
  const bool looks_json = (type != nullptr && ContainsNoCase(*type, "json")) ||
                          (first < response.body.size() && response.body[first] == '{');
  if (!looks_json) return std::nullopt;
  const auto status = JsonTopLevelStatus(response.body);
  if (!status) return std::nullopt;
  if (IsDownStatus(*status)) return status;
  return std::nullopt;
}

using Json = nlohmann::json;
constexpr int kMaxHealthDepth = 8;
constexpr std::size_t kMaxHealthName = 60;

std::string CutName(std::string name) {
  if (name.size() > kMaxHealthName) name.resize(kMaxHealthName);
  return name;
}

// Spring Boot: {"components": {"db": {"status": "DOWN"}, "group": {"components": {...}}}}.
void CollectSpringParts(const Json& parts, const std::string& prefix,
                        std::vector<std::string>& out) {
  if (!parts.is_object()) return;
  for (const auto& [name, part] : parts.items()) {
    if (out.size() >= kMaxHealthParts) return;
    if (!part.is_object()) continue;
    const std::string path = prefix.empty() ? name : prefix + "/" + name;
    const std::size_t before = out.size();
    for (const char* key : {"components", "details"}) {
      if (const auto nested = part.find(key); nested != part.end()) {
        CollectSpringParts(*nested, path, out);
      }
    }
    if (out.size() > before) continue;  // the failing leaves say more than their group
    const auto status = part.find("status");
    if (status != part.end() && status->is_string() &&
        IsDownStatus(status->get_ref<const std::string&>())) {
      out.push_back(CutName(path) + ": " + CutName(status->get<std::string>()));
    }
  }
}

// application/health+json: {"checks": {"db:connections": [{"status": "fail"}, ...]}}.
void CollectHealthJsonChecks(const Json& checks, std::vector<std::string>& out) {
  if (!checks.is_object()) return;
  for (const auto& [name, entries] : checks.items()) {
    if (out.size() >= kMaxHealthParts) return;
    if (!entries.is_array()) continue;
    for (const auto& entry : entries) {
      if (!entry.is_object()) continue;
      const auto status = entry.find("status");
      if (status != entry.end() && status->is_string() &&
          IsDownStatus(status->get_ref<const std::string&>())) {
        out.push_back(CutName(name) + ": " + CutName(status->get<std::string>()));
        break;
      }
    }
  }
}

// The first `limit` bytes, shortened so a multi-byte UTF-8 character is never cut in half.
std::string Excerpt(const std::string& body, std::size_t limit) {
  if (body.size() <= limit) return body;
  std::size_t end = limit;
  // Back up over continuation bytes (10xxxxxx) to the lead byte of the cut character: at
  // most 3, the longest a character has, so a binary body still keeps nearly all its bytes.
  while (end > 0 && end + 3 > limit && (static_cast<unsigned char>(body[end]) & 0xC0) == 0x80) {
    --end;
  }
  return body.substr(0, end);
}

}  // namespace

FailureReason ReasonFor(net::TransportError error) {
  using net::TransportError;
  switch (error) {
    case TransportError::kNone:
      return FailureReason::kNone;
    case TransportError::kDns:
      return FailureReason::kDns;
    case TransportError::kRefused:
      return FailureReason::kRefused;
    case TransportError::kConnectTimeout:
      return FailureReason::kConnectTimeout;
    case TransportError::kTls:
      return FailureReason::kTls;
    case TransportError::kTimeout:
      return FailureReason::kTimeout;
    case TransportError::kReset:
      return FailureReason::kReset;
    case TransportError::kProtocol:
    case TransportError::kCancelled:
    case TransportError::kOther:
      return FailureReason::kProtocol;
  }
  return FailureReason::kProtocol;
}

std::optional<std::string_view> JsonTopLevelStatus(std::string_view s) {
  std::size_t i = SkipSpace(s, 0);
  if (i >= s.size() || s[i] != '{') return std::nullopt;
  i = SkipSpace(s, i + 1);
  while (i < s.size() && s[i] == '"') {
    const std::size_t key_end = SkipString(s, i);
    if (key_end == std::string_view::npos) return std::nullopt;
    const std::string_view key = s.substr(i + 1, key_end - i - 2);
    i = SkipSpace(s, key_end);
    if (i >= s.size() || s[i] != ':') return std::nullopt;
    i = SkipSpace(s, i + 1);
    const std::size_t value_end = SkipValue(s, i);
    if (value_end == std::string_view::npos) return std::nullopt;
    if (key == "status" && s[i] == '"') return s.substr(i + 1, value_end - i - 2);
    i = SkipSpace(s, value_end);
    if (i >= s.size() || s[i] != ',') return std::nullopt;
    i = SkipSpace(s, i + 1);
  }
  return std::nullopt;
}

std::string FailingHealthParts(std::string_view body) {
  // Objects and arrays nested deeper than kMaxHealthDepth are discarded while parsing (the
  // parser keeps its own stack), so a hostile document cannot build a deep tree.
  const auto shallow = [](int depth, Json::parse_event_t event, Json&) {
    return depth <= kMaxHealthDepth || (event != Json::parse_event_t::object_start &&
                                         event != Json::parse_event_t::array_start);
  };
  const Json doc = Json::parse(body.begin(), body.end(), shallow, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return "";
  std::vector<std::string> parts;
  for (const char* key : {"components", "details"}) {
    if (const auto found = doc.find(key); found != doc.end()) CollectSpringParts(*found, "", parts);
  }
  if (const auto checks = doc.find("checks"); checks != doc.end()) {
    CollectHealthJsonChecks(*checks, parts);
  }
  std::string out;
  for (std::size_t i = 0; i < parts.size() && i < kMaxHealthParts; ++i) {
    if (!out.empty()) out += ", ";
    out += parts[i];
  }
  return out;
}

ProbeResult Classify(const config::TargetSpec& target, net::HttpResponse&& response) {
  ProbeResult result;
  result.http_status = response.http_status;
  result.latency = response.timings.total;
  result.phases = response.timings;
  result.remote_ip = std::move(response.remote_ip);
  result.tls_not_after = response.cert_not_after;
  result.body_bytes = response.body.size();

  if (response.error != net::TransportError::kNone) {
    result.reason = ReasonFor(response.error);
    result.detail = response.error_text.empty() ? std::string(ReasonName(result.reason))
                                                : std::move(response.error_text);
  } else if (!StatusAccepted(target, response.http_status)) {
    result.reason = FailureReason::kStatus;
    result.detail = "status " + std::to_string(response.http_status) + ", expected " +
                    ExpectedStatuses(target.expect_status);
  } else if (target.expect_body && !target.expect_body->Search(response.body)) {
    result.reason = FailureReason::kBody;
    result.detail = "body does not match /" + target.expect_body->expression() + "/";
    if (response.body_truncated) {
      result.detail += " (searched only the first " + std::to_string(response.body.size()) +
                       " bytes: the body was truncated at max_body_bytes)";
    }
  } else if (target.health == config::HealthMode::kAuto) {
    if (const auto down = FailingHealthStatus(response)) {
      result.reason = FailureReason::kHealth;
      result.detail = "health status \"" + std::string(*down) + "\"";
      // Only on this (rare) path is the body parsed a second time, fully.
      if (std::string parts = FailingHealthParts(response.body); !parts.empty()) {
        result.detail += ": " + parts;
      }
    }
  }

  if (!result.success()) {
    result.headers = std::move(response.headers);
    // The transport reserves room for 16 headers while parsing (1 KB); a kept result lives
    // as the target's last one, so it keeps only what it holds (about 800 bytes a failing
    // target, 4 MB at 10,000 targets half of them failing).
    result.headers.shrink_to_fit();
    result.body_excerpt = Excerpt(response.body, kBodyExcerptBytes);
  }
  return result;
}

}  // namespace gatewatch::probe
