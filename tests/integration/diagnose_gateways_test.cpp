// "Which hop answered", against the real products: nginx, HAProxy, lighttpd, Apache httpd,
// Squid and Varnish are started on loopback, their own 5xx answers are probed with the real
// prober, and IdentifyResponder must name them (origin gateway); an application's own 5xx
// passed on by them must come out as the application. DescribeFailure is checked on real
// transport failures too, so its reading of curl's words stays true to curl.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "diagnose/describe.h"
#include "diagnose/responder.h"
#include "net/curl_multi.h"
#include "probe/http_prober.h"
#include "support/fake_upstream.h"
#include "support/gateway_fixture.h"
#include "support/haproxy_fixture.h"
#include "support/manual_clock.h"
#include "support/nginx_fixture.h"
#include "support/raw_tcp_server.h"

namespace gatewatch::diagnose {
namespace {

using std::chrono::milliseconds;
using testing::FakeUpstream;
using testing::GatewayFixture;
using testing::HaproxyFixture;
using testing::NginxFixture;
using testing::RawTcpServer;
using Step = FakeUpstream::Step;
using Product = GatewayFixture::Product;

// A Spring Boot style error document, as an application behind the gateway would send it.
constexpr const char* kAppError = R"({"timestamp":"2026-01-01T00:00:00.000+00:00","status":500,)"
                                  R"("error":"Internal Server Error","path":"/app"})";

config::TargetSpec Target(const std::string& url, milliseconds timeout = milliseconds(2000)) {
  config::TargetSpec t;
  t.name = "t";
  t.url = url;
  t.timeout = timeout;
  return t;
}

std::string Header(const probe::ProbeResult& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

// The whole response as kept for diagnosis, for failure messages.
std::string Dump(const probe::ProbeResult& r) {
  std::string s = "status " + std::to_string(r.http_status) + " (" + r.detail + ")\n";
  for (const auto& [k, v] : r.headers) s += k + ": " + v + "\n";
  return s + "\n" + r.body_excerpt;
}

class DiagnoseGatewaysTest : public ::testing::Test {
 protected:
  // Runs one probe to completion on this thread (bounded by `limit` of real time).
  probe::ProbeResult Run(const config::TargetSpec& target,
                         milliseconds limit = milliseconds(5000)) {
    std::optional<probe::ProbeResult> out;
    prober_.Start(target, [&out](probe::ProbeResult&& r) { out = std::move(r); });
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!out && std::chrono::steady_clock::now() < deadline) multi_.Poll(milliseconds(50));
    EXPECT_TRUE(out) << "probe of " << target.url << " did not finish";
    return out ? std::move(*out) : probe::ProbeResult{};
  }

  // Probes `url`, expects `status`, and checks who IdentifyResponder says answered.
  void ExpectResponder(const std::string& url, int status, Responder want, Origin origin,
                       const std::string& log, milliseconds timeout = milliseconds(2000)) {
    SCOPED_TRACE(url);
    const probe::ProbeResult r = Run(Target(url, timeout));
    ASSERT_EQ(r.http_status, status) << Dump(r) << "\n" << log;
    ASSERT_EQ(r.reason, probe::FailureReason::kStatus) << r.detail;
    const Fingerprint f = IdentifyResponder(r);
    EXPECT_EQ(ResponderName(f.responder), ResponderName(want)) << f.evidence << "\n" << Dump(r);
    EXPECT_EQ(OriginName(f.origin), OriginName(origin)) << f.evidence << "\n" << Dump(r);
    last_ = r;
    last_fingerprint_ = f;
  }

  testing::ManualClock clock_;
  net::CurlMulti multi_;
  probe::HttpProber prober_{multi_, clock_, 7};
  probe::ProbeResult last_;
  Fingerprint last_fingerprint_;
};

TEST_F(DiagnoseGatewaysTest, NginxOwnPagesAndTheAppBehindIt) {
  FakeUpstream app;
  app.Start();
  app.Set("/app", Step(500, kAppError).ContentType("application/json"));
  app.Set("/app502",
          Step(502, R"({"error":"payment provider unavailable"})").ContentType("application/json"));
  app.Set("/slow", Step(200).Delay(milliseconds(2000)));
  NginxFixture nginx;
  nginx.AddDeadProxy("/dead");
  nginx.AddProxy("/slow", app.port(), milliseconds(100));
  nginx.AddProxy("/app", app.port());
  nginx.AddProxy("/app502", app.port());
  ASSERT_TRUE(nginx.Start());

  ExpectResponder(nginx.Url("/dead"), 502, Responder::kNginx, Origin::kGateway, nginx.ErrorLog());
  EXPECT_EQ(last_fingerprint_.evidence.rfind("server: nginx/", 0), 0u)
      << last_fingerprint_.evidence;
  EXPECT_NE(last_fingerprint_.evidence.find("nginx error page"), std::string::npos);
  EXPECT_EQ(DescribeFailure(last_, &last_fingerprint_),
            "502 from nginx (gateway): the gateway got no valid answer from its upstream");

  ExpectResponder(nginx.Url("/slow"), 504, Responder::kNginx, Origin::kGateway, nginx.ErrorLog());
  EXPECT_EQ(DescribeFailure(last_, &last_fingerprint_),
            "504 from nginx (gateway): the gateway timed out waiting for its upstream");

  // nginx sets its Server header on the application's answer too; the body says who wrote it.
  ExpectResponder(nginx.Url("/app"), 500, Responder::kApplication, Origin::kApp, nginx.ErrorLog());
  EXPECT_EQ(Header(last_, "server").rfind("nginx", 0), 0u) << Dump(last_);
  EXPECT_EQ(DescribeFailure(last_, &last_fingerprint_),
            "500 from the application (app): the application itself returned the error; the "
            "hops in front passed it on");

  // Even a 502 is the application's when the application wrote it.
  ExpectResponder(nginx.Url("/app502"), 502, Responder::kApplication, Origin::kApp,
                  nginx.ErrorLog());
}

TEST_F(DiagnoseGatewaysTest, HaproxyOwnPagesHaveNoServerHeader) {
  FakeUpstream app;
  app.Start();
  app.Set("/slow", Step(200).Delay(milliseconds(2000)));
  app.Set("/app", Step(500, kAppError).ContentType("application/json"));
  RawTcpServer garbage(RawTcpServer::Behavior::kGarbageStatus);
  garbage.Start();
  HaproxyFixture haproxy;
  haproxy.AddDeadBackend("/dead");
  haproxy.AddBackend("/garbage", garbage.port());
  haproxy.AddBackend("/slow", app.port(), milliseconds(100));
  haproxy.AddBackend("/app", app.port());
  ASSERT_TRUE(haproxy.Start());

  ExpectResponder(haproxy.Url("/dead"), 503, Responder::kHaproxy, Origin::kGateway, haproxy.Log());
  EXPECT_EQ(Header(last_, "server"), "") << Dump(last_);
  EXPECT_NE(last_.body_excerpt.find("No server is available to handle this request."),
            std::string::npos)
      << Dump(last_);
  EXPECT_EQ(DescribeFailure(last_, &last_fingerprint_),
            "503 from HAProxy (gateway): the gateway has no available upstream (none healthy, or "
            "it is overloaded)");

  ExpectResponder(haproxy.Url("/garbage"), 502, Responder::kHaproxy, Origin::kGateway,
                  haproxy.Log());
  EXPECT_NE(last_.body_excerpt.find("The server returned an invalid or incomplete response."),
            std::string::npos)
      << Dump(last_);

  ExpectResponder(haproxy.Url("/slow"), 504, Responder::kHaproxy, Origin::kGateway, haproxy.Log());
  EXPECT_NE(last_.body_excerpt.find("The server didn't respond in time."), std::string::npos)
      << Dump(last_);

  ExpectResponder(haproxy.Url("/app"), 500, Responder::kApplication, Origin::kApp, haproxy.Log());
}

TEST_F(DiagnoseGatewaysTest, LighttpdOwnPageAndTheAppBehindIt) {
  FakeUpstream app;
  app.Start();
  app.Set("/app", Step(500, kAppError).ContentType("application/json"));
  GatewayFixture lighttpd(Product::kLighttpd);
  lighttpd.AddDeadProxy("/dead");
  lighttpd.AddProxy("/app", app.port());
  ASSERT_TRUE(lighttpd.Start()) << lighttpd.Log();

  ExpectResponder(lighttpd.Url("/dead"), 503, Responder::kLighttpd, Origin::kGateway,
                  lighttpd.Log());
  EXPECT_EQ(Header(last_, "server").rfind("lighttpd", 0), 0u) << Dump(last_);
  ExpectResponder(lighttpd.Url("/app"), 500, Responder::kApplication, Origin::kApp, lighttpd.Log());
}

TEST_F(DiagnoseGatewaysTest, ApacheOwnPageAndTheAppBehindIt) {
  FakeUpstream app;
  app.Start();
  app.Set("/app", Step(500, kAppError).ContentType("application/json"));
  GatewayFixture apache(Product::kApache);
  apache.AddDeadProxy("/dead");
  apache.AddProxy("/app", app.port());
  ASSERT_TRUE(apache.Start()) << apache.Log();

  ExpectResponder(apache.Url("/dead"), 503, Responder::kApache, Origin::kGateway, apache.Log());
  EXPECT_EQ(Header(last_, "server").rfind("Apache", 0), 0u) << Dump(last_);
  ExpectResponder(apache.Url("/app"), 500, Responder::kApplication, Origin::kApp, apache.Log());
}

TEST_F(DiagnoseGatewaysTest, SquidOwnPageIsMarkedByItsHeader) {
  // Squid 5 keeps its collapsed-forwarding table in POSIX shared memory, opened as its own
  // unprivileged user: without a world-writable /dev/shm (say, a chroot that bound the
  // host's /dev without the tmpfs mounted on /dev/shm) it dies at start, whatever we ask.
  struct stat shm {};
  if (stat("/dev/shm", &shm) != 0 || (shm.st_mode & S_IWOTH) == 0) {
    GTEST_SKIP() << "squid needs a world-writable /dev/shm, and this machine's is not";
  }
  FakeUpstream app;
  app.Start();
  app.Set("/app", Step(500, kAppError).ContentType("application/json"));
  GatewayFixture squid(Product::kSquid);
  squid.AddDeadProxy("/dead");
  squid.AddProxy("/app", app.port());
  ASSERT_TRUE(squid.Start()) << squid.Log();

  ExpectResponder(squid.Url("/dead"), 502, Responder::kSquid, Origin::kGateway, squid.Log());
  EXPECT_NE(Header(last_, "x-squid-error"), "") << Dump(last_);
  EXPECT_NE(last_fingerprint_.evidence.find("x-squid-error: ERR_"), std::string::npos)
      << last_fingerprint_.evidence;
  ExpectResponder(squid.Url("/app"), 500, Responder::kApplication, Origin::kApp, squid.Log());
}

TEST_F(DiagnoseGatewaysTest, VarnishOwnPageAndTheAppBehindIt) {
  FakeUpstream app;
  app.Start();
  app.Set("/app", Step(500, kAppError).ContentType("application/json"));
  GatewayFixture varnish(Product::kVarnish);
  varnish.AddDeadProxy("/dead");
  varnish.AddProxy("/app", app.port());
  ASSERT_TRUE(varnish.Start()) << varnish.Log();

  ExpectResponder(varnish.Url("/dead"), 503, Responder::kVarnish, Origin::kGateway, varnish.Log());
  EXPECT_NE(last_.body_excerpt.find("Guru Meditation"), std::string::npos) << Dump(last_);
  ExpectResponder(varnish.Url("/app"), 500, Responder::kApplication, Origin::kApp, varnish.Log());
}

TEST_F(DiagnoseGatewaysTest, SentencesForRealTransportFailures) {
  const int closed = testing::PickFreePort();
  const probe::ProbeResult refused =
      Run(Target("http://127.0.0.1:" + std::to_string(closed) + "/", milliseconds(200)));
  ASSERT_EQ(refused.reason, probe::FailureReason::kRefused) << refused.detail;
  EXPECT_EQ(DescribeFailure(refused, nullptr),
            "connection refused by 127.0.0.1:" + std::to_string(closed) +
                ": nothing is listening on that port")
      << refused.detail;

  RawTcpServer hang(RawTcpServer::Behavior::kHang);
  hang.Start();
  const probe::ProbeResult timeout = Run(Target(hang.Url("/"), milliseconds(200)));
  ASSERT_EQ(timeout.reason, probe::FailureReason::kTimeout) << timeout.detail;
  const std::string timed_out = DescribeFailure(timeout, nullptr);
  // curl's timer fires within a millisecond or so of the 200 ms limit, on either side.
  ASSERT_EQ(timed_out.rfind("timed out after ", 0), 0u) << timed_out;
  const double waited_ms = std::stod(timed_out.substr(16));
  EXPECT_GE(waited_ms, 190.0) << timed_out;
  EXPECT_LT(waited_ms, 1000.0) << timed_out;
  EXPECT_NE(timed_out.find("ms waiting for the first byte (connected in "), std::string::npos)
      << timed_out;

  RawTcpServer closer(RawTcpServer::Behavior::kCloseImmediately);
  closer.Start();
  const probe::ProbeResult reset = Run(Target(closer.Url("/"), milliseconds(200)));
  ASSERT_EQ(reset.reason, probe::FailureReason::kReset) << reset.detail;
  const std::string closed_sentence = DescribeFailure(reset, nullptr);
  EXPECT_EQ(closed_sentence.rfind("connection ", 0), 0u) << closed_sentence;
  EXPECT_NE(closed_sentence.find("by 127.0.0.1 before any response"), std::string::npos)
      << closed_sentence;

  RawTcpServer garbage(RawTcpServer::Behavior::kGarbageStatus);
  garbage.Start();
  const probe::ProbeResult protocol = Run(Target(garbage.Url("/"), milliseconds(200)));
  ASSERT_EQ(protocol.reason, probe::FailureReason::kProtocol) << protocol.detail;
  EXPECT_EQ(DescribeFailure(protocol, nullptr),
            "protocol error talking to 127.0.0.1: " + protocol.detail);
}

}  // namespace
}  // namespace gatewatch::diagnose
