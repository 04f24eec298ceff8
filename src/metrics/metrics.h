#pragma once
#include <functional>
#include <string>
#include <string_view>

#include "status/snapshot.h"

// Prometheus text exposition (format 0.0.4) of a StatusSnapshot. Every series is built from
// the snapshot at render time, so a target removed by a reload disappears from the next
// scrape and no memory is held per series between scrapes.
//
// Per target (label `target` = the target's name), in this order:
//   gatewatch_probe_success                         gauge      last probe passed every check
//   gatewatch_probe_duration_seconds                histogram  whole probe time
//   gatewatch_probe_phase_seconds{phase}            gauge      last probe, measured phases only
//   gatewatch_probe_http_status_code                gauge      last status, 0 if no response
//   gatewatch_probes_total                          counter
//   gatewatch_probe_responses_total{code}           counter    one series per status seen
//   gatewatch_probe_failures_total{reason}          counter    every reason, zeros included
//   gatewatch_window_ratio{window,signal}           gauge      signal = 502|503|504|5xx|failure
//   gatewatch_window_latency_seconds{window,quantile} untyped  0.5|0.9|0.99; not for empty windows
//   gatewatch_window_samples{window}                gauge
//   gatewatch_tls_cert_not_after_timestamp_seconds  gauge      only when the leaf cert is known
//   gatewatch_upstream_probe_success                gauge      only for targets with `upstream`,
//                                                              once it was probed
//   gatewatch_target_info{url,<target labels>}      gauge      always 1
// For the agent:
//   gatewatch_build_info{version} (1), gatewatch_probes_in_flight,
//   gatewatch_probes_skipped_total (counter: probes due while the previous one still ran),
//   gatewatch_agent_saturated, gatewatch_schedule_lag_seconds (histogram),
//   gatewatch_config_last_reload_success, gatewatch_config_last_reload_timestamp_seconds.
//
// Beyond SPEC.md: gatewatch_probes_skipped_total, and gatewatch_window_ratio's signals "503"
// and "504". Different from SPEC.md: gatewatch_window_latency_seconds is typed `untyped`, not
// `gauge`, because promtool rejects a `quantile` label on anything but a summary and a summary
// needs a _sum the windows do not keep; PromQL queries on it are the same.
//
// `window` is core::FormatDuration(span): "1m", "5m", "1h". A target with no probe yet gets
// target_info, the duration histogram, probes_total and failures_total (zeroed) and its window
// samples/ratios, but none of the last-result gauges (success, phase, status code, TLS expiry).
// The labels of gatewatch_target_info are made valid Prometheus label names (characters
// outside [A-Za-z0-9_] become '_', a leading digit gets a '_' prefix); a label that then
// collides with `target`, `url`, an earlier label, or starts with "__" is left out.
namespace gatewatch::metrics {

// The Content-Type of the rendered text.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Receives the exposition in pieces of whole lines (tens of KiB each); returns false to stop
// the render early (the client went away).
using Sink = std::function<bool(std::string_view chunk)>;

// Renders the whole exposition into one string. Pure; safe to call from any thread on a
// snapshot nobody mutates.
std::string RenderMetrics(const status::StatusSnapshot& snapshot);

// Same text, streamed to `sink` so memory stays bounded however many targets there are.
// Returns false if the sink stopped it.
bool RenderMetrics(const status::StatusSnapshot& snapshot, const Sink& sink);

}  // namespace gatewatch::metrics
