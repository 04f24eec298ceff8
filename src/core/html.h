#pragma once
#include <string>
#include <string_view>

// HTML escaping for everything the agent renders from config or the network (target names,
// URLs, labels, diagnosis sentences, curl's words): the one implementation, so no page can
// grow its own, slightly different switch.
namespace gatewatch::core {

// Appends `text` to `out` with & < > " ' written as entities (&amp; &lt; &gt; &quot; &#39;)
// and every other byte unchanged. The result is safe as element text and inside a quoted
// attribute value (never in an unquoted attribute, a URL scheme position, or a <script>).
// Pure; thread-safe.
void AppendHtmlEscaped(std::string& out, std::string_view text);

// The same, as a new string.
std::string HtmlEscape(std::string_view text);

}  // namespace gatewatch::core
