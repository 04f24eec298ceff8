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
      const bool connected = o.times.connect > 0 || o.times.pretransfer > 0;
      if (connected) return TransportError::kTimeout;
      return o.times.namelookup > 0 ? TransportError::kConnectTimeout : TransportError::kDns;
    }
    case CURLE_COULDNT_CONNECT:
      if (o.os_errno == ETIMEDOUT) return TransportError::kConnectTimeout;
      if (o.os_errno == ECONNRESET) return TransportError::kReset;
      return TransportError::kRefused;
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
      return TransportError::kTls;
    case CURLE_RECV_ERROR:
      if (o.error_text.find("chunk") != std::string_view::npos) return TransportError::kProtocol;
      return TransportError::kReset;
    case CURLE_SEND_ERROR:
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
      return o.os_errno == ECONNRESET ? TransportError::kReset : TransportError::kOther;
  }
}

std::string ErrorText(CURLcode code, std::string_view error_buffer) {
  std::string text =
      error_buffer.empty() ? std::string(curl_easy_strerror(code)) : std::string(error_buffer);
  if (code == CURLE_PEER_FAILED_VERIFICATION) text.insert(0, "certificate verification failed: ");
  return text;
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

}  // namespace gatewatch::net
