#include "notify/payload_mattermost.h"

#include "notify/payload_slack_like.h"

namespace gatewatch::notify {
namespace {

constexpr std::size_t kMaxTextChars = 4000;  // posts are capped at 16383 characters

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
  return RenderSlackLikePayload(events, context,
                                {.escape = EscapeMattermost,
                                 .bold = "**",
                                 .max_text_chars = kMaxTextChars,
                                 .slack_extras = false});
}

}  // namespace gatewatch::notify
