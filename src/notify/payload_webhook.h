#pragma once
#include <string>
#include <vector>

#include "alert/event.h"
#include "notify/payload_common.h"

namespace gatewatch::notify {

// The `webhook` body: Alertmanager's webhook format, version "4", so anything that
// consumes Alertmanager webhooks consumes ours. Pure; safe from any thread.
//
//   {"version": "4", "groupKey": "{}:{alertname=\"gateway-502\", target=\"checkout\"}",
//    "truncatedAlerts": 0, "status": "firing", "receiver": "<notifier name>",
//    "groupLabels": {"alertname": ..., "target": ...}, "commonLabels": {...},
//    "commonAnnotations": {...}, "externalURL": "<agent URL>",
//    "alerts": [{"status": "firing", "labels": {"alertname", "target", "severity", agent
//      labels...}, "annotations": {"summary", "description", "diagnosis", "value",
//      "threshold", "window", "trace_id" [, "message"]}, "startsAt": RFC 3339,
//      "endsAt": RFC 3339 or "0001-01-01T00:00:00Z" while firing, "generatorURL",
//      "fingerprint"}]}
//
// `status` is "firing" when any alert fires. groupLabels are alertname and target where
// all alerts agree on them. Every annotation key is always present ("" when it does not
// apply). With a template, each alert also gets annotations.message (the expanded
// template, unescaped). The diagnosis is cut at 4096 characters.
std::string RenderWebhookPayload(const std::vector<alert::AlertEvent>& events,
                                 const RenderContext& context);

}  // namespace gatewatch::notify
