#include "notify/payload_common.h"

#include <cstdint>

#include "config/config.h"

namespace gatewatch::notify {
namespace {

// Length of the UTF-8 sequence starting with `lead`, or 1 for a byte that cannot start one.
std::size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xe0) == 0xc0) return 2;
  if ((lead & 0xf0) == 0xe0) return 3;
  if ((lead & 0xf8) == 0xf0) return 4;
  return 1;
}

// Bytes of the character at text[i] (a whole valid sequence, else 1).
std::size_t CharBytes(std::string_view text, std::size_t i) {
  const std::size_t n = SequenceLength(static_cast<unsigned char>(text[i]));
  if (n == 1 || i + n > text.size()) return 1;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return 1;
  }
  return n;
}

}  // namespace

std::string ExpandTemplate(std::string_view tmpl, const alert::AlertEvent& event,
                           const TextEscaper& escape) {
  const std::string_view values[] = {event.rule,
                                     event.target,
                                     event.value_text,
                                     event.threshold_text,
                                     event.window,
                                     event.diagnosis,
                                     alert::StatusName(event.status)};
  static_assert(std::size(values) == std::size(config::kTemplatePlaceholders));
  std::string out;
  out.reserve(tmpl.size() + 64);
  std::size_t i = 0;
  while (i < tmpl.size()) {
    const std::size_t open = tmpl.find("{{", i);
    if (open == std::string_view::npos) break;
    out.append(tmpl.substr(i, open - i));
    bool matched = false;
    for (std::size_t k = 0; k < std::size(values); ++k) {
      const std::string_view placeholder = config::kTemplatePlaceholders[k];
      if (tmpl.substr(open, placeholder.size()) == placeholder) {
        out += escape(values[k]);
        i = open + placeholder.size();
        matched = true;
        break;
      }
    }
    if (!matched) {
      out.append("{{");
      i = open + 2;
    }
  }
  out.append(tmpl.substr(std::min(i, tmpl.size())));
  return out;
}

std::string PlainText(std::string_view text) { return std::string(text); }

std::size_t CountChars(std::string_view text) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); i += CharBytes(text, i)) ++chars;
  return chars;
}

std::string TruncateText(std::string_view text, std::size_t max_chars) {
  if (max_chars == 0) return {};
  std::size_t chars = 0;
  std::size_t i = 0;
  std::size_t keep = 0;  // bytes of the first max_chars - 1 characters
  while (i < text.size()) {
    if (chars == max_chars - 1) keep = i;
    if (chars == max_chars) break;
    i += CharBytes(text, i);
    ++chars;
  }
  if (i >= text.size()) return std::string(text);
  std::string out(text.substr(0, keep));
  out += "\u2026";
  return out;
}

std::string Headline(const alert::AlertEvent& event) {
  std::string_view tag;
  switch (event.kind) {
    case alert::EventKind::kFired:
      tag = "FIRING";
      break;
    case alert::EventKind::kReminder:
      tag = "STILL FIRING";
      break;
    case alert::EventKind::kResolved:
      tag = "RESOLVED";
      break;
    case alert::EventKind::kTest:
      tag = "TEST";
      break;
  }
  std::string out = "[";
  out += tag;
  out += "] ";
  out += event.rule;
  out += " on ";
  out += event.target;
  if (!event.severity.empty()) {
    out += " (";
    out += event.severity;
    out += ")";
  }
  return out;
}

std::string ValueVsThreshold(const alert::AlertEvent& event) {
  return event.value_text + " (threshold " + event.threshold_text + ")";
}

std::string Dump(const Json& doc) {
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::int64_t UnixSeconds(core::Clock::WallTimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string_view StatusColor(const alert::AlertEvent& event) {
  if (event.kind == alert::EventKind::kTest) return "#439fe0";
  return event.status == alert::AlertStatus::kFiring ? "#d63232" : "#2eb67d";
}

}  // namespace gatewatch::notify
