#pragma once
#include <string>

#include "status/snapshot.h"

namespace gatewatch::server {

// The JSON of GET /api/v1/alerts: every alert instance (rule x target), firing first, then
// pending, then inactive:
//   {"generated": RFC 3339, "alerts": [{"alert", "target", "severity", "signal",
//     "state": "inactive"|"pending"|"firing", "value" (null when not judgeable), "threshold",
//     "since" (RFC 3339), "fired_at" (RFC 3339 or null), "held" (bool: saturation held it)}]}
// Pure; safe from any thread. Numbers are always finite.
std::string RenderAlertsJson(const status::StatusSnapshot& snapshot);

}  // namespace gatewatch::server
