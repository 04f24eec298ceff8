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
};

// Maps a finished transfer to a TransportError. "Resolved" means namelookup, connect or
// pretransfer is non-zero; "connected" means connect or pretransfer is non-zero (a reused
// keep-alive connection has no connect time, but a request sent on it was connected).
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
//   RECV_ERROR, SEND_ERROR, GOT_NOTHING, PARTIAL_FILE, HTTP2_STREAM -> kReset
//   WEIRD_SERVER_REPLY, BAD_CONTENT_ENCODING, UNSUPPORTED_PROTOCOL (HTTP/0.9 reply or a
//              redirect to a forbidden scheme), TOO_MANY_REDIRECTS, HTTP2, HTTP3,
//              RANGE_ERROR, BAD_DOWNLOAD_RESUME               -> kProtocol
//   any other code with errno ECONNRESET                      -> kReset
//   anything else (out of memory, malformed URL, ...)         -> kOther
TransportError MapCurlOutcome(const CurlOutcome& outcome);

// The text for HttpResponse::error_text: curl's error buffer, or curl_easy_strerror(code)
// when the buffer is empty. A failed peer verification is prefixed with "certificate
// verification failed: " because curl's own words ("SSL certificate problem: self-signed
// certificate") do not say which check failed.
std::string ErrorText(CURLcode code, std::string_view error_buffer);

// Parses the "Expire date" value of CURLINFO_CERTINFO to Unix seconds (UTC). Accepts the
// OpenSSL form "Mar  1 12:00:00 2027 GMT" (optionally with fractional seconds) and the
// form other TLS backends use, "2027-03-01 12:00:00 GMT". nullopt for anything else.
std::optional<std::int64_t> ParseCertExpireDate(std::string_view text);

}  // namespace gatewatch::net
