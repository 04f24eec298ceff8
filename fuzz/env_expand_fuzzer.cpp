// config::ExpandEnv, the `${NAME}` expander every config string goes through. Variables HOST,
// TOKEN and EMPTY are set (TOKEN's value itself contains "${HOST}" and "$$"), everything else
// is unset.
//
// Oracles: text without '$' is copied; expansion is one pass (a value is never expanded
// again); no error message ever repeats a variable's value; an expansion without errors
// equals a straightforward reference implementation.
#include <cstdint>
#include <optional>
#include <string>

#include "config/env_expand.h"
#include "fuzz_support.h"

namespace {

using gatewatch::fuzz::Check;

constexpr std::string_view kToken = "s3cr3t-${HOST}-$$-token";

std::optional<std::string> Lookup(std::string_view name) {
  if (name == "HOST") return std::string("127.0.0.1");
  if (name == "TOKEN") return std::string(kToken);
  if (name == "EMPTY") return std::string();
  return std::nullopt;
}

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

// The documented rules, written independently: "$$" -> "$", "${NAME}" -> value, any other
// '$' literal. Only called for texts the real expander accepted.
std::string Reference(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text.substr(i, 2) == "$$") {
      out += '$';
      i += 2;
    } else if (text.substr(i, 2) == "${") {
      std::size_t j = i + 2;
      while (j < text.size() && IsNameChar(text[j])) ++j;
      out += *Lookup(text.substr(i + 2, j - i - 2));
      i = j + 1;  // the accepted reference ends in '}'
    } else {
      out += text[i++];
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = gatewatch::fuzz::AsText(data, size);
  const gatewatch::config::ExpandResult result = gatewatch::config::ExpandEnv(text, Lookup);
  if (text.find('$') == std::string_view::npos) {
    Check(result.errors.empty() && result.value == text, "text without $ is copied");
  }
  const bool text_has_marker = text.find("s3cr3t") != std::string_view::npos;
  for (const std::string& error : result.errors) {
    Check(text_has_marker || error.find("s3cr3t") == std::string::npos,
          "no value in an error message");
    Check(!error.empty() && error.size() <= 256 + text.size(), "error messages are bounded");
  }
  if (result.errors.empty()) {
    Check(result.value == Reference(text), "expansion matches the reference");
  }
  return 0;
}
