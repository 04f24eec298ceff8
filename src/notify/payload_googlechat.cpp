#include "notify/payload_googlechat.h"

namespace gatewatch::notify {
namespace {

constexpr std::size_t kMaxTextChars = 4000;
constexpr std::size_t kMaxDiagnosisChars = 1000;
constexpr std::size_t kMaxAlerts = 10;

std::string DefaultText(const alert::AlertEvent& e) {
  std::string out = "*" + EscapeGoogleChat(Headline(e)) + "*\n" + EscapeGoogleChat(e.summary);
  out += "\nValue: " + EscapeGoogleChat(ValueVsThreshold(e));
  if (!e.window.empty()) out += ", window " + EscapeGoogleChat(e.window);
  if (!e.diagnosis.empty()) {
    out += "\nDiagnosis: " + EscapeGoogleChat(TruncateText(e.diagnosis, kMaxDiagnosisChars));
  }
  if (!e.trace_id.empty()) out += "\nTrace id: " + EscapeGoogleChat(e.trace_id);
  return out;
}

}  // namespace

std::string EscapeGoogleChat(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    out += c;
    if (c == '<') out += "\u200b";
  }
  return out;
}

std::string RenderGoogleChatPayload(const std::vector<alert::AlertEvent>& events,
                                    const RenderContext& context) {
  std::string text;
  for (std::size_t i = 0; i < events.size() && i < kMaxAlerts; ++i) {
    if (i > 0) text += "\n\n";
    text += context.message_template
                ? ExpandTemplate(*context.message_template, events[i], EscapeGoogleChat)
                : DefaultText(events[i]);
  }
  if (events.size() > kMaxAlerts) {
    text += "\n\n+" + std::to_string(events.size() - kMaxAlerts) + " more";
  }
  std::string link;
  if (!context.external_url.empty()) {
    link = "\n<" + std::string(context.external_url) + "|Open gatewatch>";
  }
  Json doc = Json::object();
  doc["text"] = TruncateText(text, kMaxTextChars - CountChars(link)) + link;
  return Dump(doc);
}

}  // namespace gatewatch::notify
