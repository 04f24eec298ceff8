#include "app/probe_command.h"

#include <chrono>
#include <cstdio>
#include <optional>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "config/values.h"
#include "core/clock.h"
#include "core/duration.h"
#include "core/secret.h"
#include "diagnose/describe.h"
#include "diagnose/responder.h"
#include "diagnose/verdict.h"
#include "net/curl_multi.h"
#include "probe/http_prober.h"

namespace gatewatch::app {
namespace {

using std::chrono::milliseconds;

struct ProbeArgs {
  std::string url, upstream;
  milliseconds timeout{5000};
  std::vector<config::Header> headers;
  bool json = false;
};

int Usage(const std::string& problem) {
  std::fprintf(stderr,
               "gatewatch probe: %s\nusage: gatewatch probe URL [--upstream URL] [--timeout D] "
               "[--header 'K: V']... [--json]\n",
               problem.c_str());
  return 2;
}

config::TargetSpec Spec(const std::string& name, const std::string& url, const ProbeArgs& a) {
  config::TargetSpec spec;
  spec.name = name;
  spec.url = url;
  spec.timeout = a.timeout;
  spec.interval = a.timeout;
  spec.headers = a.headers;
  spec.expect_status = {config::StatusMatcher{0, 2}, config::StatusMatcher{0, 3}};
  return spec;
}

std::string Ms(std::optional<std::chrono::microseconds> d) {
  if (!d) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", static_cast<double>(d->count()) / 1000.0);
  return buf;
}

void PrintWaterfall(const std::string& url, const probe::ProbeResult& r) {
  std::printf("GET %s\n", core::RedactUrl(url).c_str());
  const double total = std::max<double>(1.0, static_cast<double>(r.latency.count()));
  const std::pair<const char*, std::optional<std::chrono::microseconds>> phases[] = {
      {"dns", r.phases.dns},   {"connect", r.phases.connect},   {"tls", r.phases.tls},
      {"ttfb", r.phases.ttfb}, {"transfer", r.phases.transfer}};
  for (const auto& [name, value] : phases) {
    std::string bar;
    if (value) bar.assign(1 + static_cast<std::size_t>(40.0 * value->count() / total), '#');
    std::printf("  %-9s %10s  %s\n", name, Ms(value).c_str(), bar.c_str());
  }
  std::printf("  %-9s %10s\n", "total", Ms(r.latency).c_str());
}

nlohmann::ordered_json ResultJson(const std::string& url, const probe::ProbeResult& r,
                                  const std::optional<diagnose::Fingerprint>& hop,
                                  const std::string& diagnosis) {
  nlohmann::ordered_json j;
  j["url"] = core::RedactUrl(url);
  j["success"] = r.success();
  j["status"] = r.http_status;
  j["reason"] = std::string(probe::ReasonName(r.reason));
  j["detail"] = r.detail;
  j["latency_seconds"] = static_cast<double>(r.latency.count()) / 1e6;
  nlohmann::ordered_json phases = nlohmann::ordered_json::object();
  const auto put = [&](const char* k, const std::optional<std::chrono::microseconds>& v) {
    if (v) phases[k] = static_cast<double>(v->count()) / 1e6;
  };
  put("dns", r.phases.dns);
  put("connect", r.phases.connect);
  put("tls", r.phases.tls);
  put("ttfb", r.phases.ttfb);
  put("transfer", r.phases.transfer);
  j["phases"] = phases;
  j["remote_ip"] = r.remote_ip;
  j["trace_id"] = r.trace_id.str();
  if (hop) {
    j["responder"] = {{"name", std::string(diagnose::ResponderName(hop->responder))},
                      {"origin", std::string(diagnose::OriginName(hop->origin))},
                      {"evidence", hop->evidence}};
  }
  j["diagnosis"] = diagnosis;
  return j;
}

}  // namespace

int RunProbeCommand(const std::vector<std::string>& args) {
  ProbeArgs a;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if (args[i] == "--upstream" && has_value) {
      a.upstream = args[++i];
    } else if (args[i] == "--timeout" && has_value) {
      const auto d = core::ParseDuration(args[++i]);
      if (!d || *d < milliseconds(10)) return Usage("--timeout takes a duration of 10ms or more");
      a.timeout = *d;
    } else if (args[i] == "--header" && has_value) {
      const std::string h = args[++i];
      const auto colon = h.find(':');
      if (colon == std::string::npos || colon == 0) return Usage("--header takes 'Name: value'");
      std::string value = h.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      a.headers.push_back({h.substr(0, colon), core::Secret(value)});
    } else if (args[i] == "--json") {
      a.json = true;
    } else if (a.url.empty() && args[i].rfind("-", 0) != 0) {
      a.url = args[i];
    } else {
      return Usage("unknown argument \"" + args[i] + "\"");
    }
  }
  if (a.url.empty()) return Usage("a URL is required");
  for (const auto* url : {&a.url, &a.upstream}) {
    if (url->empty()) continue;
    if (auto problem = config::CheckTargetUrl(*url)) return Usage(*problem);
  }

  core::SystemClock clock;
  net::CurlMulti multi;
  probe::HttpProber prober(multi, clock, 0x9e3779b97f4a7c15ULL ^ static_cast<std::uint64_t>(
                                             clock.WallNow().time_since_epoch().count()));
  const config::TargetSpec gateway_spec = Spec("probe", a.url, a);
  const config::TargetSpec upstream_spec = Spec("upstream", a.upstream, a);
  std::optional<probe::ProbeResult> gateway, upstream;
  prober.Start(gateway_spec, [&](probe::ProbeResult&& r) { gateway = std::move(r); });
  if (!a.upstream.empty()) {
    prober.Start(upstream_spec, [&](probe::ProbeResult&& r) { upstream = std::move(r); });
  }
  const auto deadline = clock.Now() + a.timeout + std::chrono::seconds(2);
  while (prober.InFlight() > 0 && clock.Now() < deadline) multi.Poll(milliseconds(100));
  if (!gateway) {
    std::fprintf(stderr, "gatewatch probe: no result before the deadline\n");
    return 1;
  }

  std::optional<diagnose::Fingerprint> hop;
  if (gateway->http_status >= 500) hop = diagnose::IdentifyResponder(*gateway);
  const std::string diagnosis =
      gateway->success() ? "" : diagnose::DescribeFailure(*gateway, hop ? &*hop : nullptr);
  std::optional<diagnose::UpstreamVerdict> verdict;
  if (upstream) verdict = diagnose::CorrelateUpstream(*gateway, *upstream);

  if (a.json) {
    nlohmann::ordered_json out = ResultJson(a.url, *gateway, hop, diagnosis);
    if (upstream) {
      std::optional<diagnose::Fingerprint> up_hop;
      if (upstream->http_status >= 500) up_hop = diagnose::IdentifyResponder(*upstream);
      out["upstream"] = ResultJson(
          a.upstream, *upstream, up_hop,
          upstream->success() ? "" : diagnose::DescribeFailure(*upstream, up_hop ? &*up_hop : nullptr));
      out["verdict"] = {{"case", std::string(diagnose::UpstreamCaseName(verdict->kind))},
                        {"text", verdict->text}};
    }
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace).c_str());
  } else {
    PrintWaterfall(a.url, *gateway);
    if (gateway->http_status != 0) {
      std::printf("  status    %d", gateway->http_status);
      if (hop) {
        std::printf("  from %s (%s; %s)", std::string(diagnose::ResponderDisplayName(hop->responder)).c_str(),
                    std::string(diagnose::OriginName(hop->origin)).c_str(), hop->evidence.c_str());
      }
      std::printf("\n");
    }
    std::printf("  result    %s\n", gateway->success() ? "OK" : "FAILED");
    if (!diagnosis.empty()) std::printf("  diagnosis %s\n", diagnosis.c_str());
    if (upstream) {
      std::printf("\nupstream ");
      PrintWaterfall(a.upstream, *upstream);
      if (upstream->http_status != 0) std::printf("  status    %d\n", upstream->http_status);
      if (!verdict->text.empty()) std::printf("\n  verdict   %s\n", verdict->text.c_str());
    }
    std::printf("  trace id  %s\n", gateway->trace_id.c_str());
  }
  return gateway->success() ? 0 : 1;
}

}  // namespace gatewatch::app
