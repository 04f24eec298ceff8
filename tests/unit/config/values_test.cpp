#include "config/values.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gatewatch::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

TEST(CheckListen, AcceptsIpv4NamesAndBracketedIpv6) {
  for (std::string_view ok : {"0.0.0.0:9502", "127.0.0.1:0", "localhost:65535",
                              "metrics.internal.example.com:80", "[::1]:9502", "[::]:1"}) {
    EXPECT_EQ(CheckListen(ok), std::nullopt) << ok;
  }
}

TEST(CheckListen, RejectsMalformedAddresses) {
  for (std::string_view bad : {"", ":9502", "localhost", "0.0.0.0:", "0.0.0.0:65536", "0.0.0.0:-1",
                               "0.0.0.0:80x", "256.0.0.1:80", "1.2.3:80", "::1:9502", "[::1]9502",
                               "[::1]", "[zz::1]:80", "-host:80", "under_score:80", "a..b:80"}) {
    EXPECT_NE(CheckListen(bad), std::nullopt) << bad;
  }
}

TEST(CheckTargetUrl, AcceptsHttpAndHttpsWithAHost) {
  for (std::string_view ok : {"http://127.0.0.1:8080/health", "https://api.example.com",
                              "HTTPS://API.EXAMPLE.COM/x?y=1#z", "http://[::1]:80/",
                              "https://user:pw@h/", "http://h:/"}) {
    EXPECT_EQ(CheckTargetUrl(ok), std::nullopt) << ok;
  }
}

TEST(CheckTargetUrl, RejectsOtherSchemesWithoutShowingCredentials) {
  const auto problem = CheckTargetUrl("ftp://u:hunter2@h/x?token=t0p");
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(*problem,
            "must be an http:// or https:// URL, got \"ftp://<redacted>@h/x?token=<redacted>\"");
  EXPECT_THAT(*CheckTargetUrl("api.example.com/health"), HasSubstr("http:// or https://"));
  EXPECT_THAT(*CheckTargetUrl("httpx://h/"), HasSubstr("http:// or https://"));
}

TEST(CheckTargetUrl, RejectsMissingHostBadPortAndWhitespace) {
  EXPECT_THAT(*CheckTargetUrl("http:///x"), HasSubstr("host"));
  EXPECT_THAT(*CheckTargetUrl("http://u:p@/x"), HasSubstr("host"));
  EXPECT_THAT(*CheckTargetUrl("http://h:99999/"), HasSubstr("port"));
  EXPECT_THAT(*CheckTargetUrl("http://h:8o/"), HasSubstr("port"));
  EXPECT_THAT(*CheckTargetUrl("http://[::1/"), HasSubstr("host"));
  EXPECT_THAT(*CheckTargetUrl("http://h/a b"), HasSubstr("whitespace"));
  EXPECT_THAT(*CheckTargetUrl("http://h/\tx"), HasSubstr("whitespace"));
  EXPECT_THAT(*CheckTargetUrl("http://u:s3cret@h/a b"), Not(HasSubstr("s3cret")));
}

TEST(IsValidTargetName, AllowsTheDocumentedCharactersAndLength) {
  EXPECT_TRUE(IsValidTargetName("checkout_v2.eu-1"));
  EXPECT_TRUE(IsValidTargetName(std::string(128, 'a')));
  EXPECT_FALSE(IsValidTargetName(std::string(129, 'a')));
  EXPECT_FALSE(IsValidTargetName(""));
  EXPECT_FALSE(IsValidTargetName("a b"));
  EXPECT_FALSE(IsValidTargetName("a/b"));
  EXPECT_FALSE(IsValidTargetName("caf\xc3\xa9"));
}

TEST(IsHttpToken, FollowsRfc9110) {
  EXPECT_TRUE(IsHttpToken("X-Api-Key"));
  EXPECT_TRUE(IsHttpToken("!#$%&'*+-.^_`|~09azAZ"));
  EXPECT_FALSE(IsHttpToken(""));
  EXPECT_FALSE(IsHttpToken("X Api"));
  EXPECT_FALSE(IsHttpToken("X:Api"));
  EXPECT_FALSE(IsHttpToken("X\"Api"));
}

TEST(CheckLabelName, AcceptsPrometheusNamesExceptReservedOnes) {
  EXPECT_EQ(CheckLabelName("team"), std::nullopt);
  EXPECT_EQ(CheckLabelName("_x9"), std::nullopt);
  EXPECT_EQ(CheckLabelName("targets"), std::nullopt);
  EXPECT_THAT(*CheckLabelName("9x"), HasSubstr("must match"));
  EXPECT_THAT(*CheckLabelName("a-b"), HasSubstr("must match"));
  EXPECT_THAT(*CheckLabelName(""), HasSubstr("must match"));
  EXPECT_THAT(*CheckLabelName("target"), HasSubstr("reserved"));
  EXPECT_THAT(*CheckLabelName("url"), HasSubstr("reserved"));
  EXPECT_THAT(*CheckLabelName("__name__"), HasSubstr("reserved"));
}

TEST(ParseStatusMatcher, ParsesCodesAndClasses) {
  EXPECT_THAT(ParseStatusMatcher("200"), Optional(StatusMatcher{200, 0}));
  EXPECT_THAT(ParseStatusMatcher("599"), Optional(StatusMatcher{599, 0}));
  EXPECT_THAT(ParseStatusMatcher("1xx"), Optional(StatusMatcher{0, 1}));
  EXPECT_THAT(ParseStatusMatcher("5XX"), Optional(StatusMatcher{0, 5}));
  for (std::string_view bad :
       {"", "600", "099", "6xx", "0xx", "2x", "2xxx", "abc", "20x", " 200"}) {
    EXPECT_EQ(ParseStatusMatcher(bad), std::nullopt) << bad;
  }
}

TEST(ParseShard, AcceptsIndexBelowCountUpTo1024) {
  const auto shard = ParseShard("3/4");
  ASSERT_TRUE(shard.has_value());
  EXPECT_EQ(shard->index, 3u);
  EXPECT_EQ(shard->count, 4u);
  EXPECT_TRUE(ParseShard("1023/1024").has_value());
  for (std::string_view bad :
       {"", "0", "0/0", "4/4", "5/4", "0/1025", "-1/2", "a/b", "0/ 2", "1/2/3", "99999999999/1"}) {
    EXPECT_EQ(ParseShard(bad), std::nullopt) << bad;
  }
}

TEST(EditDistance, CountsEditsCaseInsensitivelyWithSwaps) {
  EXPECT_EQ(EditDistance("interval", "interval"), 0);
  EXPECT_EQ(EditDistance("Interval", "interval"), 0);
  EXPECT_EQ(EditDistance("intervall", "interval"), 1);
  EXPECT_EQ(EditDistance("intreval", "interval"), 1);
  EXPECT_EQ(EditDistance("timout", "timeout"), 1);
  EXPECT_EQ(EditDistance("", "abc"), 3);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
  EXPECT_EQ(EditDistance("colour", "listen"), 6);
}

TEST(Quote, EscapesAndTruncates) {
  EXPECT_EQ(Quote("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Quote("line\nbreak"), R"("line\x0abreak")");
  const std::string long_text(150, 'x');
  EXPECT_EQ(Quote(long_text), "\"" + std::string(100, 'x') + "...\"");
  // 99 ASCII bytes then a 2-byte character: the cut must not split it.
  const std::string utf8 = std::string(99, 'x') + "\xc3\xa9" + "tail";
  EXPECT_EQ(Quote(utf8), "\"" + std::string(99, 'x') + "...\"");
}

TEST(CheckNotifierUrl, AcceptsHttpAndHttps) {
  for (std::string_view ok : {"https://hooks.slack.com/services/T/B/x", "http://127.0.0.1:9093",
                              "http://[::1]:9000/hook?token=x"}) {
    EXPECT_EQ(CheckNotifierUrl(ok), std::nullopt) << ok;
  }
}

TEST(CheckNotifierUrl, ShowsNoMoreThanTheScheme) {
  EXPECT_EQ(CheckNotifierUrl("ftp://h/s3cret-path"),
            "must be an http:// or https:// URL, got \"ftp://<redacted>\"");
  EXPECT_EQ(CheckNotifierUrl("s3cret-token-only"),
            "must be an http:// or https:// URL, got \"<redacted>\"");
  EXPECT_EQ(CheckNotifierUrl("x y://h/s3cret"),
            "must be an http:// or https:// URL, got \"<redacted>\"");
  EXPECT_EQ(CheckNotifierUrl("https://h:99999/s3cret"),
            "must have a numeric port 0..65535 after the host, got \"https://<redacted>\"");
  EXPECT_EQ(CheckNotifierUrl("https:///s3cret"), "must have a host, got \"https://<redacted>\"");
}

TEST(CheckTemplate, AllowsOnlyTheDocumentedPlaceholders) {
  EXPECT_EQ(CheckTemplate(""), std::nullopt);
  EXPECT_EQ(CheckTemplate("plain text with { braces } and }}"), std::nullopt);
  EXPECT_EQ(CheckTemplate("{{alert}}{{target}}{{value}}{{threshold}}{{window}}{{diagnosis}}"
                          "{{status}}"),
            std::nullopt);
  EXPECT_THAT(*CheckTemplate("{{ alert }}"), HasSubstr("unknown placeholder \"{{ alert }}\""));
  EXPECT_THAT(*CheckTemplate("{{Alert}}"), HasSubstr("unknown placeholder \"{{Alert}}\""));
  EXPECT_THAT(*CheckTemplate("ok {{value}} then {{severity}}"),
              HasSubstr("unknown placeholder \"{{severity}}\" (allowed: {{alert}}, "));
  EXPECT_EQ(CheckTemplate("{{alert}} {{"), "\"{{\" at offset 10 has no closing \"}}\"");
}

TEST(IsValidTargetGlob, NameCharactersPlusStarAndQuestionMark) {
  EXPECT_TRUE(IsValidTargetGlob("edge-*"));
  EXPECT_TRUE(IsValidTargetGlob("api.v?.eu_1"));
  EXPECT_TRUE(IsValidTargetGlob("*"));
  EXPECT_FALSE(IsValidTargetGlob(""));
  EXPECT_FALSE(IsValidTargetGlob("edge [eu]"));
  EXPECT_FALSE(IsValidTargetGlob("edge/*"));
  EXPECT_TRUE(IsGlob("a*"));
  EXPECT_TRUE(IsGlob("a?"));
  EXPECT_FALSE(IsGlob("a.b-c"));
}

TEST(CheckAgentLabelName, ReservesWhatEveryAlertSets) {
  EXPECT_EQ(CheckAgentLabelName("region"), std::nullopt);
  EXPECT_THAT(*CheckAgentLabelName("alertname"), HasSubstr("reserved"));
  EXPECT_THAT(*CheckAgentLabelName("severity"), HasSubstr("reserved"));
  EXPECT_THAT(*CheckAgentLabelName("target"), HasSubstr("reserved"));
  EXPECT_THAT(*CheckAgentLabelName("__x"), HasSubstr("reserved"));
  EXPECT_EQ(CheckLabelName("severity"), std::nullopt);  // fine on a target
}

}  // namespace
}  // namespace gatewatch::config
