#include "notify/payload_slack_like.h"

namespace gatewatch::notify {
namespace {

constexpr std::size_t kMaxDiagnosisChars = 2000;
constexpr std::size_t kMaxAttachments = 20;

Json Field(std::string_view title, std::string value) {
  Json f = Json::object();
  f["title"] = title;
  f["value"] = std::move(value);
  f["short"] = true;
  return f;
}

// "\n*Diagnosis:* " for Slack, "\n**Diagnosis:** " for Markdown.
std::string Label(std::string_view name, std::string_view bold) {
  std::string out = "\n";
  out += bold;
  out += name;
  out += ':';
  out += bold;
  out += ' ';
  return out;
}

}  // namespace

std::string RenderSlackLikePayload(const std::vector<alert::AlertEvent>& events,
                                   const RenderContext& context, const SlackLikeStyle& style) {
  const auto escape = style.escape;
  Json attachments = Json::array();
  for (std::size_t i = 0; i < events.size() && i < kMaxAttachments; ++i) {
    const alert::AlertEvent& e = events[i];
    const std::string headline = escape(Headline(e));
    std::string text = escape(e.summary);
    if (!e.diagnosis.empty()) {
      text +=
          Label("Diagnosis", style.bold) + escape(TruncateText(e.diagnosis, kMaxDiagnosisChars));
    }
    if (!e.trace_id.empty()) text += Label("Trace id", style.bold) + escape(e.trace_id);
    Json fields = Json::array();
    fields.push_back(Field("Value", escape(ValueVsThreshold(e))));
    if (!e.window.empty()) fields.push_back(Field("Window", escape(e.window)));
    fields.push_back(Field("Target", escape(e.target)));
    fields.push_back(Field("Severity", escape(e.severity)));

    Json a = Json::object();
    a["fallback"] = headline;
    a["color"] = StatusColor(e);
    a["title"] = headline;
    if (!context.external_url.empty()) a["title_link"] = context.external_url;
    a["text"] = std::move(text);
    a["fields"] = std::move(fields);
    a["footer"] = "gatewatch";
    if (style.slack_extras) {
      a["ts"] = UnixSeconds(e.ended_at.value_or(e.started_at));
      a["mrkdwn_in"] = Json::array({"text"});
    }
    attachments.push_back(std::move(a));
  }

  std::string text;
  if (context.message_template && !events.empty()) {
    text = ExpandTemplate(*context.message_template, events.front(), escape);
  } else if (!events.empty()) {
    text = escape(Headline(events.front()));
  }
  if (events.size() > 1) {
    text += " (+" + std::to_string(events.size() - 1) + " more";
    if (style.slack_extras && events.size() > kMaxAttachments) {
      text += ", " + std::to_string(events.size() - kMaxAttachments) + " not shown";
    }
    text += ")";
  }
  Json doc = Json::object();
  doc["text"] = TruncateText(text, style.max_text_chars);
  doc["attachments"] = std::move(attachments);
  return Dump(doc);
}

}  // namespace gatewatch::notify
