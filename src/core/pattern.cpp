#include "core/pattern.h"

#include <re2/re2.h>

namespace gatewatch::core {

std::variant<Pattern, std::string> Pattern::Compile(std::string_view expression) {
  RE2::Options options;
  options.set_log_errors(false);
  // 8 MiB keeps a pathological expression from eating memory; real ones need far less.
  options.set_max_mem(8 << 20);
  auto re = std::make_shared<const RE2>(re2::StringPiece(expression.data(), expression.size()),
                                        options);
  if (!re->ok()) return re->error();
  return Pattern(std::string(expression), std::move(re));
}

bool Pattern::Search(std::string_view text) const {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

}  // namespace gatewatch::core
