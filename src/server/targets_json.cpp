#include "server/targets_json.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "core/clock.h"
#include "core/duration.h"
#include "diagnose/findings.h"
#include "probe/result.h"

namespace gatewatch::server {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::size_t kFlushBytes = 64 * 1024;

Json Number(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }
Json Number(const std::optional<double>& value) { return value ? Number(*value) : Json(nullptr); }
double Seconds(std::chrono::microseconds d) { return static_cast<double>(d.count()) / 1e6; }

}  // namespace

Json PhasesToJson(const net::PhaseTimings& p) {
  Json phases = Json::object();
  const std::pair<const char*, const std::optional<net::Micros>*> measured[] = {
      {"dns", &p.dns}, {"connect", &p.connect}, {"tls", &p.tls}, {"ttfb", &p.ttfb},
      {"transfer", &p.transfer}};
  for (const auto& [name, value] : measured) {
    if (*value) phases[name] = Seconds(**value);
  }
  return phases;
}

namespace {

Json LastToJson(const probe::ProbeResult& r) {
  Json phases = PhasesToJson(r.phases);
  Json last = Json::object();
  last["status"] = r.http_status;
  last["success"] = r.success();
  last["reason"] = probe::ReasonName(r.reason);
  last["detail"] = r.detail;
  last["latency_seconds"] = Seconds(r.latency);
  last["phases"] = std::move(phases);
  last["remote_ip"] = r.remote_ip;
  last["started"] = core::FormatRfc3339(r.wall_started);
  last["trace_id"] = r.trace_id.str();
  last["tls_not_after"] = r.tls_not_after ? Json(*r.tls_not_after) : Json(nullptr);
  return last;
}

Json WindowToJson(const status::WindowSummary& w) {
  using status::WindowSummary;
  Json out = Json::object();
  out["window"] = core::FormatDuration(w.span);
  out["samples"] = w.total;
  out["failed"] = w.failed;
  out["status_5xx"] = w.status_5xx;
  out["status_502"] = w.status_502;
  out["status_503"] = w.status_503;
  out["status_504"] = w.status_504;
  out["ratios"] = {{"502", WindowSummary::Ratio(w.status_502, w.total)},
                   {"503", WindowSummary::Ratio(w.status_503, w.total)},
                   {"504", WindowSummary::Ratio(w.status_504, w.total)},
                   {"5xx", WindowSummary::Ratio(w.status_5xx, w.total)},
                   {"failure", WindowSummary::Ratio(w.failed, w.total)}};
  if (w.p50 || w.p90 || w.p99) {
    out["latency_seconds"] = {
        {"0.5", Number(w.p50)}, {"0.9", Number(w.p90)}, {"0.99", Number(w.p99)}};
  } else {
    out["latency_seconds"] = nullptr;
  }
  return out;
}

// Each one-byte code as the JSON shows it, rounded to what the code holds (a share to 0.001,
// a latency to 3 significant digits) so the numbers stay short. Decoded through text once, so
// the double printed back is the short decimal itself; null for kEmpty.
struct SparklineValues {
  std::array<Json, 256> ratio, latency;
  SparklineValues() {
    for (int code = 0; code < 256; ++code) {
      const auto c = static_cast<std::uint8_t>(code);
      const auto round = [](const char* format, std::optional<double> value) {
        if (!value) return Json(nullptr);
        char buf[32];
        std::snprintf(buf, sizeof buf, format, *value);
        return Json(std::strtod(buf, nullptr));
      };
      ratio[c] = round("%.3f", status::Sparkline::DecodeRatio(c));
      latency[c] = round("%.3g", status::Sparkline::DecodeLatencySeconds(c));
    }
  }
};

Json SparklineToJson(const status::Sparkline& s) {
  using status::Sparkline;
  static const SparklineValues values;
  Json ratios = Json::array();
  Json latencies = Json::array();
  for (std::size_t i = 0; i < Sparkline::kPoints; ++i) {
    ratios.push_back(values.ratio[s.ratio_502[i]]);
    latencies.push_back(values.latency[s.latency[i]]);
  }
  Json out = Json::object();
  out["span"] = core::FormatDuration(s.width * static_cast<int>(Sparkline::kPoints));
  out["point"] = core::FormatDuration(s.width);
  out["ratio_502"] = std::move(ratios);
  out["latency_seconds"] = std::move(latencies);
  return out;
}

// What the follow-up probes found (diagnose/findings.h): the direct probe of `upstream`,
// the confirm probes of the current failure, and each address of a resolve_all round.
void AddFollowUps(const status::TargetStatus& t, Json& out) {
  if (t.upstream) {
    const auto& u = *t.upstream;
    out["upstream"] = {{"case", std::string(diagnose::UpstreamCaseName(u.kind))},
                       {"text", u.text.empty() ? Json(nullptr) : Json(u.text)},
                       {"success", u.success},
                       {"status", u.http_status},
                       {"reason", probe::ReasonName(u.reason)},
                       {"latency_seconds", Seconds(u.latency)},
                       {"checked", core::FormatRfc3339(u.checked)}};
  } else {
    out["upstream"] = nullptr;
  }
  if (t.confirmed) {
    out["confirmed"] = {{"probes", t.confirmed->probes},
                        {"reproduced", t.confirmed->reproduced},
                        {"transient", t.confirmed->reproduced == 0}};
  } else {
    out["confirmed"] = nullptr;
  }
  if (t.backends.empty()) {
    out["backends"] = nullptr;
    return;
  }
  Json backends = Json::array();
  for (const auto& b : t.backends) {
    backends.push_back({{"address", b.address},
                        {"success", b.success},
                        {"status", b.http_status},
                        {"reason", probe::ReasonName(b.reason)},
                        {"latency_seconds", Seconds(b.latency)}});
  }
  out["backends"] = std::move(backends);
}

void Append(std::string& out, const Json& value) {
  out += value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

Json TargetToJson(const status::TargetStatus& t) {
  Json out = Json::object();
  out["name"] = t.name;
  out["url"] = t.url;
  out["labels"] = t.labels;
  out["interval"] = core::FormatDuration(t.interval);
  out["timeout"] = core::FormatDuration(t.timeout);
  out["up"] = t.up;
  out["state_since"] = t.last ? Json(core::FormatRfc3339(t.state_since)) : Json(nullptr);
  out["consecutive_failures"] = t.consecutive_failures;
  out["probes_total"] = t.probes_total;
  out["last"] = t.last ? LastToJson(*t.last) : Json(nullptr);
  out["diagnosis"] = t.diagnosis.empty() ? Json(nullptr) : Json(t.diagnosis);
  if (t.responder) {
    out["responder"] = {
        {"name", std::string(diagnose::ResponderName(t.responder->responder))},
        {"origin", std::string(diagnose::OriginName(t.responder->origin))},
        {"evidence", t.responder->evidence},
        {"display", std::string(diagnose::ResponderDisplayName(t.responder->responder))}};
  } else {
    out["responder"] = nullptr;
  }
  AddFollowUps(t, out);
  Json windows = Json::array();
  for (const auto& w : t.windows) windows.push_back(WindowToJson(w));
  out["windows"] = std::move(windows);
  out["sparkline"] = SparklineToJson(t.sparkline);
  return out;
}

bool RenderTargetsJson(const status::StatusSnapshot& snapshot, std::string_view only,
                       const Sink& sink) {
  std::string out;
  out.reserve(kFlushBytes + kFlushBytes / 2);
  out += "{\"generated\":";
  Append(out, core::FormatRfc3339(snapshot.generated));
  out += ",\"targets\":[";
  bool first = true;
  for (const auto& t : snapshot.targets) {
    if (!only.empty() && t->name != only) continue;
    if (!first) out += ',';
    first = false;
    Append(out, TargetToJson(*t));
    if (out.size() >= kFlushBytes) {
      if (!sink(out)) return false;
      out.clear();
    }
  }
  out += "]}\n";
  return sink(out);
}

}  // namespace gatewatch::server
