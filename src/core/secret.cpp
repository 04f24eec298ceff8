#include "core/secret.h"

namespace gatewatch::core {

std::string RedactUrl(std::string_view url) {
  std::string out;
  out.reserve(url.size());
  std::size_t authority_start = 0;
  if (const auto scheme_end = url.find("://"); scheme_end != std::string_view::npos) {
    authority_start = scheme_end + 3;
  }
  out.append(url.substr(0, authority_start));
  std::string_view rest = url.substr(authority_start);
  const std::size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    out += "<redacted>@";
    authority.remove_prefix(at + 1);
  }
  out.append(authority);
  if (authority_end == std::string_view::npos) return out;
  rest.remove_prefix(authority_end);

  const std::size_t query_start = rest.find('?');
  if (query_start == std::string_view::npos) {
    out.append(rest);
    return out;
  }
  out.append(rest.substr(0, query_start + 1));
  std::string_view query = rest.substr(query_start + 1);
  std::string_view fragment;
  if (const auto hash = query.find('#'); hash != std::string_view::npos) {
    fragment = query.substr(hash);
    query = query.substr(0, hash);
  }
  bool first = true;
  while (true) {  // a trailing '&' still gets its (empty) pair, so none is lost
    const std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (!first) out += '&';
    first = false;
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      out.append(pair);
    } else {
      out.append(pair.substr(0, eq + 1));
      out += "<redacted>";
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  out.append(fragment);
  return out;
}

}  // namespace gatewatch::core
