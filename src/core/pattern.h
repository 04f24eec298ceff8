#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace re2 {
class RE2;
}

namespace gatewatch::core {

// A compiled regular expression (RE2 syntax: Perl-like, no backreferences) that runs in
// linear time, so a hostile or huge response body cannot stall the probe loop.
// Immutable after Compile; safe to share across threads.
class Pattern {
 public:
  // The compiled pattern, or an error message such as "missing ): (abc".
  static std::variant<Pattern, std::string> Compile(std::string_view expression);

  bool Search(std::string_view text) const;  // true if it matches anywhere in text
  const std::string& expression() const { return expression_; }

 private:
  Pattern(std::string expression, std::shared_ptr<const re2::RE2> re)
      : expression_(std::move(expression)), re_(std::move(re)) {}
  std::string expression_;
  std::shared_ptr<const re2::RE2> re_;
};

}  // namespace gatewatch::core
