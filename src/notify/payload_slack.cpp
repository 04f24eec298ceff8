#include "notify/payload_slack.h"

namespace gatewatch::notify {
namespace {

constexpr std::size_t kMaxDiagnosisChars = 2000;
constexpr std::size_t kMaxAttachments = 20;
// Slack truncates `text` beyond 40,000 characters; stay well clear.
constexpr std::size_t kMaxTextChars = 3000;

Json Field(std::string_view title, std::string value) {
  Json f = Json::object();
  f["title"] = title;
  f["value"] = std::move(value);
  f["short"] = true;
  return f;
}

}  // namespace

std::string EscapeSlack(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderSlackPayload(const std::vector<alert::AlertEvent>& events,
                               const RenderContext& context) {
  Json attachments = Json::array();
  for (std::size_t i = 0; i < events.size() && i < kMaxAttachments; ++i) {
    const alert::AlertEvent& e = events[i];
    const std::string headline = EscapeSlack(Headline(e));
    std::string text = EscapeSlack(e.summary);
    if (!e.diagnosis.empty()) {
      text += "\n*Diagnosis:* " + EscapeSlack(TruncateText(e.diagnosis, kMaxDiagnosisChars));
    }
    if (!e.trace_id.empty()) text += "\n*Trace id:* " + EscapeSlack(e.trace_id);
    Json fields = Json::array();
    fields.push_back(Field("Value", EscapeSlack(ValueVsThreshold(e))));
    if (!e.window.empty()) fields.push_back(Field("Window", EscapeSlack(e.window)));
    fields.push_back(Field("Target", EscapeSlack(e.target)));
    fields.push_back(Field("Severity", EscapeSlack(e.severity)));

    Json a = Json::object();
    a["fallback"] = headline;
    a["color"] = StatusColor(e);
    a["title"] = headline;
    if (!context.external_url.empty()) a["title_link"] = context.external_url;
    a["text"] = std::move(text);
    a["fields"] = std::move(fields);
    a["footer"] = "gatewatch";
    a["ts"] = UnixSeconds(e.ended_at.value_or(e.started_at));
    a["mrkdwn_in"] = Json::array({"text"});
    attachments.push_back(std::move(a));
  }

  std::string text;
  if (context.message_template && !events.empty()) {
    text = ExpandTemplate(*context.message_template, events.front(), EscapeSlack);
  } else if (!events.empty()) {
    text = EscapeSlack(Headline(events.front()));
  }
  if (events.size() > 1) {
    text += " (+" + std::to_string(events.size() - 1) + " more";
    if (events.size() > kMaxAttachments) {
      text += ", " + std::to_string(events.size() - kMaxAttachments) + " not shown";
    }
    text += ")";
  }
  Json doc = Json::object();
  doc["text"] = TruncateText(text, kMaxTextChars);
  doc["attachments"] = std::move(attachments);
  return Dump(doc);
}

}  // namespace gatewatch::notify
