// HttpProber + CurlMulti against real loopback peers: FakeUpstream (cpp-httplib), a raw
// socket server that misbehaves below HTTP, and a real nginx. The loop is driven on the
// test thread with CurlMulti::Poll, as the agent's probe loop does.
#include <gtest/gtest.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "core/version.h"
#include "net/curl_multi.h"
#include "probe/http_prober.h"
#include "support/child_process.h"
#include "support/fake_upstream.h"
#include "support/manual_clock.h"
#include "support/nginx_fixture.h"
#include "support/raw_tcp_server.h"

namespace gatewatch::probe {
namespace {

using std::chrono::milliseconds;
using testing::FakeUpstream;
using testing::NginxFixture;
using testing::RawTcpServer;
using Step = FakeUpstream::Step;
using Clock = std::chrono::steady_clock;

config::TargetSpec Target(const std::string& url, milliseconds timeout = milliseconds(200)) {
  config::TargetSpec t;
  t.name = "t";
  t.url = url;
  t.timeout = timeout;
  return t;
}

std::string HeaderValue(const ProbeResult& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

std::size_t ThreadCount() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/self/task")) {
    ++n;
  }
  return n;
}

class ProberTest : public ::testing::Test {
 protected:
  // Runs one probe to completion (bounded by `limit` of real time).
  std::optional<ProbeResult> Run(const config::TargetSpec& target,
                                 milliseconds limit = milliseconds(5000)) {
    std::optional<ProbeResult> out;
    prober_.Start(target, [&out](ProbeResult&& r) { out = std::move(r); });
    const auto deadline = Clock::now() + limit;
    while (!out && Clock::now() < deadline) multi_.Poll(milliseconds(50));
    return out;
  }

  testing::ManualClock clock_;
  net::CurlMulti multi_;
  HttpProber prober_{multi_, clock_, 42};
};

TEST_F(ProberTest, Http200HasPlainHttpPhasesAndSendsTraceHeaders) {
  FakeUpstream up;
  up.Start();
  up.Set("/ok", Step(200, "hello"));
  const auto r = Run(Target(up.Url("/ok")));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->success()) << r->detail;
  EXPECT_EQ(r->http_status, 200);
  EXPECT_TRUE(r->phases.dns.has_value());
  EXPECT_TRUE(r->phases.connect.has_value());
  EXPECT_FALSE(r->phases.tls.has_value());
  EXPECT_TRUE(r->phases.ttfb.has_value());
  EXPECT_TRUE(r->phases.transfer.has_value());
  EXPECT_GT(r->latency.count(), 0);
  EXPECT_EQ(r->remote_ip, "127.0.0.1");
  EXPECT_EQ(r->body_bytes, 5u);
  EXPECT_FALSE(r->tls_not_after.has_value());
  EXPECT_TRUE(r->headers.empty());  // kept only for failures
  EXPECT_EQ(r->started, clock_.Now());
  EXPECT_EQ(r->wall_started, clock_.WallNow());

  ASSERT_TRUE(std::regex_match(r->trace_id.str(), std::regex("[0-9a-f]{32}"))) << r->trace_id.str();
  const auto req = up.LastRequest("/ok");
  ASSERT_EQ(req.headers.count("traceparent"), 1u);
  EXPECT_TRUE(std::regex_match(req.headers.find("traceparent")->second,
                               std::regex("00-" + r->trace_id.str() + "-[0-9a-f]{16}-01")))
      << req.headers.find("traceparent")->second;
  ASSERT_EQ(req.headers.count("user-agent"), 1u);
  EXPECT_EQ(req.headers.find("user-agent")->second, std::string("gatewatch/") + core::kVersion);
}

TEST_F(ProberTest, SendsTargetMethodBodyAndHeaders) {
  FakeUpstream up;
  up.Start();
  up.Set("/post", Step(201));
  config::TargetSpec t = Target(up.Url("/post"));
  t.method = "POST";
  t.body = R"({"ping":1})";
  t.headers = {{"Authorization", core::Secret("Bearer s3cret")},
               {"User-Agent", core::Secret("custom/1")},
               {"Content-Type", core::Secret("application/json")}};
  t.expect_status = {config::StatusMatcher{201, 0}};
  const auto r = Run(t);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->success()) << r->detail;
  const auto req = up.LastRequest("/post");
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.body, R"({"ping":1})");
  EXPECT_EQ(req.headers.find("authorization")->second, "Bearer s3cret");
  EXPECT_EQ(req.headers.count("user-agent"), 1u);
  EXPECT_EQ(req.headers.find("user-agent")->second, "custom/1");
  EXPECT_EQ(req.headers.find("content-type")->second, "application/json");
}

TEST_F(ProberTest, TraceIdsDifferPerProbeAndFollowTheSeed) {
  FakeUpstream up;
  up.Start();
  up.Set("/ok", Step{});
  const auto a = Run(Target(up.Url("/ok")));
  const auto b = Run(Target(up.Url("/ok")));
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->trace_id, b->trace_id);

  net::CurlMulti other_multi;
  HttpProber same_seed(other_multi, clock_, 42);
  std::optional<ProbeResult> c;
  const config::TargetSpec target = Target(up.Url("/ok"));  // must outlive the probe
  same_seed.Start(target, [&c](ProbeResult&& r) { c = std::move(r); });
  for (int i = 0; i < 100 && !c; ++i) other_multi.Poll(milliseconds(50));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->trace_id, a->trace_id);
}

TEST_F(ProberTest, NginxAnswers502ForADeadUpstream) {
  NginxFixture nginx;
  nginx.AddDeadProxy("/dead");
  ASSERT_TRUE(nginx.Start());
  const auto r = Run(Target(nginx.Url("/dead"), milliseconds(2000)));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->http_status, 502);
  EXPECT_EQ(r->reason, FailureReason::kStatus);
  EXPECT_EQ(r->detail, "status 502, expected 2xx");
  EXPECT_EQ(HeaderValue(*r, "server").rfind("nginx", 0), 0u) << HeaderValue(*r, "server");
  EXPECT_NE(r->body_excerpt.find("502 Bad Gateway"), std::string::npos) << r->body_excerpt;
}

TEST_F(ProberTest, NginxProxiesALiveBackend) {
  FakeUpstream up;
  up.Start();
  up.Set("/live", Step(200, "from backend"));
  NginxFixture nginx;
  nginx.AddProxy("/live", up.port());
  nginx.AddStatic("/static", 200, "static ok");
  ASSERT_TRUE(nginx.Start());
  const auto r = Run(Target(nginx.Url("/live"), milliseconds(2000)));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->success()) << r->detail << "\n" << nginx.ErrorLog();
  EXPECT_EQ(r->http_status, 200);
  EXPECT_EQ(r->body_bytes, std::string("from backend").size());
  EXPECT_EQ(up.Hits("/live"), 1u);

  const auto s = Run(Target(nginx.Url("/static")));
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->success()) << s->detail;
  EXPECT_EQ(s->body_bytes, std::string("static ok").size());
}

TEST_F(ProberTest, NginxAnswers504ForASlowBackend) {
  FakeUpstream up;
  up.Start();
  up.Set("/slow", Step(200).Delay(milliseconds(2000)));
  NginxFixture nginx;
  nginx.AddProxy("/slow", up.port(), milliseconds(100));
  ASSERT_TRUE(nginx.Start());
  // Needs more than 200 ms: nginx itself waits its 100 ms read timeout first.
  const auto r = Run(Target(nginx.Url("/slow"), milliseconds(1500)));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->http_status, 504);
  EXPECT_EQ(r->reason, FailureReason::kStatus);
  EXPECT_EQ(r->detail, "status 504, expected 2xx");
}

TEST_F(ProberTest, ClosedPortIsRefusedAfterDns) {
  const int port = testing::PickFreePort();
  const auto r = Run(Target("http://127.0.0.1:" + std::to_string(port) + "/"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, FailureReason::kRefused) << r->detail;
  EXPECT_TRUE(r->phases.dns.has_value());
  EXPECT_FALSE(r->phases.connect.has_value());
  EXPECT_FALSE(r->phases.tls.has_value());
  EXPECT_FALSE(r->phases.ttfb.has_value());
  EXPECT_FALSE(r->phases.transfer.has_value());
  EXPECT_EQ(r->http_status, 0);
}

TEST_F(ProberTest, HangAfterAcceptTimesOut) {
  RawTcpServer server(RawTcpServer::Behavior::kHang);
  server.Start();
  const auto started = Clock::now();
  const auto r = Run(Target(server.Url("/"), milliseconds(200)));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, FailureReason::kTimeout) << r->detail;
  EXPECT_TRUE(r->phases.connect.has_value());
  EXPECT_FALSE(r->phases.ttfb.has_value());
  EXPECT_FALSE(r->phases.transfer.has_value());
  EXPECT_GE(r->latency, milliseconds(190));
  EXPECT_LT(Clock::now() - started, milliseconds(2000));
}

TEST_F(ProberTest, ResetMidBodyIsReset) {
  RawTcpServer server(RawTcpServer::Behavior::kResetMidBody);
  server.Start();
  const auto r = Run(Target(server.Url("/")));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, FailureReason::kReset) << r->detail;
  EXPECT_EQ(r->http_status, 200);  // the head arrived before the RST
  EXPECT_TRUE(r->phases.ttfb.has_value());
}

TEST_F(ProberTest, GarbageStatusLineIsProtocol) {
  RawTcpServer server(RawTcpServer::Behavior::kGarbageStatus);
  server.Start();
  const auto r = Run(Target(server.Url("/")));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, FailureReason::kProtocol) << r->detail;
  EXPECT_EQ(r->http_status, 0);
}

TEST_F(ProberTest, ImmediateCloseIsReset) {
  RawTcpServer server(RawTcpServer::Behavior::kCloseImmediately);
  server.Start();
  const auto r = Run(Target(server.Url("/")));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, FailureReason::kReset) << r->detail;
}

// curl 7.88 reports bad chunk framing as CURLE_RECV_ERROR ("... in chunked-encoding"), the
// same code as a socket reset; the transport tells them apart by that text (see
// net/curl_outcome.h), so this is a protocol failure, not a reset.
TEST_F(ProberTest, BrokenChunkedBodyIsProtocol) {
  RawTcpServer server(RawTcpServer::Behavior::kBrokenChunked);
  server.Start();
  const auto r = Run(Target(server.Url("/")));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, FailureReason::kProtocol) << r->detail;
  EXPECT_NE(r->detail.find("chunk"), std::string::npos) << r->detail;
  EXPECT_EQ(r->http_status, 200);
}

TEST_F(ProberTest, HugeBodyStopsAtTheCap) {
  RawTcpServer server(RawTcpServer::Behavior::kLargeBody, 50u << 20);
  server.Start();
  config::TargetSpec t = Target(server.Url("/"), milliseconds(2000));
  t.max_body_bytes = 64 * 1024;
  const auto started = Clock::now();
  const auto r = Run(t);
  ASSERT_TRUE(r);
  EXPECT_LT(Clock::now() - started, milliseconds(1000));
  EXPECT_TRUE(r->success()) << r->detail;  // a truncated body is still a response
  EXPECT_EQ(r->http_status, 200);
  EXPECT_EQ(r->body_bytes, 64u * 1024);
  // What the server got out is what fit in socket buffers before curl hung up, far from 50 MB.
  EXPECT_LT(server.bytes_sent(), 16u << 20);
}

TEST_F(ProberTest, RedirectToFileIsProtocolAndNeverRead) {
  FakeUpstream up;
  up.Start();
  up.Set("/r", Step(302, "").Header("Location", "file:///etc/passwd"));
  config::TargetSpec t = Target(up.Url("/r"));
  t.follow_redirects = true;
  const auto r = Run(t);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, FailureReason::kProtocol) << r->detail;
  EXPECT_EQ(r->body_excerpt.find("root:"), std::string::npos);
  EXPECT_EQ(up.Hits("/r"), 1u);
}

TEST_F(ProberTest, RedirectLoopIsProtocol) {
  FakeUpstream up;
  up.Start();
  up.Set("/loop", Step(302, "").Header("Location", "/loop"));
  config::TargetSpec t = Target(up.Url("/loop"), milliseconds(2000));
  t.follow_redirects = true;
  const auto r = Run(t);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, FailureReason::kProtocol) << r->detail;
  EXPECT_EQ(up.Hits("/loop"), 11u);  // the first request and 10 redirects, then curl gives up
}

TEST_F(ProberTest, RedirectIsFollowedOnlyWhenAsked) {
  FakeUpstream up;
  up.Start();
  up.Set("/from", Step(301, "").Header("Location", "/to"));
  up.Set("/to", Step(200, "arrived"));
  config::TargetSpec t = Target(up.Url("/from"));
  const auto not_followed = Run(t);
  ASSERT_TRUE(not_followed);
  EXPECT_EQ(not_followed->http_status, 301);
  EXPECT_EQ(not_followed->reason, FailureReason::kStatus);
  t.follow_redirects = true;
  const auto followed = Run(t);
  ASSERT_TRUE(followed);
  EXPECT_TRUE(followed->success()) << followed->detail;
  EXPECT_EQ(followed->body_bytes, 7u);
}

std::int64_t CertNotAfter(const std::string& cert_file) {
  const auto out = testing::RunCommand("openssl", {"x509", "-enddate", "-noout", "-in", cert_file});
  // "notAfter=Mar  1 12:00:00 2027 GMT"
  tm parts{};
  const auto eq = out.output.find('=');
  if (out.exit_code != 0 || eq == std::string::npos ||
      strptime(out.output.c_str() + eq + 1, "%b %d %H:%M:%S %Y GMT", &parts) == nullptr) {
    ADD_FAILURE() << "openssl x509: " << out.output;
    return 0;
  }
  return timegm(&parts);
}

TEST_F(ProberTest, SelfSignedCertificateFailsVerificationUnlessInsecure) {
  NginxFixture nginx;
  const std::string cert = nginx.dir() + "/cert.pem", key = nginx.dir() + "/key.pem";
  const auto made = testing::RunCommand(
      "openssl", {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                  "-nodes", "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=localhost"});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  nginx.EnableTls(cert, key);
  nginx.AddStatic("/tls", 200, "secure");
  ASSERT_TRUE(nginx.Start());

  config::TargetSpec t = Target(nginx.Url("/tls"), milliseconds(2000));
  const auto verified = Run(t);
  ASSERT_TRUE(verified);
  EXPECT_EQ(verified->reason, FailureReason::kTls) << verified->detail;
  EXPECT_NE(verified->detail.find("certificate verification failed"), std::string::npos)
      << verified->detail;
  EXPECT_NE(verified->detail.find("self-signed"), std::string::npos) << verified->detail;
  EXPECT_FALSE(verified->tls_not_after.has_value());

  t.tls_insecure = true;
  const auto insecure = Run(t);
  ASSERT_TRUE(insecure);
  EXPECT_TRUE(insecure->success()) << insecure->detail;
  EXPECT_TRUE(insecure->phases.tls.has_value());
  ASSERT_TRUE(insecure->tls_not_after.has_value());
  EXPECT_EQ(*insecure->tls_not_after, CertNotAfter(cert));
}

TEST_F(ProberTest, UnresolvableHostIsDns) {
  // .invalid never resolves (RFC 6761). Without a reachable resolver the lookup may hang;
  // then the probe times out while resolving, which is still a dns failure.
  const auto started = Clock::now();
  const auto r = Run(Target("http://nonexistent.invalid/", milliseconds(200)));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, FailureReason::kDns) << r->detail;
  EXPECT_FALSE(r->phases.dns.has_value());
  EXPECT_FALSE(r->phases.connect.has_value());
  // Bounded by the probe timeout even when the resolver hangs (no join on its thread).
  EXPECT_LT(Clock::now() - started, milliseconds(1000));
}

TEST_F(ProberTest, FiveHundredConcurrentProbesWithoutAThreadEach) {
  FakeUpstream up;
  up.Start();
  up.Set("/many", Step(200, "ok"));
  const config::TargetSpec t = Target(up.Url("/many"), milliseconds(5000));
  // One probe first, so every thread the server and libcurl keep for good already exists.
  ASSERT_TRUE(Run(t));
  const std::size_t threads_before = ThreadCount();
  constexpr int kProbes = 500;
  int ok = 0, done = 0;
  for (int i = 0; i < kProbes; ++i) {
    prober_.Start(t, [&](ProbeResult&& r) {
      ++done;
      if (r.success()) ++ok;
    });
  }
  EXPECT_EQ(prober_.InFlight(), static_cast<std::size_t>(kProbes));
  std::size_t peak_threads = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (done < kProbes && Clock::now() < deadline) {
    multi_.Poll(milliseconds(50));
    peak_threads = std::max(peak_threads, ThreadCount());
  }
  EXPECT_EQ(done, kProbes);
  EXPECT_EQ(ok, kProbes);
  EXPECT_EQ(up.Hits("/many"), static_cast<std::size_t>(kProbes) + 1);
  EXPECT_EQ(prober_.InFlight(), 0u);
  EXPECT_LT(peak_threads, threads_before + 10);
}

TEST_F(ProberTest, CancelledHungProbeNeverReportsAndEndsPromptly) {
  RawTcpServer server(RawTcpServer::Behavior::kHang);
  server.Start();
  int reported = 0;
  const config::TargetSpec hung = Target(server.Url("/"), milliseconds(5000));
  const auto id = prober_.Start(hung, [&reported](ProbeResult&&) { ++reported; });
  for (int i = 0; i < 100 && server.connections() == 0; ++i) multi_.Poll(milliseconds(20));
  ASSERT_EQ(server.connections(), 1u);
  const auto started = Clock::now();
  prober_.Cancel(id);
  EXPECT_LT(Clock::now() - started, milliseconds(100));
  EXPECT_EQ(prober_.InFlight(), 0u);
  EXPECT_EQ(multi_.InFlight(), 0u);
  prober_.Cancel(id);  // already gone: a no-op
  multi_.Poll(milliseconds(10));
  EXPECT_EQ(reported, 0);
}

TEST_F(ProberTest, CancelAllAndDestructionReportNothing) {
  RawTcpServer server(RawTcpServer::Behavior::kHang);
  server.Start();
  const config::TargetSpec hung = Target(server.Url("/"), milliseconds(5000));
  int reported = 0;
  for (int i = 0; i < 3; ++i) {
    prober_.Start(hung, [&](ProbeResult&&) { ++reported; });
  }
  multi_.Poll(milliseconds(10));
  prober_.CancelAll();
  EXPECT_EQ(prober_.InFlight(), 0u);
  {
    HttpProber scoped(multi_, clock_, 7);
    scoped.Start(hung, [&](ProbeResult&&) { ++reported; });
    EXPECT_EQ(multi_.InFlight(), 1u);
  }
  EXPECT_EQ(multi_.InFlight(), 0u);
  multi_.Poll(milliseconds(10));
  EXPECT_EQ(reported, 0);
}

TEST_F(ProberTest, OnDoneMayStartTheNextProbe) {
  FakeUpstream up;
  up.Start();
  up.Set("/chain", Step{});
  // A generous timeout: the test is about starting from inside a callback, and under TSan
  // with the suite running in parallel a 200 ms probe once timed out.
  const config::TargetSpec t = Target(up.Url("/chain"), std::chrono::seconds(2));
  int done = 0;
  std::function<void(ProbeResult &&)> next = [&](ProbeResult&& r) {
    EXPECT_TRUE(r.success()) << r.detail;
    if (++done < 5) prober_.Start(t, next);
  };
  prober_.Start(t, next);
  const auto deadline = Clock::now() + std::chrono::seconds(15);
  while (done < 5 && Clock::now() < deadline) multi_.Poll(milliseconds(50));
  EXPECT_EQ(done, 5);
  EXPECT_EQ(up.Hits("/chain"), 5u);
  EXPECT_EQ(prober_.InFlight(), 0u);
}

}  // namespace
}  // namespace gatewatch::probe
