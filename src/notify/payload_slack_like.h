#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "alert/event.h"
#include "notify/payload_common.h"

namespace gatewatch::notify {

// How a Slack-compatible provider (Slack itself, Mattermost) differs in the body that
// RenderSlackLikePayload builds.
struct SlackLikeStyle {
  std::string (*escape)(std::string_view);  // applied to every piece of event text
  std::string_view bold;                    // the bold marker: "*" (Slack), "**" (Markdown)
  std::size_t max_text_chars;               // cap on the top-level `text`, in characters
  // Slack only: each attachment carries "ts" (Unix seconds of the event) and
  // "mrkdwn_in": ["text"], and the top-level text also counts the alerts left out.
  bool slack_extras;
};

// The body shared by Slack and Mattermost incoming webhooks: a notification `text` (the
// headline, or the expanded template, plus " (+N more)" for several alerts) and one legacy
// attachment per alert (at most 20): fallback, color, title, title_link (when there is an
// agent URL), text (summary, diagnosis cut at 2000 characters, trace id), fields Value,
// Window (when set), Target and Severity, footer "gatewatch". Pure; safe from any thread.
std::string RenderSlackLikePayload(const std::vector<alert::AlertEvent>& events,
                                   const RenderContext& context, const SlackLikeStyle& style);

}  // namespace gatewatch::notify
