#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "alert/event.h"
#include "notify/payload_common.h"

namespace gatewatch::notify {

// The `googlechat` body for a Google Chat space webhook: one text message in Chat's own
// formatting (*bold*, <url|label> links):
//
//   {"text": "*[FIRING] gateway-502 on checkout (critical)*\n
//             502 ratio 0.42 above 0.05 over 5m on checkout\n
//             Value: 0.42 (threshold 0.05), window 5m\n
//             Diagnosis: ...\n
//             <http://agent:9502/|Open gatewatch>"}
//
// With a template, the expanded template replaces the whole text (the link stays). Event
// text goes through EscapeGoogleChat. Several alerts are separated by blank lines (at most
// 10, then "+N more"); the text is cut at 4000 characters (Chat's limit is 4096), the
// diagnosis at 1000. Pure; safe from any thread.
std::string RenderGoogleChatPayload(const std::vector<alert::AlertEvent>& events,
                                    const RenderContext& context);

// Google Chat has no escape syntax, but "<" starts links and mentions ("<users/all>"), so
// every '<' is followed by a zero-width space (U+200B): it reads the same and links or
// mentions nothing.
std::string EscapeGoogleChat(std::string_view text);

}  // namespace gatewatch::notify
