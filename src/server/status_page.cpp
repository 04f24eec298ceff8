#include "server/status_page.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <vector>

#include "core/clock.h"
#include "core/duration.h"
#include "core/html.h"
#include "server/page_parts.h"

namespace gatewatch::server {
namespace {

using page::TargetState;

constexpr std::size_t kFlushBytes = 64 * 1024;
constexpr std::size_t kStates = 4;  // page::TargetState values

void AppendCount(std::string& out, std::size_t n, std::string_view what, std::string_view cls) {
  const bool mark = n > 0 && !cls.empty();
  if (mark) {
    out += "<b class=\"n-";
    out += cls;
    out += "\">";
  }
  out += std::to_string(n);
  out += ' ';
  out += what;
  if (mark) out += "</b>";
}

void AppendRow(std::string& out, const status::TargetStatus& t, TargetState state,
               const std::vector<std::chrono::milliseconds>& spans,
               core::Clock::WallTimePoint now) {
  out += "<tr class=\"";
  out += page::StateClass(state);
  out += "\"><th scope=\"row\"><a href=\"";
  core::AppendHtmlEscaped(out, page::TargetHref(t.name));
  out += "\">";
  core::AppendHtmlEscaped(out, t.name);
  out += "</a><span class=\"url\">";
  core::AppendHtmlEscaped(out, t.url);
  out += "</span>";
  if (!t.labels.empty()) {
    out += "<span class=\"sub\">";
    bool first = true;
    for (const auto& [key, value] : t.labels) {
      if (!first) out += ", ";
      first = false;
      core::AppendHtmlEscaped(out, key);
      out += '=';
      core::AppendHtmlEscaped(out, value);
    }
    out += "</span>";
  }

  out += "</th><td>";
  page::AppendStateBadge(out, t, state, now);
  out += "</td><td class=\"last\">";
  page::AppendLastAnswer(out, t);
  out += "</td><td class=\"why\">";
  if (t.last && !t.last->success()) {
    // The diagnosis says which hop failed and why; curl's raw words only when there is none.
    core::AppendHtmlEscaped(out, t.diagnosis.empty() ? t.last->detail : t.diagnosis);
  }
  out += "</td>";

  for (const auto span : spans) {
    const auto it = std::find_if(t.windows.begin(), t.windows.end(),
                                 [span](const auto& w) { return w.span == span; });
    if (it != t.windows.end()) {
      page::AppendWindowCell(out, *it);
    } else {
      status::WindowSummary empty;
      empty.span = span;
      page::AppendWindowCell(out, empty);
    }
  }
  out += "<td class=\"trend\">";
  page::AppendSparkline(out, t.sparkline);
  out += "</td></tr>\n";
}

}  // namespace

bool RenderStatusPage(const status::StatusSnapshot& snapshot, const Sink& sink) {
  const auto now = snapshot.generated;
  std::vector<std::chrono::milliseconds> spans;
  std::array<std::size_t, kStates> counts{};
  // Rows in display order: failing first, config order within a state (a stable sort by
  // state, done as a counting sort over indexes so 10,000 targets cost no comparisons).
  std::vector<std::uint32_t> order(snapshot.targets.size());
  std::vector<TargetState> states(snapshot.targets.size());
  for (std::size_t i = 0; i < snapshot.targets.size(); ++i) {
    const auto& t = *snapshot.targets[i];
    for (const auto& w : t.windows) {
      if (std::find(spans.begin(), spans.end(), w.span) == spans.end()) spans.push_back(w.span);
    }
    states[i] = page::StateOf(t);
    ++counts[static_cast<std::size_t>(states[i])];
  }
  std::sort(spans.begin(), spans.end());
  std::array<std::size_t, kStates> next{};
  for (std::size_t s = 1; s < kStates; ++s) next[s] = next[s - 1] + counts[s - 1];
  for (std::size_t i = 0; i < states.size(); ++i) {
    order[next[static_cast<std::size_t>(states[i])]++] = static_cast<std::uint32_t>(i);
  }

  std::vector<const alert::InstanceSnapshot*> alerts;
  for (const auto& a : snapshot.alerts) {
    if (a.state != alert::State::kInactive) alerts.push_back(&a);
  }
  std::stable_sort(alerts.begin(), alerts.end(),
                   [](const auto* a, const auto* b) { return a->state > b->state; });
  const auto firing =
      static_cast<std::size_t>(std::count_if(alerts.begin(), alerts.end(), [](const auto* a) {
        return a->state == alert::State::kFiring;
      }));

  const std::size_t down = counts[static_cast<std::size_t>(TargetState::kDown)];
  std::string title = "gatewatch";
  if (down > 0) title += ": " + std::to_string(down) + " down";
  if (firing > 0) title += (down > 0 ? ", " : ": ") + std::to_string(firing) + " firing";

  std::string out;
  out.reserve(kFlushBytes + kFlushBytes / 2);
  std::string generated = core::FormatRfc3339(now);
  page::AppendHead(out, title, "status", "data-generated=\"" + generated + "\"");
  out += "<header>\n<h1>gatewatch</h1>\n<p id=\"summary\">";
  out += std::to_string(snapshot.targets.size());
  out += snapshot.targets.size() == 1 ? " target: " : " targets: ";
  AppendCount(out, down, "down", "down");
  out += ", ";
  AppendCount(out, counts[static_cast<std::size_t>(TargetState::kDegraded)], "degraded",
              "degraded");
  out += ", ";
  AppendCount(out, counts[static_cast<std::size_t>(TargetState::kPending)], "pending", "");
  out += ", ";
  AppendCount(out, counts[static_cast<std::size_t>(TargetState::kUp)], "up", "");
  out += " &middot; ";
  AppendCount(out, firing, firing == 1 ? "alert firing" : "alerts firing", "down");
  out += ", ";
  AppendCount(out, alerts.size() - firing, "pending", "degraded");
  out += "</p>\n<p class=\"meta\">gatewatch ";
  core::AppendHtmlEscaped(out, snapshot.agent.version);
  out += " &middot; <span id=\"updated\" role=\"status\">as of <time datetime=\"";
  out += generated;
  out += "\">";
  out += generated.substr(11, 8);
  out += " UTC</time></span></p>\n";
  if (!snapshot.agent.ready)
    out += "<p class=\"warn\">starting: not every target has been probed yet</p>\n";
  if (snapshot.agent.saturated) {
    out += "<p class=\"warn\">saturated: probes start late and alerts hold</p>\n";
  }
  if (!snapshot.agent.last_reload_success) {
    out += "<p class=\"warn\">the last config reload was rejected; the previous config runs</p>\n";
  }
  out +=
      "</header>\n<main>\n<section aria-labelledby=\"alerts-h\">\n<h2 id=\"alerts-h\">Alerts</h2>\n"
      "<div id=\"alerts\">";
  if (alerts.empty()) {
    out += "<p class=\"none\">No alert is firing or pending.</p>";
  } else {
    out += "<ul class=\"alerts\">\n";
    for (const auto* a : alerts) page::AppendAlert(out, *a, now, true);
    out += "</ul>";
  }
  out +=
      "</div>\n</section>\n<section aria-labelledby=\"targets-h\">\n"
      "<h2 id=\"targets-h\">Targets</h2>\n<p class=\"legend\">Failing first. Per window: the "
      "share of probes answered 502, then p99 latency. Trend (";
  status::Sparkline any;
  any.width = snapshot.targets.empty() ? status::SparklineWidthFor(spans)
                                       : snapshot.targets.front()->sparkline.width;
  core::AppendHtmlEscaped(out, page::SparklineSpan(any));
  out +=
      "): <span class=\"k r\">bars</span> share answered 502, <span class=\"k l\">line</span> "
      "slowest probe.</p>\n<div class=\"scroll\"><table id=\"targets\">\n<thead><tr>"
      "<th scope=\"col\">Target</th><th scope=\"col\">State</th>"
      "<th scope=\"col\">Last answer</th><th scope=\"col\">Why it fails</th>";
  for (const auto span : spans) {
    out += "<th scope=\"col\" class=\"w\">";
    core::AppendHtmlEscaped(out, core::FormatDuration(span));
    out += "<span class=\"sub\">502 &middot; p99</span></th>";
  }
  out += "<th scope=\"col\">Trend</th></tr></thead>\n<tbody>\n";

  for (const std::uint32_t i : order) {
    AppendRow(out, *snapshot.targets[i], states[i], spans, now);
    if (out.size() >= kFlushBytes) {
      if (!sink(out)) return false;
      out.clear();
    }
  }
  out += "</tbody>\n</table></div>\n</section>\n</main>\n</body>\n</html>\n";
  return sink(out);
}

}  // namespace gatewatch::server
