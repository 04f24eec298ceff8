#pragma once
#include <string>
#include <vector>

#include "alert/event.h"
#include "notify/payload_common.h"

namespace gatewatch::notify {

// The `discord` body for a Discord webhook: `content` (the headline, or the expanded
// template) plus one embed per alert, colored by status:
//
//   {"content": "[FIRING] gateway-502 on checkout (critical)",
//    "allowed_mentions": {"parse": []},
//    "embeds": [{"title": <headline>, "url": <agent URL>, "color": 14037554,
//      "description": "<summary>\n**Diagnosis:** <diagnosis>",
//      "fields": [{"name": "Value", "value": "0.42 (threshold 0.05)", "inline": true},
//                 {"name": "Window", ...}, {"name": "Target", ...}, {"name": "Severity", ...}],
//      "timestamp": RFC 3339, "footer": {"text": "gatewatch"}}]}
//
// Discord's limits hold for any input: content <= 2000 characters, title <= 256,
// description <= 4096, field values <= 1024, at most 10 embeds and 6000 characters across
// them (embeds that would not fit are left out and counted in `content`). allowed_mentions
// is empty, so "@everyone" in a diagnosis pings nobody. Pure; safe from any thread.
std::string RenderDiscordPayload(const std::vector<alert::AlertEvent>& events,
                                 const RenderContext& context);

}  // namespace gatewatch::notify
