#pragma once
#include <curl/curl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/http_request.h"

// Pure functions that turn libcurl's raw numbers for one finished transfer into the
// library-neutral HttpResponse fields. Private to net/ (this header includes curl.h); kept
// apart from CurlMulti so the rules are table-tested without sockets.
namespace gatewatch::net {

// curl's CURLINFO_*_TIME_T values for one transfer, in microseconds from the start of the
// request. curl leaves a timer at 0 when that point was never reached.
struct CurlTimes {
  std::int64_t namelookup = 0;     // CURLINFO_NAMELOOKUP_TIME_T
  std::int64_t connect = 0;        // CURLINFO_CONNECT_TIME_T
  std::int64_t appconnect = 0;     // CURLINFO_APPCONNECT_TIME_T (TLS handshake done)
  std::int64_t pretransfer = 0;    // CURLINFO_PRETRANSFER_TIME_T (request under way)
  std::int64_t starttransfer = 0;  // CURLINFO_STARTTRANSFER_TIME_T (first response byte)
  std::int64_t total = 0;          // CURLINFO_TOTAL_TIME_T
};

// Splits curl's cumulative timers into separate phases. Rules (a difference that comes out
// negative, which curl's rounding can produce, is clamped to 0):
//   dns      = namelookup                 reached if namelookup > 0 or connect > 0 (an IP
//                                         literal resolves in ~0 us but is still resolved)
//   connect  = connect - namelookup       reached if connect > 0
//   tls      = appconnect - connect       only when https and appconnect > 0 (the handshake
//                                         completed)
//   ttfb     = starttransfer - ready      reached if starttransfer > 0, where ready is the
//                                         latest of namelookup, connect and (https only)
//                                         appconnect: when the connection became usable
//   transfer = total - starttransfer      reached if starttransfer > 0 (also for a transfer
//                                         that failed mid-body: the time spent reading)
//   total    = total
// So a probe refused at connect has only dns; one that timed out before the first byte has
// no ttfb/transfer; and for a fresh connection dns + connect + tls + ttfb + transfer equals
// total. ttfb is deliberately not starttransfer - pretransfer: curl 7.88 sends the request
// as soon as the connection is ready but stamps PRETRANSFER lazily, on a later pass of its
// state machine, so for a fast answer that stamp lands after the answer has already arrived
// (measured on loopback: 1-2 us "ttfb" for a 70 us round trip). ttfb therefore includes
// writing the request, which is negligible next to the wait. On a reused keep-alive
// connection curl does no TCP or TLS handshake, so connect/tls are absent and ttfb runs from
// the cache lookup (namelookup) or from 0.
PhaseTimings ComputePhases(const CurlTimes& times, bool https);

// What a finished transfer looked like, as far as failure mapping needs.
struct CurlOutcome {
  CURLcode code = CURLE_OK;
  long os_errno = 0;            // CURLINFO_OS_ERRNO
  std::string_view error_text;  // CURLOPT_ERRORBUFFER contents
  CurlTimes times;              // which points were reached
  bool body_truncated = false;  // the write callback stopped the transfer at max_body_bytes
  // CURLINFO_PRIMARY_IP is set: the TCP connection was up. curl 7.88 stamps CONNECT_TIME
  // only once the whole connection is ready, TLS included, so for https this is the only
  // sign that TCP connected when the handshake then failed or hung.
  bool tcp_connected = false;
};

// Maps a finished transfer to a TransportError. "Resolved" means namelookup, connect or
// pretransfer is non-zero; "connected" means connect or pretransfer is non-zero (a reused
// keep-alive connection has no connect time, but a request sent on it was connected), or
// tcp_connected (a TLS handshake that never finished has neither).
//   CURLE_OK, or CURLE_WRITE_ERROR caused by the body cap   -> kNone
//   COULDNT_RESOLVE_HOST/PROXY                              -> kDns
//   OPERATION_TIMEDOUT: not resolved -> kDns, resolved but not connected -> kConnectTimeout,
//                       connected -> kTimeout (a TLS handshake that hangs is a timeout)
//   COULDNT_CONNECT: errno ETIMEDOUT -> kConnectTimeout, ECONNRESET -> kReset, anything else
//                    (ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, ...) -> kRefused: the peer or
//                    the network turned the connection down
//   SSL_* errors, PEER_FAILED_VERIFICATION, USE_SSL_FAILED   -> kTls
//   RECV_ERROR whose text mentions "chunk" (curl reports broken chunked encoding as a
//              receive error, with no socket errno)           -> kProtocol
//   RECV_ERROR or SEND_ERROR carrying a TLS alert from the peer (TLS 1.3 servers send
//              "certificate required" and the like after the handshake, so curl sees it
//              on the first read)                             -> kTls
//   RECV_ERROR, SEND_ERROR, GOT_NOTHING, PARTIAL_FILE, HTTP2_STREAM -> kReset
//   WEIRD_SERVER_REPLY, BAD_CONTENT_ENCODING, UNSUPPORTED_PROTOCOL (HTTP/0.9 reply or a
//              redirect to a forbidden scheme), TOO_MANY_REDIRECTS, HTTP2, HTTP3,
//              RANGE_ERROR, BAD_DOWNLOAD_RESUME               -> kProtocol
//   any other code with errno ECONNRESET                      -> kReset
//   anything else (out of memory, malformed URL, ...)         -> kOther
TransportError MapCurlOutcome(const CurlOutcome& outcome);

// Why a TLS transfer failed, as far as libcurl lets us see.
enum class TlsCause {
  kUnknown,             // none of the below; curl's words are all there is
  kExpired,             // the certificate's notAfter is in the past
  kNotYetValid,         // its notBefore is in the future (often a clock that is wrong)
  kSelfSigned,          // a self-signed leaf that no trusted CA vouches for
  kUntrustedRoot,       // the chain ends in a self-signed root that is not trusted
  kUnknownCa,           // the issuer is not trusted or not found (or an intermediate is missing)
  kRevoked,             // the certificate was revoked
  kHostMismatch,        // valid certificate, but not for the host name in the URL
  kNotTls,              // the server does not speak TLS on that port (plain HTTP, usually)
  kProtocolVersion,     // no TLS version both sides accept
  kHandshakeRejected,   // the server rejected the handshake (cipher, SNI, ...) with an alert
  kClientCertRequired,  // the server wants a client certificate
};

// The OpenSSL X509_V_ERR_* codes that CURLINFO_SSL_VERIFYRESULT reports and that
// ClassifyTlsFailure reads. Their values are part of OpenSSL's stable ABI; they are spelled
// out here so that net/ needs no OpenSSL header.
inline constexpr long kX509UnableToGetIssuerCert = 2;
inline constexpr long kX509CertNotYetValid = 9;
inline constexpr long kX509CertHasExpired = 10;
inline constexpr long kX509DepthZeroSelfSigned = 18;
inline constexpr long kX509SelfSignedCertInChain = 19;
inline constexpr long kX509UnableToGetIssuerCertLocally = 20;
inline constexpr long kX509UnableToVerifyLeafSignature = 21;
inline constexpr long kX509CertRevoked = 23;
inline constexpr long kX509InvalidCa = 24;
inline constexpr long kX509CertUntrusted = 27;
inline constexpr long kX509HostnameMismatch = 62;

// Names the cause of a TLS failure from curl's code, the verify result
// (CURLINFO_SSL_VERIFYRESULT; read only for CURLE_PEER_FAILED_VERIFICATION, since curl
// leaves it at 0 or 1 for other failures) and curl's error text (for what the verify
// result does not cover: curl's own host-name check and OpenSSL's handshake reasons).
// With OpenSSL, curl 7.88 says for example:
//   60  verify 18  "SSL certificate problem: self-signed certificate"       -> kSelfSigned
//   60  verify 10  "SSL certificate problem: certificate has expired"       -> kExpired
//   60  verify 20  "SSL certificate problem: unable to get local issuer certificate"
//                                                                           -> kUnknownCa
//   60             "SSL: no alternative certificate subject name matches target host name
//                   'api.example.com'"                                      -> kHostMismatch
//   35             "OpenSSL/3.0.19: error:0A00010B:SSL routines::wrong version number"
//                                                                           -> kNotTls
//   35             "...::unsupported protocol" / "...::tlsv1 alert protocol version"
//                                                                           -> kProtocolVersion
//   35             "...::sslv3 alert handshake failure"                     -> kHandshakeRejected
//   56             "OpenSSL SSL_read: ...::tlsv13 alert certificate required, errno 0"
//                                                                           -> kClientCertRequired
// Pure; thread-safe.
TlsCause ClassifyTlsFailure(CURLcode code, long verify_result, std::string_view error_buffer);

// The text for HttpResponse::error_text: curl's error buffer, or curl_easy_strerror(code)
// when the buffer is empty. TLS failures (MapCurlOutcome gives kTls) are rewritten to name
// their cause (ClassifyTlsFailure), because curl's own words ("SSL certificate problem:
// unable to get local issuer certificate", "error:0A00010B:SSL routines::wrong version
// number") do not say what to fix:
//   certificate verification failed: certificate has expired
//   certificate verification failed: self-signed certificate (no trusted CA issued it)
//   certificate verification failed: issued by an unknown CA: the issuer is not trusted
//     here, or the server does not send its intermediate certificate (unable to get local
//     issuer certificate)
//   certificate verification failed: certificate is not valid for host name 'api.example.com'
//   TLS handshake failed: the server does not speak TLS on this port (is it plain HTTP?)
//     (wrong version number)
//   TLS handshake failed: no TLS protocol version in common with the server (unsupported
//     protocol)
// A verification failure always starts "certificate verification failed: ", any other TLS
// failure "TLS handshake failed: "; what follows in parentheses are OpenSSL's words, kept
// where they add something. The certificate's dates are not in the text: libcurl collects
// certificate details only after a handshake that succeeded.
std::string ErrorText(CURLcode code, std::string_view error_buffer, long verify_result = 0);

// True when an https transfer timed out with TCP up but the TLS handshake unfinished: the
// server accepted the connection and never completed the handshake (or is not a TLS server
// and waits for a request). curl's words for it ("Connection timed out after 150
// milliseconds") read like a TCP connect timeout, so the transport says "TLS handshake
// timed out" instead.
bool TlsHandshakeTimedOut(const CurlOutcome& outcome, bool https);

// Parses the "Expire date" value of CURLINFO_CERTINFO to Unix seconds (UTC). Accepts the
// OpenSSL form "Mar  1 12:00:00 2027 GMT" (optionally with fractional seconds) and the
// form other TLS backends use, "2027-03-01 12:00:00 GMT". nullopt for anything else.
std::optional<std::int64_t> ParseCertExpireDate(std::string_view text);

}  // namespace gatewatch::net
