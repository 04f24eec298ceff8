#include "notify/backoff.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace gatewatch::notify {
namespace {

using std::chrono::milliseconds;

constexpr std::size_t kExcerptBytes = 200;

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's
// days_from_civil), so no timegm/locale is involved.
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

int MonthIndex(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == name) return static_cast<int>(i) + 1;
  }
  return 0;
}

bool IsDayName(std::string_view name) {
  static constexpr std::string_view kShort[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::string_view kLong[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                               "Friday", "Saturday", "Sunday"};
  for (const auto d : kShort) {
    if (d == name) return true;
  }
  for (const auto d : kLong) {
    if (d == name) return true;
  }
  return false;
}

// Parses an unsigned decimal of exactly `digits` digits (or 1..digits when `exact` is false)
// at the front of `s`, consuming it.
bool TakeNumber(std::string_view& s, std::size_t digits, bool exact, int* out) {
  std::size_t n = 0;
  while (n < s.size() && n < digits && std::isdigit(static_cast<unsigned char>(s[n]))) ++n;
  if (n == 0 || (exact && n != digits)) return false;
  std::from_chars(s.data(), s.data() + n, *out);
  s.remove_prefix(n);
  return true;
}

bool TakeLiteral(std::string_view& s, std::string_view literal) {
  if (s.substr(0, literal.size()) != literal) return false;
  s.remove_prefix(literal.size());
  return true;
}

bool TakeWord(std::string_view& s, std::string_view* word) {
  std::size_t n = 0;
  while (n < s.size() && std::isalpha(static_cast<unsigned char>(s[n]))) ++n;
  if (n == 0) return false;
  *word = s.substr(0, n);
  s.remove_prefix(n);
  return true;
}

bool TakeTime(std::string_view& s, int* h, int* m, int* sec) {
  return TakeNumber(s, 2, true, h) && TakeLiteral(s, ":") && TakeNumber(s, 2, true, m) &&
         TakeLiteral(s, ":") && TakeNumber(s, 2, true, sec);
}

// Unix seconds of an HTTP-date in any of the three RFC 9110 forms, or nullopt.
std::optional<std::int64_t> ParseHttpDate(std::string_view s) {
  std::string_view day_name, month_name;
  int day = 0, month = 0, year = 0, h = 0, m = 0, sec = 0;
  if (!TakeWord(s, &day_name) || !IsDayName(day_name)) return std::nullopt;
  if (TakeLiteral(s, ", ")) {
    if (s.size() > 2 && s[2] == ' ') {  // IMF-fixdate: "06 Nov 1994 08:49:37 GMT"
      if (!TakeNumber(s, 2, true, &day) || !TakeLiteral(s, " ") || !TakeWord(s, &month_name) ||
          !TakeLiteral(s, " ") || !TakeNumber(s, 4, true, &year) || !TakeLiteral(s, " ") ||
          !TakeTime(s, &h, &m, &sec) || s != " GMT") {
        return std::nullopt;
      }
    } else {  // RFC 850: "06-Nov-94 08:49:37 GMT"; two-digit years are 19xx/20xx by RFC 9110
      if (!TakeNumber(s, 2, true, &day) || !TakeLiteral(s, "-") || !TakeWord(s, &month_name) ||
          !TakeLiteral(s, "-") || !TakeNumber(s, 2, true, &year) || !TakeLiteral(s, " ") ||
          !TakeTime(s, &h, &m, &sec) || s != " GMT") {
        return std::nullopt;
      }
      year += year < 70 ? 2000 : 1900;
    }
  } else {  // asctime: "Nov  6 08:49:37 1994"
    if (!TakeLiteral(s, " ") || !TakeWord(s, &month_name) || !TakeLiteral(s, " ")) {
      return std::nullopt;
    }
    TakeLiteral(s, " ");
    if (!TakeNumber(s, 2, false, &day) || !TakeLiteral(s, " ") || !TakeTime(s, &h, &m, &sec) ||
        !TakeLiteral(s, " ") || !TakeNumber(s, 4, true, &year) || !s.empty()) {
      return std::nullopt;
    }
  }
  month = MonthIndex(month_name);
  if (month == 0 || day < 1 || day > 31 || h > 23 || m > 59 || sec > 60) return std::nullopt;
  return DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
         h * 3600 + m * 60 + sec;
}

std::string_view TransportErrorText(net::TransportError error) {
  switch (error) {
    case net::TransportError::kNone:
      return "ok";
    case net::TransportError::kDns:
      return "dns failed";
    case net::TransportError::kRefused:
      return "connect refused";
    case net::TransportError::kConnectTimeout:
      return "connect timeout";
    case net::TransportError::kTls:
      return "tls failed";
    case net::TransportError::kTimeout:
      return "timeout";
    case net::TransportError::kReset:
      return "connection reset";
    case net::TransportError::kProtocol:
      return "protocol error";
    case net::TransportError::kCancelled:
      return "cancelled";
    case net::TransportError::kOther:
      return "transport error";
  }
  return "transport error";
}

std::string Excerpt(std::string_view text) {
  std::string out;
  const std::size_t n = std::min(text.size(), kExcerptBytes);
  out.reserve(n + 3);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out.push_back(c < 0x20 || c == 0x7f ? ' ' : static_cast<char>(c));
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (text.size() > n) out += "...";
  return out;
}

const std::string* FindHeader(const net::HttpResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

}  // namespace

milliseconds BackoffDelay(const BackoffPolicy& policy, std::uint32_t failures,
                          std::mt19937_64& rng) {
  if (failures == 0 || policy.base <= milliseconds::zero()) return milliseconds::zero();
  std::int64_t cap = policy.base.count();
  for (std::uint32_t i = 1; i < failures && cap < policy.max.count(); ++i) cap *= 2;
  cap = std::min<std::int64_t>(cap, policy.max.count());
  std::uniform_int_distribution<std::int64_t> pick(0, cap);
  return milliseconds(pick(rng));
}

std::optional<milliseconds> ParseRetryAfter(std::string_view value,
                                            core::Clock::WallTimePoint wall_now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(value.front()))) {
    // Anything beyond a year is as good as forever; the caller caps it anyway.
    constexpr std::int64_t kYear = 366LL * 24 * 3600;
    std::int64_t seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (end != value.data() + value.size()) return std::nullopt;
    if (ec == std::errc::result_out_of_range) seconds = kYear;
    if (ec != std::errc() && ec != std::errc::result_out_of_range) return std::nullopt;
    return milliseconds(std::min(seconds, kYear) * 1000);
  }
  const std::optional<std::int64_t> at = ParseHttpDate(value);
  if (!at) return std::nullopt;
  const auto now_ms = std::chrono::duration_cast<milliseconds>(wall_now.time_since_epoch()).count();
  return milliseconds(std::max<std::int64_t>(0, *at * 1000 - now_ms));
}

Verdict Judge(const net::HttpResponse& response) {
  if (response.error == net::TransportError::kCancelled) return Verdict::kCancelled;
  if (response.error != net::TransportError::kNone || response.http_status == 0) {
    return Verdict::kRetry;
  }
  const int status = response.http_status;
  if (status >= 200 && status <= 299) return Verdict::kDelivered;
  if (status == 408 || status == 429 || status >= 500) return Verdict::kRetry;
  return Verdict::kPermanent;
}

milliseconds RetryDelay(const BackoffPolicy& policy, std::uint32_t failures,
                        const net::HttpResponse& response, core::Clock::WallTimePoint wall_now,
                        std::mt19937_64& rng) {
  milliseconds delay = BackoffDelay(policy, failures, rng);
  if (response.error == net::TransportError::kNone &&
      (response.http_status == 429 || response.http_status == 503)) {
    if (const std::string* header = FindHeader(response, "retry-after")) {
      if (const auto asked = ParseRetryAfter(*header, wall_now)) delay = std::max(delay, *asked);
    }
  }
  return std::min(delay, policy.max);
}

std::string DescribeFailure(const net::HttpResponse& response) {
  if (response.error != net::TransportError::kNone) {
    std::string out(TransportErrorText(response.error));
    if (!response.error_text.empty()) out += ": " + Excerpt(response.error_text);
    return out;
  }
  std::string out = "HTTP " + std::to_string(response.http_status);
  const std::string body = Excerpt(response.body);
  if (!body.empty()) out += ": " + body;
  return out;
}

}  // namespace gatewatch::notify
