#include "server/http_api.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "metrics/metrics.h"
#include "probe/result.h"
#include "server/status_page.h"
#include "support/shared_status.h"

namespace gatewatch::server {
namespace {

using testing::Share;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kWall = core::Clock::WallTimePoint{} + seconds(1'790'000'000);

std::shared_ptr<const status::StatusSnapshot> MakeSnapshot(bool ready = true) {
  auto s = std::make_shared<status::StatusSnapshot>();
  s->generated = kWall;
  s->agent.version = "1.2.3";
  s->agent.ready = ready;

  status::TargetStatus checkout;
  checkout.name = "checkout";
  checkout.url = "https://api.example.com/health?token=<redacted>";
  checkout.labels = {{"team", "<script>alert(1)</script>"}};
  checkout.interval = seconds(15);
  checkout.timeout = milliseconds(2500);
  probe::ProbeResult ok;
  ok.http_status = 200;
  ok.latency = microseconds(123'000);
  ok.phases.dns = microseconds(1'000);
  ok.phases.connect = microseconds(2'000);
  ok.phases.ttfb = microseconds(100'000);
  ok.wall_started = kWall - seconds(1);
  ok.remote_ip = "10.0.0.5";
  ok.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  checkout.last = std::make_shared<const probe::ProbeResult>(ok);
  checkout.up = true;
  checkout.state_since = kWall - seconds(600);
  checkout.probes_total = 40;
  status::WindowSummary one_minute;
  one_minute.span = milliseconds(60'000);
  one_minute.total = 4;
  one_minute.failed = 1;
  one_minute.status_5xx = 1;
  one_minute.status_502 = 1;
  one_minute.p50 = 0.1;
  one_minute.p90 = 0.2;
  one_minute.p99 = 0.3;
  status::WindowSummary five_minutes;
  five_minutes.span = milliseconds(300'000);
  checkout.windows = {one_minute, five_minutes};

  status::TargetStatus edge;
  edge.name = "edge-1";
  edge.url = "http://10.0.0.1/";
  probe::ProbeResult bad;
  bad.reason = probe::FailureReason::kStatus;
  bad.http_status = 502;
  bad.detail = "status 502 <img src=x onerror=alert(1)> \xff\xfe";
  bad.tls_not_after = 1'800'000'000;
  edge.last = std::make_shared<const probe::ProbeResult>(bad);
  edge.consecutive_failures = 3;

  status::TargetStatus fresh;
  fresh.name = "fresh";
  fresh.url = "http://127.0.0.1:1/";
  s->targets = {Share(checkout), Share(edge), Share(fresh)};
  return s;
}

class HttpApiTest : public ::testing::Test {
 protected:
  void StartServer(std::string token = "") {
    HttpApiOptions options;
    options.snapshot = [this] {
      std::lock_guard lock(mu_);
      return snapshot_;
    };
    options.alive = [this] { return alive_.load(); };
    options.api_token = core::Secret(std::move(token));
    options.reload = [this] {
      ++reloads_;
      std::lock_guard lock(mu_);
      return reload_outcome_;
    };
    api_ = std::make_unique<HttpApi>(std::move(options));
    api_->Start();
    ASSERT_GT(api_->port(), 0);
  }
  void SetSnapshot(std::shared_ptr<const status::StatusSnapshot> s) {
    std::lock_guard lock(mu_);
    snapshot_ = std::move(s);
  }
  httplib::Client Client() const {
    httplib::Client client("127.0.0.1", api_->port());
    client.set_connection_timeout(seconds(2));
    client.set_read_timeout(seconds(2));
    return client;
  }

  std::mutex mu_;
  std::shared_ptr<const status::StatusSnapshot> snapshot_ = MakeSnapshot();
  ReloadOutcome reload_outcome_{true, "reloaded: 3 targets"};
  std::atomic<bool> alive_{true};
  std::atomic<int> reloads_{0};
  std::unique_ptr<HttpApi> api_;
};

TEST_F(HttpApiTest, MetricsServesTheExposition) {
  StartServer();
  auto res = Client().Get("/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(res->body, metrics::RenderMetrics(*MakeSnapshot()));
  EXPECT_NE(res->body.find("gatewatch_probe_success{target=\"checkout\"} 1\n"), std::string::npos);
}

TEST_F(HttpApiTest, MetricsCompressesWhenAsked) {
  StartServer();
  auto client = Client();
  client.set_decompress(true);
  auto res = client.Get("/metrics", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(res->body, metrics::RenderMetrics(*MakeSnapshot()));
}

TEST_F(HttpApiTest, NoSnapshotIs503) {
  SetSnapshot(nullptr);
  StartServer();
  auto client = Client();
  for (const char* path : {"/metrics", "/readyz", "/api/v1/targets", "/"}) {
    auto res = client.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 503) << path;
    EXPECT_FALSE(res->body.empty()) << path;
  }
}

TEST_F(HttpApiTest, Healthz) {
  StartServer();
  auto client = Client();
  auto res = client.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "ok\n");
  alive_ = false;
  res = client.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
}

TEST_F(HttpApiTest, ReadyzSaysWhatItWaitsFor) {
  SetSnapshot(MakeSnapshot(/*ready=*/false));
  StartServer();
  auto client = Client();
  auto res = client.Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_NE(res->body.find("waiting for the first probe of 1 of 3 targets"), std::string::npos)
      << res->body;
  SetSnapshot(MakeSnapshot(/*ready=*/true));
  res = client.Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(HttpApiTest, TargetsJson) {
  StartServer();
  auto res = Client().Get("/api/v1/targets");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  const auto doc = nlohmann::json::parse(res->body);
  EXPECT_EQ(doc["generated"], "2026-09-21T14:13:20.000Z");
  ASSERT_EQ(doc["targets"].size(), 3u);

  const auto& checkout = doc["targets"][0];
  EXPECT_EQ(checkout["name"], "checkout");
  EXPECT_EQ(checkout["url"], "https://api.example.com/health?token=<redacted>");
  EXPECT_EQ(checkout["labels"]["team"], "<script>alert(1)</script>");
  EXPECT_EQ(checkout["interval"], "15s");
  EXPECT_EQ(checkout["timeout"], "2s500ms");
  EXPECT_EQ(checkout["up"], true);
  EXPECT_EQ(checkout["state_since"], "2026-09-21T14:03:20.000Z");
  EXPECT_EQ(checkout["probes_total"], 40);
  const auto& last = checkout["last"];
  EXPECT_EQ(last["status"], 200);
  EXPECT_EQ(last["success"], true);
  EXPECT_EQ(last["reason"], "");
  EXPECT_DOUBLE_EQ(last["latency_seconds"].get<double>(), 0.123);
  EXPECT_DOUBLE_EQ(last["phases"]["dns"].get<double>(), 0.001);
  EXPECT_DOUBLE_EQ(last["phases"]["ttfb"].get<double>(), 0.1);
  EXPECT_FALSE(last["phases"].contains("tls"));
  EXPECT_FALSE(last["phases"].contains("transfer"));
  EXPECT_EQ(last["remote_ip"], "10.0.0.5");
  EXPECT_EQ(last["started"], "2026-09-21T14:13:19.000Z");
  EXPECT_EQ(last["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(last["tls_not_after"].is_null());

  ASSERT_EQ(checkout["windows"].size(), 2u);
  const auto& w1 = checkout["windows"][0];
  EXPECT_EQ(w1["window"], "1m");
  EXPECT_EQ(w1["samples"], 4);
  EXPECT_EQ(w1["failed"], 1);
  EXPECT_EQ(w1["status_502"], 1);
  EXPECT_DOUBLE_EQ(w1["ratios"]["502"].get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(w1["ratios"]["failure"].get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(w1["latency_seconds"]["0.99"].get<double>(), 0.3);
  const auto& w5 = checkout["windows"][1];
  EXPECT_EQ(w5["window"], "5m");
  EXPECT_EQ(w5["samples"], 0);
  EXPECT_DOUBLE_EQ(w5["ratios"]["5xx"].get<double>(), 0.0);
  EXPECT_TRUE(w5["latency_seconds"].is_null());

  const auto& edge = doc["targets"][1];
  EXPECT_EQ(edge["last"]["reason"], "status");
  EXPECT_EQ(edge["last"]["success"], false);
  EXPECT_EQ(edge["last"]["tls_not_after"], 1'800'000'000);
  EXPECT_EQ(edge["consecutive_failures"], 3);
  // The invalid UTF-8 in the detail is replaced, not an error.
  EXPECT_NE(edge["last"]["detail"].get<std::string>().find("status 502 <img"), std::string::npos);

  EXPECT_TRUE(doc["targets"][2]["last"].is_null());
}

TEST_F(HttpApiTest, TargetsJsonFilter) {
  StartServer();
  auto client = Client();
  auto res = client.Get("/api/v1/targets?target=edge-1");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const auto doc = nlohmann::json::parse(res->body);
  ASSERT_EQ(doc["targets"].size(), 1u);
  EXPECT_EQ(doc["targets"][0]["name"], "edge-1");

  res = client.Get("/api/v1/targets?target=nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(nlohmann::json::parse(res->body)["error"], "no target named \"nope\"");
}

TEST_F(HttpApiTest, StatusPageEscapesEverything) {
  StartServer();
  auto res = Client().Get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  const std::string& html = res->body;
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("status 502 &lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  // The page's content is tested in status_page_test.cpp; here, what HTTP adds.
  EXPECT_NE(res->get_header_value("Content-Security-Policy").find("script-src 'self'"),
            std::string::npos);
  EXPECT_NE(html.find("<span class=\"st degraded\">DEGRADED</span>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"st down\">DOWN</span>"), std::string::npos);
  EXPECT_NE(html.find("25.0%"), std::string::npos);  // checkout's 1m 502 ratio
  EXPECT_NE(html.find("300 ms"), std::string::npos);  // and its p99
  EXPECT_TRUE(html.ends_with("</html>\n"));
}

TEST_F(HttpApiTest, ReloadDisabledWithoutToken) {
  StartServer("");
  auto res = Client().Post("/-/reload", {{"Authorization", "Bearer anything"}}, "", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(res->body, "reload endpoint disabled: set agent.api_token\n");
  EXPECT_EQ(reloads_, 0);
}

TEST_F(HttpApiTest, ReloadNeedsTheRightToken) {
  StartServer("s3cret-token");
  auto client = Client();
  auto res = client.Post("/-/reload", "", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(res->get_header_value("WWW-Authenticate"), "Bearer");
  for (const char* wrong : {"Bearer s3cret-toke", "Bearer s3cret-token2", "Bearer ",
                            "Basic s3cret-token", "s3cret-token"}) {
    res = client.Post("/-/reload", {{"Authorization", wrong}}, "", "text/plain");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << wrong;
  }
  EXPECT_EQ(reloads_, 0);

  res = client.Post("/-/reload", {{"Authorization", "Bearer s3cret-token"}}, "", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "reloaded: 3 targets\n");
  EXPECT_EQ(reloads_, 1);
}

TEST_F(HttpApiTest, RejectedReloadIs400WithTheErrors) {
  {
    std::lock_guard lock(mu_);
    reload_outcome_ = {false, "gatewatch.toml:3:1: targets.x.url: must be http or https"};
  }
  StartServer("tok");
  auto res = Client().Post("/-/reload", {{"Authorization", "bearer tok"}}, "", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(res->body, "gatewatch.toml:3:1: targets.x.url: must be http or https\n");
  EXPECT_EQ(reloads_, 1);
}

TEST_F(HttpApiTest, UnknownPathsAndWrongMethods) {
  StartServer("tok");
  auto client = Client();
  auto res = client.Get("/nope");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->body, "not found\n");

  res = client.Post("/metrics", "x", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(res->get_header_value("Allow"), "GET, HEAD");

  res = client.Get("/-/reload");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_EQ(res->get_header_value("Allow"), "POST");

  res = client.Delete("/api/v1/targets");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);

  res = client.Head("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  res = client.Head("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "");
  EXPECT_EQ(reloads_, 0);
}

TEST_F(HttpApiTest, SurvivesHostileRequests) {
  StartServer("tok");
  auto client = Client();
  const std::string huge(1 << 20, 'x');
  auto res = client.Post("/-/reload", {{"Authorization", "Bearer tok"}}, huge, "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(reloads_, 0);

  // A garbage request line on a raw socket.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(api_->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string garbage = "\x01\x02 GARBAGE \xff\r\n\r\n";
  ASSERT_EQ(write(fd, garbage.data(), garbage.size()), static_cast<ssize_t>(garbage.size()));
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[256] = {};
  const ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  ASSERT_GT(n, 0);
  EXPECT_TRUE(std::string_view(buf).starts_with("HTTP/1.1 400")) << buf;

  res = client.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(HttpApiTest, PortInUseIsAClearError) {
  StartServer();
  HttpApiOptions options;
  options.listen = "127.0.0.1:" + std::to_string(api_->port());
  HttpApi second(std::move(options));
  try {
    second.Start();
    FAIL() << "Start() on a used port did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot listen on 127.0.0.1:" + std::to_string(api_->port()) +
                                         ": Address already in use");
  }
  auto res = Client().Get("/healthz");  // the first one is unaffected
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST(HttpApi, RejectsMalformedListenAddresses) {
  for (const char* listen : {"127.0.0.1", "127.0.0.1:", ":9502", "127.0.0.1:99999",
                             "127.0.0.1:12ab", "[::1", "[::1]9502"}) {
    HttpApiOptions options;
    options.listen = listen;
    HttpApi api(std::move(options));
    try {
      api.Start();
      ADD_FAILURE() << listen << " was accepted";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()),
                "invalid listen address \"" + std::string(listen) + "\": expected host:port");
    }
  }
}

TEST(HttpApi, ListensOnIpv6Loopback) {
  const int probe = socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  const bool has_ipv6 =
      probe >= 0 && bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  if (probe >= 0) close(probe);
  if (!has_ipv6) GTEST_SKIP() << "no IPv6 loopback here";

  HttpApiOptions options;
  options.listen = "[::1]:0";
  HttpApi api(std::move(options));
  api.Start();
  httplib::Client client("::1", api.port());
  client.set_connection_timeout(seconds(2));
  auto res = client.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(HttpApiTest, StopIsPromptWithAKeepAliveClient) {
  StartServer();
  auto client = Client();
  client.set_keep_alive(true);
  auto res = client.Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Connection"), "close");

  const auto start = std::chrono::steady_clock::now();
  api_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(500));
  api_->Stop();  // idempotent

  auto after = Client().Get("/healthz");
  EXPECT_FALSE(after);
}

TEST(HttpApi, StopWithoutStartIsFine) {
  HttpApi api(HttpApiOptions{});
  api.Stop();
  EXPECT_EQ(api.port(), 0);
}

}  // namespace
}  // namespace gatewatch::server
