#pragma once
#include <string>

#include "status/snapshot.h"
#include "status/target_history.h"

// One target's detail view (GET /target/<name>): like a terminal `gatewatch probe`, in the
// browser.
//  - Now: state as text and colour and for how long, the last answer and who produced a 5xx
//    (with the evidence), the diagnosis sentence, failures in a row, the last trace id,
//    interval, timeout and labels; the alerts on this target that are firing or pending.
//  - Each window's counts, 502 and 5xx shares and p50/p90/p99.
//  - The last RecentResults::kCapacity results, newest first: when, what happened in a few
//    words (page::ResultSummary), the total, and a timing waterfall (dns, connect, tls, ttfb,
//    transfer, and any time spent in a phase that never finished) drawn to the scale of the
//    slowest result shown, with each phase also as a number.
// The page script refreshes it from /api/v1/targets?target=<name> and
// /api/v1/targets/<name>/history (server/history_json.h) every 10 s.
// Every string from config or the network is HTML-escaped. Pure; safe from any thread.
namespace gatewatch::server {

// `target` is one of snapshot.targets. `recent`: null when the probe loop could not be asked
// (the page then says so instead of listing results); `recent_as_of`: when the loop copied
// it (the results' ages are counted from there).
std::string RenderTargetPage(const status::StatusSnapshot& snapshot,
                             const status::TargetStatus& target,
                             const status::RecentResults* recent,
                             core::Clock::WallTimePoint recent_as_of);

// The 404 page for /target/<name> when no target has that name.
std::string RenderUnknownTargetPage(std::string_view name);

}  // namespace gatewatch::server
