// The HTTP request of one delivery attempt: URL, headers, signature, custom headers.
#include "notify/notifier.h"

#include <gtest/gtest.h>
#include <strings.h>

#include <string>

#include "notify/signature.h"

namespace gatewatch::notify {
namespace {

std::string HeaderValue(const net::HttpRequest& r, const std::string& name) {
  std::string found;
  int count = 0;
  for (const auto& [key, value] : r.headers) {
    if (strcasecmp(key.c_str(), name.c_str()) == 0) {
      found = value;
      ++count;
    }
  }
  EXPECT_LE(count, 1) << name << " sent twice";
  return found;
}

config::NotifierSpec Spec(config::NotifierType type, std::string url) {
  config::NotifierSpec spec;
  spec.name = "hook";
  spec.type = type;
  spec.url = core::Secret(std::move(url));
  spec.timeout = std::chrono::milliseconds(1'500);
  return spec;
}

TEST(NotifierTest, WebhookRequestCarriesKeyAndSignature) {
  config::NotifierSpec spec = Spec(config::NotifierType::kWebhook, "http://127.0.0.1:1/hook");
  spec.secret = core::Secret("s3cret");
  const std::string body = R"({"version":"4"})";
  const net::HttpRequest r = BuildDeliveryRequest(spec, body, "abc-1-2");
  EXPECT_EQ(r.url, "http://127.0.0.1:1/hook");
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(r.timeout, std::chrono::milliseconds(1'500));
  EXPECT_FALSE(r.follow_redirects);
  EXPECT_EQ(HeaderValue(r, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderValue(r, "Idempotency-Key"), "abc-1-2");
  EXPECT_EQ(HeaderValue(r, "X-Gatewatch-Signature"), "sha256=" + HmacSha256Hex("s3cret", body));
  EXPECT_EQ(HeaderValue(r, "User-Agent").rfind("gatewatch/", 0), 0u);
}

TEST(NotifierTest, UnsignedWithoutSecretAndCustomHeadersOverride) {
  config::NotifierSpec spec = Spec(config::NotifierType::kWebhook, "http://127.0.0.1:1/hook");
  spec.headers = {{"Authorization", core::Secret("Bearer t0ken")},
                  {"content-type", core::Secret("application/vnd.custom+json")}};
  const net::HttpRequest r = BuildDeliveryRequest(spec, "{}", "k");
  EXPECT_EQ(HeaderValue(r, "X-Gatewatch-Signature"), "");
  EXPECT_EQ(HeaderValue(r, "Authorization"), "Bearer t0ken");
  EXPECT_EQ(HeaderValue(r, "Content-Type"), "application/vnd.custom+json");
}

TEST(NotifierTest, ChatNotifiersIgnoreWebhookOnlyOptions) {
  config::NotifierSpec spec = Spec(config::NotifierType::kSlack, "https://hooks.slack.test/T/B/x");
  spec.secret = core::Secret("ignored");
  spec.headers = {{"X-Extra", core::Secret("1")}};
  const net::HttpRequest r = BuildDeliveryRequest(spec, "{}", "k");
  EXPECT_EQ(r.url, "https://hooks.slack.test/T/B/x");
  EXPECT_EQ(HeaderValue(r, "X-Gatewatch-Signature"), "");
  EXPECT_EQ(HeaderValue(r, "X-Extra"), "");
}

TEST(NotifierTest, AlertmanagerPostsToApiV2) {
  const net::HttpRequest r =
      BuildDeliveryRequest(Spec(config::NotifierType::kAlertmanager, "http://am:9093/"), "[]", "k");
  EXPECT_EQ(r.url, "http://am:9093/api/v2/alerts");
}

TEST(NotifierTest, ContextCarriesNameTemplateAndValidity) {
  config::NotifierSpec spec = Spec(config::NotifierType::kSlack, "http://x/");
  spec.message_template = "{{alert}}";
  const RenderContext c =
      ContextFor(spec, "http://agent:9502/", core::Clock::WallTimePoint{}, std::chrono::minutes(4));
  EXPECT_EQ(c.receiver, "hook");
  EXPECT_EQ(c.external_url, "http://agent:9502/");
  ASSERT_TRUE(c.message_template.has_value());
  EXPECT_EQ(*c.message_template, "{{alert}}");
  EXPECT_EQ(c.firing_validity, std::chrono::minutes(4));
}

}  // namespace
}  // namespace gatewatch::notify
