#include "server/page_parts.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <limits>

#include "alert/signal.h"
#include "core/duration.h"
#include "core/html.h"
#include "diagnose/responder.h"
#include "probe/result.h"
#include "server/status_assets.h"

namespace gatewatch::server::page {
namespace {

using status::Sparkline;

// Sparkline geometry, in viewBox units (the SVG is drawn at half size): a bar of width 6 per
// point every 8 units; the line runs between y = 3 and y = 25.
constexpr int kStep = 8, kBarWidth = 6, kHeight = 28, kLineTop = 3, kLineBottom = 25;
// The latency line spans at least this many codes (a factor of ~3) top to bottom.
constexpr int kMinLatencyCodes = 20;

void AppendOrigin(std::string& out, diagnose::Responder responder, diagnose::Origin origin) {
  out += diagnose::ResponderDisplayName(responder);
  out += " (";
  out += diagnose::OriginName(origin);
  out += ')';
}

}  // namespace

TargetState StateOf(const status::TargetStatus& target) {
  if (!target.last) return TargetState::kPending;
  if (!target.up) return TargetState::kDown;
  if (!target.windows.empty() && target.windows.front().failed > 0) return TargetState::kDegraded;
  return TargetState::kUp;
}

std::string_view StateClass(TargetState state) {
  switch (state) {
    case TargetState::kDown:
      return "down";
    case TargetState::kDegraded:
      return "degraded";
    case TargetState::kPending:
      return "pending";
    case TargetState::kUp:
      return "up";
  }
  return "pending";
}

std::string_view StateText(TargetState state) {
  switch (state) {
    case TargetState::kDown:
      return "DOWN";
    case TargetState::kDegraded:
      return "DEGRADED";
    case TargetState::kPending:
      return "PENDING";
    case TargetState::kUp:
      return "UP";
  }
  return "PENDING";
}

void AppendPercent(std::string& out, double ratio) {
  AppendFormat(out, "%.1f%%", std::isfinite(ratio) ? 100.0 * ratio : 0.0);
}

void AppendLatency(std::string& out, double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  const double ms = seconds * 1000.0;
  if (ms < 10) {
    AppendFormat(out, "%.1f ms", ms);
  } else if (ms < 1000) {
    AppendFormat(out, "%.0f ms", ms);
  } else if (seconds < 10) {
    AppendFormat(out, "%.2f s", seconds);
  } else {
    AppendFormat(out, "%.1f s", seconds);
  }
}

void AppendAge(std::string& out, core::Clock::Duration age) {
  const auto s =
      std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::seconds>(age).count());
  if (s < 60) {
    AppendFormat(out, "%llds", static_cast<long long>(s));
  } else if (s < 3600) {
    AppendFormat(out, "%lldm %llds", static_cast<long long>(s / 60),
                 static_cast<long long>(s % 60));
  } else if (s < 86400) {
    AppendFormat(out, "%lldh %lldm", static_cast<long long>(s / 3600),
                 static_cast<long long>(s % 3600 / 60));
  } else {
    AppendFormat(out, "%lldd %lldh", static_cast<long long>(s / 86400),
                 static_cast<long long>(s % 86400 / 3600));
  }
}

void AppendTimeAgo(std::string& out, core::Clock::WallTimePoint t, core::Clock::WallTimePoint now,
                   std::string_view prefix) {
  const std::string when = core::FormatRfc3339(t);
  out += "<time datetime=\"";
  out += when;
  out += "\" title=\"";
  out += when;
  out += "\">";
  core::AppendHtmlEscaped(out, prefix);
  AppendAge(out, now - t);
  out += "</time>";
}

void AppendStateBadge(std::string& out, const status::TargetStatus& t, TargetState state,
                      core::Clock::WallTimePoint now) {
  out += "<span class=\"st ";
  out += StateClass(state);
  out += "\">";
  out += StateText(state);
  out += "</span>";
  if (t.last) {
    out += ' ';
    AppendTimeAgo(out, t.state_since, now, "for ");
  }
}

void AppendWindowCell(std::string& out, const status::WindowSummary& w) {
  out += w.status_502 > 0 ? "<td class=\"w bad\" data-w=\"" : "<td class=\"w\" data-w=\"";
  core::AppendHtmlEscaped(out, core::FormatDuration(w.span));
  out += "\">";
  if (w.total == 0) {
    out += "&ndash;</td>";
    return;
  }
  AppendPercent(out, status::WindowSummary::Ratio(w.status_502, w.total));
  out += "<span class=\"sub\">";
  if (w.p99) {
    AppendLatency(out, *w.p99);
  } else {
    out += "&ndash;";
  }
  out += "</span></td>";
}

std::string SparklineSpan(const Sparkline& sparkline) {
  const auto width = sparkline.width;
  return "last " + core::FormatDuration(width * static_cast<int>(Sparkline::kPoints)) + ", " +
         core::FormatDuration(width) + " per point";
}

void AppendSparkline(std::string& out, const Sparkline& s) {
  int lo = std::numeric_limits<int>::max(), hi = -1, worst_ratio = 0;
  for (std::size_t i = 0; i < Sparkline::kPoints; ++i) {
    if (s.latency[i] == Sparkline::kEmpty) continue;
    lo = std::min<int>(lo, s.latency[i]);
    hi = std::max<int>(hi, s.latency[i]);
    if (s.ratio_502[i] != Sparkline::kEmpty)
      worst_ratio = std::max<int>(worst_ratio, s.ratio_502[i]);
  }
  out +=
      "<svg class=\"spark\" viewBox=\"0 0 240 28\" width=\"120\" height=\"28\" role=\"img\" "
      "aria-label=\"last ";
  out += core::FormatDuration(s.width * static_cast<int>(Sparkline::kPoints));
  if (hi < 0) {
    out += ": no probes\"></svg>";
    return;
  }
  if (worst_ratio > 0) {
    out += ": up to ";
    AppendPercent(out, *Sparkline::DecodeRatio(static_cast<std::uint8_t>(worst_ratio)));
    out += " answered 502";
  } else {
    out += ": no 502s";
  }
  out += ", slowest probe ";
  AppendLatency(out, *Sparkline::DecodeLatencySeconds(static_cast<std::uint8_t>(hi)));
  out += "\">";

  if (worst_ratio > 0) {
    out += "<path class=\"r\" d=\"";
    for (std::size_t i = 0; i < Sparkline::kPoints; ++i) {
      const auto ratio = Sparkline::DecodeRatio(s.ratio_502[i]);
      if (!ratio || *ratio <= 0) continue;
      const int h = std::max(1, static_cast<int>(std::lround(*ratio * (kHeight - 2))));
      AppendFormat(out, "M%d %dv-%dh%dv%dz", static_cast<int>(i) * kStep, kHeight, h, kBarWidth, h);
    }
    out += "\"/>";
  }
  if (hi - lo < kMinLatencyCodes) {
    lo = (lo + hi) / 2 - kMinLatencyCodes / 2;
    hi = lo + kMinLatencyCodes;
  }
  out += "<path class=\"l\" d=\"";
  bool drawing = false;
  for (std::size_t i = 0; i < Sparkline::kPoints; ++i) {
    if (s.latency[i] == Sparkline::kEmpty) {
      drawing = false;
      continue;
    }
    const int x = static_cast<int>(i) * kStep + kBarWidth / 2;
    const int y =
        kLineBottom -
        static_cast<int>(std::lround((s.latency[i] - lo) *
                                     static_cast<double>(kLineBottom - kLineTop) / (hi - lo)));
    const bool alone =
        !drawing && (i + 1 == Sparkline::kPoints || s.latency[i + 1] == Sparkline::kEmpty);
    // A lone point gets a short dash, so it shows without neighbours to join.
    AppendFormat(out, alone ? "M%d %dh2" : (drawing ? "L%d %d" : "M%d %d"), alone ? x - 1 : x, y);
    drawing = true;
  }
  out += "\"/></svg>";
}

void AppendLastAnswer(std::string& out, const status::TargetStatus& t) {
  if (!t.last) {
    out += "&ndash;";
    return;
  }
  if (t.last->http_status != 0) {
    out += std::to_string(t.last->http_status);
  } else {
    core::AppendHtmlEscaped(out, probe::ReasonName(t.last->reason));
  }
  if (t.responder) {
    out += "<span class=\"sub\">";
    AppendOrigin(out, t.responder->responder, t.responder->origin);
    out += "</span>";
  }
}

std::string ResultSummary(const status::RecentResult& r) {
  using probe::FailureReason;
  const std::string status = std::to_string(r.http_status);
  switch (r.reason) {
    case FailureReason::kNone:
      return r.http_status != 0 ? status : "ok";
    case FailureReason::kStatus: {
      if (!r.responder) return "unexpected status " + status;
      std::string out = status + " from ";
      AppendOrigin(out, *r.responder, r.origin);
      return out;
    }
    case FailureReason::kDns:
      return "DNS lookup failed";
    case FailureReason::kRefused:
      return "connection refused";
    case FailureReason::kConnectTimeout:
      return "connect timed out";
    case FailureReason::kTls:
      return "TLS handshake failed";
    case FailureReason::kTimeout: {
      std::string out = "timed out after ";
      AppendLatency(out, static_cast<double>(r.latency.count()) / 1e6);
      return out;
    }
    case FailureReason::kReset:
      return "connection reset";
    case FailureReason::kProtocol:
      return "protocol error";
    case FailureReason::kBody:
      return status + ", body check failed";
    case FailureReason::kHealth:
      return status + ", reported unhealthy";
  }
  return "failed";
}

void AppendSignalValue(std::string& out, config::AlertSignal signal, double value) {
  using config::AlertSignal;
  switch (signal) {
    case AlertSignal::k502Ratio:
    case AlertSignal::k5xxRatio:
    case AlertSignal::kFailureRatio:
      AppendPercent(out, value);
      return;
    case AlertSignal::kLatencyP50:
    case AlertSignal::kLatencyP90:
    case AlertSignal::kLatencyP99:
      AppendLatency(out, value);
      return;
    case AlertSignal::kConsecutiveFailures:
      AppendFormat(out, "%.0f", std::isfinite(value) ? value : 0.0);
      return;
    case AlertSignal::kBurnRate:
      AppendFormat(out, "%.2fx", std::isfinite(value) ? value : 0.0);
      return;
  }
}

void AppendAlert(std::string& out, const alert::InstanceSnapshot& a, core::Clock::WallTimePoint now,
                 bool link_target) {
  const bool firing = a.state == alert::State::kFiring;
  out += firing ? "<li class=\"alert firing\"><span class=\"badge\">FIRING</span> <strong>"
                : "<li class=\"alert pending\"><span class=\"badge\">PENDING</span> <strong>";
  core::AppendHtmlEscaped(out, a.rule);
  out += "</strong> on ";
  if (link_target) {
    out += "<a href=\"";
    core::AppendHtmlEscaped(out, TargetHref(a.target));
    out += "\">";
  }
  core::AppendHtmlEscaped(out, a.target);
  if (link_target) out += "</a>";
  if (!a.severity.empty()) {
    out += " <span class=\"sev\">";
    core::AppendHtmlEscaped(out, a.severity);
    out += "</span>";
  }
  out += "<span class=\"sub\">";
  out += alert::SignalLabel(a.signal);
  if (a.value) {
    out += " <b>";
    AppendSignalValue(out, a.signal, *a.value);
    out += "</b> above ";
  } else {
    out += ": too few samples to judge; threshold ";
  }
  AppendSignalValue(out, a.signal, a.threshold);
  out += " &middot; ";
  AppendTimeAgo(out, firing && a.fired_at ? *a.fired_at : a.since, now,
                firing ? "firing for " : "pending for ");
  if (a.held) out += " &middot; held: the agent is saturated";
  out += "</span></li>\n";
}

std::string TargetHref(std::string_view name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "/target/";
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

void AppendHead(std::string& out, std::string_view title, std::string_view page,
                std::string_view body_attributes) {
  out +=
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"color-scheme\" content=\"light dark\">\n<title>";
  core::AppendHtmlEscaped(out, title);
  out += "</title>\n<link rel=\"stylesheet\" href=\"";
  out += StatusCssUrl();
  out += "\">\n<script src=\"";
  out += StatusJsUrl();
  out += "\" defer></script>\n</head>\n<body data-page=\"";
  out += page;
  out += '"';
  if (!body_attributes.empty()) {
    out += ' ';
    out += body_attributes;
  }
  out += ">\n";
}

}  // namespace gatewatch::server::page
