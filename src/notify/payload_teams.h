#pragma once
#include <string>
#include <vector>

#include "alert/event.h"
#include "notify/payload_common.h"

namespace gatewatch::notify {

// The `teams` body: an Adaptive Card (version 1.4) in the "message" envelope. That is the
// format the Teams "Workflows" webhook ("When a Teams webhook request is received" /
// "Post to a channel when a webhook request is received") takes, and the retiring Office
// 365 connector incoming webhooks accept it as well, so one body serves both. (The older
// MessageCard format works only with the connectors.)
//
//   {"type": "message", "attachments": [{
//     "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": null,
//     "content": {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
//       "type": "AdaptiveCard", "version": "1.4", "msteams": {"width": "Full"},
//       "body": [
//         {"type": "TextBlock", "text": <headline>, "weight": "Bolder", "size": "Medium",
//          "color": "Attention" | "Good" | "Accent", "wrap": true},
//         {"type": "TextBlock", "text": <summary, or the expanded template>, "wrap": true},
//         {"type": "FactSet", "facts": [{"title": "Value", "value": "0.42 (threshold 0.05)"},
//            {"title": "Window", ...}, {"title": "Target", ...}, {"title": "Severity", ...}]},
//         {"type": "TextBlock", "text": "Diagnosis: ...", "wrap": true, "isSubtle": true}],
//       "actions": [{"type": "Action.OpenUrl", "title": "Open gatewatch", "url": <agent URL>}]}}]}
//
// Several alerts repeat the headline/summary/facts/diagnosis blocks (at most 10, with a
// closing "+N more" line). The diagnosis is cut at 2000 characters, keeping the card well
// under Teams' 28 KB message limit. Pure; safe from any thread.
std::string RenderTeamsPayload(const std::vector<alert::AlertEvent>& events,
                               const RenderContext& context);

}  // namespace gatewatch::notify
