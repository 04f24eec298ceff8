// The payload renderers: every provider's required fields, its limits, and that no target
// name, diagnosis or template can break the JSON.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "notify/notifier.h"
#include "notify/payload_alertmanager.h"
#include "notify/payload_common.h"
#include "notify/payload_discord.h"
#include "notify/payload_googlechat.h"
#include "notify/payload_mattermost.h"
#include "notify/payload_slack.h"
#include "notify/payload_teams.h"
#include "notify/payload_webhook.h"
#include "unit/notify/test_events.h"

namespace gatewatch::notify {
namespace {

using alert::AlertEvent;
using alert::EventKind;
using config::NotifierType;
using nlohmann::json;
using testing::SampleEvent;
using testing::SampleWallTime;

constexpr std::string_view kAgentUrl = "http://agent.example:9502/";

RenderContext Context(std::optional<std::string_view> tmpl = std::nullopt) {
  RenderContext c;
  c.receiver = "hook";
  c.external_url = kAgentUrl;
  c.message_template = tmpl;
  c.now = SampleWallTime();
  return c;
}

json Parse(const std::string& text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(doc.is_discarded()) << text;
  return doc;
}

// Every text value anywhere in the document, concatenated with newlines.
void CollectStrings(const json& doc, std::string* out) {
  if (doc.is_string()) {
    *out += doc.get<std::string>();
    *out += '\n';
  } else if (doc.is_structured()) {
    for (const auto& item : doc) CollectStrings(item, out);
  }
}

std::string AllText(const json& doc) {
  std::string out;
  CollectStrings(doc, &out);
  return out;
}

struct ProviderCase {
  NotifierType type;
  // Checks the provider's required structure; returns "" or what is missing.
  std::function<std::string(const json&)> required;
};

std::string RequireString(const json& doc, const json::json_pointer& at) {
  if (!doc.contains(at) || !doc.at(at).is_string() || doc.at(at).get<std::string>().empty()) {
    return "missing string " + at.to_string();
  }
  return "";
}

const std::vector<ProviderCase>& Providers() {
  static const std::vector<ProviderCase> cases = {
      {NotifierType::kWebhook,
       [](const json& d) {
         for (const char* p :
              {"/version", "/status", "/receiver", "/externalURL", "/groupKey", "/alerts/0/status",
               "/alerts/0/startsAt", "/alerts/0/endsAt", "/alerts/0/fingerprint",
               "/alerts/0/labels/alertname", "/alerts/0/annotations/summary"}) {
           if (auto e = RequireString(d, json::json_pointer(p)); !e.empty()) return e;
         }
         return std::string();
       }},
      {NotifierType::kSlack,
       [](const json& d) {
         for (const char* p : {"/text", "/attachments/0/color", "/attachments/0/title",
                               "/attachments/0/text", "/attachments/0/fields/0/value"}) {
           if (auto e = RequireString(d, json::json_pointer(p)); !e.empty()) return e;
         }
         return std::string();
       }},
      {NotifierType::kMattermost,
       [](const json& d) {
         for (const char* p : {"/text", "/attachments/0/color", "/attachments/0/text"}) {
           if (auto e = RequireString(d, json::json_pointer(p)); !e.empty()) return e;
         }
         return std::string();
       }},
      {NotifierType::kDiscord,
       [](const json& d) {
         for (const char* p :
              {"/content", "/embeds/0/title", "/embeds/0/description", "/embeds/0/timestamp"}) {
           if (auto e = RequireString(d, json::json_pointer(p)); !e.empty()) return e;
         }
         if (!d["embeds"][0]["color"].is_number_integer()) return std::string("embed color");
         return std::string();
       }},
      {NotifierType::kTeams,
       [](const json& d) {
         if (d.value("type", "") != "message") return std::string("type");
         const json& a = d["attachments"][0];
         if (a.value("contentType", "") != "application/vnd.microsoft.card.adaptive") {
           return std::string("contentType");
         }
         if (a["content"].value("type", "") != "AdaptiveCard") return std::string("card type");
         if (!a["content"]["body"].is_array() || a["content"]["body"].empty()) {
           return std::string("card body");
         }
         return std::string();
       }},
      {NotifierType::kGoogleChat,
       [](const json& d) { return RequireString(d, json::json_pointer("/text")); }},
      {NotifierType::kAlertmanager,
       [](const json& d) {
         if (!d.is_array() || d.empty()) return std::string("not a non-empty array");
         for (const char* p : {"/0/labels/alertname", "/0/annotations/summary", "/0/startsAt"}) {
           if (auto e = RequireString(d, json::json_pointer(p)); !e.empty()) return e;
         }
         return std::string();
       }},
  };
  return cases;
}

TEST(PayloadTest, EveryProviderRendersItsRequiredFieldsForEveryKind) {
  for (const auto& c : Providers()) {
    for (const EventKind kind :
         {EventKind::kFired, EventKind::kReminder, EventKind::kResolved, EventKind::kTest}) {
      SCOPED_TRACE(std::string(config::NotifierTypeName(c.type)) + " " +
                   std::string(alert::EventKindName(kind)));
      const json doc = Parse(RenderPayload(c.type, {SampleEvent(kind)}, Context()));
      EXPECT_EQ(c.required(doc), "");
      const std::string text = AllText(doc);
      if (c.type != NotifierType::kAlertmanager) {
        EXPECT_NE(text.find("checkout"), std::string::npos) << text;
      }
      if (kind != EventKind::kResolved) {
        EXPECT_NE(text.find("the backend refused connections"), std::string::npos) << text;
      }
    }
  }
}

TEST(PayloadTest, ChatMessagesSayValueThresholdWindowDiagnosisAndLink) {
  for (const auto& c : Providers()) {
    if (c.type == NotifierType::kWebhook || c.type == NotifierType::kAlertmanager) continue;
    SCOPED_TRACE(config::NotifierTypeName(c.type));
    const std::string text = AllText(Parse(RenderPayload(c.type, {SampleEvent()}, Context())));
    EXPECT_NE(text.find("[FIRING] gateway-502 on checkout"), std::string::npos) << text;
    EXPECT_NE(text.find("0.42 (threshold 0.05)"), std::string::npos) << text;
    EXPECT_NE(text.find("5m"), std::string::npos) << text;
    EXPECT_NE(text.find("refused connections"), std::string::npos) << text;
    EXPECT_NE(text.find(std::string(kAgentUrl)), std::string::npos) << text;
  }
}

TEST(PayloadTest, HostileTextNeverBreaksTheJson) {
  const std::vector<std::string> nasty = {
      "quote \" backslash \\ slash /",
      "new\nline\r\ttab",
      "</script><b>html</b> & {{alert}} }}{{",
      "unicode: caf\u00e9 \u65e5\u672c \U0001F525",
      std::string("invalid utf8: \xff\xfe \xc3(", 20),
      std::string("nul \0 inside", 12),
      "@everyone @channel <!channel> <users/all>",
  };
  for (const auto& c : Providers()) {
    for (const std::string& s : nasty) {
      SCOPED_TRACE(std::string(config::NotifierTypeName(c.type)) + ": " + s);
      AlertEvent e = SampleEvent();
      e.target = "edge\"" + s;
      e.diagnosis = s;
      e.summary = "summary " + s;
      e.labels["target"] = e.target;
      const std::string tmpl = "{{status}}: {{target}} says \"{{diagnosis}}\"\n";
      for (const bool with_template : {false, true}) {
        const json doc = Parse(RenderPayload(
            c.type, {e},
            Context(with_template ? std::optional<std::string_view>(tmpl) : std::nullopt)));
        EXPECT_EQ(c.required(doc), "");
      }
    }
  }
}

TEST(PayloadTest, QuotesAndNewlinesSurviveTheRoundTrip) {
  AlertEvent e = SampleEvent();
  e.diagnosis = "line one \"quoted\"\nline two \\ done";
  const json doc = Parse(RenderWebhookPayload({e}, Context()));
  EXPECT_EQ(doc["alerts"][0]["annotations"]["diagnosis"], e.diagnosis);
}

TEST(PayloadTest, WebhookIsAlertmanagerFormatVersion4) {
  const json doc = Parse(RenderWebhookPayload({SampleEvent()}, Context()));
  EXPECT_EQ(doc["version"], "4");
  EXPECT_EQ(doc["status"], "firing");
  EXPECT_EQ(doc["receiver"], "hook");
  EXPECT_EQ(doc["truncatedAlerts"], 0);
  EXPECT_EQ(doc["externalURL"], kAgentUrl);
  EXPECT_EQ(doc["groupKey"], "{}:{alertname=\"gateway-502\", target=\"checkout\"}");
  EXPECT_EQ(doc["groupLabels"], json({{"alertname", "gateway-502"}, {"target", "checkout"}}));
  const json& a = doc["alerts"][0];
  EXPECT_EQ(a["status"], "firing");
  EXPECT_EQ(a["labels"], json({{"alertname", "gateway-502"},
                               {"region", "eu-west-1"},
                               {"severity", "critical"},
                               {"target", "checkout"}}));
  for (const char* key :
       {"summary", "description", "diagnosis", "value", "threshold", "window", "trace_id"}) {
    EXPECT_TRUE(a["annotations"].contains(key)) << key;
  }
  EXPECT_EQ(a["annotations"]["value"], "0.42");
  EXPECT_EQ(a["annotations"]["threshold"], "0.05");
  EXPECT_EQ(a["annotations"]["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_FALSE(a["annotations"].contains("message"));
  EXPECT_EQ(a["startsAt"], core::FormatRfc3339(SampleWallTime() - std::chrono::minutes(10)));
  EXPECT_EQ(a["endsAt"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(a["generatorURL"], kAgentUrl);
  EXPECT_EQ(a["fingerprint"], alert::Fingerprint("gateway-502", "checkout"));
}

TEST(PayloadTest, WebhookResolvedCarriesEndsAt) {
  const json doc = Parse(RenderWebhookPayload({SampleEvent(EventKind::kResolved)}, Context()));
  EXPECT_EQ(doc["status"], "resolved");
  EXPECT_EQ(doc["alerts"][0]["status"], "resolved");
  EXPECT_EQ(doc["alerts"][0]["endsAt"], core::FormatRfc3339(SampleWallTime()));
  EXPECT_EQ(doc["alerts"][0]["annotations"]["diagnosis"], "");
}

TEST(PayloadTest, WebhookCommonLabelsAreTheIntersection) {
  const json doc =
      Parse(RenderWebhookPayload({SampleEvent(EventKind::kFired, "gateway-502", "checkout"),
                                  SampleEvent(EventKind::kResolved, "gateway-502", "search")},
                                 Context()));
  EXPECT_EQ(doc["status"], "firing");  // any alert firing
  EXPECT_EQ(doc["alerts"].size(), 2u);
  EXPECT_EQ(
      doc["commonLabels"],
      json({{"alertname", "gateway-502"}, {"region", "eu-west-1"}, {"severity", "critical"}}));
  EXPECT_EQ(doc["groupLabels"], json({{"alertname", "gateway-502"}}));
  EXPECT_EQ(doc["groupKey"], "{}:{alertname=\"gateway-502\"}");
  EXPECT_EQ(doc["commonAnnotations"]["description"], SampleEvent().description);
  EXPECT_FALSE(doc["commonAnnotations"].contains("summary"));
}

TEST(PayloadTest, WebhookTemplateBecomesMessageAnnotation) {
  const json doc =
      Parse(RenderWebhookPayload({SampleEvent()}, Context("{{alert}}/{{target}} is {{status}}")));
  EXPECT_EQ(doc["alerts"][0]["annotations"]["message"], "gateway-502/checkout is firing");
}

TEST(PayloadTest, SlackEscapesMarkupAndColorsByStatus) {
  AlertEvent e = SampleEvent();
  e.diagnosis = "<!channel> body said <b>502</b> & more";
  const json firing = Parse(RenderSlackPayload({e}, Context()));
  const std::string text = firing["attachments"][0]["text"];
  EXPECT_NE(text.find("&lt;!channel&gt; body said &lt;b&gt;502&lt;/b&gt; &amp; more"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("<!channel>"), std::string::npos);
  EXPECT_EQ(firing["attachments"][0]["color"], "#d63232");
  EXPECT_EQ(firing["attachments"][0]["title_link"], kAgentUrl);
  const json resolved = Parse(RenderSlackPayload({SampleEvent(EventKind::kResolved)}, Context()));
  EXPECT_EQ(resolved["attachments"][0]["color"], "#2eb67d");
  EXPECT_EQ(resolved["text"], "[RESOLVED] gateway-502 on checkout (critical)");
}

TEST(PayloadTest, SlackTemplateKeepsItsMarkupButEscapesValues) {
  AlertEvent e = SampleEvent();
  e.diagnosis = "a<b";
  const json doc = Parse(RenderSlackPayload(
      {e}, Context("<http://runbook/502|runbook>: {{alert}} {{diagnosis}} ({{value}})")));
  EXPECT_EQ(doc["text"], "<http://runbook/502|runbook>: gateway-502 a&lt;b (0.42)");
}

TEST(PayloadTest, SlackCapsAttachments) {
  const std::vector<AlertEvent> many(25, SampleEvent());
  const json doc = Parse(RenderSlackPayload(many, Context()));
  EXPECT_EQ(doc["attachments"].size(), 20u);
  EXPECT_NE(doc["text"].get<std::string>().find("+24 more, 5 not shown"), std::string::npos);
}

TEST(PayloadTest, MattermostDefusesMentions) {
  AlertEvent e = SampleEvent();
  e.diagnosis = "ping @channel now";
  const json doc = Parse(RenderMattermostPayload({e}, Context()));
  const std::string text = doc["attachments"][0]["text"];
  EXPECT_EQ(text.find("@channel"), std::string::npos) << text;
  EXPECT_NE(text.find("@\u200bchannel"), std::string::npos) << text;
}

TEST(PayloadTest, DiscordRespectsItsLimits) {
  AlertEvent e = SampleEvent();
  e.diagnosis = std::string(10'000, 'd');
  e.severity = std::string(300, 's');
  const std::string long_template(5'000, 't');
  std::vector<AlertEvent> many(15, e);
  const json doc = Parse(RenderDiscordPayload(many, Context(long_template)));
  EXPECT_LE(CountChars(doc["content"].get<std::string>()), 2000u);
  ASSERT_TRUE(doc["embeds"].is_array());
  EXPECT_LE(doc["embeds"].size(), 10u);
  EXPECT_GE(doc["embeds"].size(), 1u);
  std::size_t total = 0;
  for (const auto& embed : doc["embeds"]) {
    EXPECT_LE(CountChars(embed["title"].get<std::string>()), 256u);
    EXPECT_LE(CountChars(embed["description"].get<std::string>()), 4096u);
    total += CountChars(embed["title"].get<std::string>()) +
             CountChars(embed["description"].get<std::string>()) +
             CountChars(embed["footer"]["text"].get<std::string>());
    for (const auto& field : embed["fields"]) {
      EXPECT_LE(CountChars(field["value"].get<std::string>()), 1024u);
      total += CountChars(field["name"].get<std::string>()) +
               CountChars(field["value"].get<std::string>());
    }
  }
  EXPECT_LE(total, 6000u);
  EXPECT_NE(doc["content"].get<std::string>().find("more not shown"), std::string::npos);
  EXPECT_EQ(doc["allowed_mentions"], json({{"parse", json::array()}}));
}

TEST(PayloadTest, TeamsIsAnAdaptiveCardWithFactsAndLink) {
  const json doc = Parse(RenderTeamsPayload({SampleEvent()}, Context()));
  const json& card = doc["attachments"][0]["content"];
  EXPECT_EQ(card["version"], "1.4");
  EXPECT_EQ(card["body"][0]["color"], "Attention");
  EXPECT_EQ(card["body"][0]["text"], "[FIRING] gateway-502 on checkout (critical)");
  EXPECT_EQ(card["body"][2]["type"], "FactSet");
  EXPECT_EQ(card["body"][2]["facts"][0]["value"], "0.42 (threshold 0.05)");
  EXPECT_EQ(card["actions"][0]["url"], kAgentUrl);
  EXPECT_TRUE(doc["attachments"][0]["contentUrl"].is_null());
}

TEST(PayloadTest, GoogleChatTextFitsAndDefusesMentions) {
  AlertEvent e = SampleEvent();
  e.diagnosis = "<users/all> " + std::string(10'000, 'x');
  const json doc = Parse(RenderGoogleChatPayload({e}, Context()));
  const std::string text = doc["text"];
  EXPECT_LE(CountChars(text), 4000u);
  EXPECT_EQ(text.find("<users/all>"), std::string::npos);
  EXPECT_EQ(text.rfind("\n<http://agent.example:9502/|Open gatewatch>"),
            text.size() - std::string("\n<http://agent.example:9502/|Open gatewatch>").size());
}

TEST(PayloadTest, AlertmanagerFiringHasEndsAtOnlyWithValidity) {
  RenderContext c = Context();
  json doc = Parse(RenderAlertmanagerPayload({SampleEvent()}, c));
  EXPECT_FALSE(doc[0].contains("endsAt"));
  EXPECT_EQ(doc[0]["generatorURL"], kAgentUrl);
  EXPECT_EQ(doc[0]["labels"]["target"], "checkout");
  EXPECT_EQ(doc[0]["annotations"]["diagnosis"], SampleEvent().diagnosis);

  c.firing_validity = std::chrono::minutes(4);
  doc = Parse(RenderAlertmanagerPayload({SampleEvent()}, c));
  EXPECT_EQ(doc[0]["endsAt"], core::FormatRfc3339(SampleWallTime() + std::chrono::minutes(4)));
}

TEST(PayloadTest, AlertmanagerResolvedEndsAtResolveTimeAndOmitsEmptyAnnotations) {
  RenderContext c = Context();
  c.external_url = "";
  const json doc = Parse(RenderAlertmanagerPayload({SampleEvent(EventKind::kResolved)}, c));
  EXPECT_EQ(doc[0]["endsAt"], core::FormatRfc3339(SampleWallTime()));
  EXPECT_FALSE(doc[0]["annotations"].contains("diagnosis"));
  EXPECT_FALSE(doc[0]["annotations"].contains("trace_id"));
  EXPECT_FALSE(doc[0].contains("generatorURL"));
}

TEST(PayloadTest, AlertmanagerBatchStampsEndsAt) {
  const std::string firing = RenderAlertmanagerAlert(SampleEvent(), Context());
  const std::string resolved =
      RenderAlertmanagerAlert(SampleEvent(EventKind::kResolved), Context());
  const auto at = SampleWallTime() + std::chrono::minutes(4);
  const json doc = Parse(AlertmanagerBatch(std::vector<std::string>{firing, resolved}, at));
  ASSERT_EQ(doc.size(), 2u);
  EXPECT_EQ(doc[0]["endsAt"], core::FormatRfc3339(at));
  EXPECT_EQ(doc[1]["endsAt"], core::FormatRfc3339(SampleWallTime()));
  EXPECT_EQ(Parse(AlertmanagerBatch({}, at)), json::array());
}

TEST(PayloadTest, AlertmanagerEndpoint) {
  EXPECT_EQ(AlertmanagerEndpoint("http://am:9093"), "http://am:9093/api/v2/alerts");
  EXPECT_EQ(AlertmanagerEndpoint("http://am:9093/"), "http://am:9093/api/v2/alerts");
  EXPECT_EQ(AlertmanagerEndpoint("http://am/prefix/"), "http://am/prefix/api/v2/alerts");
  EXPECT_EQ(AlertmanagerEndpoint("http://am/api/v2/alerts"), "http://am/api/v2/alerts");
}

TEST(PayloadTest, ExpandTemplateSubstitutesEveryPlaceholder) {
  const AlertEvent e = SampleEvent();
  EXPECT_EQ(ExpandTemplate("{{alert}}|{{target}}|{{value}}|{{threshold}}|{{window}}|"
                           "{{diagnosis}}|{{status}}",
                           e, PlainText),
            "gateway-502|checkout|0.42|0.05|5m|" + e.diagnosis + "|firing");
  EXPECT_EQ(ExpandTemplate("{{unknown}} {{ {{target", e, PlainText), "{{unknown}} {{ {{target");
  EXPECT_EQ(ExpandTemplate("", e, PlainText), "");
  const auto upper = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  };
  EXPECT_EQ(ExpandTemplate("x {{target}} y", e, upper), "x CHECKOUT y");
}

TEST(PayloadTest, TruncateTextNeverSplitsACharacter) {
  EXPECT_EQ(TruncateText("hello", 10), "hello");
  EXPECT_EQ(TruncateText("hello", 5), "hello");
  EXPECT_EQ(TruncateText("hello", 4), "hel\u2026");
  EXPECT_EQ(TruncateText("hello", 0), "");
  EXPECT_EQ(TruncateText("\u65e5\u672c\u8a9e\u6587", 3), "\u65e5\u672c\u2026");
  EXPECT_EQ(CountChars(TruncateText("\U0001F525\U0001F525\U0001F525", 2)), 2u);
  EXPECT_EQ(CountChars("caf\u00e9"), 4u);
  EXPECT_EQ(CountChars(std::string("\xff\xfe", 2)), 2u);
}

}  // namespace
}  // namespace gatewatch::notify
