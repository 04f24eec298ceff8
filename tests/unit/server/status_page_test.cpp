#include "server/status_page.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <regex>
#include <string>

#include "server/page_parts.h"
#include "server/status_assets.h"
#include "status/target_history.h"
#include "support/shared_status.h"

namespace gatewatch::server {
namespace {

using testing::Share;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kWall = core::Clock::WallTimePoint{} + seconds(1'790'000'000);
constexpr auto kSteady = core::Clock::TimePoint{} + std::chrono::hours(1000);

status::WindowSummary Window(milliseconds span, std::uint64_t total, std::uint64_t failed,
                             std::uint64_t s502, double p99) {
  status::WindowSummary w;
  w.span = span;
  w.total = total;
  w.failed = failed;
  w.status_5xx = s502;
  w.status_502 = s502;
  if (total > 0) w.p50 = w.p90 = w.p99 = p99;
  return w;
}

status::TargetStatus Healthy(const std::string& name) {
  status::TargetStatus t;
  t.name = name;
  t.url = "https://" + name + ".example.com/health";
  t.interval = seconds(15);
  t.timeout = seconds(5);
  probe::ProbeResult ok;
  ok.http_status = 200;
  ok.latency = microseconds(12'000);
  ok.wall_started = kWall - seconds(3);
  t.last = std::make_shared<const probe::ProbeResult>(ok);
  t.up = true;
  t.state_since = kWall - seconds(3600 * 5 + 120);
  t.probes_total = 1200;
  t.windows = {Window(milliseconds(60'000), 4, 0, 0, 0.012),
               Window(milliseconds(300'000), 20, 0, 0, 0.015)};
  status::TargetHistory history(seconds(30));
  for (int i = 39; i >= 0; --i) {  // oldest first, as results arrive
    probe::ProbeResult r = ok;
    r.started = kSteady - seconds(15 * i);
    r.latency = microseconds(10'000 + 500 * (i % 7));
    history.Record(r, nullptr);
  }
  t.sparkline = history.SparklineAt(kSteady);
  return t;
}

status::TargetStatus Failing(const std::string& name) {
  status::TargetStatus t = Healthy(name);
  probe::ProbeResult bad;
  bad.reason = probe::FailureReason::kStatus;
  bad.http_status = 502;
  bad.latency = microseconds(1'500);
  bad.detail = "status 502, expected 2xx";
  bad.wall_started = kWall - seconds(1);
  t.last = std::make_shared<const probe::ProbeResult>(bad);
  t.up = false;
  t.state_since = kWall - seconds(182);
  t.consecutive_failures = 12;
  t.diagnosis = "502 from nginx (gateway): the gateway got no valid answer from its upstream";
  t.responder = diagnose::Fingerprint{diagnose::Responder::kNginx, diagnose::Origin::kGateway,
                                      "server: nginx + nginx error page"};
  t.windows = {Window(milliseconds(60'000), 4, 3, 3, 0.3),
               Window(milliseconds(300'000), 20, 6, 6, 0.25)};
  status::TargetHistory history(seconds(30));
  for (int i = 39; i >= 0; --i) {  // oldest first, as results arrive
    probe::ProbeResult r = i < 12 ? bad : *Healthy(name).last;
    r.started = kSteady - seconds(15 * i);
    history.Record(r, nullptr);
  }
  t.sparkline = history.SparklineAt(kSteady);
  return t;
}

alert::InstanceSnapshot Alert(const std::string& rule, const std::string& target,
                              alert::State state, double value) {
  alert::InstanceSnapshot a;
  a.rule = rule;
  a.target = target;
  a.severity = "critical";
  a.signal = config::AlertSignal::k502Ratio;
  a.state = state;
  a.value = value;
  a.threshold = 0.3;
  a.since = kWall - seconds(200);
  if (state == alert::State::kFiring) a.fired_at = kWall - seconds(125);
  return a;
}

status::StatusSnapshot Snapshot() {
  status::StatusSnapshot s;
  s.generated = kWall;
  s.agent.version = "1.2.3";
  s.agent.ready = true;
  status::TargetStatus fresh;
  fresh.name = "fresh";
  fresh.url = "http://127.0.0.1:1/";
  fresh.sparkline.width = seconds(30);
  status::TargetStatus flapping = Healthy("flapping");
  flapping.windows[0].failed = 1;
  s.targets = {Share(Healthy("api")), Share(fresh), Share(flapping), Share(Failing("checkout"))};
  s.alerts = {Alert("slow", "api", alert::State::kInactive, 0.0),
              Alert("gateway-502-warn", "flapping", alert::State::kPending, 0.31),
              Alert("gateway-502", "checkout", alert::State::kFiring, 0.75)};
  return s;
}

std::string Render(const status::StatusSnapshot& s) {
  std::string html;
  EXPECT_TRUE(RenderStatusPage(s, [&](std::string_view chunk) {
    html.append(chunk);
    return true;
  }));
  return html;
}

std::size_t Pos(const std::string& html, const std::string& needle) {
  const auto at = html.find(needle);
  EXPECT_NE(at, std::string::npos) << "missing: " << needle;
  return at;
}

TEST(StatusPage, FiringAndPendingAlertsComeFirstWithValueThresholdAndSince) {
  const std::string html = Render(Snapshot());
  const auto alerts = Pos(html, "<h2 id=\"alerts-h\">Alerts</h2>");
  const auto targets = Pos(html, "<h2 id=\"targets-h\">Targets</h2>");
  EXPECT_LT(alerts, targets);
  const auto firing = Pos(html,
                          "<li class=\"alert firing\"><span class=\"badge\">FIRING</span> "
                          "<strong>gateway-502</strong> on <a href=\"/target/checkout\">"
                          "checkout</a> <span class=\"sev\">critical</span>");
  const auto pending = Pos(html,
                           "<li class=\"alert pending\"><span class=\"badge\">PENDING"
                           "</span> <strong>gateway-502-warn</strong>");
  EXPECT_LT(firing, pending);
  EXPECT_LT(pending, targets);
  Pos(html, "502 ratio <b>75.0%</b> above 30.0% &middot; <time");
  Pos(html, ">firing for 2m 5s</time>");  // since it fired, not since it went pending
  Pos(html, ">pending for 3m 20s</time>");
  EXPECT_EQ(html.find("<strong>slow</strong>"), std::string::npos) << "inactive alerts stay off";
  Pos(html, "<b class=\"n-down\">1 alert firing</b>, <b class=\"n-degraded\">1 pending</b>");
  Pos(html, "<title>gatewatch: 1 down, 1 firing</title>");
}

TEST(StatusPage, NoAlertsSaysSo) {
  auto s = Snapshot();
  s.alerts.clear();
  const std::string html = Render(s);
  Pos(html, "<p class=\"none\">No alert is firing or pending.</p>");
  EXPECT_EQ(html.find("<ul class=\"alerts\">"), std::string::npos);
}

TEST(StatusPage, FailingTargetsFirstThenDegradedPendingUp) {
  const std::string html = Render(Snapshot());
  const auto checkout =
      Pos(html, "<tr class=\"down\"><th scope=\"row\"><a href=\"/target/checkout\">");
  const auto flapping =
      Pos(html, "<tr class=\"degraded\"><th scope=\"row\"><a href=\"/target/flapping\">");
  const auto fresh =
      Pos(html, "<tr class=\"pending\"><th scope=\"row\"><a href=\"/target/fresh\">");
  const auto api = Pos(html, "<tr class=\"up\"><th scope=\"row\"><a href=\"/target/api\">");
  EXPECT_LT(checkout, flapping);
  EXPECT_LT(flapping, fresh);
  EXPECT_LT(fresh, api);
  Pos(html,
      "4 targets: <b class=\"n-down\">1 down</b>, <b class=\"n-degraded\">1 degraded</b>, "
      "1 pending, 1 up");
}

TEST(StatusPage, RowSaysStateSinceWhenWhyAndTheWindows) {
  const std::string html = Render(Snapshot());
  // State as text and colour (class), and for how long.
  Pos(html, "<span class=\"st down\">DOWN</span> <time datetime=\"2026-09-21T14:10:18.000Z\"");
  Pos(html, ">for 3m 2s</time>");
  Pos(html, "<span class=\"st up\">UP</span>");
  Pos(html, ">for 5h 2m</time>");
  Pos(html, "<span class=\"st pending\">PENDING</span></td>");
  // Last answer and who produced it, and the diagnosis sentence.
  Pos(html, "<td class=\"last\">502<span class=\"sub\">nginx (gateway)</span></td>");
  Pos(html,
      "<td class=\"why\">502 from nginx (gateway): the gateway got no valid answer from "
      "its upstream</td>");
  // Per window: 502 share and p99, marked when any 502 was seen.
  Pos(html, "<th scope=\"col\" class=\"w\">1m<span class=\"sub\">502 &middot; p99</span></th>");
  Pos(html, "<td class=\"w bad\" data-w=\"1m\">75.0%<span class=\"sub\">300 ms</span></td>");
  Pos(html, "<td class=\"w\" data-w=\"5m\">0.0%<span class=\"sub\">15 ms</span></td>");
  Pos(html, "<td class=\"w\" data-w=\"1m\">&ndash;</td>");  // the pending target's empty window
  Pos(html, "<span class=\"url\">https://checkout.example.com/health</span>");
}

TEST(StatusPage, EverySparklineIsAnInlineSvgThatSaysWhatItShows) {
  const std::string html = Render(Snapshot());
  std::size_t svgs = 0;
  for (auto at = html.find("<svg class=\"spark\""); at != std::string::npos;
       at = html.find("<svg class=\"spark\"", at + 1)) {
    ++svgs;
  }
  EXPECT_EQ(svgs, 4u);
  Pos(html, "role=\"img\" aria-label=\"last 15m: up to 100.0% answered 502, slowest probe ");
  Pos(html, "aria-label=\"last 15m: no 502s, slowest probe 13 ms\"><path class=\"l\" d=\"M");
  Pos(html, "aria-label=\"last 15m: no probes\"></svg>");
  // checkout: 12 failing probes at 15 s over the last 3 minutes: bars in the newest points.
  const std::regex bars("<path class=\"r\" d=\"(M\\d+ 28v-\\d+h6v\\d+z)+\"/>");
  EXPECT_TRUE(std::regex_search(html, bars));
  Pos(html, "M232 28v-26h6v26z");  // the newest point: all 502
  Pos(html, "Trend (last 15m, 30s per point)");
}

TEST(StatusPage, EscapesEveryNameUrlLabelAndDiagnosis) {
  status::StatusSnapshot s = Snapshot();
  status::TargetStatus evil = Failing("<script>alert(1)</script>");
  evil.url = "http://x/\"><img src=x onerror=alert(2)>";
  evil.labels = {{"team", "<b onmouseover=alert(3)>"}};
  evil.diagnosis = "502 from <svg/onload=alert(4)>";
  s.targets.push_back(Share(evil));
  s.alerts.push_back(Alert("<i>rule</i>", evil.name, alert::State::kFiring, 1.0));
  s.agent.version = "<u>v</u>";
  const std::string html = Render(s);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b onmouseover"), std::string::npos);
  EXPECT_EQ(html.find("<svg/onload"), std::string::npos);
  EXPECT_EQ(html.find("<i>rule"), std::string::npos);
  EXPECT_EQ(html.find("<u>"), std::string::npos);
  Pos(html, ">&lt;script&gt;alert(1)&lt;/script&gt;</a>");
  Pos(html, "<a href=\"/target/%3Cscript%3Ealert%281%29%3C%2Fscript%3E\">");
  Pos(html, "http://x/&quot;&gt;&lt;img src=x onerror=alert(2)&gt;");
  Pos(html, "team=&lt;b onmouseover=alert(3)&gt;");
  Pos(html, "502 from &lt;svg/onload=alert(4)&gt;");
  Pos(html, "<strong>&lt;i&gt;rule&lt;/i&gt;</strong>");
}

TEST(StatusPage, LinksItsOwnAssetsOnlyAndStaysWellFormed) {
  const std::string html = Render(Snapshot());
  Pos(html, "<link rel=\"stylesheet\" href=\"" + StatusCssUrl() + "\">");
  Pos(html, "<script src=\"" + StatusJsUrl() + "\" defer></script>");
  EXPECT_EQ(html.find("http-equiv=\"refresh\""), std::string::npos) << "the script refreshes";
  EXPECT_EQ(html.find("<style"), std::string::npos);
  EXPECT_EQ(html.find("//cdn"), std::string::npos);
  Pos(html, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
  Pos(html, "<meta name=\"color-scheme\" content=\"light dark\">");
  Pos(html,
      "<span id=\"updated\" role=\"status\">as of <time datetime=\"2026-09-21T14:13:20.000Z\">"
      "14:13:20 UTC</time>");
  EXPECT_TRUE(html.ends_with("</tbody>\n</table></div>\n</section>\n</main>\n</body>\n</html>\n"));
  std::size_t rows = 0;
  for (auto at = html.find("<tr class="); at != std::string::npos;
       at = html.find("<tr class=", at + 1)) {
    ++rows;
  }
  EXPECT_EQ(rows, 4u);
}

TEST(StatusPage, AgentTroublesAreShown) {
  auto s = Snapshot();
  s.agent.ready = false;
  s.agent.saturated = true;
  s.agent.last_reload_success = false;
  const std::string html = Render(s);
  Pos(html, "starting: not every target has been probed yet");
  Pos(html, "saturated: probes start late and alerts hold");
  Pos(html, "the last config reload was rejected");
}

TEST(StatusPage, StopsWhenTheSinkDoes) {
  status::StatusSnapshot s;
  s.generated = kWall;
  for (int i = 0; i < 200; ++i) s.targets.push_back(Share(Failing("t" + std::to_string(i))));
  int calls = 0;
  EXPECT_FALSE(RenderStatusPage(s, [&](std::string_view) { return ++calls < 1; }));
  EXPECT_EQ(calls, 1);
}

// 1,000 targets (every tenth failing, all with windows and a full sparkline): how big the page
// is and how long rendering takes. The numbers are printed for the README; the bounds are
// generous, to catch an accidental blow-up (an O(n^2), a kilobyte per row more).
TEST(StatusPage, AThousandTargetsStayLean) {
  status::StatusSnapshot s = Snapshot();
  s.targets.clear();
  for (int i = 0; i < 1000; ++i) {
    s.targets.push_back(Share(i % 10 == 0 ? Failing("target-" + std::to_string(i))
                                          : Healthy("target-" + std::to_string(i))));
  }
  std::size_t bytes = 0, chunks = 0, largest = 0;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(RenderStatusPage(s, [&](std::string_view chunk) {
    bytes += chunk.size();
    largest = std::max(largest, chunk.size());
    ++chunks;
    return true;
  }));
  const auto took = std::chrono::steady_clock::now() - start;
  std::printf(
      "status page, 1,000 targets: %zu bytes in %zu chunks (largest %zu), rendered in "
      "%.1f ms\n",
      bytes, chunks, largest, std::chrono::duration<double, std::milli>(took).count());
  EXPECT_LT(bytes, 1'400'000u);
  EXPECT_GT(chunks, 10u) << "streamed, not built whole";
  EXPECT_LT(largest, 100'000u);
  EXPECT_LT(took, seconds(2));
}

TEST(PageParts, FormatsNumbersAndAges) {
  std::string out;
  page::AppendLatency(out, 0.0004);
  out += '|';
  page::AppendLatency(out, 0.0123);
  out += '|';
  page::AppendLatency(out, 0.3);
  out += '|';
  page::AppendLatency(out, 1.25);
  out += '|';
  page::AppendLatency(out, 40);
  EXPECT_EQ(out, "0.4 ms|12 ms|300 ms|1.25 s|40.0 s");
  out.clear();
  for (const int s : {0, 45, 182, 7500, 200'000}) {
    page::AppendAge(out, seconds(s));
    out += '|';
  }
  page::AppendAge(out, -seconds(5));
  EXPECT_EQ(out, "0s|45s|3m 2s|2h 5m|2d 7h|0s");
  out.clear();
  page::AppendSignalValue(out, config::AlertSignal::kBurnRate, 14.4);
  out += '|';
  page::AppendSignalValue(out, config::AlertSignal::kConsecutiveFailures, 5);
  out += '|';
  page::AppendSignalValue(out, config::AlertSignal::kLatencyP99, 0.85);
  EXPECT_EQ(out, "14.40x|5|850 ms");
  EXPECT_EQ(page::TargetHref("a-b_c.d"), "/target/a-b_c.d");
  EXPECT_EQ(page::TargetHref("a b/c"), "/target/a%20b%2Fc");
}

TEST(StatusAssets, AreServedByHashedUrlAndUseNoInnerHtml) {
  EXPECT_TRUE(StatusCssUrl().starts_with("/assets/status.css?v="));
  EXPECT_TRUE(StatusJsUrl().starts_with("/assets/status.js?v="));
  EXPECT_EQ(StatusJsUrl().size(), std::string("/assets/status.js?v=").size() + 8);
  const std::string_view js = StatusJs();
  EXPECT_EQ(js.find("innerHTML"), std::string_view::npos);
  EXPECT_EQ(js.find("outerHTML"), std::string_view::npos);
  EXPECT_EQ(js.find("insertAdjacentHTML"), std::string_view::npos);
  EXPECT_EQ(js.find("document.write"), std::string_view::npos);
  EXPECT_EQ(js.find("eval("), std::string_view::npos);
  EXPECT_NE(js.find("/api/v1/targets"), std::string_view::npos);
  EXPECT_NE(js.find("/api/v1/alerts"), std::string_view::npos);
  const std::string_view css = StatusCss();
  EXPECT_NE(css.find("prefers-color-scheme:dark"), std::string_view::npos);
  EXPECT_NE(css.find("@media (max-width:720px)"), std::string_view::npos);
  EXPECT_EQ(css.find("@import"), std::string_view::npos);
  EXPECT_EQ(css.find("url("), std::string_view::npos) << "no external fonts or images";
}

}  // namespace
}  // namespace gatewatch::server
