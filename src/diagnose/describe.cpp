#include "diagnose/describe.h"

#include <cstdio>
#include <string_view>

namespace gatewatch::diagnose {
namespace {

using probe::FailureReason;

bool Contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

std::string FormatDuration(std::chrono::microseconds d) {
  const long long us = d.count();
  char buf[32];
  if (us < 1000) {
    std::snprintf(buf, sizeof(buf), "%lld us", us);
  } else if (us < 1'000'000) {
    std::snprintf(buf, sizeof(buf), "%.1f ms", static_cast<double>(us) / 1e3);
  } else {
    std::snprintf(buf, sizeof(buf), "%.1f s", static_cast<double>(us) / 1e6);
  }
  return buf;
}

// "127.0.0.1:8080" or "[::1]:8080" from the connected address and curl's "Failed to connect
// to <host> port <port>" text; the address alone, or "", when that is all there is.
std::string Endpoint(const probe::ProbeResult& r) {
  std::string_view host = r.remote_ip;
  std::string_view port;
  constexpr std::string_view kPrefix = "Failed to connect to ";
  constexpr std::string_view kPort = " port ";
  const std::string_view detail = r.detail;
  if (const auto at = detail.find(kPrefix); at != std::string_view::npos) {
    const std::size_t host_start = at + kPrefix.size();
    const auto port_at = detail.find(kPort, host_start);
    if (port_at != std::string_view::npos) {
      if (host.empty()) host = detail.substr(host_start, port_at - host_start);
      std::size_t end = port_at + kPort.size();
      while (end < detail.size() && detail[end] >= '0' && detail[end] <= '9') ++end;
      port = detail.substr(port_at + kPort.size(), end - port_at - kPort.size());
    }
  }
  std::string out;
  if (host.empty()) return out;
  const bool v6 = host.find(':') != std::string_view::npos;
  if (v6 && !port.empty()) out += '[';
  out += host;
  if (v6 && !port.empty()) out += ']';
  if (!port.empty()) {
    out += ':';
    out += port;
  }
  return out;
}

std::string DescribeDns(const probe::ProbeResult& r) {
  constexpr std::string_view kCurl = "Could not resolve host: ";
  const std::string_view detail = r.detail;
  if (detail.empty() || detail == "dns") return "DNS lookup failed";
  if (detail.rfind(kCurl, 0) == 0) {
    return "DNS lookup failed: could not resolve " + std::string(detail.substr(kCurl.size()));
  }
  return "DNS lookup failed: " + r.detail;
}

std::string DescribeRefused(const probe::ProbeResult& r) {
  const std::string endpoint = Endpoint(r);
  if (Contains(r.detail, "No route to host")) {
    return "no route to host " + (endpoint.empty() ? std::string("of the target") : endpoint) +
           ": the host is down or unreachable";
  }
  if (Contains(r.detail, "Network is unreachable")) {
    return "network unreachable" + (endpoint.empty() ? std::string() : " for " + endpoint) +
           ": there is no route to that address";
  }
  if (endpoint.empty()) return "connection refused: nothing is listening on the target port";
  return "connection refused by " + endpoint + ": nothing is listening on that port";
}

std::string DescribeConnectTimeout(const probe::ProbeResult& r) {
  const std::string endpoint = Endpoint(r);
  return "TCP connect" + (endpoint.empty() ? std::string() : " to " + endpoint) +
         " timed out after " + FormatDuration(r.latency) +
         ": no answer (host down, packets dropped by a firewall, or a wrong address)";
}

// net/ names the cause after one of two prefixes (see net/curl_outcome.h); curl's own
// framing ("SSL certificate problem: ", "SSL: ") says nothing a reader needs.
std::string DescribeTls(const probe::ProbeResult& r) {
  constexpr std::string_view kVerification = "certificate verification failed: ";
  constexpr std::string_view kHandshake = "TLS handshake failed";
  std::string_view why = r.detail;
  if (why.rfind(kHandshake, 0) == 0) return r.detail;
  const bool verification = why.rfind(kVerification, 0) == 0;
  if (verification) why.remove_prefix(kVerification.size());
  for (const std::string_view prefix :
       {std::string_view("SSL certificate problem: "), std::string_view("SSL: ")}) {
    if (why.rfind(prefix, 0) == 0) why.remove_prefix(prefix.size());
  }
  if (verification) return "TLS certificate rejected: " + std::string(why);
  if (why.empty() || why == "tls") return std::string(kHandshake);
  return std::string(kHandshake) + ": " + std::string(why);
}

std::string DescribeTimeout(const probe::ProbeResult& r) {
  const probe::Phases& p = r.phases;
  std::string s = "timed out after " + FormatDuration(r.latency);
  if (p.ttfb && r.http_status == 0) {
    s += " receiving the response head (first byte after " + FormatDuration(*p.ttfb) +
         "; the status line never completed)";
  } else if (p.ttfb) {
    s += " while reading the response body (first byte after " + FormatDuration(*p.ttfb) + ", " +
         std::to_string(r.body_bytes) + " bytes read)";
  } else if (Contains(r.detail, "SSL") || Contains(r.detail, "TLS handshake")) {
    // curl 7.88 has no connect time for a handshake that never finished; the address says
    // TCP got that far.
    s += " during the TLS handshake";
    if (p.connect) {
      s += " (connected in " + FormatDuration(*p.connect) + ")";
    } else if (!r.remote_ip.empty()) {
      s += " (TCP connected to " + r.remote_ip + ")";
    }
  } else if (p.connect) {
    s += " waiting for the first byte (connected in " + FormatDuration(*p.connect);
    if (p.tls) s += ", TLS in " + FormatDuration(*p.tls);
    s += ")";
  } else {
    s += " waiting for the response";
  }
  return s;
}

std::string DescribeReset(const probe::ProbeResult& r) {
  const std::string by = r.remote_ip.empty() ? std::string() : " by " + r.remote_ip;
  if (r.http_status != 0) {
    return "connection reset" + by + " mid-response (status " + std::to_string(r.http_status) +
           ", " + std::to_string(r.body_bytes) + " bytes read): " + r.detail;
  }
  if (Contains(r.detail, "Empty reply")) {
    return "connection closed" + by + " before any response (empty reply)";
  }
  return "connection reset" + by + " before any response: " + r.detail;
}

std::string DescribeProtocol(const probe::ProbeResult& r) {
  if (r.remote_ip.empty()) return "protocol error: " + r.detail;
  return "protocol error talking to " + r.remote_ip + ": " + r.detail;
}

// What a 520-527/530 from Cloudflare says about the origin (Cloudflare's 5xx documentation).
std::string_view CloudflareMeaning(int status) {
  switch (status) {
    case 520:
      return "the origin returned an empty, unknown or unexpected response";
    case 521:
      return "the origin web server refused the connection";
    case 522:
      return "the connection to the origin timed out";
    case 523:
      return "the origin is unreachable";
    case 524:
      return "the origin accepted the connection but did not answer in time";
    case 525:
      return "the TLS handshake with the origin failed";
    case 526:
      return "the origin's TLS certificate is invalid";
    case 527:
      return "the Railgun connection to the origin failed";
    case 530:
      return "Cloudflare could not reach the origin (see the 1xxx error in the body)";
    default:
      return {};
  }
}

std::string_view GatewayMeaning(int status) {
  switch (status) {
    case 500:
      return "the gateway failed on its own";
    case 502:
      return "the gateway got no valid answer from its upstream";
    case 503:
      return "the gateway has no available upstream (none healthy, or it is overloaded)";
    case 504:
      return "the gateway timed out waiting for its upstream";
    default:
      return "the gateway answered with its own error";
  }
}

std::string_view CdnMeaning(int status) {
  switch (status) {
    case 500:
      return "the CDN edge failed on its own";
    case 502:
      return "the CDN got no valid answer from the origin";
    case 503:
      return "the CDN has no available origin";
    case 504:
      return "the CDN timed out waiting for the origin";
    default:
      return "the CDN edge answered with its own error";
  }
}

// For a 5xx whose generator is not known.
std::string_view StatusMeaning(int status) {
  switch (status) {
    case 500:
      return "Internal Server Error: the server failed while handling the request";
    case 501:
      return "Not Implemented: the server does not support the request";
    case 502:
      return "Bad Gateway: a gateway got no valid answer from its upstream";
    case 503:
      return "Service Unavailable: overloaded, in maintenance, or no healthy upstream";
    case 504:
      return "Gateway Timeout: a gateway timed out waiting for its upstream";
    default:
      return "server error";
  }
}

std::string DescribeServerError(int status, const Fingerprint* fp) {
  const std::string code = std::to_string(status);
  if (fp == nullptr) return code + " " + std::string(StatusMeaning(status));
  std::string_view meaning;
  switch (fp->origin) {
    case Origin::kGateway:
      meaning = GatewayMeaning(status);
      break;
    case Origin::kCdn:
      meaning = fp->responder == Responder::kCloudflare ? CloudflareMeaning(status) : "";
      if (meaning.empty()) meaning = CdnMeaning(status);
      break;
    case Origin::kApp:
      meaning = "the application itself returned the error; the hops in front passed it on";
      break;
    case Origin::kUnknown:
      meaning =
          "no known error page or header says whether a gateway or the application "
          "produced it";
      break;
  }
  return code + " from " + std::string(ResponderDisplayName(fp->responder)) + " (" +
         std::string(OriginName(fp->origin)) + "): " + std::string(meaning);
}

std::string DescribeStatus(const probe::ProbeResult& r, const Fingerprint* fp) {
  if (r.http_status >= 500 && r.http_status <= 599) return DescribeServerError(r.http_status, fp);
  if (r.detail.empty()) return "unexpected status " + std::to_string(r.http_status);
  return "unexpected " + r.detail;
}

}  // namespace

std::string DescribeFailure(const probe::ProbeResult& result, const Fingerprint* fingerprint) {
  switch (result.reason) {
    case FailureReason::kNone:
      return {};
    case FailureReason::kDns:
      return DescribeDns(result);
    case FailureReason::kRefused:
      return DescribeRefused(result);
    case FailureReason::kConnectTimeout:
      return DescribeConnectTimeout(result);
    case FailureReason::kTls:
      return DescribeTls(result);
    case FailureReason::kTimeout:
      return DescribeTimeout(result);
    case FailureReason::kReset:
      return DescribeReset(result);
    case FailureReason::kProtocol:
      return DescribeProtocol(result);
    case FailureReason::kStatus:
      return DescribeStatus(result, fingerprint);
    case FailureReason::kBody:
      return "unexpected body: " + result.detail;
    case FailureReason::kHealth:
      return "the service reports itself unhealthy: " + result.detail;
  }
  return result.detail;
}

}  // namespace gatewatch::diagnose
