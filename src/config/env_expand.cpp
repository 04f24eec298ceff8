#include "config/env_expand.h"

#include <algorithm>

namespace gatewatch::config {
namespace {

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

constexpr std::string_view kMalformed =
    "malformed \"${\": write ${NAME} with NAME made of letters, digits and _ (not starting "
    "with a digit), or $$ for a literal $";

}  // namespace

ExpandResult ExpandEnv(std::string_view text, const EnvLookup& env) {
  ExpandResult result;
  if (text.find('$') == std::string_view::npos) {
    result.value.assign(text);
    return result;
  }
  result.value.reserve(text.size());
  std::vector<std::string_view> missing;
  bool malformed = false;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$' || i + 1 == text.size() || (text[i + 1] != '$' && text[i + 1] != '{')) {
      result.value += c;
      ++i;
      continue;
    }
    if (text[i + 1] == '$') {
      result.value += '$';
      i += 2;
      continue;
    }
    const std::size_t name_start = i + 2;
    std::size_t j = name_start;
    while (j < text.size() && IsNameChar(text[j])) ++j;
    if (j == name_start || !IsNameStart(text[name_start]) || j == text.size() || text[j] != '}') {
      // Keep going past the "${" so later references are still checked.
      malformed = true;
      i = name_start;
      continue;
    }
    const std::string_view name = text.substr(name_start, j - name_start);
    if (std::optional<std::string> value = env(name)) {
      result.value += *value;
    } else if (std::find(missing.begin(), missing.end(), name) == missing.end()) {
      missing.push_back(name);
    }
    i = j + 1;
  }
  for (std::string_view name : missing) {
    result.errors.push_back("environment variable " + std::string(name) + " is not set");
  }
  if (malformed) result.errors.emplace_back(kMalformed);
  return result;
}

}  // namespace gatewatch::config
