#include "notify/payload_mattermost.h"

namespace gatewatch::notify {
namespace {

constexpr std::size_t kMaxDiagnosisChars = 2000;
constexpr std::size_t kMaxAttachments = 20;
constexpr std::size_t kMaxTextChars = 4000;  // posts are capped at 16383 characters

Json Field(std::string_view title, std::string value) {
  Json f = Json::object();
  f["title"] = title;
  f["value"] = std::move(value);
  f["short"] = true;
  return f;
}

}  // namespace

std::string EscapeMattermost(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    out += c;
    if (c == '@') out += "\u200b";
  }
  return out;
}

std::string RenderMattermostPayload(const std::vector<alert::AlertEvent>& events,
                                    const RenderContext& context) {
  Json attachments = Json::array();
  for (std::size_t i = 0; i < events.size() && i < kMaxAttachments; ++i) {
    const alert::AlertEvent& e = events[i];
    const std::string headline = EscapeMattermost(Headline(e));
    std::string text = EscapeMattermost(e.summary);
    if (!e.diagnosis.empty()) {
      text += "\n**Diagnosis:** " + EscapeMattermost(TruncateText(e.diagnosis, kMaxDiagnosisChars));
    }
    if (!e.trace_id.empty()) text += "\n**Trace id:** " + EscapeMattermost(e.trace_id);
    Json fields = Json::array();
    fields.push_back(Field("Value", EscapeMattermost(ValueVsThreshold(e))));
    if (!e.window.empty()) fields.push_back(Field("Window", EscapeMattermost(e.window)));
    fields.push_back(Field("Target", EscapeMattermost(e.target)));
    fields.push_back(Field("Severity", EscapeMattermost(e.severity)));

    Json a = Json::object();
    a["fallback"] = headline;
    a["color"] = StatusColor(e);
    a["title"] = headline;
    if (!context.external_url.empty()) a["title_link"] = context.external_url;
    a["text"] = std::move(text);
    a["fields"] = std::move(fields);
    a["footer"] = "gatewatch";
    attachments.push_back(std::move(a));
  }

  std::string text;
  if (context.message_template && !events.empty()) {
    text = ExpandTemplate(*context.message_template, events.front(), EscapeMattermost);
  } else if (!events.empty()) {
    text = EscapeMattermost(Headline(events.front()));
  }
  if (events.size() > 1) text += " (+" + std::to_string(events.size() - 1) + " more)";
  Json doc = Json::object();
  doc["text"] = TruncateText(text, kMaxTextChars);
  doc["attachments"] = std::move(attachments);
  return Dump(doc);
}

}  // namespace gatewatch::notify
