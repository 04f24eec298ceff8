#include "diagnose/describe.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace gatewatch::diagnose {
namespace {

using probe::FailureReason;
using std::chrono::microseconds;

probe::ProbeResult Failed(FailureReason reason, std::string detail, long long latency_us = 0) {
  probe::ProbeResult r;
  r.reason = reason;
  r.detail = std::move(detail);
  r.latency = microseconds(latency_us);
  return r;
}

probe::ProbeResult Status(int status, std::string detail = "") {
  probe::ProbeResult r = Failed(FailureReason::kStatus, std::move(detail));
  r.http_status = status;
  r.remote_ip = "127.0.0.1";
  return r;
}

Fingerprint Fp(Responder responder) { return Fingerprint{responder, OriginOf(responder), "x"}; }

TEST(DescribeFailure, PassingProbeHasNoSentence) {
  EXPECT_EQ(DescribeFailure(probe::ProbeResult{}, nullptr), "");
}

TEST(DescribeFailure, Dns) {
  EXPECT_EQ(
      DescribeFailure(Failed(FailureReason::kDns, "Could not resolve host: nope.invalid"), nullptr),
      "DNS lookup failed: could not resolve nope.invalid");
  EXPECT_EQ(DescribeFailure(Failed(FailureReason::kDns, "dns"), nullptr), "DNS lookup failed");
  EXPECT_EQ(DescribeFailure(
                Failed(FailureReason::kDns, "Resolving timed out after 200 milliseconds"), nullptr),
            "DNS lookup failed: Resolving timed out after 200 milliseconds");
}

TEST(DescribeFailure, Refused) {
  // curl 7.88's words for ECONNREFUSED.
  probe::ProbeResult r = Failed(FailureReason::kRefused,
                                "Failed to connect to 127.0.0.1 port 8080 after 0 ms: Couldn't "
                                "connect to server");
  EXPECT_EQ(DescribeFailure(r, nullptr),
            "connection refused by 127.0.0.1:8080: nothing is listening on that port");
  r.remote_ip = "10.0.0.5";  // the address actually tried wins over the name in curl's text
  r.detail = "Failed to connect to api.internal port 443 after 1 ms: Couldn't connect to server";
  EXPECT_EQ(DescribeFailure(r, nullptr),
            "connection refused by 10.0.0.5:443: nothing is listening on that port");
  r.remote_ip = "::1";
  r.detail = "Failed to connect to localhost port 9 after 0 ms: Couldn't connect to server";
  EXPECT_EQ(DescribeFailure(r, nullptr),
            "connection refused by [::1]:9: nothing is listening on that port");
  EXPECT_EQ(DescribeFailure(Failed(FailureReason::kRefused, "refused"), nullptr),
            "connection refused: nothing is listening on the target port");
  EXPECT_EQ(DescribeFailure(Failed(FailureReason::kRefused,
                                   "Failed to connect to 10.9.9.9 port 80 after 3 ms: No route "
                                   "to host"),
                            nullptr),
            "no route to host 10.9.9.9:80: the host is down or unreachable");
}

TEST(DescribeFailure, ConnectTimeout) {
  probe::ProbeResult r = Failed(FailureReason::kConnectTimeout,
                                "Connection timed out after 3001 milliseconds", 3'001'000);
  r.remote_ip = "10.0.0.7";
  EXPECT_EQ(DescribeFailure(r, nullptr),
            "TCP connect to 10.0.0.7 timed out after 3.0 s: no answer (host down, packets "
            "dropped by a firewall, or a wrong address)");
}

TEST(DescribeFailure, TlsNamesTheCause) {
  const struct {
    std::string detail;
    std::string want;
  } cases[] = {
      // What net/ writes (net/curl_outcome.h): the cause is already named.
      {"certificate verification failed: certificate has expired",
       "TLS certificate rejected: certificate has expired"},
      {"certificate verification failed: self-signed certificate (no trusted CA issued it)",
       "TLS certificate rejected: self-signed certificate (no trusted CA issued it)"},
      {"certificate verification failed: certificate is not valid for host name 'a.example'",
       "TLS certificate rejected: certificate is not valid for host name 'a.example'"},
      {"TLS handshake failed: the server does not speak TLS on this port (is it plain HTTP?) "
       "(wrong version number)",
       "TLS handshake failed: the server does not speak TLS on this port (is it plain HTTP?) "
       "(wrong version number)"},
      {"TLS handshake failed: no TLS protocol version in common with the server (unsupported "
       "protocol)",
       "TLS handshake failed: no TLS protocol version in common with the server (unsupported "
       "protocol)"},
      // curl's raw words, as older results and other paths carry them.
      {"certificate verification failed: SSL certificate problem: certificate has expired",
       "TLS certificate rejected: certificate has expired"},
      {"SSL: no alternative certificate subject name matches target host name 'a.example'",
       "TLS handshake failed: no alternative certificate subject name matches target host name "
       "'a.example'"},
      {"tls", "TLS handshake failed"},
      {"", "TLS handshake failed"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.detail);
    EXPECT_EQ(DescribeFailure(Failed(FailureReason::kTls, c.detail), nullptr), c.want);
  }
}

TEST(DescribeFailure, TimeoutSaysWhichPhaseHung) {
  probe::ProbeResult waiting =
      Failed(FailureReason::kTimeout,
             "Operation timed out after 3000 milliseconds with 0 bytes received", 3'000'400);
  waiting.phases.dns = microseconds(20);
  waiting.phases.connect = microseconds(1'234);
  EXPECT_EQ(DescribeFailure(waiting, nullptr),
            "timed out after 3.0 s waiting for the first byte (connected in 1.2 ms)");

  waiting.phases.tls = microseconds(4'560);
  EXPECT_EQ(DescribeFailure(waiting, nullptr),
            "timed out after 3.0 s waiting for the first byte (connected in 1.2 ms, TLS in "
            "4.6 ms)");

  probe::ProbeResult handshake = Failed(FailureReason::kTimeout, "SSL connection timeout", 200'000);
  handshake.phases.connect = microseconds(850);
  EXPECT_EQ(DescribeFailure(handshake, nullptr),
            "timed out after 200.0 ms during the TLS handshake (connected in 850 us)");

  probe::ProbeResult body = Failed(FailureReason::kTimeout,
                                   "Operation timed out after 200 milliseconds with 1000 out of "
                                   "100000 bytes received",
                                   200'100);
  body.phases.connect = microseconds(90);
  body.phases.ttfb = microseconds(12'000);
  body.http_status = 200;
  body.body_bytes = 1000;
  EXPECT_EQ(DescribeFailure(body, nullptr),
            "timed out after 200.1 ms while reading the response body (first byte after 12.0 "
            "ms, 1000 bytes read)");

  // A TLS server that accepts and never finishes the handshake: curl 7.88 has no connect
  // time for it, only the address.
  probe::ProbeResult hung_tls =
      Failed(FailureReason::kTimeout,
             "TLS handshake timed out (Connection timed out after 150 milliseconds)", 150'300);
  hung_tls.phases.dns = microseconds(40);
  hung_tls.remote_ip = "127.0.0.1";
  EXPECT_EQ(DescribeFailure(hung_tls, nullptr),
            "timed out after 150.3 ms during the TLS handshake (TCP connected to 127.0.0.1)");

  // Slowloris: bytes of the head trickle in, the status line never completes.
  probe::ProbeResult head = Failed(FailureReason::kTimeout,
                                   "Operation timed out after 300 milliseconds with 0 bytes "
                                   "received",
                                   300'200);
  head.phases.connect = microseconds(90);
  head.phases.ttfb = microseconds(400);
  EXPECT_EQ(DescribeFailure(head, nullptr),
            "timed out after 300.2 ms receiving the response head (first byte after 400 us; the "
            "status line never completed)");

  EXPECT_EQ(DescribeFailure(Failed(FailureReason::kTimeout, "timeout", 5'000'000), nullptr),
            "timed out after 5.0 s waiting for the response");
}

TEST(DescribeFailure, Reset) {
  probe::ProbeResult empty = Failed(FailureReason::kReset, "Empty reply from server");
  empty.remote_ip = "127.0.0.1";
  EXPECT_EQ(DescribeFailure(empty, nullptr),
            "connection closed by 127.0.0.1 before any response (empty reply)");

  probe::ProbeResult rst = Failed(FailureReason::kReset, "Recv failure: Connection reset by peer");
  EXPECT_EQ(DescribeFailure(rst, nullptr),
            "connection reset before any response: Recv failure: Connection reset by peer");

  probe::ProbeResult mid = rst;
  mid.remote_ip = "127.0.0.1";
  mid.http_status = 200;
  mid.body_bytes = 1000;
  EXPECT_EQ(DescribeFailure(mid, nullptr),
            "connection reset by 127.0.0.1 mid-response (status 200, 1000 bytes read): Recv "
            "failure: Connection reset by peer");
}

TEST(DescribeFailure, Protocol) {
  probe::ProbeResult r =
      Failed(FailureReason::kProtocol, "Unsupported HTTP/1 subversion in response");
  EXPECT_EQ(DescribeFailure(r, nullptr),
            "protocol error: Unsupported HTTP/1 subversion in response");
  r.remote_ip = "127.0.0.1";
  EXPECT_EQ(DescribeFailure(r, nullptr),
            "protocol error talking to 127.0.0.1: Unsupported HTTP/1 subversion in response");
}

TEST(DescribeFailure, ServerErrorsNameTheHop) {
  const struct {
    int status;
    Responder responder;
    const char* want;
  } cases[] = {
      {502, Responder::kNginx,
       "502 from nginx (gateway): the gateway got no valid answer from its upstream"},
      {503, Responder::kHaproxy,
       "503 from HAProxy (gateway): the gateway has no available upstream (none healthy, or it "
       "is overloaded)"},
      {504, Responder::kEnvoy,
       "504 from Envoy (gateway): the gateway timed out waiting for its upstream"},
      {500, Responder::kApache, "500 from Apache httpd (gateway): the gateway failed on its own"},
      {502, Responder::kAwsElb,
       "502 from the AWS load balancer (gateway): the gateway got no valid answer from its "
       "upstream"},
      {500, Responder::kApplication,
       "500 from the application (app): the application itself returned the error; the hops in "
       "front passed it on"},
      {521, Responder::kCloudflare,
       "521 from Cloudflare (cdn): the origin web server refused the connection"},
      {522, Responder::kCloudflare,
       "522 from Cloudflare (cdn): the connection to the origin timed out"},
      {524, Responder::kCloudflare,
       "524 from Cloudflare (cdn): the origin accepted the connection but did not answer in time"},
      {526, Responder::kCloudflare,
       "526 from Cloudflare (cdn): the origin's TLS certificate is invalid"},
      {502, Responder::kCloudflare,
       "502 from Cloudflare (cdn): the CDN got no valid answer from the origin"},
      {504, Responder::kAkamai, "504 from Akamai (cdn): the CDN timed out waiting for the origin"},
      {502, Responder::kUnknown,
       "502 from an unidentified hop (unknown): no known error page or header says whether a "
       "gateway or the application produced it"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.want);
    const Fingerprint fp = Fp(c.responder);
    EXPECT_EQ(DescribeFailure(Status(c.status, "status 5xx, expected 2xx"), &fp), c.want);
  }
}

TEST(DescribeFailure, ServerErrorWithoutFingerprintUsesTheStatus) {
  EXPECT_EQ(DescribeFailure(Status(502), nullptr),
            "502 Bad Gateway: a gateway got no valid answer from its upstream");
  EXPECT_EQ(DescribeFailure(Status(504), nullptr),
            "504 Gateway Timeout: a gateway timed out waiting for its upstream");
  EXPECT_EQ(DescribeFailure(Status(599), nullptr), "599 server error");
}

TEST(DescribeFailure, OtherStatusesQuoteTheExpectation) {
  const Fingerprint fp = Fp(Responder::kNginx);
  EXPECT_EQ(DescribeFailure(Status(404, "status 404, expected 2xx"), &fp),
            "unexpected status 404, expected 2xx");
  EXPECT_EQ(DescribeFailure(Status(301), nullptr), "unexpected status 301");
}

TEST(DescribeFailure, BodyAndHealth) {
  EXPECT_EQ(DescribeFailure(Failed(FailureReason::kBody, "body does not match /UP/"), nullptr),
            "unexpected body: body does not match /UP/");
  EXPECT_EQ(DescribeFailure(Failed(FailureReason::kHealth, "health status \"DOWN\""), nullptr),
            "the service reports itself unhealthy: health status \"DOWN\"");
}

TEST(DescribeFailure, EveryReasonHasASentence) {
  for (const FailureReason reason : probe::kAllFailureReasons) {
    probe::ProbeResult r = Failed(reason, "x");
    r.http_status = reason == FailureReason::kStatus ? 503 : 0;
    EXPECT_FALSE(DescribeFailure(r, nullptr).empty()) << probe::ReasonName(reason);
  }
}

}  // namespace
}  // namespace gatewatch::diagnose
