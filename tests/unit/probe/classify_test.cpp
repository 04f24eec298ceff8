#include "probe/classify.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <variant>
#include <vector>

namespace gatewatch::probe {
namespace {

using net::TransportError;

core::Pattern Regex(const std::string& expression) {
  return std::get<core::Pattern>(core::Pattern::Compile(expression));
}

config::TargetSpec Target() {
  config::TargetSpec t;
  t.name = "api";
  t.url = "http://127.0.0.1:1/health";
  return t;
}

net::HttpResponse Response(int status, std::string body = "ok") {
  net::HttpResponse r;
  r.http_status = status;
  r.body = std::move(body);
  r.headers = {{"server", "nginx"}, {"content-type", "text/plain"}};
  r.remote_ip = "127.0.0.1";
  r.timings.dns = net::Micros(10);
  r.timings.connect = net::Micros(20);
  r.timings.ttfb = net::Micros(300);
  r.timings.transfer = net::Micros(5);
  r.timings.total = net::Micros(340);
  return r;
}

net::HttpResponse Failed(TransportError error, std::string text) {
  net::HttpResponse r;
  r.error = error;
  r.error_text = std::move(text);
  r.timings.total = net::Micros(1234);
  return r;
}

TEST(ReasonFor, EveryTransportError) {
  const struct {
    TransportError error;
    FailureReason want;
  } cases[] = {
      {TransportError::kNone, FailureReason::kNone},
      {TransportError::kDns, FailureReason::kDns},
      {TransportError::kRefused, FailureReason::kRefused},
      {TransportError::kConnectTimeout, FailureReason::kConnectTimeout},
      {TransportError::kTls, FailureReason::kTls},
      {TransportError::kTimeout, FailureReason::kTimeout},
      {TransportError::kReset, FailureReason::kReset},
      {TransportError::kProtocol, FailureReason::kProtocol},
      {TransportError::kOther, FailureReason::kProtocol},
      {TransportError::kCancelled, FailureReason::kProtocol},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ReasonFor(c.error), c.want) << static_cast<int>(c.error);
  }
}

TEST(Classify, TransportErrorsTakeTheirReasonAndCurlText) {
  const struct {
    TransportError error;
    FailureReason reason;
  } cases[] = {
      {TransportError::kDns, FailureReason::kDns},
      {TransportError::kRefused, FailureReason::kRefused},
      {TransportError::kConnectTimeout, FailureReason::kConnectTimeout},
      {TransportError::kTls, FailureReason::kTls},
      {TransportError::kTimeout, FailureReason::kTimeout},
      {TransportError::kReset, FailureReason::kReset},
      {TransportError::kProtocol, FailureReason::kProtocol},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.error));
    const ProbeResult r = Classify(Target(), Failed(c.error, "curl says why"));
    EXPECT_EQ(r.reason, c.reason);
    EXPECT_FALSE(r.success());
    EXPECT_EQ(r.detail, "curl says why");
    EXPECT_EQ(r.latency, net::Micros(1234));
    EXPECT_EQ(r.http_status, 0);
  }
}

TEST(Classify, TransportErrorWithoutTextNamesTheReason) {
  EXPECT_EQ(Classify(Target(), Failed(TransportError::kReset, "")).detail, "reset");
}

TEST(Classify, TransportErrorWinsOverAnAcceptedStatus) {
  net::HttpResponse r = Response(200, "partial");
  r.error = TransportError::kReset;
  r.error_text = "Recv failure: Connection reset by peer";
  const ProbeResult result = Classify(Target(), std::move(r));
  EXPECT_EQ(result.reason, FailureReason::kReset);
  EXPECT_EQ(result.http_status, 200);  // the status line did arrive
  EXPECT_EQ(result.body_excerpt, "partial");
}

TEST(Classify, ExpectStatusCodesAndClasses) {
  using config::StatusMatcher;
  const StatusMatcher k2xx{0, 2}, k3xx{0, 3}, k200{200, 0}, k404{404, 0};
  const struct {
    std::vector<StatusMatcher> expect;
    int status;
    std::string detail;  // "" = passes
  } cases[] = {
      {{k2xx}, 200, ""},
      {{k2xx}, 204, ""},
      {{k2xx}, 299, ""},
      {{k2xx}, 301, "status 301, expected 2xx"},
      {{k2xx}, 502, "status 502, expected 2xx"},
      {{k200}, 200, ""},
      {{k200}, 201, "status 201, expected 200"},
      {{k200, k3xx}, 302, ""},
      {{k200, k3xx}, 500, "status 500, expected 200 or 3xx"},
      {{k200, k404, k3xx}, 503, "status 503, expected 200, 404 or 3xx"},
      {{k404}, 404, ""},
      {{}, 503, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.detail + " / " + std::to_string(c.status));
    config::TargetSpec t = Target();
    t.expect_status = c.expect;
    const ProbeResult r = Classify(t, Response(c.status));
    EXPECT_EQ(r.reason, c.detail.empty() ? FailureReason::kNone : FailureReason::kStatus);
    EXPECT_EQ(r.detail, c.detail);
    EXPECT_EQ(r.http_status, c.status);
  }
}

TEST(Classify, ExpectBody) {
  const struct {
    std::string name;
    std::string pattern;
    std::string body;
    bool truncated;
    std::string detail;  // "" = passes
  } cases[] = {
      {"match", R"("status":\s*"UP")", R"({"status": "UP"})", false, ""},
      {"miss", R"("status":\s*"UP")", R"({"status": "DOWN"})", false,
       R"(body does not match /"status":\s*"UP"/)"},
      {"truncated but matched", "ready", "ready and more", true, ""},
      {"truncated miss", "ready", "not yet", true,
       "body does not match /ready/ (searched only the first 7 bytes: the body was truncated "
       "at max_body_bytes)"},
      {"empty body", "x", "", false, "body does not match /x/"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    config::TargetSpec t = Target();
    t.expect_body = Regex(c.pattern);
    net::HttpResponse response = Response(200, c.body);
    response.body_truncated = c.truncated;
    const ProbeResult r = Classify(t, std::move(response));
    EXPECT_EQ(r.reason, c.detail.empty() ? FailureReason::kNone : FailureReason::kBody);
    EXPECT_EQ(r.detail, c.detail);
  }
}

TEST(Classify, StatusIsCheckedBeforeBody) {
  config::TargetSpec t = Target();
  t.expect_body = Regex("never");
  EXPECT_EQ(Classify(t, Response(502)).reason, FailureReason::kStatus);
}

TEST(Classify, HealthDocuments) {
  const struct {
    std::string name;
    std::string content_type;
    std::string body;
    bool truncated;
    std::string detail;  // "" = passes
  } cases[] = {
      {"spring up", "application/json", R"({"status":"UP","components":{}})", false, ""},
      {"spring down", "application/vnd.spring-boot.actuator.v3+json",
       R"({"status":"DOWN","components":{"db":{"status":"UP"}}})", false,
       R"(health status "DOWN")"},
      {"spring down names the failing component", "application/json",
       R"({"status":"DOWN","components":{"db":{"status":"DOWN"},"disk":{"status":"UP"}}})",
       false, R"(health status "DOWN": db: DOWN)"},
      {"health+json fail names the failing check", "application/health+json",
       R"({"status":"fail","checks":{"db:connections":[{"status":"fail"}],"up":[{"status":"pass"}]}})",
       false, R"(health status "fail": db:connections: fail)"},
      {"out of service", "application/json", R"({"status": "OUT_OF_SERVICE"})", false,
       R"(health status "OUT_OF_SERVICE")"},
      {"health+json fail", "application/health+json", R"({"status":"fail","version":"1"})", false,
       R"(health status "fail")"},
      {"health+json warn", "application/health+json", R"({"status":"warn"})", false, ""},
      {"health+json pass", "application/health+json", R"({"status":"pass"})", false, ""},
      {"nested status is not the service's", "application/json",
       R"({"db":{"status":"DOWN"},"status":"UP"})", false, ""},
      {"json without content type", "text/plain", R"( {"status":"down"})", false,
       R"(health status "down")"},
      {"not json", "text/plain", "status: DOWN", false, ""},
      {"numeric status", "application/json", R"({"status":503})", false, ""},
      {"truncated is not judged", "application/json", R"({"status":"DOWN")", true, ""},
      {"broken json", "application/json", R"({"status" "DOWN"})", false, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    net::HttpResponse response = Response(200, c.body);
    response.headers = {{"content-type", c.content_type}};
    response.body_truncated = c.truncated;
    const ProbeResult r = Classify(Target(), std::move(response));
    EXPECT_EQ(r.reason, c.detail.empty() ? FailureReason::kNone : FailureReason::kHealth);
    EXPECT_EQ(r.detail, c.detail);
  }
}

TEST(FailingHealthParts, NamesWhatIsDownInSpringAndHealthJsonDocuments) {
  // Spring Boot 2.2+: nested groups name their failing leaves, not the group.
  EXPECT_EQ(FailingHealthParts(R"({"status":"DOWN","components":{
      "db":{"status":"DOWN","components":{"primary":{"status":"UP"},
                                          "replica":{"status":"DOWN"}}},
      "redis":{"status":"OUT_OF_SERVICE"},"disk":{"status":"UP"}}})"),
            "db/replica: DOWN, redis: OUT_OF_SERVICE");
  // Spring Boot 2.0 said "details".
  EXPECT_EQ(FailingHealthParts(R"({"status":"DOWN","details":{"mongo":{"status":"DOWN"}}})"),
            "mongo: DOWN");
  // application/health+json: a check fails if any of its entries does.
  EXPECT_EQ(FailingHealthParts(R"({"status":"fail","checks":{
      "cassandra:responseTime":[{"componentId":"a","status":"pass"},
                                {"componentId":"b","status":"fail"}],
      "uptime":[{"status":"pass"}]}})"),
            "cassandra:responseTime: fail");
  EXPECT_EQ(FailingHealthParts(R"({"status":"DOWN"})"), "");
  EXPECT_EQ(FailingHealthParts("not json"), "");
  EXPECT_EQ(FailingHealthParts(R"({"status":"DOWN","components":{"db":{"status":"DOWN")"), "");
}

TEST(FailingHealthParts, StaysBoundedOnHostileDocuments) {
  std::string many = R"({"status":"DOWN","components":{)";
  for (int i = 0; i < 50; ++i) {
    if (i > 0) many += ",";
    many += "\"" + std::string(200, 'x') + std::to_string(i) + R"(":{"status":"DOWN"})";
  }
  many += "}}";
  const std::string parts = FailingHealthParts(many);
  EXPECT_EQ(std::count(parts.begin(), parts.end(), ','), kMaxHealthParts - 1);
  EXPECT_LE(parts.size(), kMaxHealthParts * (60 + 2 + 4 + 2));
  // Nesting 100,000 deep is parsed without building it (and without recursing into it).
  const std::string deep = R"({"status":"DOWN","components":)" + std::string(100'000, '[') +
                           std::string(100'000, ']') + "}";
  EXPECT_EQ(FailingHealthParts(deep), "");
}

TEST(Classify, HealthOffIgnoresTheDocument) {
  config::TargetSpec t = Target();
  t.health = config::HealthMode::kOff;
  net::HttpResponse response = Response(200, R"({"status":"DOWN"})");
  EXPECT_TRUE(Classify(t, std::move(response)).success());
}

TEST(Classify, PassingProbeCopiesMeasurementsButKeepsNoHeadersOrBody) {
  net::HttpResponse response = Response(200, "hello");
  response.cert_not_after = 1803902400;
  const ProbeResult r = Classify(Target(), std::move(response));
  EXPECT_TRUE(r.success());
  EXPECT_EQ(r.reason, FailureReason::kNone);
  EXPECT_EQ(r.detail, "");
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.latency, net::Micros(340));
  EXPECT_EQ(r.phases.dns, net::Micros(10));
  EXPECT_EQ(r.phases.connect, net::Micros(20));
  EXPECT_FALSE(r.phases.tls.has_value());
  EXPECT_EQ(r.phases.ttfb, net::Micros(300));
  EXPECT_EQ(r.phases.transfer, net::Micros(5));
  EXPECT_EQ(r.remote_ip, "127.0.0.1");
  EXPECT_EQ(r.tls_not_after, 1803902400);
  EXPECT_EQ(r.body_bytes, 5u);
  EXPECT_TRUE(r.headers.empty());
  EXPECT_TRUE(r.body_excerpt.empty());
}

TEST(Classify, FailedProbeKeepsHeadersAndAnExcerpt) {
  const std::string body(2000, 'e');
  const ProbeResult r = Classify(Target(), Response(502, body));
  EXPECT_EQ(r.reason, FailureReason::kStatus);
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"server", "nginx"}));
  EXPECT_EQ(r.body_excerpt, body.substr(0, kBodyExcerptBytes));
  EXPECT_EQ(r.body_bytes, 2000u);
}

TEST(Classify, ExcerptNeverSplitsAUtf8Character) {
  // 511 ASCII bytes, then a 2-byte character straddling the 512-byte limit.
  const std::string body = std::string(511, 'a') + "\xC3\xA9" + "tail";
  const ProbeResult r = Classify(Target(), Response(500, body));
  EXPECT_EQ(r.body_excerpt, std::string(511, 'a'));
}

// Found by fuzz/classify_fuzzer: a run of continuation bytes (a binary body) made the cut
// back up over all of them, shrinking the excerpt towards nothing.
TEST(Classify, ExcerptOfABinaryBodyKeepsNearlyAllBytes) {
  const std::string body = std::string(100, 'a') + std::string(600, '\x88');
  const ProbeResult r = Classify(Target(), Response(500, body));
  EXPECT_EQ(r.body_excerpt, body.substr(0, kBodyExcerptBytes - 3));
}

TEST(JsonTopLevelStatus, Table) {
  const struct {
    std::string text;
    std::optional<std::string_view> want;
  } cases[] = {
      {R"({"status":"UP"})", "UP"},
      {R"(  { "a" : [1, {"status":"x"}], "b": "s\"tatus", "status" : "pass" } )", "pass"},
      {R"({"a":{"b":{"c":"}"}},"status":"DOWN"})", "DOWN"},
      {R"({"status":true})", std::nullopt},
      {R"(["status","UP"])", std::nullopt},
      {R"({"status")", std::nullopt},
      {R"({"other":1})", std::nullopt},
      {"", std::nullopt},
      {R"({"a":"unterminated)", std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(JsonTopLevelStatus(c.text), c.want);
  }
}

TEST(ReasonName, EveryReasonHasADistinctLabel) {
  std::vector<std::string_view> names;
  for (const FailureReason reason : kAllFailureReasons) {
    const std::string_view name = ReasonName(reason);
    EXPECT_FALSE(name.empty());
    for (const auto other : names) EXPECT_NE(name, other);
    names.push_back(name);
  }
  EXPECT_EQ(ReasonName(FailureReason::kNone), "");
  EXPECT_EQ(ReasonName(FailureReason::kConnectTimeout), "connect_timeout");
}

}  // namespace
}  // namespace gatewatch::probe
