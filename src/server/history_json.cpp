#include "server/history_json.h"

#include <nlohmann/json.hpp>

#include "server/page_parts.h"
#include "server/targets_json.h"

namespace gatewatch::server {

std::string RenderHistoryJson(std::string_view target, const status::RecentResults& recent,
                              core::Clock::WallTimePoint generated) {
  using Json = nlohmann::ordered_json;
  const auto seconds = [](std::chrono::microseconds d) {
    return static_cast<double>(d.count()) / 1e6;
  };
  Json results = Json::array();
  for (std::size_t i = 0; i < recent.size(); ++i) {
    const status::RecentResult r = recent[i];
    Json phases = PhasesToJson(r.phases);
    Json j = Json::object();
    j["started"] = core::FormatRfc3339(r.started);
    j["success"] = r.success();
    j["status"] = r.http_status;
    j["reason"] = probe::ReasonName(r.reason);
    j["summary"] = page::ResultSummary(r);
    if (r.responder) {
      j["responder"] = {{"name", diagnose::ResponderName(*r.responder)},
                        {"origin", diagnose::OriginName(r.origin)}};
    } else {
      j["responder"] = nullptr;
    }
    j["latency_seconds"] = seconds(r.latency);
    j["phases"] = std::move(phases);
    results.push_back(std::move(j));
  }
  Json doc = Json::object();
  doc["generated"] = core::FormatRfc3339(generated);
  doc["target"] = target;
  doc["capacity"] = status::RecentResults::kCapacity;
  doc["results"] = std::move(results);
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace gatewatch::server
