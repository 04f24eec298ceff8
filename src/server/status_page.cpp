#include "server/status_page.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/clock.h"
#include "core/duration.h"
#include "probe/result.h"

namespace gatewatch::server {
namespace {

constexpr std::size_t kFlushBytes = 64 * 1024;

constexpr std::string_view kHead = R"(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="10">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gatewatch</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .3em}
p.meta{color:#555;margin:0 0 1em}
table{border-collapse:collapse}
th,td{padding:.3em .7em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
th{background:#f4f4f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.up{color:#17692b;font-weight:600}
.down{color:#b3261e;font-weight:600}
.pending{color:#777}
.warn{color:#b3261e;font-weight:600}
small{color:#666}
</style>
</head>
<body>
<h1>gatewatch</h1>
)";

void AppendEscaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
}

template <typename... Args>
void AppendFormat(std::string& out, const char* format, Args... args) {
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, format, args...);
  if (n > 0) out.append(buf, std::min(static_cast<std::size_t>(n), sizeof buf - 1));
}

void AppendRatio(std::string& out, const status::WindowSummary& w) {
  if (w.total == 0) {
    out += "&ndash;";
    return;
  }
  AppendFormat(out, "%.2f%%", 100.0 * status::WindowSummary::Ratio(w.status_502, w.total));
}

void AppendLatency(std::string& out, const std::optional<double>& seconds) {
  if (!seconds || !std::isfinite(*seconds)) {
    out += "&ndash;";
    return;
  }
  const double ms = *seconds * 1000.0;
  AppendFormat(out, ms < 10 ? "%.1f ms" : "%.0f ms", ms);
}

void AppendRow(std::string& out, const status::TargetStatus& t,
               const std::vector<std::chrono::milliseconds>& spans) {
  out += "<tr><td>";
  AppendEscaped(out, t.name);
  if (!t.labels.empty()) {
    out += "<br><small>";
    bool first = true;
    for (const auto& [key, value] : t.labels) {
      if (!first) out += ", ";
      first = false;
      AppendEscaped(out, key);
      out += '=';
      AppendEscaped(out, value);
    }
    out += "</small>";
  }
  out += "<br><small>";
  AppendEscaped(out, t.url);
  out += "</small></td>";

  if (!t.last) {
    out += "<td class=\"pending\">pending</td><td></td><td></td>";
  } else {
    const probe::ProbeResult& last = *t.last;
    out += t.up ? "<td class=\"up\">up" : "<td class=\"down\">down";
    out += "<br><small>since ";
    AppendEscaped(out, core::FormatRfc3339(t.state_since));
    out += "</small></td><td class=\"num\">";
    if (last.http_status != 0) {
      out += std::to_string(last.http_status);
    } else {
      out += "&ndash;";
    }
    out += "</td><td>";
    if (!last.success()) {
      out += "<b>";
      AppendEscaped(out, probe::ReasonName(last.reason));
      out += "</b>";
      if (!t.diagnosis.empty() || !last.detail.empty()) out += ": ";
    }
    // The diagnosis says which hop failed and why; curl's raw words only when there is none.
    AppendEscaped(out, t.diagnosis.empty() ? last.detail : t.diagnosis);
    out += "</td>";
  }

  for (const auto span : spans) {
    const auto it = std::find_if(t.windows.begin(), t.windows.end(),
                                 [span](const auto& w) { return w.span == span; });
    out += "<td class=\"num\">";
    if (it == t.windows.end()) {
      out += "&ndash;</td><td class=\"num\">&ndash;</td>";
      continue;
    }
    AppendRatio(out, *it);
    out += "</td><td class=\"num\">";
    AppendLatency(out, it->p99);
    out += "</td>";
  }
  out += "</tr>\n";
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  AppendEscaped(out, text);
  return out;
}

bool RenderStatusPage(const status::StatusSnapshot& snapshot, const Sink& sink) {
  std::vector<std::chrono::milliseconds> spans;
  std::size_t up = 0, down = 0, pending = 0;
  for (const auto& t : snapshot.targets) {
    for (const auto& w : t.windows) {
      if (std::find(spans.begin(), spans.end(), w.span) == spans.end()) spans.push_back(w.span);
    }
    if (!t.last) {
      ++pending;
    } else if (t.up) {
      ++up;
    } else {
      ++down;
    }
  }
  std::sort(spans.begin(), spans.end());

  std::string out;
  out.reserve(kFlushBytes + kFlushBytes / 2);
  out += kHead;
  out += "<p class=\"meta\">version ";
  AppendEscaped(out, snapshot.agent.version);
  out += " &middot; generated ";
  AppendEscaped(out, core::FormatRfc3339(snapshot.generated));
  AppendFormat(out, " &middot; %zu targets: %zu up, %zu down, %zu pending", snapshot.targets.size(),
               up, down, pending);
  if (!snapshot.agent.ready) out += " &middot; starting";
  if (snapshot.agent.saturated) {
    out += " &middot; <span class=\"warn\">saturated: probes run late, alerts hold</span>";
  }
  if (!snapshot.agent.last_reload_success) {
    out += " &middot; <span class=\"warn\">last config reload was rejected</span>";
  }
  out +=
      "</p>\n<table>\n<thead><tr><th>target</th><th>state</th><th>status</th>"
      "<th>reason / diagnosis</th>";
  for (const auto span : spans) {
    const std::string name = core::FormatDuration(span);
    out += "<th>";
    AppendEscaped(out, name);
    out += " 502</th><th>";
    AppendEscaped(out, name);
    out += " p99</th>";
  }
  out += "</tr></thead>\n<tbody>\n";

  for (const auto& t : snapshot.targets) {
    AppendRow(out, t, spans);
    if (out.size() >= kFlushBytes) {
      if (!sink(out)) return false;
      out.clear();
    }
  }
  out += "</tbody>\n</table>\n</body>\n</html>\n";
  return sink(out);
}

}  // namespace gatewatch::server
