#pragma once
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>

#include "alert/alert_engine.h"
#include "core/clock.h"
#include "status/snapshot.h"
#include "status/target_history.h"

// Pieces shared by the status page (status_page.h) and a target's detail view
// (target_page.h). The page script (status_assets.h) renders the same markup from the JSON,
// so a change here needs the same change there. Every Append* that takes text from config or
// the network escapes it. Pure; thread-safe.
namespace gatewatch::server::page {

// What a target's row says, in the order rows are listed: failing first.
//   kDown      the last probe failed
//   kDegraded  the last probe passed, but the shortest window holds failures (flapping or
//              just recovered)
//   kPending   not probed yet
//   kUp        passing, and no failure in the shortest window
enum class TargetState { kDown, kDegraded, kPending, kUp };
TargetState StateOf(const status::TargetStatus& target);
std::string_view StateClass(TargetState state);  // "down", "degraded", "pending", "up"
std::string_view StateText(TargetState state);   // "DOWN", "DEGRADED", "PENDING", "UP"

// 0.25 -> "25.0%".
void AppendPercent(std::string& out, double ratio);
// Seconds as people read them: "0.4 ms", "12.3 ms", "300 ms", "1.25 s", "40.0 s".
void AppendLatency(std::string& out, double seconds);
// A duration, two units at most: "0s", "45s", "3m 2s", "2h 5m", "3d 4h".
void AppendAge(std::string& out, core::Clock::Duration age);
// <time datetime="RFC 3339" title="RFC 3339">{prefix}{age of t at now}</time>
void AppendTimeAgo(std::string& out, core::Clock::WallTimePoint t, core::Clock::WallTimePoint now,
                   std::string_view prefix);

// The state in colour and text, and since when once probed:
// <span class="st down">DOWN</span> <time ...>for 3m 2s</time>
void AppendStateBadge(std::string& out, const status::TargetStatus& t, TargetState state,
                      core::Clock::WallTimePoint now);

// The window cell's text: "25.0%" of 502s, or "–" for an empty window; and its p99.
void AppendWindowCell(std::string& out, const status::WindowSummary& window);

// Inline SVG: a bar per point for the share answered 502 (height 0..100%) and a line of each
// point's slowest probe, scaled between the series' fastest and slowest (log scale, at least a
// factor of 3 tall so jitter stays flat). role="img" with an aria-label that says it in words.
void AppendSparkline(std::string& out, const status::Sparkline& sparkline);
// What the sparkline covers: "last 15m, 30s per point".
std::string SparklineSpan(const status::Sparkline& sparkline);

// The answer to the last probe: the HTTP status, or the failure reason when none arrived,
// then who produced a 5xx: "502<span class=sub>nginx (gateway)</span>".
void AppendLastAnswer(std::string& out, const status::TargetStatus& target);

// One result in a few words: "200", "502 from nginx (gateway)", "unexpected status 404",
// "connection refused", "timed out", ...
std::string ResultSummary(const status::RecentResult& result);

// A value in the alert signal's unit: "47.0%", "850 ms", "5", "14.40x" (the signal's name
// comes from alert::SignalLabel).
void AppendSignalValue(std::string& out, config::AlertSignal signal, double value);
// One firing or pending alert as an <li>; `link_target` links the target to its detail view.
void AppendAlert(std::string& out, const alert::InstanceSnapshot& alert,
                 core::Clock::WallTimePoint now, bool link_target);

// "/target/<name>" with the name percent-encoded (it is HTML-escaped by the caller as well).
std::string TargetHref(std::string_view name);

// <!doctype html> ... <body data-page="{page}" {body_attributes}>: charset, viewport,
// color-scheme, the title (escaped here), and the stylesheet and script links.
// `body_attributes` must already be escaped.
void AppendHead(std::string& out, std::string_view title, std::string_view page,
                std::string_view body_attributes);

// snprintf into `out` (for numbers; the result is cut at 63 bytes).
template <typename... Args>
void AppendFormat(std::string& out, const char* format, Args... args) {
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, format, args...);
  if (n > 0) out.append(buf, std::min(static_cast<std::size_t>(n), sizeof buf - 1));
}

}  // namespace gatewatch::server::page
