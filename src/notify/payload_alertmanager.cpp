#include "notify/payload_alertmanager.h"

namespace gatewatch::notify {
namespace {

constexpr std::size_t kMaxDiagnosisChars = 4096;
constexpr std::string_view kApiPath = "/api/v2/alerts";

Json AlertObject(const alert::AlertEvent& e, const RenderContext& context) {
  Json labels = Json::object();
  for (const auto& [name, value] : e.labels) labels[name] = value;
  Json notes = Json::object();
  const auto note = [&notes](const char* name, std::string value) {
    if (!value.empty()) notes[name] = std::move(value);
  };
  note("summary", e.summary);
  note("description", e.description);
  note("value", e.value_text);
  note("threshold", e.threshold_text);
  note("window", e.window);
  note("diagnosis", TruncateText(e.diagnosis, kMaxDiagnosisChars));
  note("trace_id", e.trace_id);
  if (context.message_template) {
    note("message", ExpandTemplate(*context.message_template, e, PlainText));
  }
  Json a = Json::object();
  a["labels"] = std::move(labels);
  a["annotations"] = std::move(notes);
  a["startsAt"] = core::FormatRfc3339(e.started_at);
  if (e.status == alert::AlertStatus::kResolved) {
    a["endsAt"] = core::FormatRfc3339(e.ended_at.value_or(context.now));
  }
  if (!context.external_url.empty()) a["generatorURL"] = context.external_url;
  return a;
}

}  // namespace

std::string RenderAlertmanagerPayload(const std::vector<alert::AlertEvent>& events,
                                      const RenderContext& context) {
  Json doc = Json::array();
  for (const alert::AlertEvent& e : events) {
    Json a = AlertObject(e, context);
    if (!a.contains("endsAt") && context.firing_validity.count() > 0) {
      a["endsAt"] = core::FormatRfc3339(context.now + context.firing_validity);
    }
    doc.push_back(std::move(a));
  }
  return Dump(doc);
}

std::string RenderAlertmanagerAlert(const alert::AlertEvent& event, const RenderContext& context) {
  return Dump(AlertObject(event, context));
}

std::string AlertmanagerBatch(std::span<const std::string> alerts,
                              core::Clock::WallTimePoint ends_at) {
  const std::string stamp = ",\"endsAt\":\"" + core::FormatRfc3339(ends_at) + "\"}";
  std::string out = "[";
  for (const std::string& a : alerts) {
    if (out.size() > 1) out += ',';
    // Our own compact objects: "endsAt" appears as a key only if set, and the object ends
    // with its closing brace, so stamping is a splice rather than a re-parse.
    if (a.find("\"endsAt\":") == std::string::npos && !a.empty() && a.back() == '}') {
      out.append(a, 0, a.size() - 1);
      out += stamp;
    } else {
      out += a;
    }
  }
  out += "]";
  return out;
}

std::string AlertmanagerEndpoint(std::string_view url) {
  std::string base(url);
  if (base.size() >= kApiPath.size() &&
      base.compare(base.size() - kApiPath.size(), kApiPath.size(), kApiPath) == 0) {
    return base;
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + std::string(kApiPath);
}

}  // namespace gatewatch::notify
