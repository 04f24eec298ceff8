#pragma once
#include <string>

#include "server/targets_json.h"
#include "status/snapshot.h"

// The status page (GET /), built to answer the on-call questions in seconds: what is
// failing, since when, why, and is it getting better.
//  - Firing and pending alerts on top: rule, target, value vs threshold, for how long.
//  - One row per target, failing first (page::TargetState: down, degraded, pending, up; config
//    order within each): name (linking to its detail view, /target/<name>), redacted URL and
//    labels, state as text and colour, for how long, the last answer and who produced a 5xx,
//    the diagnosis sentence, per window the share of probes answered 502 and the p99 latency,
//    and an inline SVG sparkline of the recent 502 share and slowest probe.
// Server-rendered HTML, readable without JavaScript; the page script (status_assets.h)
// refreshes it from /api/v1/targets and /api/v1/alerts every 10 s, so a refresh downloads
// only JSON. Semantic markup (sections, a table with row and column headers, <time>), a
// layout that turns rows into cards at phone width, and dark mode by prefers-color-scheme.
// Lean: about 0.75 KB of HTML per target with a full sparkline (0.75 MB for 1,000 targets,
// about 21 KB gzipped), streamed in 64 KB blocks.
// Every string from config or the network is HTML-escaped (core/html.h).
// Pure; safe from any thread.
namespace gatewatch::server {

// Streams the page to `sink` a block of rows at a time. Returns false if the sink stopped it.
bool RenderStatusPage(const status::StatusSnapshot& snapshot, const Sink& sink);

}  // namespace gatewatch::server
