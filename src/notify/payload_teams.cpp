#include "notify/payload_teams.h"

namespace gatewatch::notify {
namespace {

constexpr std::size_t kMaxDiagnosisChars = 2000;
constexpr std::size_t kMaxAlerts = 10;

Json TextBlock(std::string text) {
  Json b = Json::object();
  b["type"] = "TextBlock";
  b["text"] = std::move(text);
  b["wrap"] = true;
  return b;
}

Json Fact(std::string_view title, std::string_view value) {
  Json f = Json::object();
  f["title"] = title;
  f["value"] = value;
  return f;
}

std::string_view CardColor(const alert::AlertEvent& e) {
  if (e.kind == alert::EventKind::kTest) return "Accent";
  return e.status == alert::AlertStatus::kFiring ? "Attention" : "Good";
}

}  // namespace

std::string RenderTeamsPayload(const std::vector<alert::AlertEvent>& events,
                               const RenderContext& context) {
  Json body = Json::array();
  for (std::size_t i = 0; i < events.size() && i < kMaxAlerts; ++i) {
    const alert::AlertEvent& e = events[i];
    Json headline = TextBlock(Headline(e));
    headline["weight"] = "Bolder";
    headline["size"] = "Medium";
    headline["color"] = CardColor(e);
    if (i > 0) headline["separator"] = true;
    body.push_back(std::move(headline));
    body.push_back(TextBlock(context.message_template
                                 ? ExpandTemplate(*context.message_template, e, PlainText)
                                 : e.summary));
    Json facts = Json::array();
    facts.push_back(Fact("Value", ValueVsThreshold(e)));
    if (!e.window.empty()) facts.push_back(Fact("Window", e.window));
    facts.push_back(Fact("Target", e.target));
    facts.push_back(Fact("Severity", e.severity));
    if (!e.trace_id.empty()) facts.push_back(Fact("Trace id", e.trace_id));
    Json fact_set = Json::object();
    fact_set["type"] = "FactSet";
    fact_set["facts"] = std::move(facts);
    body.push_back(std::move(fact_set));
    if (!e.diagnosis.empty()) {
      Json diagnosis = TextBlock("Diagnosis: " + TruncateText(e.diagnosis, kMaxDiagnosisChars));
      diagnosis["isSubtle"] = true;
      body.push_back(std::move(diagnosis));
    }
  }
  if (events.size() > kMaxAlerts) {
    body.push_back(TextBlock("+" + std::to_string(events.size() - kMaxAlerts) + " more"));
  }

  Json card = Json::object();
  card["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json";
  card["type"] = "AdaptiveCard";
  card["version"] = "1.4";
  card["msteams"] = Json{{"width", "Full"}};
  card["body"] = std::move(body);
  if (!context.external_url.empty()) {
    Json open = Json::object();
    open["type"] = "Action.OpenUrl";
    open["title"] = "Open gatewatch";
    open["url"] = context.external_url;
    card["actions"] = Json::array({std::move(open)});
  }

  Json attachment = Json::object();
  attachment["contentType"] = "application/vnd.microsoft.card.adaptive";
  attachment["contentUrl"] = nullptr;
  attachment["content"] = std::move(card);
  Json doc = Json::object();
  doc["type"] = "message";
  doc["attachments"] = Json::array({std::move(attachment)});
  return Dump(doc);
}

}  // namespace gatewatch::notify
