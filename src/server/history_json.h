#pragma once
#include <string>

#include "core/clock.h"
#include "status/target_history.h"

// The JSON of GET /api/v1/targets/<name>/history: the target's last results, newest first
// (at most status::RecentResults::kCapacity):
//   {"generated": RFC 3339, "target": name, "capacity": 18, "results": [{
//      "started" (RFC 3339), "success", "status" (0 when no response arrived),
//      "reason" ("" when it passed, else the failure reason as in /api/v1/targets),
//      "summary" (a few words: "502 from nginx (gateway)", "connection refused"),
//      "responder": null | {"name", "origin"} (who produced a 5xx),
//      "latency_seconds", "phases": {dns|connect|tls|ttfb|transfer: seconds, measured ones
//      only}}]}
// Timings are kept to within 0.05% (status/target_history.h). Pure; thread-safe.
namespace gatewatch::server {

std::string RenderHistoryJson(std::string_view target, const status::RecentResults& recent,
                              core::Clock::WallTimePoint generated);

}  // namespace gatewatch::server
