// TLS failures against real servers (openssl s_server with certificates made for each case):
// libcurl's real code, verify result and words for each, the cause net/ names from them,
// and the sentence a user reads. Some causes need a client that trusts the test CA
// (OpenSSL reports an untrusted issuer before it looks at dates or names); the agent has no
// setting for that, so those cases drive libcurl directly with CURLOPT_CAINFO and feed what
// it reports through the same pure functions the transport uses.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "diagnose/describe.h"
#include "net/curl_multi.h"
#include "net/curl_outcome.h"
#include "probe/http_prober.h"
#include "support/fake_upstream.h"
#include "support/manual_clock.h"
#include "support/raw_tcp_server.h"
#include "support/tls_server.h"

namespace gatewatch::testing {
namespace {

using net::TlsCause;
using std::chrono::milliseconds;

struct Handshake {
  CURLcode code = CURLE_OK;
  long verify_result = 0;
  std::string error;
};

// One GET with libcurl's easy interface, trusting `ca_file` ("" = the system store).
Handshake Get(const std::string& url, const std::string& ca_file) {
  CURL* easy = curl_easy_init();
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(
      easy, CURLOPT_WRITEFUNCTION,
      +[](char*, size_t size, size_t count, void*) { return size * count; });
  if (!ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, ca_file.c_str());
  Handshake h;
  h.code = curl_easy_perform(easy);
  curl_easy_getinfo(easy, CURLINFO_SSL_VERIFYRESULT, &h.verify_result);
  h.error = error;
  curl_easy_cleanup(easy);
  return h;
}

class TlsCausesTest : public ::testing::Test {
 protected:
  // The TransportError the transport would report for `h` (TCP connected, TLS unfinished).
  static net::TransportError Mapped(const Handshake& h) {
    return net::MapCurlOutcome({h.code, 0, h.error, {1, 2, 0, 0, 0, 3}, false});
  }

  // One probe of `url` by the agent's prober (system trust store), bounded to 5 s.
  std::optional<probe::ProbeResult> Probe(const std::string& url,
                                          milliseconds timeout = milliseconds(2000),
                                          bool tls_insecure = false) {
    target_.name = "t";
    target_.url = url;
    target_.timeout = timeout;
    target_.tls_insecure = tls_insecure;
    std::optional<probe::ProbeResult> out;
    prober_.Start(target_, [&out](probe::ProbeResult&& r) { out = std::move(r); });
    for (int i = 0; i < 100 && !out; ++i) multi_.Poll(milliseconds(50));
    return out;
  }

  // Made once for the suite: generating them is most of each test's time.
  static void SetUpTestSuite() { certs_ = std::make_unique<TestCertificates>(); }
  static void TearDownTestSuite() { certs_.reset(); }

  static inline std::unique_ptr<TestCertificates> certs_;
  config::TargetSpec target_;  // outlives every probe of prober_
  ManualClock clock_;
  net::CurlMulti multi_;
  probe::HttpProber prober_{multi_, clock_, 7};
};

TEST_F(TlsCausesTest, TrustedTestCaSucceedsSoTheOtherCasesAreAboutTheCertificate) {
  TlsServer server(certs_->Valid());
  ASSERT_TRUE(server.Start());
  const Handshake trusted = Get(server.Url("/"), certs_->ca_file());
  EXPECT_EQ(trusted.code, CURLE_OK) << trusted.error;
  EXPECT_EQ(trusted.verify_result, 0);
}

TEST_F(TlsCausesTest, ExpiredCertificateFromATrustedCa) {
  TlsServer server(certs_->Expired());
  ASSERT_TRUE(server.Start());
  const Handshake h = Get(server.Url("/"), certs_->ca_file());
  ASSERT_EQ(h.code, CURLE_PEER_FAILED_VERIFICATION) << h.error;
  EXPECT_EQ(h.verify_result, net::kX509CertHasExpired);
  EXPECT_EQ(Mapped(h), net::TransportError::kTls);
  EXPECT_EQ(net::ClassifyTlsFailure(h.code, h.verify_result, h.error), TlsCause::kExpired);
  EXPECT_EQ(net::ErrorText(h.code, h.error, h.verify_result),
            "certificate verification failed: certificate has expired");
}

TEST_F(TlsCausesTest, NotYetValidCertificateFromATrustedCa) {
  TlsServer server(certs_->NotYetValid());
  ASSERT_TRUE(server.Start());
  const Handshake h = Get(server.Url("/"), certs_->ca_file());
  ASSERT_EQ(h.code, CURLE_PEER_FAILED_VERIFICATION) << h.error;
  EXPECT_EQ(net::ClassifyTlsFailure(h.code, h.verify_result, h.error), TlsCause::kNotYetValid);
}

TEST_F(TlsCausesTest, HostNameMismatchNamesTheHost) {
  TlsServer server(certs_->WrongHost());
  ASSERT_TRUE(server.Start());
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    SCOPED_TRACE(host);
    const Handshake h = Get(server.Url("/", host), certs_->ca_file());
    ASSERT_EQ(h.code, CURLE_PEER_FAILED_VERIFICATION) << h.error;
    EXPECT_EQ(Mapped(h), net::TransportError::kTls);
    EXPECT_EQ(net::ClassifyTlsFailure(h.code, h.verify_result, h.error), TlsCause::kHostMismatch);
    EXPECT_EQ(
        net::ErrorText(h.code, h.error, h.verify_result),
        "certificate verification failed: certificate is not valid for host name '" + host + "'");
  }
}

// From here on, what the agent itself sees (system trust store) through the real transport
// and prober, and the diagnosis sentence built from it.

TEST_F(TlsCausesTest, SelfSignedThroughTheProber) {
  TlsServer server(certs_->SelfSigned());
  ASSERT_TRUE(server.Start());
  const auto r = Probe(server.Url("/"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, probe::FailureReason::kTls) << r->detail;
  EXPECT_EQ(r->detail,
            "certificate verification failed: self-signed certificate (no trusted CA "
            "issued it)");
  EXPECT_EQ(diagnose::DescribeFailure(*r, nullptr),
            "TLS certificate rejected: self-signed certificate (no trusted CA issued it)");
}

TEST_F(TlsCausesTest, UnknownCaThroughTheProberEvenWhenAlsoExpiredOrForAnotherHost) {
  // OpenSSL stops at the first failed check, and the issuer comes first.
  for (const auto* pair : {&certs_->Valid(), &certs_->Expired(), &certs_->WrongHost()}) {
    SCOPED_TRACE(pair->cert_file);
    TlsServer server(*pair);
    ASSERT_TRUE(server.Start());
    const auto r = Probe(server.Url("/"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->reason, probe::FailureReason::kTls) << r->detail;
    EXPECT_EQ(diagnose::DescribeFailure(*r, nullptr),
              "TLS certificate rejected: issued by an unknown CA: the issuer is not trusted here, "
              "or the server does not send its intermediate certificate (unable to get local "
              "issuer certificate)");
  }
}

TEST_F(TlsCausesTest, HttpsToAPlainHttpPortSaysTheServerDoesNotSpeakTls) {
  FakeUpstream plain;
  plain.Set("/", FakeUpstream::Step(200, "plain"));
  plain.Start();
  const auto r = Probe("https://127.0.0.1:" + std::to_string(plain.port()) + "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, probe::FailureReason::kTls) << r->detail;
  EXPECT_EQ(diagnose::DescribeFailure(*r, nullptr),
            "TLS handshake failed: the server does not speak TLS on this port (is it plain "
            "HTTP?) (wrong version number)");
}

TEST_F(TlsCausesTest, HandshakeThatNeverFinishesIsATimeoutNotATcpConnectTimeout) {
  // Accepts and never answers the ClientHello. curl 7.88 has no connect time for it, so
  // this read as "TCP connect timed out: host down or firewall" before.
  RawTcpServer server(RawTcpServer::Behavior::kHang);
  server.Start();
  const auto r =
      Probe("https://127.0.0.1:" + std::to_string(server.port()) + "/", milliseconds(200));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, probe::FailureReason::kTimeout) << r->detail;
  EXPECT_EQ(r->remote_ip, "127.0.0.1");
  EXPECT_NE(diagnose::DescribeFailure(*r, nullptr)
                .find("during the TLS handshake (TCP connected to 127.0.0.1)"),
            std::string::npos)
      << diagnose::DescribeFailure(*r, nullptr);
}

TEST_F(TlsCausesTest, ServerDemandingAClientCertificateIsTlsNotAReset) {
  // TLS 1.3 sends the "certificate required" alert after the handshake, so curl meets it on
  // its first read (CURLE_RECV_ERROR), which looks like a reset unless the words are read.
  TlsServer server(certs_->SelfSigned(), {"-Verify", "1", "-verify_return_error"});
  ASSERT_TRUE(server.Start());
  // Insecure: past our own check of its certificate, to meet the server's check of ours.
  const auto r = Probe(server.Url("/"), milliseconds(2000), /*tls_insecure=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, probe::FailureReason::kTls) << r->detail;
  EXPECT_EQ(diagnose::DescribeFailure(*r, nullptr),
            "TLS handshake failed: the server requires a client certificate (tlsv13 alert "
            "certificate required)");
}

}  // namespace
}  // namespace gatewatch::testing
