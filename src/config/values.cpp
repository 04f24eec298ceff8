#include "config/values.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "core/secret.h"

namespace gatewatch::config {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Digits only, at most 5 of them, value <= 65535.
bool IsPort(std::string_view text) {
  if (text.empty() || text.size() > 5) return false;
  unsigned value = 0;
  for (char c : text) {
    if (!IsDigit(c)) return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value <= 65535;
}

bool IsIpv4(std::string_view text) {
  unsigned char buf[4];
  return inet_pton(AF_INET, std::string(text).c_str(), buf) == 1;
}

bool IsIpv6(std::string_view text) {
  unsigned char buf[16];
  return inet_pton(AF_INET6, std::string(text).c_str(), buf) == 1;
}

// RFC 1123 host name: dot-separated labels of letters, digits and '-', no label starting or
// ending with '-', at most 63 per label and 253 in all.
bool IsHostName(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t dot = std::min(text.find('.', start), text.size());
    const std::string_view label = text.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!IsAlpha(c) && !IsDigit(c) && c != '-') return false;
    }
    start = dot + 1;
  }
  return true;
}

// `shown` is what messages print for the URL.
std::optional<std::string> CheckHttpUrl(std::string_view url, const std::string& shown) {
  const std::size_t scheme_end = url.find("://");
  const std::string_view scheme =
      scheme_end == std::string_view::npos ? std::string_view() : url.substr(0, scheme_end);
  if (!EqualsIgnoreCase(scheme, "http") && !EqualsIgnoreCase(scheme, "https")) {
    return "must be an http:// or https:// URL, got " + shown;
  }
  if (std::any_of(url.begin(), url.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; })) {
    return "must not contain whitespace or control characters, got " + shown;
  }
  std::string_view authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string_view host;
  std::string_view rest;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos || !IsIpv6(authority.substr(1, close - 1))) {
      return "must have a valid host, got " + shown;
    }
    host = authority.substr(0, close + 1);
    rest = authority.substr(close + 1);
  } else {
    const std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : authority.substr(colon);
  }
  if (host.empty()) return "must have a host, got " + shown;
  // An empty port ("http://h:/") is valid per RFC 3986 and means the scheme's default.
  if (!rest.empty() && (rest.front() != ':' || (rest.size() > 1 && !IsPort(rest.substr(1))))) {
    return "must have a numeric port 0..65535 after the host, got " + shown;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> CheckListen(std::string_view listen) {
  const std::string shown = Quote(listen);
  const std::string form = "must be \"host:port\" (e.g. \"0.0.0.0:9502\" or \"[::1]:9502\"), got ";
  std::string_view host;
  std::string_view port;
  if (!listen.empty() && listen.front() == '[') {
    const std::size_t close = listen.find(']');
    if (close == std::string_view::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return form + shown;
    }
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
    if (!IsIpv6(host)) return "host must be an IPv6 address inside [], got " + shown;
  } else {
    const std::size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return form + shown;
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return "an IPv6 host must be in brackets (e.g. \"[::1]:9502\"), got " + shown;
    }
    const bool looks_numeric =
        std::all_of(host.begin(), host.end(), [](char c) { return IsDigit(c) || c == '.'; });
    if (looks_numeric ? !IsIpv4(host) : !IsHostName(host)) {
      return "host must be an IPv4 address, a host name or a bracketed IPv6 address, got " + shown;
    }
  }
  if (!IsPort(port)) return "port must be a number 0..65535, got " + shown;
  return std::nullopt;
}

std::optional<std::string> CheckTargetUrl(std::string_view url) {
  return CheckHttpUrl(url, Quote(core::RedactUrl(url)));
}

std::optional<std::string> CheckNotifierUrl(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  const bool plain_scheme =
      scheme_end != std::string_view::npos && scheme_end > 0 &&
      std::all_of(url.begin(), url.begin() + static_cast<std::ptrdiff_t>(scheme_end), IsAlpha);
  return CheckHttpUrl(url, plain_scheme
                               ? Quote(std::string(url.substr(0, scheme_end)) + "://<redacted>")
                               : Quote("<redacted>"));
}

std::optional<std::string> CheckTemplate(std::string_view text) {
  std::size_t open = text.find("{{");
  while (open != std::string_view::npos) {
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return "\"{{\" at offset " + std::to_string(open) + " has no closing \"}}\"";
    }
    const std::string_view placeholder = text.substr(open, close + 2 - open);
    if (std::find(std::begin(kTemplatePlaceholders), std::end(kTemplatePlaceholders),
                  placeholder) == std::end(kTemplatePlaceholders)) {
      std::string message = "unknown placeholder " + Quote(placeholder) + " (allowed: ";
      for (std::size_t i = 0; i < std::size(kTemplatePlaceholders); ++i) {
        if (i > 0) message += ", ";
        message += kTemplatePlaceholders[i];
      }
      return message + ")";
    }
    open = text.find("{{", close + 2);
  }
  return std::nullopt;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

bool IsValidTargetName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxTargetNameLength &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return IsAlpha(c) || IsDigit(c) || c == '_' || c == '.' || c == '-';
         });
}

bool IsValidTargetGlob(std::string_view glob) {
  return !glob.empty() && glob.size() <= kMaxTargetNameLength &&
         std::all_of(glob.begin(), glob.end(), [](char c) {
           return IsAlpha(c) || IsDigit(c) || c == '_' || c == '.' || c == '-' || c == '*' ||
                  c == '?';
         });
}

bool IsGlob(std::string_view text) { return text.find_first_of("*?") != std::string_view::npos; }

bool IsHttpToken(std::string_view name) {
  static constexpr std::string_view kTokenSymbols = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return IsAlpha(c) || IsDigit(c) || kTokenSymbols.find(c) != std::string_view::npos;
  });
}

std::optional<std::string> CheckLabelName(std::string_view name) {
  const bool well_formed = !name.empty() && (IsAlpha(name.front()) || name.front() == '_') &&
                           std::all_of(name.begin(), name.end(),
                                       [](char c) { return IsAlpha(c) || IsDigit(c) || c == '_'; });
  if (!well_formed) return "label name must match [a-zA-Z_][a-zA-Z0-9_]*";
  if (name == "target" || name == "url") {
    return "label name \"" + std::string(name) + "\" is reserved (gatewatch sets it)";
  }
  if (name.starts_with("__")) return "label names starting with \"__\" are reserved";
  return std::nullopt;
}

std::optional<std::string> CheckAgentLabelName(std::string_view name) {
  if (auto problem = CheckLabelName(name)) return problem;
  if (name == "alertname" || name == "severity") {
    return "label name \"" + std::string(name) + "\" is reserved (every alert sets it)";
  }
  return std::nullopt;
}

std::optional<StatusMatcher> ParseStatusMatcher(std::string_view text) {
  if (text.size() != 3 || !IsDigit(text[0])) return std::nullopt;
  const int first = text[0] - '0';
  if (first < 1 || first > 5) return std::nullopt;
  if (Lower(text[1]) == 'x' && Lower(text[2]) == 'x') return StatusMatcher{0, first};
  if (!IsDigit(text[1]) || !IsDigit(text[2])) return std::nullopt;
  return StatusMatcher{first * 100 + (text[1] - '0') * 10 + (text[2] - '0'), 0};
}

std::optional<Shard> ParseShard(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto parse = [](std::string_view digits) -> std::optional<std::uint32_t> {
    if (digits.empty() || digits.size() > 5) return std::nullopt;
    std::uint32_t value = 0;
    for (char c : digits) {
      if (!IsDigit(c)) return std::nullopt;
      value = value * 10 + static_cast<std::uint32_t>(c - '0');
    }
    return value;
  };
  const std::optional<std::uint32_t> index = parse(text.substr(0, slash));
  const std::optional<std::uint32_t> count = parse(text.substr(slash + 1));
  if (!index || !count || *index >= *count || *count > kMaxShardCount) return std::nullopt;
  return Shard{*index, *count};
}

int EditDistance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  // Three rolling rows: the swap rule looks two rows back.
  std::vector<int> before(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = static_cast<int>(i);
    for (std::size_t j = 1; j <= m; ++j) {
      const int cost = Lower(a[i - 1]) == Lower(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && Lower(a[i - 1]) == Lower(b[j - 2]) &&
          Lower(a[i - 2]) == Lower(b[j - 1])) {
        cur[j] = std::min(cur[j], before[j - 2] + 1);
      }
    }
    std::swap(before, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

std::string Quote(std::string_view text) {
  constexpr std::size_t kMaxShown = 100;
  std::size_t limit = std::min(text.size(), kMaxShown);
  // Do not cut inside a UTF-8 sequence.
  while (limit > 0 && limit < text.size() &&
         (static_cast<unsigned char>(text[limit]) & 0xC0) == 0x80) {
    --limit;
  }
  std::string out = "\"";
  for (std::size_t i = 0; i < limit; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (limit < text.size()) out += "...";
  out += '"';
  return out;
}

}  // namespace gatewatch::config
