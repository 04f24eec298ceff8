// The detail view (/target/<name>), its history JSON, and how HttpApi serves the pages.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "server/history_json.h"
#include "server/http_api.h"
#include "server/page_parts.h"
#include "server/status_assets.h"
#include "server/target_page.h"
#include "server/targets_json.h"
#include "support/shared_status.h"

namespace gatewatch::server {
namespace {

using testing::Share;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kWall = core::Clock::WallTimePoint{} + seconds(1'790'000'000);

status::TargetStatus Target(const std::string& name) {
  status::TargetStatus t;
  t.name = name;
  t.url = "https://shop.example.com/health?token=<redacted>";
  t.labels = {{"team", "payments"}};
  t.interval = seconds(15);
  t.timeout = milliseconds(2500);
  probe::ProbeResult bad;
  bad.reason = probe::FailureReason::kStatus;
  bad.http_status = 502;
  bad.detail = "status 502, expected 2xx";
  bad.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  t.last = std::make_shared<const probe::ProbeResult>(bad);
  t.state_since = kWall - seconds(75);
  t.consecutive_failures = 4;
  t.probes_total = 99;
  t.diagnosis = "502 from nginx (gateway): the gateway got no valid answer from its upstream";
  t.responder = diagnose::Fingerprint{diagnose::Responder::kNginx, diagnose::Origin::kGateway,
                                      "server: nginx + nginx error page"};
  status::WindowSummary w;
  w.span = milliseconds(60'000);
  w.total = 8;
  w.failed = 4;
  w.status_5xx = 4;
  w.status_502 = 4;
  w.p50 = 0.001;
  w.p90 = 0.002;
  w.p99 = 0.0031;
  t.windows = {w};
  return t;
}

status::RecentResults Recent() {
  status::RecentResults recent;
  probe::ProbeResult ok;
  ok.http_status = 200;
  ok.latency = microseconds(40'000);
  ok.phases.dns = microseconds(1'000);
  ok.phases.connect = microseconds(2'000);
  ok.phases.tls = microseconds(7'000);
  ok.phases.ttfb = microseconds(25'000);
  ok.phases.transfer = microseconds(5'000);
  ok.wall_started = kWall - seconds(30);
  recent.Add(ok, nullptr);

  probe::ProbeResult timeout;
  timeout.reason = probe::FailureReason::kTimeout;
  timeout.latency = microseconds(2'500'000);
  timeout.phases.dns = microseconds(1'000);
  timeout.phases.connect = microseconds(2'000);
  timeout.wall_started = kWall - seconds(15);
  recent.Add(timeout, nullptr);

  probe::ProbeResult bad;
  bad.reason = probe::FailureReason::kStatus;
  bad.http_status = 502;
  bad.latency = microseconds(1'200);
  bad.phases.dns = microseconds(100);
  bad.phases.connect = microseconds(200);
  bad.phases.ttfb = microseconds(800);
  bad.phases.transfer = microseconds(100);
  bad.wall_started = kWall - seconds(2);
  diagnose::Fingerprint hop{diagnose::Responder::kNginx, diagnose::Origin::kGateway, ""};
  recent.Add(bad, &hop);
  return recent;
}

status::StatusSnapshot Snapshot(const status::TargetStatus& t) {
  status::StatusSnapshot s;
  s.generated = kWall;
  s.agent.version = "1.2.3";
  s.targets = {Share(t)};
  alert::InstanceSnapshot a;
  a.rule = "gateway-502";
  a.target = t.name;
  a.state = alert::State::kFiring;
  a.value = 0.5;
  a.threshold = 0.3;
  a.since = a.fired_at.emplace(kWall - seconds(40));
  alert::InstanceSnapshot other = a;
  other.target = "elsewhere";
  other.rule = "not-this-one";
  s.alerts = {a, other};
  return s;
}

std::size_t Pos(const std::string& html, const std::string& needle) {
  const auto at = html.find(needle);
  EXPECT_NE(at, std::string::npos) << "missing: " << needle;
  return at;
}

TEST(TargetPage, ShowsStateDiagnosisAlertsAndWindows) {
  const auto t = Target("checkout");
  const auto recent = Recent();
  const std::string html = RenderTargetPage(Snapshot(t), t, &recent, kWall);
  Pos(html,
      "<body data-page=\"target\" data-generated=\"2026-09-21T14:13:20.000Z\" "
      "data-target=\"checkout\">");
  Pos(html,
      "<h1>checkout</h1>\n<p class=\"url\">https://shop.example.com/health?token=&lt;"
      "redacted&gt;</p>");
  Pos(html, "<span class=\"st down\">DOWN</span> <time");
  Pos(html,
      ">for 1m 15s</time> &middot; last answer 502<span class=\"sub\">nginx (gateway)"
      "</span> &middot; 4 failures in a row");
  Pos(html,
      "<p class=\"why\">502 from nginx (gateway): the gateway got no valid answer from "
      "its upstream</p>");
  Pos(html, "evidence: server: nginx + nginx error page");
  Pos(html, "detail: status 502, expected 2xx");
  Pos(html,
      "every 15s, timeout 2s500ms &middot; 99 probes &middot; last trace id <code>"
      "4bf92f3577b34da6a3ce929d0e0e4736</code> &middot; team=payments");
  Pos(html, "<strong>gateway-502</strong> on checkout");
  EXPECT_EQ(html.find("not-this-one"), std::string::npos) << "only this target's alerts";
  Pos(html,
      "<tr><th scope=\"row\">1m</th><td class=\"n\">8</td><td class=\"n\">4</td>"
      "<td class=\"n bad\">50.0%</td><td class=\"n bad\">50.0%</td>"
      "<td class=\"n\">1.0 ms</td><td class=\"n\">2.0 ms</td><td class=\"n\">3.1 ms</td>"
      "</tr>");
}

TEST(TargetPage, ListsRecentResultsNewestFirstWithAWaterfall) {
  const auto t = Target("checkout");
  const auto recent = Recent();
  const std::string html = RenderTargetPage(Snapshot(t), t, &recent, kWall);
  const auto newest = Pos(html, "<span class=\"st down\">FAIL</span> 502 from nginx (gateway)");
  const auto middle = Pos(html, "<span class=\"st down\">FAIL</span> timed out after 2.50 s");
  const auto oldest = Pos(html, "<span class=\"st up\">OK</span> 200</td>");
  EXPECT_LT(newest, middle);
  EXPECT_LT(middle, oldest);
  Pos(html, ">2s</time> ago</td>");
  // The waterfall: phases one after another, to the scale of the slowest result (2.5 s =
  // 200 units; a phase is at least 0.5 wide), and the rest of a timeout drawn as unfinished.
  Pos(html,
      "<svg class=\"wf\" viewBox=\"0 0 200 12\" width=\"200\" height=\"12\" "
      "aria-hidden=\"true\"><rect class=\"dns\" x=\"0.0\" y=\"1\" width=\"0.5\" "
      "height=\"10\"/>");
  Pos(html, "<rect class=\"wait\" x=\"1.0\" y=\"1\" width=\"199.8\" height=\"10\"/>");
  Pos(html, "<rect class=\"ttfb\"");
  // Every phase also as a number; unmeasured ones as a dash, never a zero.
  Pos(html,
      "<td class=\"n\">1.0 ms</td><td class=\"n\">2.0 ms</td><td class=\"n\">7.0 ms</td>"
      "<td class=\"n\">25 ms</td><td class=\"n\">5.0 ms</td></tr>");
  Pos(html,
      "<td class=\"n\">1.0 ms</td><td class=\"n\">2.0 ms</td><td class=\"n\">&ndash;</td>"
      "<td class=\"n\">&ndash;</td><td class=\"n\">&ndash;</td></tr>");
  EXPECT_EQ(html.find("recent-missing"), std::string::npos);
}

TEST(TargetPage, SaysWhenTheLoopDidNotAnswer) {
  const auto t = Target("checkout");
  const std::string html = RenderTargetPage(Snapshot(t), t, nullptr, kWall);
  Pos(html, "id=\"recent-missing\">Recent results are unavailable");
  Pos(html, "<tbody>\n</tbody>\n</table></div>\n</section>\n</main>");
}

TEST(TargetPage, EscapesNameUrlLabelsAndDiagnosis) {
  auto t = Target("<script>alert(1)</script>");
  t.url = "http://h/<img src=x>";
  t.labels = {{"x", "\"><b>"}};
  t.diagnosis = "<i>why</i>";
  t.responder->evidence = "server: <svg onload=alert(1)>";
  auto last = *t.last;
  last.detail = "<u>detail</u>";
  t.last = std::make_shared<const probe::ProbeResult>(last);
  const auto recent = Recent();
  const std::string html = RenderTargetPage(Snapshot(t), t, &recent, kWall);
  for (const char* raw : {"<script>", "<img", "\"><b>", "<i>", "<svg onload", "<u>"}) {
    EXPECT_EQ(html.find(raw), std::string::npos) << raw;
  }
  Pos(html, "data-target=\"&lt;script&gt;alert(1)&lt;/script&gt;\"");
  Pos(html, "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>");
  Pos(html, "<title>&lt;script&gt;alert(1)&lt;/script&gt; - gatewatch</title>");
  Pos(html, "x=&quot;&gt;&lt;b&gt;");
  const std::string missing = RenderUnknownTargetPage("<script>x</script>");
  EXPECT_EQ(missing.find("<script>"), std::string::npos);
  Pos(missing, "No target named &ldquo;&lt;script&gt;x&lt;/script&gt;&rdquo;");
}

TEST(HistoryJson, ListsResultsNewestFirstWithPhasesAndWhoAnswered) {
  const auto doc = nlohmann::json::parse(RenderHistoryJson("checkout", Recent(), kWall));
  EXPECT_EQ(doc["generated"], "2026-09-21T14:13:20.000Z");
  EXPECT_EQ(doc["target"], "checkout");
  EXPECT_EQ(doc["capacity"], 18);
  ASSERT_EQ(doc["results"].size(), 3u);
  const auto& newest = doc["results"][0];
  EXPECT_EQ(newest["started"], "2026-09-21T14:13:18.000Z");
  EXPECT_EQ(newest["success"], false);
  EXPECT_EQ(newest["status"], 502);
  EXPECT_EQ(newest["reason"], "status");
  EXPECT_EQ(newest["summary"], "502 from nginx (gateway)");
  EXPECT_EQ(newest["responder"]["name"], "nginx");
  EXPECT_EQ(newest["responder"]["origin"], "gateway");
  EXPECT_DOUBLE_EQ(newest["latency_seconds"].get<double>(), 0.0012);
  EXPECT_DOUBLE_EQ(newest["phases"]["ttfb"].get<double>(), 0.0008);
  EXPECT_FALSE(newest["phases"].contains("tls"));
  const auto& timeout = doc["results"][1];
  EXPECT_EQ(timeout["reason"], "timeout");
  EXPECT_EQ(timeout["summary"], "timed out after 2.50 s");
  EXPECT_TRUE(timeout["responder"].is_null());
  EXPECT_EQ(timeout["phases"].size(), 2u);
  EXPECT_EQ(doc["results"][2]["summary"], "200");
  EXPECT_EQ(doc["results"][2]["reason"], "");
}

TEST(TargetsJson, CarriesTheSparklineInPlainUnits) {
  auto t = Target("checkout");
  status::TargetHistory history(seconds(30));
  const auto now = core::Clock::TimePoint{} + std::chrono::hours(1000);
  probe::ProbeResult r = *t.last;
  r.latency = microseconds(12'345);
  r.started = now - seconds(20);  // the point before the newest
  history.Record(r, nullptr);
  r.http_status = 200;
  r.started = now;
  history.Record(r, nullptr);
  t.sparkline = history.SparklineAt(now);
  const auto j = TargetToJson(t)["sparkline"];
  EXPECT_EQ(j["span"], "15m");
  EXPECT_EQ(j["point"], "30s");
  ASSERT_EQ(j["ratio_502"].size(), status::Sparkline::kPoints);
  ASSERT_EQ(j["latency_seconds"].size(), status::Sparkline::kPoints);
  EXPECT_EQ(j["ratio_502"][29], 0.0);
  EXPECT_EQ(j["ratio_502"][28], 1.0);
  EXPECT_TRUE(j["ratio_502"][27].is_null());
  EXPECT_NEAR(j["latency_seconds"][28].get<double>(), 0.012345, 0.012345 * 0.03);
  EXPECT_LE(j["latency_seconds"][28].dump().size(), 6u) << "3 significant digits, e.g. 0.0121";
  EXPECT_TRUE(j["latency_seconds"][0].is_null());
}

class PagesOverHttp : public ::testing::Test {
 protected:
  void Start(bool loop_answers) {
    HttpApiOptions options;
    auto snapshot = std::make_shared<status::StatusSnapshot>(Snapshot(Target("checkout")));
    options.snapshot = [snapshot] { return snapshot; };
    options.history = [this, loop_answers](const std::string& name) -> std::optional<HistoryReply> {
      ++asked_;
      std::lock_guard lock(mu_);
      last_name_ = name;
      if (!loop_answers) return std::nullopt;
      return HistoryReply{Recent(), kWall};
    };
    api_ = std::make_unique<HttpApi>(std::move(options));
    api_->Start();
  }
  httplib::Client Client() const {
    httplib::Client client("127.0.0.1", api_->port());
    client.set_connection_timeout(seconds(2));
    client.set_read_timeout(seconds(2));
    return client;
  }
  std::atomic<int> asked_{0};
  std::mutex mu_;
  std::string last_name_;  // guarded by mu_
  std::unique_ptr<HttpApi> api_;
};

TEST_F(PagesOverHttp, DetailViewAsksTheLoopForTheTargetsResults) {
  Start(true);
  auto res = Client().Get("/target/checkout");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(res->get_header_value("Content-Security-Policy").find("default-src 'none'"),
            std::string::npos);
  EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_NE(res->body.find("timed out after 2.50 s"), std::string::npos);
  EXPECT_EQ(asked_.load(), 1);
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(last_name_, "checkout");
  }

  res = Client().Get("/target/nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_NE(res->body.find("No target named &ldquo;nope&rdquo;"), std::string::npos);
  EXPECT_EQ(asked_.load(), 1) << "an unknown name never bothers the loop";
}

TEST_F(PagesOverHttp, HistoryJsonAnd503WhenTheLoopDoesNotAnswer) {
  Start(true);
  auto res = Client().Get("/api/v1/targets/checkout/history");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(res->body)["results"].size(), 3u);
  res = Client().Get("/api/v1/targets/nope/history");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(nlohmann::json::parse(res->body)["error"], "no target named \"nope\"");
  api_.reset();

  Start(false);
  res = Client().Get("/api/v1/targets/checkout/history");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->get_header_value("Retry-After"), "1");
  res = Client().Get("/target/checkout");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("Recent results are unavailable"), std::string::npos);
}

TEST_F(PagesOverHttp, AssetsAreCachedForGoodAndTheStatusPageIsNot) {
  Start(true);
  auto client = Client();
  auto res = client.Get(StatusJsUrl());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(res->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(res->body, StatusJs());
  res = client.Get(StatusCssUrl());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(res->body, StatusCss());
  res = client.Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-cache");
  EXPECT_NE(res->body.find("<a href=\"/target/checkout\">checkout</a>"), std::string::npos);
  res = client.Post("/target/checkout", "", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
}

}  // namespace
}  // namespace gatewatch::server
