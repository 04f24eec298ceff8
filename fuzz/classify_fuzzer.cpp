// probe::Classify with health = auto (application/health+json and Spring Boot actuator
// bodies) and probe::JsonTopLevelStatus, on an HTTP answer written as `curl -i` shows it
// (see fuzz_support.h).
//
// Oracles: JsonTopLevelStatus agrees with nlohmann::json on every valid JSON document where
// the comparison is well defined (no escapes, one "status" key); a health failure happens
// exactly when that status is one of the failing words; truncated bodies are never judged;
// the kept excerpt is a prefix of the body cut at a character boundary.
#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "config/config.h"
#include "fuzz_support.h"
#include "net/http_request.h"
#include "probe/classify.h"

namespace {

using gatewatch::fuzz::Check;
using gatewatch::probe::FailureReason;

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool IsFailingWord(std::string_view status) {
  for (const std::string_view down : {"down", "out_of_service", "fail", "error"}) {
    if (EqualsNoCase(status, down)) return true;
  }
  return false;
}

std::size_t Count(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

void CheckAgainstNlohmann(std::string_view body, std::optional<std::string_view> ours) {
  if (body.find('\\') != std::string_view::npos || Count(body, "\"status\"") > 1) return;
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return;
  const bool has_status = doc.is_object() && doc.contains("status") && doc["status"].is_string();
  Check(ours.has_value() == has_status, "JsonTopLevelStatus finds status iff nlohmann does");
  if (has_status) {
    Check(*ours == doc["status"].get<std::string>(), "JsonTopLevelStatus value matches nlohmann");
  }
}

gatewatch::probe::ProbeResult ClassifyCopy(const gatewatch::fuzz::HttpText& answer,
                                           bool truncated) {
  gatewatch::config::TargetSpec target;
  target.name = "fuzz";
  target.url = "http://127.0.0.1/health";
  target.expect_status.clear();  // accept any status, so the health rule is always reached
  target.health = gatewatch::config::HealthMode::kAuto;
  gatewatch::net::HttpResponse response;
  response.http_status = answer.status;
  response.headers = answer.headers;
  response.body = std::string(answer.body);
  response.body_truncated = truncated;
  return gatewatch::probe::Classify(target, std::move(response));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const gatewatch::fuzz::HttpText answer =
      gatewatch::fuzz::ParseHttpText(gatewatch::fuzz::AsText(data, size));
  const std::string_view body = answer.body;

  const std::optional<std::string_view> status = gatewatch::probe::JsonTopLevelStatus(body);
  if (status) {
    Check(status->data() >= body.data() &&
              status->data() + status->size() <= body.data() + body.size(),
          "status is a view into the body");
  }
  CheckAgainstNlohmann(body, status);

  const gatewatch::probe::ProbeResult result = ClassifyCopy(answer, /*truncated=*/false);
  Check(result.reason == FailureReason::kNone || result.reason == FailureReason::kHealth,
        "only the health rule can fail here");
  Check((result.reason == FailureReason::kHealth) == (status && IsFailingWord(*status)),
        "health fails exactly on a failing top-level status");
  Check(result.http_status == answer.status, "status copied");
  Check(result.body_bytes == body.size(), "body_bytes copied");
  if (result.reason == FailureReason::kHealth) {
    Check(status.has_value() && IsFailingWord(*status), "health failure needs a failing status");
    const std::string head = "health status \"" + std::string(*status) + "\"";
    const std::string parts = gatewatch::probe::FailingHealthParts(body);
    Check(result.detail == (parts.empty() ? head : head + ": " + parts), "health detail");
    Check(std::count(parts.begin(), parts.end(), ',') <
              static_cast<std::ptrdiff_t>(gatewatch::probe::kMaxHealthParts),
          "at most kMaxHealthParts failing parts");
    const std::string& excerpt = result.body_excerpt;
    Check(excerpt.size() <= gatewatch::probe::kBodyExcerptBytes, "excerpt within the cap");
    Check(body.substr(0, excerpt.size()) == excerpt, "excerpt is a prefix of the body");
    if (excerpt.size() < body.size()) {
      // A character is at most 4 bytes: cutting back further loses evidence for nothing.
      const std::size_t cut = excerpt.size();
      Check(cut + 3 >= gatewatch::probe::kBodyExcerptBytes, "excerpt cut back by at most 3 bytes");
      // Cutting at a continuation byte is fine only in a run of 4 of them (up to the limit):
      // that is invalid UTF-8, not a character.
      Check(!IsContinuation(body[cut]) ||
                (cut + 3 < body.size() && IsContinuation(body[cut + 1]) &&
                 IsContinuation(body[cut + 2]) && IsContinuation(body[cut + 3])),
            "excerpt never splits a UTF-8 character");
    }
    Check(result.headers == answer.headers, "a failed probe keeps its headers");
  } else {
    Check(result.body_excerpt.empty() && result.headers.empty(), "a pass keeps nothing");
  }

  Check(ClassifyCopy(answer, /*truncated=*/true).reason == FailureReason::kNone,
        "a truncated body is never judged");
  return 0;
}
