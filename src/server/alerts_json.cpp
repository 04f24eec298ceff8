#include "server/alerts_json.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace gatewatch::server {

std::string RenderAlertsJson(const status::StatusSnapshot& snapshot) {
  std::vector<const alert::InstanceSnapshot*> order;
  order.reserve(snapshot.alerts.size());
  for (const auto& a : snapshot.alerts) order.push_back(&a);
  // Firing, then pending, then inactive: what needs attention comes first.
  std::stable_sort(order.begin(), order.end(),
                   [](const auto* a, const auto* b) { return a->state > b->state; });
  const auto finite = [](double v) -> nlohmann::ordered_json {
    return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
  };
  nlohmann::ordered_json alerts = nlohmann::ordered_json::array();
  for (const auto* a : order) {
    nlohmann::ordered_json j;
    j["alert"] = a->rule;
    j["target"] = a->target;
    j["severity"] = a->severity;
    j["signal"] = std::string(config::SignalName(a->signal));
    j["state"] = std::string(alert::StateName(a->state));
    j["value"] = a->value ? finite(*a->value) : nlohmann::ordered_json(nullptr);
    j["threshold"] = finite(a->threshold);
    j["since"] = core::FormatRfc3339(a->since);
    j["fired_at"] = a->fired_at ? nlohmann::ordered_json(core::FormatRfc3339(*a->fired_at))
                                : nlohmann::ordered_json(nullptr);
    j["held"] = a->held;
    alerts.push_back(std::move(j));
  }
  nlohmann::ordered_json doc;
  doc["generated"] = core::FormatRfc3339(snapshot.generated);
  doc["alerts"] = std::move(alerts);
  return doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace gatewatch::server
