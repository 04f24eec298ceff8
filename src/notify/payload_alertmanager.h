#pragma once
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "alert/event.h"
#include "core/clock.h"
#include "notify/payload_common.h"

namespace gatewatch::notify {

// Bodies for Alertmanager's API v2, POST <url>/api/v2/alerts: a JSON array of
//   {"labels": {"alertname", "target", "severity", agent labels...},
//    "annotations": {"summary", "description", "value", "threshold"[, "window",
//      "diagnosis", "trace_id", "message"]},
//    "startsAt": RFC 3339, "endsAt": RFC 3339, "generatorURL": <agent URL>}
// Optional annotations are left out when empty (Alertmanager treats an empty value as
// absent); "message" is the expanded template; generatorURL is left out when there is no
// agent URL. Identical labels from several gatewatch replicas make one Alertmanager alert.
// Pure; safe from any thread.

// The whole array for `events`. endsAt: the resolve time for resolved alerts; for firing
// ones context.now + context.firing_validity, or none when firing_validity is 0.
std::string RenderAlertmanagerPayload(const std::vector<alert::AlertEvent>& events,
                                      const RenderContext& context);

// One alert object of the array, without endsAt for a firing alert (the dispatcher keeps
// these for its periodic re-sends and stamps endsAt at each send).
std::string RenderAlertmanagerAlert(const alert::AlertEvent& event, const RenderContext& context);

// An array of alert objects made by RenderAlertmanagerAlert, with endsAt = `ends_at` added
// to each one that has none.
std::string AlertmanagerBatch(std::span<const std::string> alerts,
                              core::Clock::WallTimePoint ends_at);

// The API endpoint for a notifier URL: "http://am:9093" and "http://am:9093/" both give
// "http://am:9093/api/v2/alerts"; a URL already ending in "/api/v2/alerts" is kept.
std::string AlertmanagerEndpoint(std::string_view url);

}  // namespace gatewatch::notify
