#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "alert/event.h"
#include "core/clock.h"

// What every payload renderer (notify/payload_*.h) shares: the render context, template
// expansion and text limits. Pure functions; safe from any thread.
namespace gatewatch::notify {

// Renderers build documents with nlohmann::ordered_json, so field order in the output
// follows the provider's documentation, and all escaping is the library's.
using Json = nlohmann::ordered_json;

struct RenderContext {
  std::string_view receiver;      // the notifier's name
  std::string_view external_url;  // the agent's "http://host:port/" for links; "" = no links
  // The notifier's `template`; nullopt = the provider's default text.
  std::optional<std::string_view> message_template;
  // alertmanager only: a firing alert gets endsAt = now + firing_validity (0 = no endsAt,
  // so Alertmanager applies its resolve_timeout).
  core::Clock::WallTimePoint now{};
  std::chrono::milliseconds firing_validity{0};
};

// Makes text safe for one output format before it is put into a JSON string.
using TextEscaper = std::function<std::string(std::string_view)>;

// Replaces every placeholder of config::kTemplatePlaceholders in `tmpl` with the event's
// values, each passed through `escape` (the template's own text is left as written, so a
// template may carry the provider's markup): {{alert}} rule name, {{target}}, {{value}}
// value_text, {{threshold}} threshold_text, {{window}} ("" for consecutive failures),
// {{diagnosis}}, {{status}} "firing"/"resolved". Anything else is copied as is.
std::string ExpandTemplate(std::string_view tmpl, const alert::AlertEvent& event,
                           const TextEscaper& escape);

// The identity escaper.
std::string PlainText(std::string_view text);

// At most `max_chars` Unicode code points of `text` (UTF-8), never splitting a character;
// when it had to cut, the last kept character is replaced by "…" so the result still has at
// most `max_chars` code points. Invalid bytes count as one character each.
std::string TruncateText(std::string_view text, std::size_t max_chars);

// Number of code points in UTF-8 `text` (invalid bytes count as one each).
std::size_t CountChars(std::string_view text);

// The first line of every chat message: "[FIRING] gateway-502 on checkout (critical)";
// "[STILL FIRING] ..." for reminders, "[RESOLVED] ...", "[TEST] ...".
std::string Headline(const alert::AlertEvent& event);

// "0.42 (threshold 0.05)".
std::string ValueVsThreshold(const alert::AlertEvent& event);

// Serializes a rendered document. Invalid UTF-8 (a diagnosis quoting a binary body) becomes
// U+FFFD instead of an exception.
std::string Dump(const Json& doc);

// Unix seconds of a wall time, for providers that want a number.
std::int64_t UnixSeconds(core::Clock::WallTimePoint t);

// Hex colors by status, shared by the chat providers: firing red, resolved green, test blue.
std::string_view StatusColor(const alert::AlertEvent& event);

}  // namespace gatewatch::notify
