#include "core/html.h"

#include <gtest/gtest.h>

namespace gatewatch::core {
namespace {

TEST(HtmlEscape, EscapesMarkupCharacters) {
  EXPECT_EQ(HtmlEscape(R"(<a href="x" title='y'>&</a>)"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(HtmlEscape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(HtmlEscape("plain"), "plain");
  EXPECT_EQ(HtmlEscape(""), "");
  EXPECT_EQ(HtmlEscape("&amp;"), "&amp;amp;") << "escaped text is escaped again, never trusted";
}

TEST(HtmlEscape, KeepsOtherBytesAndAppends) {
  std::string out = "<b>";
  AppendHtmlEscaped(out, std::string_view("caf\xc3\xa9 \0 x>", 10));
  EXPECT_EQ(out, std::string("<b>caf\xc3\xa9 \0 x&gt;", 16));
}

}  // namespace
}  // namespace gatewatch::core
