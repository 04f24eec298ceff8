#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace gatewatch::testing {

// Certificates for TLS fault tests, made with the openssl CLI (EC P-256 keys) in a private
// temp dir: a test CA and one leaf for each way a certificate goes wrong.
//
//   TestCertificates certs;               // throws std::runtime_error if openssl fails
//   TlsServer server(certs.Expired());
//   ASSERT_TRUE(server.Start());
//   ... probe server.Url("/"), trusting certs.ca_file() or not ...
//
// Nothing trusts the test CA unless a client is told to (curl's CURLOPT_CAINFO): to the
// agent, which uses the system store, every CA-signed leaf here is "issued by an unknown
// CA", and OpenSSL reports that before it looks at dates or names. Clients that trust
// ca_file() see each leaf's own fault.
//
// The destructor removes the files. Not thread-safe; certificates are immutable once made.
class TestCertificates {
 public:
  struct Pair {
    std::string cert_file;  // PEM
    std::string key_file;   // PEM, unencrypted
  };

  TestCertificates();

  const std::string& ca_file() const { return ca_file_; }
  // CN=localhost, SAN DNS:localhost + IP:127.0.0.1, self-signed, valid for 30 days.
  const Pair& SelfSigned() const { return self_signed_; }
  // Signed by the test CA, for localhost + 127.0.0.1, valid for 30 days.
  const Pair& Valid() const { return valid_; }
  // Signed by the test CA, for localhost + 127.0.0.1, valid 2020-01-01 to 2020-02-01 UTC.
  const Pair& Expired() const { return expired_; }
  static constexpr std::int64_t kExpiredNotAfter = 1580515200;  // 2020-02-01T00:00:00Z
  // Signed by the test CA, for localhost + 127.0.0.1, valid from 2099-01-01 UTC.
  const Pair& NotYetValid() const { return not_yet_valid_; }
  // Signed by the test CA, valid now, but only for DNS:other.example.
  const Pair& WrongHost() const { return wrong_host_; }

 private:
  // Makes a key and a CSR for `cn` with `san`, then has the test CA sign it with the given
  // validity ("-days N" or "-startdate ... -enddate ...").
  Pair Signed(const std::string& name, const std::string& cn, const std::string& san,
              const std::vector<std::string>& validity);
  void Run(const std::vector<std::string>& args);

  TempDir dir_;
  std::string ca_file_, ca_key_, ca_config_;
  Pair self_signed_, valid_, expired_, not_yet_valid_, wrong_host_;
};

// `openssl s_server -www` on 127.0.0.1 at a port the kernel picks: answers "GET /" over TLS
// with a 200 status page, one connection at a time (enough for a probe every few ms).
// `extra_args` go to s_server as they are (e.g. {"-tls1_3"}). The destructor kills it.
class TlsServer {
 public:
  explicit TlsServer(const TestCertificates::Pair& pair, std::vector<std::string> extra_args = {});
  ~TlsServer();
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  // Starts s_server and returns once it has printed the port it accepts on (at most 5 s).
  [[nodiscard]] ::testing::AssertionResult Start();

  int port() const { return port_; }
  // "https://<host>:<port><path>"; the host must resolve to 127.0.0.1 (localhost does).
  std::string Url(const std::string& path = "/", const std::string& host = "127.0.0.1") const;
  std::string Output() const;  // what s_server printed, for failure messages

 private:
  TestCertificates::Pair pair_;
  std::vector<std::string> extra_args_;
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

}  // namespace gatewatch::testing
