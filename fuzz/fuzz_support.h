#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Helpers shared by the libFuzzer drivers in fuzz/. Header-only; not part of gatewatch_lib.
namespace gatewatch::fuzz {

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A broken invariant is a finding: abort() so libFuzzer stops, reports "deadly signal" and
// writes the input to the artifact directory, exactly as for a sanitizer report.
inline void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
  std::abort();
}

// An HTTP answer as `curl -i` shows it, so seed files can be real captures:
//   HTTP/1.1 502 Bad Gateway        (or just "502"; the first 3-digit number is the status)
//   Server: nginx/1.22.1
//   Content-Type: text/html
//                                   (an empty line ends the headers)
//   <html>...                       (the rest, byte for byte, is the body)
// Lines end in "\n" or "\r\n". Header names are lower-cased and values trimmed, as
// net::HttpResponse keeps them; lines without ':' are skipped; at most 64 headers (the
// transport's own cap).
struct HttpText {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
};

inline HttpText ParseHttpText(std::string_view text) {
  HttpText out;
  auto next_line = [&text]() {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  };
  const std::string_view status_line = next_line();
  for (std::size_t i = 0; i + 3 <= status_line.size(); ++i) {
    const auto digit = [&](std::size_t k) {
      return status_line[k] >= '0' && status_line[k] <= '9';
    };
    const bool starts = i == 0 || !digit(i - 1);
    const bool ends = i + 3 == status_line.size() || !digit(i + 3);
    if (starts && ends && digit(i) && digit(i + 1) && digit(i + 2)) {
      out.status = (status_line[i] - '0') * 100 + (status_line[i + 1] - '0') * 10 +
                   (status_line[i + 2] - '0');
      break;
    }
  }
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  while (!text.empty()) {
    const std::string_view line = next_line();
    if (line.empty()) break;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || out.headers.size() == 64) continue;
    std::string name(trim(line.substr(0, colon)));
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    out.headers.emplace_back(std::move(name), std::string(trim(line.substr(colon + 1))));
  }
  out.body = text;
  return out;
}

// Splits `text` at NUL bytes into at most `max_parts` parts (the last keeps any further NULs),
// so one input can carry several independent strings; text seeds stay readable.
inline std::vector<std::string_view> SplitAtNul(std::string_view text, std::size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    const std::size_t nul = text.find('\0');
    if (nul == std::string_view::npos) break;
    parts.push_back(text.substr(0, nul));
    text.remove_prefix(nul + 1);
  }
  parts.push_back(text);
  return parts;
}

}  // namespace gatewatch::fuzz
