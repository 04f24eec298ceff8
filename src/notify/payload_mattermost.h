#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "alert/event.h"
#include "notify/payload_common.h"

namespace gatewatch::notify {

// The `mattermost` body for a Mattermost incoming webhook (Slack-compatible fields, but
// Markdown rather than Slack mrkdwn):
//
//   {"text": "[FIRING] gateway-502 on checkout (critical)",
//    "attachments": [{"fallback": ..., "color": "#d63232", "title": <headline>,
//      "title_link": <agent URL>, "text": "<summary>\n**Diagnosis:** <diagnosis>",
//      "fields": [{"title": "Value", "value": "0.42 (threshold 0.05)", "short": true}, ...],
//      "footer": "gatewatch"}]}
//
// Event text is passed through EscapeMattermost, so a diagnosis that says "@channel" does
// not page the channel. The diagnosis is cut at 2000 characters, at most 20 attachments.
// Pure; safe from any thread.
std::string RenderMattermostPayload(const std::vector<alert::AlertEvent>& events,
                                    const RenderContext& context);

// Defuses mentions: every '@' is followed by a zero-width space (U+200B), which reads the
// same but matches no user or channel.
std::string EscapeMattermost(std::string_view text);

}  // namespace gatewatch::notify
