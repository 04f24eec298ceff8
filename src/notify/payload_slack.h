#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "alert/event.h"
#include "notify/payload_common.h"

namespace gatewatch::notify {

// The `slack` body for a Slack incoming webhook: a notification `text` (the headline, or
// the expanded template) plus one legacy attachment per alert, which Slack still renders
// with a colored bar (red firing, green resolved, blue test):
//
//   {"text": "[FIRING] gateway-502 on checkout (critical)",
//    "attachments": [{"fallback": ..., "color": "#d63232", "title": <headline>,
//      "title_link": <agent URL>, "text": "<summary>\n*Diagnosis:* <diagnosis>",
//      "fields": [{"title": "Value", "value": "0.42 (threshold 0.05)", "short": true},
//                 {"title": "Window", ...}, {"title": "Target", ...},
//                 {"title": "Severity", ...}],
//      "footer": "gatewatch", "ts": <unix seconds of the event>, "mrkdwn_in": ["text"]}]}
//
// Every piece of event text is escaped for Slack mrkdwn (&, <, > become entities), so a
// diagnosis quoting HTML cannot turn into a link or a mention. A template's own text is
// kept as written (it may use Slack markup); the values it pulls in are escaped. The
// diagnosis is cut at 2000 characters, at most 20 attachments are sent (the text then says
// how many were left out). Pure; safe from any thread.
std::string RenderSlackPayload(const std::vector<alert::AlertEvent>& events,
                               const RenderContext& context);

// Slack's mrkdwn escaping: & -> &amp;, < -> &lt;, > -> &gt;.
std::string EscapeSlack(std::string_view text);

}  // namespace gatewatch::notify
