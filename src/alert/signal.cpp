#include "alert/signal.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/duration.h"

namespace gatewatch::alert {
namespace {

using config::AlertSignal;

std::optional<double> Ratio(std::uint64_t part, std::uint64_t total) {
  if (total == 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(total);
}

std::optional<double> LatencySeconds(const window::WindowStats& stats, double q) {
  const std::optional<std::chrono::microseconds> latency = stats.latency.Quantile(q);
  if (!latency) return std::nullopt;
  return std::chrono::duration<double>(*latency).count();
}

std::string ThreeDigits(double value) {
  char buf[32];
  // %.3g switches to exponent form from 1000 up; whole numbers read better there.
  if (std::fabs(value) >= 1000) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g", value);
  }
  return buf;
}

}  // namespace

double BurnRate(const window::WindowStats& stats, double slo) {
  if (stats.total == 0) return 0;
  return static_cast<double>(stats.failed) / static_cast<double>(stats.total) / (1 - slo);
}

std::optional<double> SignalValue(const config::AlertRule& rule, const window::WindowStats& stats,
                                  std::uint64_t consecutive_failures) {
  if (rule.signal == AlertSignal::kConsecutiveFailures) {
    return static_cast<double>(consecutive_failures);
  }
  if (rule.signal == AlertSignal::kBurnRate || stats.total < rule.min_samples) {
    return std::nullopt;
  }
  switch (rule.signal) {
    case AlertSignal::k502Ratio:
      return Ratio(stats.status_502, stats.total);
    case AlertSignal::k5xxRatio:
      return Ratio(stats.status_5xx, stats.total);
    case AlertSignal::kFailureRatio:
      return Ratio(stats.failed, stats.total);
    case AlertSignal::kLatencyP50:
      return LatencySeconds(stats, 0.5);
    case AlertSignal::kLatencyP90:
      return LatencySeconds(stats, 0.9);
    case AlertSignal::kLatencyP99:
      return LatencySeconds(stats, 0.99);
    case AlertSignal::kConsecutiveFailures:
    case AlertSignal::kBurnRate:
      break;
  }
  return std::nullopt;
}

std::optional<double> BurnRateSignal(const config::AlertRule& rule,
                                     const window::WindowStats& long_window,
                                     const window::WindowStats& short_window) {
  if (!rule.burn_rate || long_window.total < rule.min_samples ||
      short_window.total < rule.min_samples || long_window.total == 0 || short_window.total == 0) {
    return std::nullopt;
  }
  const double slo = rule.burn_rate->slo;
  return std::min(BurnRate(long_window, slo), BurnRate(short_window, slo));
}

std::string_view SignalLabel(AlertSignal signal) {
  switch (signal) {
    case AlertSignal::k502Ratio:
      return "502 ratio";
    case AlertSignal::k5xxRatio:
      return "5xx ratio";
    case AlertSignal::kFailureRatio:
      return "failure ratio";
    case AlertSignal::kLatencyP50:
      return "p50 latency";
    case AlertSignal::kLatencyP90:
      return "p90 latency";
    case AlertSignal::kLatencyP99:
      return "p99 latency";
    case AlertSignal::kConsecutiveFailures:
      return "consecutive failures";
    case AlertSignal::kBurnRate:
      return "burn rate";
  }
  return "";
}

std::string FormatSignalValue(AlertSignal signal, double value) {
  char buf[32];
  switch (signal) {
    case AlertSignal::kLatencyP50:
    case AlertSignal::kLatencyP90:
    case AlertSignal::kLatencyP99:
      // Below 999.5ms "%.3g" of the milliseconds stays in plain notation.
      if (value < 0.9995) return ThreeDigits(value * 1000) + "ms";
      return ThreeDigits(value) + "s";
    case AlertSignal::kConsecutiveFailures:
      std::snprintf(buf, sizeof buf, "%.0f", value);
      return buf;
    case AlertSignal::k502Ratio:
    case AlertSignal::k5xxRatio:
    case AlertSignal::kFailureRatio:
    case AlertSignal::kBurnRate:
      break;
  }
  return ThreeDigits(value);
}

std::string WindowText(const config::AlertRule& rule) {
  if (rule.burn_rate) {
    return core::FormatDuration(rule.burn_rate->long_window) + "/" +
           core::FormatDuration(rule.burn_rate->short_window);
  }
  if (rule.signal == AlertSignal::kConsecutiveFailures) return "";
  return core::FormatDuration(rule.window);
}

}  // namespace gatewatch::alert
