#include "server/target_page.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <optional>

#include "core/duration.h"
#include "core/html.h"
#include "diagnose/responder.h"
#include "server/page_parts.h"

namespace gatewatch::server {
namespace {

using std::chrono::microseconds;

constexpr double kWaterfallWidth = 200;

double Seconds(microseconds d) { return static_cast<double>(d.count()) / 1e6; }

struct Phase {
  const char* name;
  std::optional<microseconds> value;
};

std::array<Phase, 5> PhasesOf(const status::RecentResult& r) {
  return {{{"dns", r.phases.dns},
           {"connect", r.phases.connect},
           {"tls", r.phases.tls},
           {"ttfb", r.phases.ttfb},
           {"transfer", r.phases.transfer}}};
}

// Phases one after another, each as wide as its share of `scale`; what the total holds beyond
// the measured phases (a phase that never finished: a timeout, a reset) is drawn as "wait".
void AppendWaterfall(std::string& out, const status::RecentResult& r, microseconds scale) {
  out +=
      "<svg class=\"wf\" viewBox=\"0 0 200 12\" width=\"200\" height=\"12\" "
      "aria-hidden=\"true\">";
  const double per_us =
      kWaterfallWidth / static_cast<double>(std::max<std::int64_t>(1, scale.count()));
  double x = 0;
  microseconds measured{0};
  for (const auto& phase : PhasesOf(r)) {
    if (!phase.value) continue;
    measured += *phase.value;
    const double w = std::max(0.5, static_cast<double>(phase.value->count()) * per_us);
    page::AppendFormat(out, "<rect class=\"%s\" x=\"%.1f\" y=\"1\" width=\"%.1f\" height=\"10\"/>",
                       phase.name, x, w);
    x += w;
  }
  const microseconds rest = r.latency - measured;
  if (rest.count() * per_us >= 1.0) {
    page::AppendFormat(out,
                       "<rect class=\"wait\" x=\"%.1f\" y=\"1\" width=\"%.1f\" height=\"10\"/>", x,
                       static_cast<double>(rest.count()) * per_us);
  }
  out += "</svg>";
}

void AppendDuration(std::string& out, const std::optional<microseconds>& d) {
  if (d) {
    page::AppendLatency(out, Seconds(*d));
  } else {
    out += "&ndash;";
  }
}

void AppendNow(std::string& out, const status::TargetStatus& t, core::Clock::WallTimePoint now) {
  const auto state = page::StateOf(t);
  out += "<p>";
  page::AppendStateBadge(out, t, state, now);
  if (t.last) {
    out += " &middot; last answer ";
    page::AppendLastAnswer(out, t);
    if (t.consecutive_failures > 0) {
      out += " &middot; " + std::to_string(t.consecutive_failures) +
             (t.consecutive_failures == 1 ? " failure in a row" : " failures in a row");
    }
  } else {
    out += " not probed yet";
  }
  out += "</p>\n";
  if (t.last && !t.last->success()) {
    out += "<p class=\"why\">";
    core::AppendHtmlEscaped(out, t.diagnosis.empty() ? t.last->detail : t.diagnosis);
    out += "</p>\n";
    if (t.responder && !t.responder->evidence.empty()) {
      out += "<p class=\"sub\">evidence: ";
      core::AppendHtmlEscaped(out, t.responder->evidence);
      out += "</p>\n";
    }
    if (!t.last->detail.empty() && !t.diagnosis.empty()) {
      out += "<p class=\"sub\">detail: ";
      core::AppendHtmlEscaped(out, t.last->detail);
      out += "</p>\n";
    }
  }
  out += "<p class=\"sub\">every ";
  core::AppendHtmlEscaped(out, core::FormatDuration(t.interval));
  out += ", timeout ";
  core::AppendHtmlEscaped(out, core::FormatDuration(t.timeout));
  out += " &middot; " + std::to_string(t.probes_total) + " probes";
  if (t.last && !t.last->trace_id.empty()) {
    out += " &middot; last trace id <code>";
    core::AppendHtmlEscaped(out, t.last->trace_id);
    out += "</code>";
  }
  for (const auto& [key, value] : t.labels) {
    out += " &middot; ";
    core::AppendHtmlEscaped(out, key);
    out += '=';
    core::AppendHtmlEscaped(out, value);
  }
  out += "</p>\n";
}

void AppendWindows(std::string& out, const status::TargetStatus& t) {
  using status::WindowSummary;
  for (const auto& w : t.windows) {
    out += "<tr><th scope=\"row\">";
    core::AppendHtmlEscaped(out, core::FormatDuration(w.span));
    out += "</th><td class=\"n\">" + std::to_string(w.total) + "</td><td class=\"n\">" +
           std::to_string(w.failed) + "</td>";
    for (const auto part : {w.status_502, w.status_5xx}) {
      out += part > 0 ? "<td class=\"n bad\">" : "<td class=\"n\">";
      if (w.total == 0) {
        out += "&ndash;";
      } else {
        page::AppendPercent(out, WindowSummary::Ratio(part, w.total));
      }
      out += "</td>";
    }
    for (const auto& q : {w.p50, w.p90, w.p99}) {
      out += "<td class=\"n\">";
      if (q) {
        page::AppendLatency(out, *q);
      } else {
        out += "&ndash;";
      }
      out += "</td>";
    }
    out += "</tr>\n";
  }
}

void AppendResults(std::string& out, const status::RecentResults& recent,
                   core::Clock::WallTimePoint now) {
  microseconds scale{1};
  for (std::size_t i = 0; i < recent.size(); ++i) scale = std::max(scale, recent[i].latency);
  for (std::size_t i = 0; i < recent.size(); ++i) {
    const status::RecentResult r = recent[i];
    out += r.success() ? "<tr class=\"up\"><td>" : "<tr class=\"down\"><td>";
    page::AppendTimeAgo(out, r.started, now, "");
    out += " ago</td><td>";
    out +=
        r.success() ? "<span class=\"st up\">OK</span> " : "<span class=\"st down\">FAIL</span> ";
    core::AppendHtmlEscaped(out, page::ResultSummary(r));
    out += "</td><td class=\"n\">";
    page::AppendLatency(out, Seconds(r.latency));
    out += "</td><td>";
    AppendWaterfall(out, r, scale);
    out += "</td>";
    for (const auto& phase : PhasesOf(r)) {
      out += "<td class=\"n\">";
      AppendDuration(out, phase.value);
      out += "</td>";
    }
    out += "</tr>\n";
  }
}

}  // namespace

std::string RenderTargetPage(const status::StatusSnapshot& snapshot, const status::TargetStatus& t,
                             const status::RecentResults* recent,
                             core::Clock::WallTimePoint recent_as_of) {
  const auto now = snapshot.generated;
  const std::string generated = core::FormatRfc3339(now);
  std::string out;
  out.reserve(16 * 1024);
  std::string attributes = "data-generated=\"" + generated + "\" data-target=\"";
  core::AppendHtmlEscaped(attributes, t.name);
  attributes += '"';
  page::AppendHead(out, t.name + " - gatewatch", "target", attributes);
  out +=
      "<header>\n<p class=\"meta\"><a href=\"/\">&larr; all targets</a> &middot; "
      "<span id=\"updated\" role=\"status\">as of <time datetime=\"";
  out += generated;
  out += "\">";
  out += generated.substr(11, 8);
  out += " UTC</time></span></p>\n<h1>";
  core::AppendHtmlEscaped(out, t.name);
  out += "</h1>\n<p class=\"url\">";
  core::AppendHtmlEscaped(out, t.url);
  out +=
      "</p>\n</header>\n<main>\n<section aria-labelledby=\"now-h\">\n"
      "<h2 id=\"now-h\">Now</h2>\n<div id=\"now\">\n";
  AppendNow(out, t, now);
  out += "</div>\n<div id=\"alerts\">";
  bool any_alert = false;
  for (const auto& a : snapshot.alerts) {
    if (a.target != t.name || a.state == alert::State::kInactive) continue;
    if (!any_alert) out += "<ul class=\"alerts\">\n";
    any_alert = true;
    page::AppendAlert(out, a, now, false);
  }
  if (any_alert) out += "</ul>";
  out +=
      "</div>\n</section>\n<section aria-labelledby=\"windows-h\">\n"
      "<h2 id=\"windows-h\">Windows</h2>\n<div class=\"scroll\"><table id=\"windows\">\n"
      "<thead><tr><th scope=\"col\">Window</th><th scope=\"col\">Probes</th>"
      "<th scope=\"col\">Failed</th><th scope=\"col\">502</th><th scope=\"col\">5xx</th>"
      "<th scope=\"col\">p50</th><th scope=\"col\">p90</th><th scope=\"col\">p99</th>"
      "</tr></thead>\n<tbody>\n";
  AppendWindows(out, t);
  out +=
      "</tbody>\n</table></div>\n</section>\n<section aria-labelledby=\"recent-h\">\n"
      "<h2 id=\"recent-h\">Last results</h2>\n";
  if (recent == nullptr) {
    out +=
        "<p class=\"warn\" id=\"recent-missing\">Recent results are unavailable: the probe "
        "loop did not answer in time.</p>\n";
  }
  out +=
      "<p class=\"legend\">Newest first; the waterfall is drawn to the scale of the slowest "
      "result shown: <span class=\"k dns\">dns</span> <span class=\"k connect\">connect"
      "</span> <span class=\"k tls\">tls</span> <span class=\"k ttfb\">ttfb</span> "
      "<span class=\"k transfer\">transfer</span> <span class=\"k wait\">unfinished</span>"
      "</p>\n<div class=\"scroll\"><table id=\"recent\">\n<thead><tr>"
      "<th scope=\"col\">Started</th><th scope=\"col\">Result</th>"
      "<th scope=\"col\">Total</th><th scope=\"col\">Waterfall</th>"
      "<th scope=\"col\">dns</th><th scope=\"col\">connect</th><th scope=\"col\">tls</th>"
      "<th scope=\"col\">ttfb</th><th scope=\"col\">transfer</th></tr></thead>\n<tbody>\n";
  if (recent != nullptr) AppendResults(out, *recent, recent_as_of);
  out += "</tbody>\n</table></div>\n</section>\n</main>\n</body>\n</html>\n";
  return out;
}

std::string RenderUnknownTargetPage(std::string_view name) {
  std::string out;
  page::AppendHead(out, "no such target - gatewatch", "missing", "");
  out += "<main>\n<h1>No target named &ldquo;";
  core::AppendHtmlEscaped(out, name);
  out += "&rdquo;</h1>\n<p><a href=\"/\">&larr; all targets</a></p>\n</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace gatewatch::server
