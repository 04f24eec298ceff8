#include "notify/payload_slack.h"

#include "notify/payload_slack_like.h"

namespace gatewatch::notify {
namespace {

// Slack truncates `text` beyond 40,000 characters; stay well clear.
constexpr std::size_t kMaxTextChars = 3000;

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
  return RenderSlackLikePayload(
      events, context,
      {.escape = EscapeSlack, .bold = "*", .max_text_chars = kMaxTextChars, .slack_extras = true});
}

}  // namespace gatewatch::notify
