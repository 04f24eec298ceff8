#include "notify/payload_discord.h"

#include <cstdlib>

namespace gatewatch::notify {
namespace {

constexpr std::size_t kMaxContentChars = 2000;
constexpr std::size_t kMaxTitleChars = 256;
constexpr std::size_t kMaxDescriptionChars = 4096;
constexpr std::size_t kMaxFieldValueChars = 1024;
constexpr std::size_t kMaxEmbeds = 10;
constexpr std::size_t kMaxEmbedsChars = 6000;
// A single embed's diagnosis, so one alert leaves room for a few more in the 6000 budget.
constexpr std::size_t kMaxDiagnosisChars = 1500;

int Color(std::string_view hex) {
  return static_cast<int>(std::strtol(std::string(hex.substr(1)).c_str(), nullptr, 16));
}

struct Embed {
  Json json;
  std::size_t chars = 0;  // what Discord counts toward the 6000-character total
};

Embed MakeEmbed(const alert::AlertEvent& e, const RenderContext& context) {
  Embed out;
  const std::string title = TruncateText(Headline(e), kMaxTitleChars);
  std::string description = e.summary;
  if (!e.diagnosis.empty()) {
    description += "\n**Diagnosis:** " + TruncateText(e.diagnosis, kMaxDiagnosisChars);
  }
  if (!e.trace_id.empty()) description += "\n**Trace id:** " + e.trace_id;
  description = TruncateText(description, kMaxDescriptionChars);
  out.chars = CountChars(title) + CountChars(description);

  Json fields = Json::array();
  const auto field = [&](std::string_view name, std::string_view value) {
    if (value.empty()) return;
    std::string v = TruncateText(value, kMaxFieldValueChars);
    out.chars += CountChars(name) + CountChars(v);
    Json f = Json::object();
    f["name"] = name;
    f["value"] = std::move(v);
    f["inline"] = true;
    fields.push_back(std::move(f));
  };
  field("Value", ValueVsThreshold(e));
  field("Window", e.window);
  field("Target", e.target);
  field("Severity", e.severity);
  out.chars += CountChars("gatewatch");

  Json& j = out.json;
  j = Json::object();
  j["title"] = title;
  if (!context.external_url.empty()) j["url"] = context.external_url;
  j["color"] = Color(StatusColor(e));
  j["description"] = std::move(description);
  j["fields"] = std::move(fields);
  j["timestamp"] = core::FormatRfc3339(e.ended_at.value_or(e.started_at));
  j["footer"] = Json{{"text", "gatewatch"}};
  return out;
}

}  // namespace

std::string RenderDiscordPayload(const std::vector<alert::AlertEvent>& events,
                                 const RenderContext& context) {
  Json embeds = Json::array();
  std::size_t total_chars = 0;
  std::size_t shown = 0;
  for (const alert::AlertEvent& e : events) {
    if (shown == kMaxEmbeds) break;
    Embed embed = MakeEmbed(e, context);
    if (total_chars + embed.chars > kMaxEmbedsChars) break;
    total_chars += embed.chars;
    embeds.push_back(std::move(embed.json));
    ++shown;
  }

  std::string content;
  if (context.message_template && !events.empty()) {
    content = ExpandTemplate(*context.message_template, events.front(), PlainText);
  } else if (!events.empty()) {
    content = Headline(events.front());
  }
  if (events.size() > 1) content += " (+" + std::to_string(events.size() - 1) + " more)";
  std::string suffix;
  if (shown < events.size()) {
    suffix = "\n" + std::to_string(events.size() - shown) + " more not shown";
  }
  content = TruncateText(content, kMaxContentChars - CountChars(suffix)) + suffix;

  Json doc = Json::object();
  doc["content"] = std::move(content);
  doc["allowed_mentions"] = Json{{"parse", Json::array()}};
  doc["embeds"] = std::move(embeds);
  return Dump(doc);
}

}  // namespace gatewatch::notify
