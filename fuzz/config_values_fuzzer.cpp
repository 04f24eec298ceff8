// The single-value checks of config/values.h and config::GlobMatches: shard "i/n", status
// matchers, listen addresses, target and notifier URLs, Quote, EditDistance and alert target
// globs. The first byte picks the function, the rest is its text (two NUL-separated parts
// for the two-argument ones).
//
// Oracles: round trips for shards and status matchers; a notifier URL (a secret as a whole)
// never shows beyond its scheme in a message; Quote stays short, quoted and control-free;
// EditDistance is a symmetric, bounded distance; GlobMatches agrees with a textbook
// dynamic-programming matcher.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/values.h"
#include "fuzz_support.h"

namespace {

namespace config = gatewatch::config;
using gatewatch::fuzz::Check;

// The loader never matches longer globs or names; it also keeps each run quadratic-cheap.
constexpr std::size_t kMaxPart = 256;

void FuzzShard(std::string_view text) {
  const auto shard = config::ParseShard(text);
  if (!shard) return;
  Check(shard->index < shard->count && shard->count <= config::kMaxShardCount, "shard range");
  const std::string canonical = std::to_string(shard->index) + "/" + std::to_string(shard->count);
  const auto again = config::ParseShard(canonical);
  Check(again && again->index == shard->index && again->count == shard->count, "shard round trip");
}

void FuzzStatusMatcher(std::string_view text) {
  const auto matcher = config::ParseStatusMatcher(text);
  if (!matcher) return;
  Check(matcher->code == 0 ? matcher->klass >= 1 && matcher->klass <= 5
                           : matcher->code >= 100 && matcher->code <= 599 && matcher->klass == 0,
        "matcher range");
  Check(config::ParseStatusMatcher(matcher->ToString()) == matcher, "matcher round trip");
  const int status = matcher->code != 0 ? matcher->code : matcher->klass * 100 + 2;
  Check(matcher->Matches(status), "a matcher matches its own status");
}

void FuzzListen(std::string_view text) {
  if (!config::CheckListen(text)) {
    Check(text.find(':') != std::string_view::npos, "an accepted listen address has a port");
  }
}

void FuzzUrls(std::string_view text) {
  config::CheckTargetUrl(text);
  if (const auto message = config::CheckNotifierUrl(text)) {
    // Whatever the URL holds, only a plain alphabetic scheme may be shown.
    const std::size_t scheme_end = text.find("://");
    const std::string_view scheme =
        scheme_end == std::string_view::npos ? std::string_view() : text.substr(0, scheme_end);
    if (scheme.find("SEKRIT") == std::string_view::npos) {
      Check(message->find("SEKRIT") == std::string::npos, "notifier URL message hides the URL");
    }
  }
}

void FuzzQuote(std::string_view text) {
  const std::string quoted = config::Quote(text);
  Check(quoted.size() >= 2 && quoted.front() == '"' && quoted.back() == '"', "quoted");
  Check(quoted.size() <= 2 + 100 * 4 + 3, "about 100 bytes shown");
  for (const char c : quoted) {
    const auto byte = static_cast<unsigned char>(c);
    Check(byte >= 0x20 && byte != 0x7f, "no control bytes in a quoted value");
  }
}

void FuzzEditDistance(std::string_view a, std::string_view b) {
  a = a.substr(0, kMaxPart);
  b = b.substr(0, kMaxPart);
  const int d = config::EditDistance(a, b);
  Check(d == config::EditDistance(b, a), "edit distance is symmetric");
  Check(d >= 0 && static_cast<std::size_t>(d) <= std::max(a.size(), b.size()), "upper bound");
  const std::size_t diff = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  Check(static_cast<std::size_t>(d) >= diff, "lower bound");
  Check((d == 0) == config::EqualsIgnoreCase(a, b), "zero exactly for equal text");
}

// match[i][j]: glob[i..] matches name[j..].
bool ReferenceGlob(std::string_view glob, std::string_view name) {
  std::vector<std::vector<char>> match(glob.size() + 1, std::vector<char>(name.size() + 1, 0));
  match[glob.size()][name.size()] = 1;
  for (std::size_t i = glob.size(); i-- > 0;) {
    for (std::size_t j = name.size() + 1; j-- > 0;) {
      if (glob[i] == '*') {
        match[i][j] = match[i + 1][j] || (j < name.size() && match[i][j + 1]);
      } else if (j < name.size() && (glob[i] == '?' || glob[i] == name[j])) {
        match[i][j] = match[i + 1][j + 1];
      }
    }
  }
  return match[0][0] != 0;
}

void FuzzGlob(std::string_view glob, std::string_view name) {
  glob = glob.substr(0, kMaxPart);
  name = name.substr(0, kMaxPart);
  Check(config::GlobMatches(glob, name) == ReferenceGlob(glob, name), "glob matches reference");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text = gatewatch::fuzz::AsText(data + 1, size - 1);
  const std::vector<std::string_view> two = gatewatch::fuzz::SplitAtNul(text, 2);
  const std::string_view second = two.size() > 1 ? two[1] : std::string_view();
  switch (data[0] % 8) {
    case 0:
      FuzzShard(text);
      break;
    case 1:
      FuzzStatusMatcher(text);
      break;
    case 2:
      FuzzListen(text);
      break;
    case 3:
      FuzzUrls(text);
      break;
    case 4:
      FuzzQuote(text);
      break;
    case 5:
      FuzzEditDistance(two[0], second);
      break;
    case 6:
      FuzzGlob(two[0], second);
      break;
    default:
      config::CheckTemplate(text);
      config::IsHttpToken(text);
      config::CheckAgentLabelName(text);
      break;
  }
  return 0;
}
