#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// Library-neutral request/response types. Only net/ knows libcurl; everything above it
// speaks these.
namespace gatewatch::net {

using Micros = std::chrono::microseconds;

struct HttpRequest {
  std::string url;  // http:// or https:// (others are refused by the transport)
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{5'000};  // whole request, connect included
  bool follow_redirects = false;             // at most 10, http/https only
  bool tls_insecure = false;                 // skip peer and host verification
  std::size_t max_body_bytes = 1 << 20;      // reading stops here; the rest is never read
  bool fresh_connection = true;              // false: reuse keep-alive connections
  // Pin the host:port of url to this address, like curl --resolve ("10.0.0.7"); empty = DNS.
  std::string resolve_to;
};

// Why a transfer failed below HTTP. kNone when a complete response arrived (any status).
enum class TransportError {
  kNone,
  kDns,             // name did not resolve
  kRefused,         // TCP RST on connect / nothing listening
  kConnectTimeout,  // no TCP handshake before the deadline
  kTls,             // handshake or verification failed
  kTimeout,         // connected, but the response did not complete in time
  kReset,           // connection closed or reset mid-exchange (incl. empty reply)
  kProtocol,        // garbage status line, bad chunking, too many/forbidden redirects
  kCancelled,       // cancelled by the caller (stop, reload)
  kOther,
};

// Times from the start of the request, each phase measured separately. A phase that was
// never reached is nullopt, never zero.
struct PhaseTimings {
  std::optional<Micros> dns;       // name resolution
  std::optional<Micros> connect;   // TCP handshake
  std::optional<Micros> tls;       // TLS handshake (https only)
  std::optional<Micros> ttfb;      // request sent -> first response byte
  std::optional<Micros> transfer;  // first byte -> last byte read
  Micros total{0};                 // whole request, as curl measured it
};

struct HttpResponse {
  TransportError error = TransportError::kNone;
  std::string error_text;  // curl's words for the failure, "" when none
  int http_status = 0;     // 0 when no status line arrived
  // Response headers of the final response, names lower-cased, at most 64 of them.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;             // at most max_body_bytes
  bool body_truncated = false;  // the response had more than max_body_bytes
  PhaseTimings timings;
  std::string remote_ip;                     // address actually connected to, "" if none
  std::optional<std::int64_t> cert_not_after;  // leaf certificate expiry, Unix seconds
  int redirects = 0;
};

}  // namespace gatewatch::net
