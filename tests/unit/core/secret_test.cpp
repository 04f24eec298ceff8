#include "core/secret.h"

#include <gtest/gtest.h>

#include "core/pattern.h"

namespace gatewatch::core {
namespace {

TEST(RedactUrl, HidesUserInfoAndQueryValues) {
  EXPECT_EQ(RedactUrl("https://user:pw@example.com/x?token=abc&debug"),
            "https://<redacted>@example.com/x?token=<redacted>&debug");
  EXPECT_EQ(RedactUrl("https://hooks.example.com/services/T0/B0?a=1#frag"),
            "https://hooks.example.com/services/T0/B0?a=<redacted>#frag");
}

// Found by fuzz/redact_url_fuzzer: a trailing '&' was dropped, so redacting twice differed.
TEST(RedactUrl, KeepsEmptyQueryPairs) {
  EXPECT_EQ(RedactUrl("https://h/x?a=1&&b&"), "https://h/x?a=<redacted>&&b&");
  EXPECT_EQ(RedactUrl("https://h/x?"), "https://h/x?");
  EXPECT_EQ(RedactUrl(RedactUrl("https://h?k=v&")), "https://h?k=<redacted>&");
}

TEST(RedactUrl, LeavesPlainUrlsAlone) {
  EXPECT_EQ(RedactUrl("http://127.0.0.1:8080/health"), "http://127.0.0.1:8080/health");
  EXPECT_EQ(RedactUrl("http://[::1]:80"), "http://[::1]:80");
  EXPECT_EQ(RedactUrl("not a url"), "not a url");
}

TEST(Secret, RedactsWhenSetOnly) {
  EXPECT_EQ(Secret("hunter2").Redacted(), "<redacted>");
  EXPECT_EQ(Secret().Redacted(), "");
  EXPECT_EQ(Secret("hunter2").Reveal(), "hunter2");
}

TEST(Pattern, CompilesAndSearches) {
  auto compiled = Pattern::Compile(R"re("status":\s*"UP")re");
  ASSERT_TRUE(std::holds_alternative<Pattern>(compiled));
  const auto& p = std::get<Pattern>(compiled);
  EXPECT_TRUE(p.Search(R"({"status": "UP"})"));
  EXPECT_FALSE(p.Search(R"({"status": "DOWN"})"));
  EXPECT_TRUE(p.Search(std::string("\0\0{\"status\":\"UP\"}", 17)));
}

TEST(Pattern, ReportsSyntaxErrors) {
  auto compiled = Pattern::Compile("(abc");
  ASSERT_TRUE(std::holds_alternative<std::string>(compiled));
  EXPECT_NE(std::get<std::string>(compiled).find("missing )"), std::string::npos);
}

}  // namespace
}  // namespace gatewatch::core
