#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "window/sliding_window.h"

// The number an [[alert]] rule compares with its thresholds, read from window stats.
// Pure functions, thread-safe.
namespace gatewatch::alert {

// Error-budget burn rate of a window against `slo`: failure ratio / (1 - slo). At 1 the
// budget lasts exactly the SLO period; at 14.4 a 30-day budget loses 2% per hour. An empty
// window burns 0. `slo` must be in (0, 1) (the loader guarantees it).
double BurnRate(const window::WindowStats& stats, double slo);

// The value of `rule`'s signal (units as config::AlertSignal documents: ratios 0..1,
// latency quantiles in seconds, consecutive_failures a count), or nullopt when the rule
// must not judge it: the window holds fewer than rule.min_samples probes (for latency also
// never when it is empty). consecutive_failures reads only `consecutive_failures` and is
// always judgeable. For burn_rate rules use BurnRateSignal; this returns nullopt for them.
std::optional<double> SignalValue(const config::AlertRule& rule, const window::WindowStats& stats,
                                  std::uint64_t consecutive_failures);

// The burn_rate rule's value: min(BurnRate(long), BurnRate(short)), or nullopt when either
// window holds fewer than rule.min_samples probes. Taking the smaller of the two makes the
// multi-window rule one number the state machine can compare: "value > factor" is exactly
// "both windows burn faster than factor", and a firing alert resolves as soon as either
// window drops below clear_below, which after recovery is the short window within minutes
// (the reason the SRE workbook adds it).
std::optional<double> BurnRateSignal(const config::AlertRule& rule,
                                     const window::WindowStats& long_window,
                                     const window::WindowStats& short_window);

// How people read the signal: "502 ratio", "5xx ratio", "failure ratio", "p50 latency",
// "p90 latency", "p99 latency", "consecutive failures", "burn rate".
std::string_view SignalLabel(config::AlertSignal signal);

// A value or threshold in the signal's units, short: ratios and burn rates with 3
// significant digits ("0.42", "0.0517", "14.4"), latencies as "812ms" / "1.25s",
// consecutive failures as a whole number ("3").
std::string FormatSignalValue(config::AlertSignal signal, double value);

// The window(s) a rule reads: "5m"; burn_rate "1h/5m" (long/short); consecutive_failures "".
std::string WindowText(const config::AlertRule& rule);

}  // namespace gatewatch::alert
