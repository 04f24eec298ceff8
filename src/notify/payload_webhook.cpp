#include "notify/payload_webhook.h"

#include <map>

namespace gatewatch::notify {
namespace {

constexpr std::size_t kMaxDiagnosisChars = 4096;
// What Alertmanager writes for "no end time yet" (Go's zero time.Time).
constexpr std::string_view kZeroTime = "0001-01-01T00:00:00Z";

using StringMap = std::map<std::string, std::string>;

// Entries present with the same value in every map.
StringMap Common(const std::vector<StringMap>& maps) {
  if (maps.empty()) return {};
  StringMap common = maps.front();
  for (std::size_t i = 1; i < maps.size(); ++i) {
    for (auto it = common.begin(); it != common.end();) {
      const auto other = maps[i].find(it->first);
      it = other == maps[i].end() || other->second != it->second ? common.erase(it) : std::next(it);
    }
  }
  return common;
}

Json ToJson(const StringMap& map) {
  Json out = Json::object();
  for (const auto& [key, value] : map) out[key] = value;
  return out;
}

// Go's strconv.Quote, as Alertmanager prints label values in group keys (for our ASCII
// names and values, escaping backslashes and quotes is all it does).
std::string Quoted(std::string_view value) {
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

std::string RenderWebhookPayload(const std::vector<alert::AlertEvent>& events,
                                 const RenderContext& context) {
  std::vector<StringMap> labels, annotations;
  labels.reserve(events.size());
  annotations.reserve(events.size());
  bool any_firing = false;
  Json alerts = Json::array();
  for (const alert::AlertEvent& e : events) {
    const bool firing = e.status == alert::AlertStatus::kFiring;
    any_firing = any_firing || firing;
    StringMap notes = {{"summary", e.summary},
                       {"description", e.description},
                       {"diagnosis", TruncateText(e.diagnosis, kMaxDiagnosisChars)},
                       {"value", e.value_text},
                       {"threshold", e.threshold_text},
                       {"window", e.window},
                       {"trace_id", e.trace_id}};
    if (context.message_template) {
      notes["message"] = ExpandTemplate(*context.message_template, e, PlainText);
    }
    Json a = Json::object();
    a["status"] = alert::StatusName(e.status);
    a["labels"] = ToJson(e.labels);
    a["annotations"] = ToJson(notes);
    a["startsAt"] = core::FormatRfc3339(e.started_at);
    a["endsAt"] = !firing && e.ended_at ? core::FormatRfc3339(*e.ended_at) : std::string(kZeroTime);
    a["generatorURL"] = context.external_url;
    a["fingerprint"] = e.fingerprint;
    alerts.push_back(std::move(a));
    labels.push_back(e.labels);
    annotations.push_back(std::move(notes));
  }

  const StringMap common_labels = Common(labels);
  StringMap group_labels;
  for (const char* name : {"alertname", "target"}) {
    if (const auto it = common_labels.find(name); it != common_labels.end()) {
      group_labels.insert(*it);
    }
  }
  std::string group_key = "{}:{";
  for (const auto& [name, value] : group_labels) {
    if (group_key.back() != '{') group_key += ", ";
    group_key += name + "=" + Quoted(value);
  }
  group_key += "}";

  Json doc = Json::object();
  doc["version"] = "4";
  doc["groupKey"] = group_key;
  doc["truncatedAlerts"] = 0;
  doc["status"] = any_firing ? "firing" : "resolved";
  doc["receiver"] = context.receiver;
  doc["groupLabels"] = ToJson(group_labels);
  doc["commonLabels"] = ToJson(common_labels);
  doc["commonAnnotations"] = ToJson(Common(annotations));
  doc["externalURL"] = context.external_url;
  doc["alerts"] = std::move(alerts);
  return Dump(doc);
}

}  // namespace gatewatch::notify
