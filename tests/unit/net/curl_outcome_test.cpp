#include "net/curl_outcome.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <optional>
#include <string>

namespace gatewatch::net {
namespace {

using std::nullopt;
using Opt = std::optional<Micros>;

Opt Us(std::int64_t us) { return Micros(us); }

struct PhaseCase {
  std::string name;
  CurlTimes times;
  bool https;
  Opt dns, connect, tls, ttfb, transfer;
  Micros total;
};

TEST(ComputePhases, Table) {
  // clang-format off
  // times: namelookup, connect, appconnect, pretransfer, starttransfer, total
  // expected: dns, connect, tls, ttfb, transfer, total
  const PhaseCase cases[] = {
      {"http success", {100, 300, 0, 310, 1310, 1500}, false,
       Us(100), Us(200), nullopt, Us(1010), Us(190), Micros(1500)},
      {"https success", {100, 300, 800, 810, 1810, 2000}, true,
       Us(100), Us(200), Us(500), Us(1010), Us(190), Micros(2000)},
      {"appconnect on plain http is not tls", {100, 300, 300, 310, 1310, 1500}, false,
       Us(100), Us(200), nullopt, Us(1010), Us(190), Micros(1500)},
      // curl stamped PRETRANSFER after the answer had arrived; ttfb still counts from connect.
      {"late pretransfer stamp", {28, 156, 0, 250, 252, 261}, false,
       Us(28), Us(128), nullopt, Us(96), Us(9), Micros(261)},
      {"refused at connect", {50, 0, 0, 0, 0, 120}, false,
       Us(50), nullopt, nullopt, nullopt, nullopt, Micros(120)},
      {"dns failure", {0, 0, 0, 0, 0, 2000}, false,
       nullopt, nullopt, nullopt, nullopt, nullopt, Micros(2000)},
      {"ip literal resolved in 0us", {0, 40, 0, 45, 400, 420}, false,
       Us(0), Us(40), nullopt, Us(360), Us(20), Micros(420)},
      {"timeout before first byte", {100, 300, 0, 310, 0, 200000}, false,
       Us(100), Us(200), nullopt, nullopt, nullopt, Micros(200000)},
      {"tls handshake failed", {100, 300, 0, 0, 0, 900}, true,
       Us(100), Us(200), nullopt, nullopt, nullopt, Micros(900)},
      {"timeout mid-body keeps transfer", {100, 300, 0, 310, 1310, 200000}, false,
       Us(100), Us(200), nullopt, Us(1010), Us(198690), Micros(200000)},
      {"reused connection, cache lookup stamped", {7, 0, 0, 20, 520, 620}, true,
       Us(7), nullopt, nullopt, Us(513), Us(100), Micros(620)},
      {"reused connection, nothing stamped", {0, 0, 0, 20, 520, 620}, true,
       nullopt, nullopt, nullopt, Us(520), Us(100), Micros(620)},
      {"rounding never goes negative", {300, 299, 298, 310, 305, 304}, true,
       Us(300), Us(0), Us(0), Us(5), Us(0), Micros(304)},
  };
  // clang-format on
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const PhaseTimings p = ComputePhases(c.times, c.https);
    EXPECT_EQ(p.dns, c.dns);
    EXPECT_EQ(p.connect, c.connect);
    EXPECT_EQ(p.tls, c.tls);
    EXPECT_EQ(p.ttfb, c.ttfb);
    EXPECT_EQ(p.transfer, c.transfer);
    EXPECT_EQ(p.total, c.total);
  }
}

TEST(ComputePhases, FreshConnectionPhasesAddUpToTotal) {
  const PhaseTimings p = ComputePhases({120, 450, 2300, 2310, 9000, 9700}, true);
  EXPECT_EQ(*p.dns + *p.connect + *p.tls + *p.ttfb + *p.transfer, p.total);
}

struct MapCase {
  std::string name;
  CURLcode code;
  long os_errno;
  std::string error_text;
  CurlTimes times;
  bool truncated;
  TransportError want;
};

TEST(MapCurlOutcome, HungTlsHandshakeIsATimeoutNotAConnectTimeout) {
  // What curl 7.88 reports for an https server that accepts and never answers the
  // ClientHello: resolved, no connect time (stamped only once TLS is up), but an address.
  const CurlTimes handshaking{44, 0, 0, 0, 0, 300448};
  CurlOutcome o{CURLE_OPERATION_TIMEDOUT,
                0,
                "Connection timed out after 300 milliseconds",
                handshaking,
                false,
                /*tcp_connected=*/true};
  EXPECT_EQ(MapCurlOutcome(o), TransportError::kTimeout);
  EXPECT_TRUE(TlsHandshakeTimedOut(o, /*https=*/true));
  EXPECT_FALSE(TlsHandshakeTimedOut(o, /*https=*/false));
  // A SYN that is never answered: no address either.
  o.tcp_connected = false;
  EXPECT_EQ(MapCurlOutcome(o), TransportError::kConnectTimeout);
  EXPECT_FALSE(TlsHandshakeTimedOut(o, true));
  // A request sent on a reused connection that then hangs is waiting for the answer.
  o = {CURLE_OPERATION_TIMEDOUT, 0, "", {0, 0, 0, 20, 0, 200000}, false, true};
  EXPECT_EQ(MapCurlOutcome(o), TransportError::kTimeout);
  EXPECT_FALSE(TlsHandshakeTimedOut(o, true));
}

TEST(MapCurlOutcome, Table) {
  const CurlTimes none{};
  const CurlTimes resolved{100, 0, 0, 0, 0, 200000};
  const CurlTimes connected{100, 300, 0, 0, 0, 200000};
  const CurlTimes sent{100, 300, 0, 310, 0, 200000};
  const CurlTimes reused{0, 0, 0, 20, 0, 200000};
  const MapCase cases[] = {
      {"ok", CURLE_OK, 0, "", sent, false, TransportError::kNone},
      {"body cap reached", CURLE_WRITE_ERROR, 0, "Failure writing output", sent, true,
       TransportError::kNone},
      {"write error without cap", CURLE_WRITE_ERROR, 0, "", sent, false, TransportError::kOther},
      {"unresolvable", CURLE_COULDNT_RESOLVE_HOST, 0, "Could not resolve host", none, false,
       TransportError::kDns},
      {"unresolvable proxy", CURLE_COULDNT_RESOLVE_PROXY, 0, "", none, false, TransportError::kDns},
      {"timeout while resolving", CURLE_OPERATION_TIMEDOUT, 0, "Resolving timed out", none, false,
       TransportError::kDns},
      {"timeout while connecting", CURLE_OPERATION_TIMEDOUT, 0, "", resolved, false,
       TransportError::kConnectTimeout},
      {"timeout after connect", CURLE_OPERATION_TIMEDOUT, 0, "", connected, false,
       TransportError::kTimeout},
      {"timeout waiting for response", CURLE_OPERATION_TIMEDOUT, 0, "", sent, false,
       TransportError::kTimeout},
      {"timeout on reused connection", CURLE_OPERATION_TIMEDOUT, 0, "", reused, false,
       TransportError::kTimeout},
      {"refused", CURLE_COULDNT_CONNECT, ECONNREFUSED, "", resolved, false,
       TransportError::kRefused},
      {"host unreachable", CURLE_COULDNT_CONNECT, EHOSTUNREACH, "", resolved, false,
       TransportError::kRefused},
      {"kernel connect timeout", CURLE_COULDNT_CONNECT, ETIMEDOUT, "", resolved, false,
       TransportError::kConnectTimeout},
      {"reset during connect", CURLE_COULDNT_CONNECT, ECONNRESET, "", resolved, false,
       TransportError::kReset},
      {"self-signed", CURLE_PEER_FAILED_VERIFICATION, 0, "", connected, false,
       TransportError::kTls},
      {"handshake failed", CURLE_SSL_CONNECT_ERROR, 0, "", connected, false, TransportError::kTls},
      {"handshake reset", CURLE_SSL_CONNECT_ERROR, ECONNRESET, "", connected, false,
       TransportError::kTls},
      {"bad ca file", CURLE_SSL_CACERT_BADFILE, 0, "", none, false, TransportError::kTls},
      {"pinned key", CURLE_SSL_PINNEDPUBKEYNOTMATCH, 0, "", connected, false, TransportError::kTls},
      {"tls 1.3 alert after the handshake", CURLE_RECV_ERROR, 0,
       "OpenSSL SSL_read: OpenSSL/3.0.19: error:0A00045C:SSL routines::tlsv13 alert certificate "
       "required, errno 0",
       sent, false, TransportError::kTls},
      {"tls close without close_notify", CURLE_RECV_ERROR, 0,
       "OpenSSL SSL_read: OpenSSL/3.0.19: error:0A000126:SSL routines::unexpected eof while "
       "reading, errno 0",
       sent, false, TransportError::kReset},
      {"reset mid-body", CURLE_RECV_ERROR, ECONNRESET, "Recv failure: Connection reset by peer",
       sent, false, TransportError::kReset},
      {"broken chunked", CURLE_RECV_ERROR, 0,
       "Illegal or missing hexadecimal sequence in chunked-encoding", sent, false,
       TransportError::kProtocol},
      {"send failure", CURLE_SEND_ERROR, EPIPE, "", connected, false, TransportError::kReset},
      {"empty reply", CURLE_GOT_NOTHING, 0, "", sent, false, TransportError::kReset},
      {"short body", CURLE_PARTIAL_FILE, 0, "", sent, false, TransportError::kReset},
      {"h2 stream reset", CURLE_HTTP2_STREAM, 0, "", sent, false, TransportError::kReset},
      {"garbage status line", CURLE_WEIRD_SERVER_REPLY, 0, "", sent, false,
       TransportError::kProtocol},
      {"http/0.9 reply", CURLE_UNSUPPORTED_PROTOCOL, 0, "Received HTTP/0.9 when not allowed", sent,
       false, TransportError::kProtocol},
      {"redirect to file://", CURLE_UNSUPPORTED_PROTOCOL, 0, "", sent, false,
       TransportError::kProtocol},
      {"redirect loop", CURLE_TOO_MANY_REDIRECTS, 0, "", sent, false, TransportError::kProtocol},
      {"bad content encoding", CURLE_BAD_CONTENT_ENCODING, 0, "", sent, false,
       TransportError::kProtocol},
      {"h2 framing", CURLE_HTTP2, 0, "", sent, false, TransportError::kProtocol},
      {"malformed url", CURLE_URL_MALFORMAT, 0, "", none, false, TransportError::kOther},
      {"out of memory", CURLE_OUT_OF_MEMORY, 0, "", none, false, TransportError::kOther},
      {"unknown code with reset errno", CURLE_ABORTED_BY_CALLBACK, ECONNRESET, "", sent, false,
       TransportError::kReset},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(MapCurlOutcome({c.code, c.os_errno, c.error_text, c.times, c.truncated}), c.want);
  }
}

TEST(ErrorText, UsesTheBufferThenCurlsGenericText) {
  EXPECT_EQ(ErrorText(CURLE_COULDNT_CONNECT, "Failed to connect to 127.0.0.1 port 1"),
            "Failed to connect to 127.0.0.1 port 1");
  EXPECT_EQ(ErrorText(CURLE_GOT_NOTHING, ""), curl_easy_strerror(CURLE_GOT_NOTHING));
}

// curl 7.88 + OpenSSL 3.0's real words for each case (captured from real handshakes; the
// integration test tls_causes_test.cpp checks them against live servers).
TEST(TlsCause, Table) {
  const struct {
    const char* name;
    CURLcode code;
    long verify_result;
    std::string text;
    TlsCause want;
    std::string want_text;
  } cases[] = {
      {"self-signed", CURLE_PEER_FAILED_VERIFICATION, kX509DepthZeroSelfSigned,
       "SSL certificate problem: self-signed certificate", TlsCause::kSelfSigned,
       "certificate verification failed: self-signed certificate (no trusted CA issued it)"},
      {"expired", CURLE_PEER_FAILED_VERIFICATION, kX509CertHasExpired,
       "SSL certificate problem: certificate has expired", TlsCause::kExpired,
       "certificate verification failed: certificate has expired"},
      {"not yet valid", CURLE_PEER_FAILED_VERIFICATION, kX509CertNotYetValid,
       "SSL certificate problem: certificate is not yet valid", TlsCause::kNotYetValid,
       "certificate verification failed: certificate is not valid yet (is a clock wrong?)"},
      {"unknown ca", CURLE_PEER_FAILED_VERIFICATION, kX509UnableToGetIssuerCertLocally,
       "SSL certificate problem: unable to get local issuer certificate", TlsCause::kUnknownCa,
       "certificate verification failed: issued by an unknown CA: the issuer is not trusted "
       "here, or the server does not send its intermediate certificate (unable to get local "
       "issuer certificate)"},
      {"missing intermediate", CURLE_PEER_FAILED_VERIFICATION, kX509UnableToVerifyLeafSignature,
       "SSL certificate problem: unable to verify the first certificate", TlsCause::kUnknownCa,
       "certificate verification failed: issued by an unknown CA: the issuer is not trusted "
       "here, or the server does not send its intermediate certificate (unable to verify the "
       "first certificate)"},
      {"untrusted root in chain", CURLE_PEER_FAILED_VERIFICATION, kX509SelfSignedCertInChain,
       "SSL certificate problem: self-signed certificate in certificate chain",
       TlsCause::kUntrustedRoot,
       "certificate verification failed: the chain ends in a self-signed root CA that is not "
       "trusted here (self-signed certificate in certificate chain)"},
      {"revoked", CURLE_PEER_FAILED_VERIFICATION, kX509CertRevoked,
       "SSL certificate problem: certificate revoked", TlsCause::kRevoked,
       "certificate verification failed: certificate has been revoked"},
      // curl checks the host name itself, after OpenSSL's verification passed: curl 7.88
      // leaves the verify result at 1 then, which names nothing.
      {"host mismatch (subject alt names)", CURLE_PEER_FAILED_VERIFICATION, 1,
       "SSL: no alternative certificate subject name matches target host name '127.0.0.1'",
       TlsCause::kHostMismatch,
       "certificate verification failed: certificate is not valid for host name '127.0.0.1'"},
      {"host mismatch (common name)", CURLE_PEER_FAILED_VERIFICATION, 1,
       "SSL: certificate subject name 'other.example' does not match target host name "
       "'api.example.com'",
       TlsCause::kHostMismatch,
       "certificate verification failed: certificate is not valid for host name "
       "'api.example.com'"},
      {"host mismatch (openssl's check)", CURLE_PEER_FAILED_VERIFICATION, kX509HostnameMismatch,
       "SSL certificate problem: hostname mismatch", TlsCause::kHostMismatch,
       "certificate verification failed: certificate is not valid for the host name"},
      // The verify result is read only for failed verification; for a handshake failure
      // curl leaves it at 1 and the words decide.
      {"plain http on the port", CURLE_SSL_CONNECT_ERROR, 1,
       "OpenSSL/3.0.19: error:0A00010B:SSL routines::wrong version number", TlsCause::kNotTls,
       "TLS handshake failed: the server does not speak TLS on this port (is it plain HTTP?) "
       "(wrong version number)"},
      {"protocol version (client side)", CURLE_SSL_CONNECT_ERROR, 1,
       "OpenSSL/3.0.19: error:0A000102:SSL routines::unsupported protocol",
       TlsCause::kProtocolVersion,
       "TLS handshake failed: no TLS protocol version in common with the server (unsupported "
       "protocol)"},
      {"protocol version (server alert)", CURLE_SSL_CONNECT_ERROR, 1,
       "OpenSSL/3.0.19: error:0A00042E:SSL routines::tlsv1 alert protocol version",
       TlsCause::kProtocolVersion,
       "TLS handshake failed: no TLS protocol version in common with the server (tlsv1 alert "
       "protocol version)"},
      {"handshake failure alert", CURLE_SSL_CONNECT_ERROR, 1,
       "OpenSSL/3.0.19: error:0A000410:SSL routines::sslv3 alert handshake failure",
       TlsCause::kHandshakeRejected,
       "TLS handshake failed: the server rejected the handshake (sslv3 alert handshake "
       "failure)"},
      {"sni rejected", CURLE_SSL_CONNECT_ERROR, 1,
       "OpenSSL/3.0.19: error:0A000458:SSL routines::tlsv1 unrecognized name",
       TlsCause::kHandshakeRejected,
       "TLS handshake failed: the server rejected the handshake (tlsv1 unrecognized name)"},
      {"client certificate required", CURLE_RECV_ERROR, 0,
       "OpenSSL SSL_read: OpenSSL/3.0.19: error:0A00045C:SSL routines::tlsv13 alert certificate "
       "required, errno 0",
       TlsCause::kClientCertRequired,
       "TLS handshake failed: the server requires a client certificate (tlsv13 alert "
       "certificate required)"},
      {"unknown handshake failure", CURLE_SSL_CONNECT_ERROR, 1,
       "OpenSSL/3.0.19: error:0A00014D:SSL routines::legacy sigalg disallowed or unsupported",
       TlsCause::kUnknown,
       "TLS handshake failed: OpenSSL/3.0.19: error:0A00014D:SSL routines::legacy sigalg "
       "disallowed or unsupported"},
      {"unknown verification failure", CURLE_PEER_FAILED_VERIFICATION, 0,
       "SSL certificate problem: unsupported certificate purpose", TlsCause::kUnknown,
       "certificate verification failed: SSL certificate problem: unsupported certificate "
       "purpose"},
      {"no words at all", CURLE_SSL_CONNECT_ERROR, 0, "", TlsCause::kUnknown,
       std::string("TLS handshake failed: ") + curl_easy_strerror(CURLE_SSL_CONNECT_ERROR)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(ClassifyTlsFailure(c.code, c.verify_result, c.text), c.want);
    EXPECT_EQ(ErrorText(c.code, c.text, c.verify_result), c.want_text);
  }
}

TEST(TlsCause, VerifyResultWinsOverWordsButOnlyForFailedVerification) {
  // Another TLS backend's words, OpenSSL's code: the code decides.
  EXPECT_EQ(ClassifyTlsFailure(CURLE_PEER_FAILED_VERIFICATION, kX509CertHasExpired,
                               "SSL certificate problem: something else"),
            TlsCause::kExpired);
  // A stale verify result on a handshake failure is ignored.
  EXPECT_EQ(ClassifyTlsFailure(CURLE_SSL_CONNECT_ERROR, kX509CertHasExpired,
                               "OpenSSL/3.0.19: error:0A00010B:SSL routines::wrong version number"),
            TlsCause::kNotTls);
  // No verify result (other backends): the words alone.
  EXPECT_EQ(ClassifyTlsFailure(CURLE_PEER_FAILED_VERIFICATION, 0,
                               "SSL certificate problem: self signed certificate"),
            TlsCause::kSelfSigned);
}

TEST(ErrorText, LeavesNonTlsFailuresInCurlsWords) {
  EXPECT_EQ(ErrorText(CURLE_RECV_ERROR, "Recv failure: Connection reset by peer", 0),
            "Recv failure: Connection reset by peer");
  EXPECT_EQ(ErrorText(CURLE_RECV_ERROR,
                      "OpenSSL SSL_read: OpenSSL/3.0.19: error:0A000126:SSL routines::unexpected "
                      "eof while reading, errno 0"),
            "OpenSSL SSL_read: OpenSSL/3.0.19: error:0A000126:SSL routines::unexpected eof while "
            "reading, errno 0");
}

TEST(ParseCertExpireDate, Table) {
  const struct {
    std::string text;
    std::optional<std::int64_t> want;
  } cases[] = {
      {"Mar  1 12:00:00 2027 GMT", 1803902400},
      {"Dec 31 23:59:59 2049 GMT", 2524607999},
      {"Jan 19 03:14:08 2038 GMT", 2147483648},
      {"Feb 29 00:00:00 2024 GMT", 1709164800},
      {"Jan 19 03:14:08.250 2038 GMT", 2147483648},
      {"2038-01-19 03:14:08 GMT", 2147483648},
      {"2027-03-01 12:00:00 GMT", 1803902400},
      {"", nullopt},
      {"Foo  1 12:00:00 2027 GMT", nullopt},
      {"Feb 30 12:00:00 2027 GMT", nullopt},
      {"Mar  1 12:00:00 2027", nullopt},
      {"Mar  1 25:00:00 2027 GMT", nullopt},
      {"2027-13-01 12:00:00 GMT", nullopt},
      {"2027-03-01T12:00:00Z", nullopt},
      {"Mar  1 12:00 2027 GMT", nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(ParseCertExpireDate(c.text), c.want);
  }
}

}  // namespace
}  // namespace gatewatch::net
