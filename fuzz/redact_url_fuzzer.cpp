// core::RedactUrl, which every log line, API answer and config message shows URLs through.
//
// Oracle: a marker string "SEKRIT" placed in a secret part of the URL (user info, a query
// value) never comes out, unless the same marker also sits in a public part (scheme, host,
// path, query key, fragment). The secret parts are found here by RFC 3986 rules, written
// independently of the implementation. Also: redacting twice changes nothing more.
#include <cstdint>
#include <string>

#include "core/secret.h"
#include "fuzz_support.h"

namespace {

using gatewatch::fuzz::Check;

constexpr std::string_view kMarker = "SEKRIT";

std::size_t Count(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

// The public parts of `url`, joined by NUL so a marker can never be formed across two parts.
std::string PublicParts(std::string_view url) {
  std::string out;
  std::size_t i = 0;
  if (const std::size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    i = scheme + 3;
    out.append(url.substr(0, i));
  }
  const std::size_t authority_end = std::min(url.find_first_of("/?#", i), url.size());
  const std::string_view authority = url.substr(i, authority_end - i);
  const std::size_t at = authority.rfind('@');
  out += '\0';
  out.append(at == std::string_view::npos ? authority : authority.substr(at + 1));
  i = authority_end;
  const std::size_t fragment = std::min(url.find('#', i), url.size());
  const std::size_t query = std::min(url.find('?', i), fragment);
  out += '\0';
  out.append(url.substr(i, query - i));  // path
  if (query < fragment) {
    std::string_view pairs = url.substr(query + 1, fragment - query - 1);
    while (true) {
      const std::size_t amp = pairs.find('&');
      const std::string_view pair = pairs.substr(0, amp);
      out += '\0';
      out.append(pair.substr(0, pair.find('=')));  // the key only
      if (amp == std::string_view::npos) break;
      pairs.remove_prefix(amp + 1);
    }
  }
  out += '\0';
  out.append(url.substr(fragment));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view url = gatewatch::fuzz::AsText(data, size);
  const std::string redacted = gatewatch::core::RedactUrl(url);
  Check(Count(redacted, kMarker) <= Count(PublicParts(url), kMarker),
        "no user info or query value survives redaction");
  Check(gatewatch::core::RedactUrl(redacted) == redacted, "redaction is idempotent");
  return 0;
}
