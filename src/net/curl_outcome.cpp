#include "net/curl_outcome.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>

namespace gatewatch::net {
namespace {

Micros Span(std::int64_t from, std::int64_t to) {
  return Micros(std::max<std::int64_t>(0, to - from));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `width` digits at `pos` (a leading space counts as a zero when
// `space_pad`, for OpenSSL's "Mar  1").
std::optional<int> Digits(std::string_view s, std::size_t pos, std::size_t width,
                          bool space_pad = false) {
  if (pos + width > s.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = s[pos + i];
    if (space_pad && i == 0 && c == ' ') continue;
    if (!IsDigit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::optional<std::int64_t> ToUnix(int year, int month, int day, int hour, int minute, int second) {
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                           std::chrono::day{unsigned(day)}};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const auto days = sys_days{ymd}.time_since_epoch();
  return duration_cast<seconds>(days).count() + hour * 3600 + minute * 60 + second;
}

// "HH:MM:SS" at pos; returns the position after it, skipping a ".fraction".
std::optional<std::size_t> ParseClock(std::string_view s, std::size_t pos, int& h, int& m,
                                      int& sec) {
  const auto hh = Digits(s, pos, 2), mm = Digits(s, pos + 3, 2), ss = Digits(s, pos + 6, 2);
  if (!hh || !mm || !ss || s[pos + 2] != ':' || s[pos + 5] != ':') return std::nullopt;
  h = *hh;
  m = *mm;
  sec = *ss;
  pos += 8;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
  }
  return pos;
}

bool EndsWithGmt(std::string_view s, std::size_t pos) { return s.substr(pos) == " GMT"; }

bool Contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

bool IsTlsCode(CURLcode code) {
  switch (code) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
      return true;
    default:
      return false;
  }
}

// A TLS alert the peer sent after the handshake, which curl reports as a failed read or
// write: "OpenSSL SSL_read: OpenSSL/3.0.19: error:0A00045C:SSL routines::tlsv13 alert
// certificate required, errno 0". A plain close ("unexpected eof while reading") has no
// alert and stays a reset.
bool IsTlsAlert(CURLcode code, std::string_view text) {
  return (code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR) && Contains(text, "SSL") &&
         Contains(text, " alert ");
}

// OpenSSL's reason words without its error-queue framing: "wrong version number" from
// "OpenSSL/3.0.19: error:0A00010B:SSL routines::wrong version number" (and ", errno 0"
// that curl appends after SSL_read failures).
std::string_view OpensslReason(std::string_view text) {
  constexpr std::string_view kRoutines = "routines::";
  if (const auto at = text.rfind(kRoutines); at != std::string_view::npos) {
    text.remove_prefix(at + kRoutines.size());
  } else if (const auto colon = text.rfind(": "); colon != std::string_view::npos) {
    text.remove_prefix(colon + 2);
  }
  if (const auto errno_at = text.find(", errno "); errno_at != std::string_view::npos) {
    text = text.substr(0, errno_at);
  }
  return text;
}

// The host name in curl's "... target host name 'api.example.com'", or "".
std::string_view TargetHostName(std::string_view text) {
  constexpr std::string_view kTarget = "target host name '";
  const auto at = text.find(kTarget);
  if (at == std::string_view::npos) return {};
  const std::size_t start = at + kTarget.size();
  const auto end = text.find('\'', start);
  return end == std::string_view::npos ? std::string_view() : text.substr(start, end - start);
}

TlsCause CauseFromVerifyResult(long verify_result) {
  switch (verify_result) {
    case kX509CertHasExpired:
      return TlsCause::kExpired;
    case kX509CertNotYetValid:
      return TlsCause::kNotYetValid;
    case kX509DepthZeroSelfSigned:
      return TlsCause::kSelfSigned;
    case kX509SelfSignedCertInChain:
      return TlsCause::kUntrustedRoot;
    case kX509UnableToGetIssuerCert:
    case kX509UnableToGetIssuerCertLocally:
    case kX509UnableToVerifyLeafSignature:
    case kX509InvalidCa:
    case kX509CertUntrusted:
      return TlsCause::kUnknownCa;
    case kX509CertRevoked:
      return TlsCause::kRevoked;
    case kX509HostnameMismatch:
      return TlsCause::kHostMismatch;
    default:
      return TlsCause::kUnknown;
  }
}

// The same causes from the words alone, for what the verify result does not carry (curl's
// own host-name check) and for TLS backends other than OpenSSL.
TlsCause CauseFromText(std::string_view text) {
  const struct {
    std::string_view words;
    TlsCause cause;
  } kWords[] = {
      {"target host name", TlsCause::kHostMismatch},
      {"certificate has expired", TlsCause::kExpired},
      {"certificate is not yet valid", TlsCause::kNotYetValid},
      {"self-signed certificate in certificate chain", TlsCause::kUntrustedRoot},
      {"self signed certificate in certificate chain", TlsCause::kUntrustedRoot},
      {"self-signed certificate", TlsCause::kSelfSigned},
      {"self signed certificate", TlsCause::kSelfSigned},
      {"unable to get local issuer certificate", TlsCause::kUnknownCa},
      {"unable to get issuer certificate", TlsCause::kUnknownCa},
      {"unable to verify the first certificate", TlsCause::kUnknownCa},
      {"certificate has been revoked", TlsCause::kRevoked},
      {"certificate revoked", TlsCause::kRevoked},
      {"wrong version number", TlsCause::kNotTls},
      {"packet length too long", TlsCause::kNotTls},
      {"unsupported protocol", TlsCause::kProtocolVersion},
      {"alert protocol version", TlsCause::kProtocolVersion},
      {"no protocols available", TlsCause::kProtocolVersion},
      {"version too low", TlsCause::kProtocolVersion},
      {"certificate required", TlsCause::kClientCertRequired},
      {"alert handshake failure", TlsCause::kHandshakeRejected},
      {"no shared cipher", TlsCause::kHandshakeRejected},
      {"unrecognized name", TlsCause::kHandshakeRejected},
      {"alert", TlsCause::kHandshakeRejected},
  };
  for (const auto& w : kWords) {
    if (Contains(text, w.words)) return w.cause;
  }
  return TlsCause::kUnknown;
}

std::string TlsErrorText(CURLcode code, std::string_view text, long verify_result) {
  const TlsCause cause = ClassifyTlsFailure(code, verify_result, text);
  const std::string words(OpensslReason(text));
  const auto verification = [](std::string_view what) {
    return "certificate verification failed: " + std::string(what);
  };
  const auto handshake = [&words](std::string_view what) {
    std::string out = "TLS handshake failed: " + std::string(what);
    if (!words.empty()) out += " (" + words + ")";
    return out;
  };
  switch (cause) {
    case TlsCause::kExpired:
      return verification("certificate has expired");
    case TlsCause::kNotYetValid:
      return verification("certificate is not valid yet (is a clock wrong?)");
    case TlsCause::kSelfSigned:
      return verification("self-signed certificate (no trusted CA issued it)");
    case TlsCause::kUntrustedRoot:
      return verification(
          "the chain ends in a self-signed root CA that is not trusted here (self-signed "
          "certificate in certificate chain)");
    case TlsCause::kUnknownCa:
      return verification(
          "issued by an unknown CA: the issuer is not trusted here, or the server does not "
          "send its intermediate certificate (" +
          words + ")");
    case TlsCause::kRevoked:
      return verification("certificate has been revoked");
    case TlsCause::kHostMismatch: {
      const std::string_view host = TargetHostName(text);
      if (host.empty()) return verification("certificate is not valid for the host name");
      return verification("certificate is not valid for host name '" + std::string(host) + "'");
    }
    case TlsCause::kNotTls:
      return handshake("the server does not speak TLS on this port (is it plain HTTP?)");
    case TlsCause::kProtocolVersion:
      return handshake("no TLS protocol version in common with the server");
    case TlsCause::kHandshakeRejected:
      return handshake("the server rejected the handshake");
    case TlsCause::kClientCertRequired:
      return handshake("the server requires a client certificate");
    case TlsCause::kUnknown:
      break;
  }
  if (code == CURLE_PEER_FAILED_VERIFICATION) return verification(text);
  return "TLS handshake failed: " + std::string(text);
}

}  // namespace

PhaseTimings ComputePhases(const CurlTimes& t, bool https) {
  PhaseTimings p;
  if (t.namelookup > 0 || t.connect > 0) p.dns = Micros(t.namelookup);
  if (t.connect > 0) p.connect = Span(t.namelookup, t.connect);
  if (https && t.appconnect > 0) p.tls = Span(t.connect, t.appconnect);
  if (t.starttransfer > 0) {
    std::int64_t ready = std::max(t.namelookup, t.connect);
    if (https) ready = std::max(ready, t.appconnect);
    p.ttfb = Span(ready, t.starttransfer);
    p.transfer = Span(t.starttransfer, t.total);
  }
  p.total = Micros(std::max<std::int64_t>(0, t.total));
  return p;
}

TransportError MapCurlOutcome(const CurlOutcome& o) {
  switch (o.code) {
    case CURLE_OK:
      return TransportError::kNone;
    case CURLE_WRITE_ERROR:
      return o.body_truncated ? TransportError::kNone : TransportError::kOther;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportError::kDns;
    case CURLE_OPERATION_TIMEDOUT: {
      const bool connected = o.times.connect > 0 || o.times.pretransfer > 0 || o.tcp_connected;
      if (connected) return TransportError::kTimeout;
      return o.times.namelookup > 0 ? TransportError::kConnectTimeout : TransportError::kDns;
    }
    case CURLE_COULDNT_CONNECT:
      if (o.os_errno == ETIMEDOUT) return TransportError::kConnectTimeout;
      if (o.os_errno == ECONNRESET) return TransportError::kReset;
      return TransportError::kRefused;
    case CURLE_RECV_ERROR:
      if (IsTlsAlert(o.code, o.error_text)) return TransportError::kTls;
      if (Contains(o.error_text, "chunk")) return TransportError::kProtocol;
      return TransportError::kReset;
    case CURLE_SEND_ERROR:
      return IsTlsAlert(o.code, o.error_text) ? TransportError::kTls : TransportError::kReset;
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2_STREAM:
      return TransportError::kReset;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_HTTP2:
    case CURLE_HTTP3:
    case CURLE_RANGE_ERROR:
    case CURLE_BAD_DOWNLOAD_RESUME:
      return TransportError::kProtocol;
    default:
      if (IsTlsCode(o.code)) return TransportError::kTls;
      return o.os_errno == ECONNRESET ? TransportError::kReset : TransportError::kOther;
  }
}

TlsCause ClassifyTlsFailure(CURLcode code, long verify_result, std::string_view error_buffer) {
  if (code == CURLE_PEER_FAILED_VERIFICATION) {
    const TlsCause cause = CauseFromVerifyResult(verify_result);
    if (cause != TlsCause::kUnknown) return cause;
  }
  return CauseFromText(error_buffer);
}

std::string ErrorText(CURLcode code, std::string_view error_buffer, long verify_result) {
  const std::string_view text =
      error_buffer.empty() ? std::string_view(curl_easy_strerror(code)) : error_buffer;
  if (IsTlsCode(code) || IsTlsAlert(code, text)) return TlsErrorText(code, text, verify_result);
  return std::string(text);
}

std::optional<std::int64_t> ParseCertExpireDate(std::string_view s) {
  int h = 0, m = 0, sec = 0;
  // "2027-03-01 12:00:00 GMT"
  if (s.size() >= 10 && s[4] == '-' && s[7] == '-') {
    const auto y = Digits(s, 0, 4), mo = Digits(s, 5, 2), d = Digits(s, 8, 2);
    if (!y || !mo || !d || s.size() < 11 || s[10] != ' ') return std::nullopt;
    const auto end = ParseClock(s, 11, h, m, sec);
    if (!end || !EndsWithGmt(s, *end)) return std::nullopt;
    return ToUnix(*y, *mo, *d, h, m, sec);
  }
  // "Mar  1 12:00:00 2027 GMT"
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() < 7 || s[3] != ' ') return std::nullopt;
  const auto month_it = std::find(std::begin(kMonths), std::end(kMonths), s.substr(0, 3));
  if (month_it == std::end(kMonths)) return std::nullopt;
  const auto d = Digits(s, 4, 2, /*space_pad=*/true);
  if (!d || s[6] != ' ') return std::nullopt;
  const auto after_clock = ParseClock(s, 7, h, m, sec);
  if (!after_clock || *after_clock >= s.size() || s[*after_clock] != ' ') return std::nullopt;
  const auto y = Digits(s, *after_clock + 1, 4);
  if (!y || !EndsWithGmt(s, *after_clock + 5)) return std::nullopt;
  return ToUnix(*y, int(month_it - std::begin(kMonths)) + 1, *d, h, m, sec);
}

bool TlsHandshakeTimedOut(const CurlOutcome& o, bool https) {
  return https && o.code == CURLE_OPERATION_TIMEDOUT && o.tcp_connected && o.times.connect == 0 &&
         o.times.pretransfer == 0;
}

}  // namespace gatewatch::net
