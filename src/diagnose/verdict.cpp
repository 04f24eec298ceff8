#include "diagnose/verdict.h"

#include <cstdio>

namespace gatewatch::diagnose {
namespace {

constexpr std::chrono::microseconds kSlow502 = std::chrono::seconds(1);

std::string Ms(std::chrono::microseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

std::string GatewayPart(const probe::ProbeResult& gateway) {
  if (gateway.http_status != 0) {
    return "the gateway answered " + std::to_string(gateway.http_status) + " after " +
           Ms(gateway.latency);
  }
  return "the gateway failed (" + std::string(probe::ReasonName(gateway.reason)) + ") after " +
         Ms(gateway.latency);
}

}  // namespace

std::string_view UpstreamCaseName(UpstreamCase kind) {
  switch (kind) {
    case UpstreamCase::kNotApplicable: return "not_applicable";
    case UpstreamCase::kBackendRefuses: return "backend_refuses";
    case UpstreamCase::kBackendTimesOut: return "backend_times_out";
    case UpstreamCase::kBackendUnreachable: return "backend_unreachable";
    case UpstreamCase::kBackendErrors: return "backend_errors";
    case UpstreamCase::kGatewayTimeoutShorter: return "gateway_timeout_shorter";
    case UpstreamCase::kBackendFine: return "backend_fine";
  }
  return "not_applicable";
}

UpstreamVerdict CorrelateUpstream(const probe::ProbeResult& gateway,
                                  const probe::ProbeResult& upstream) {
  using probe::FailureReason;
  if (gateway.success()) return {};
  const std::string gw = GatewayPart(gateway);
  switch (upstream.reason) {
    case FailureReason::kRefused:
      return {UpstreamCase::kBackendRefuses,
              gw + "; the backend refuses connections: it is down or not listening on that port"};
    case FailureReason::kConnectTimeout:
    case FailureReason::kTimeout:
      return {UpstreamCase::kBackendTimesOut,
              gw + "; the backend does not answer in time either (" +
                  std::string(probe::ReasonName(upstream.reason)) + " after " +
                  Ms(upstream.latency) + "): it is hung or overloaded"};
    case FailureReason::kDns:
    case FailureReason::kTls:
    case FailureReason::kReset:
    case FailureReason::kProtocol:
      return {UpstreamCase::kBackendUnreachable,
              gw + "; the backend cannot be talked to directly either (" +
                  std::string(probe::ReasonName(upstream.reason)) + ": " + upstream.detail + ")"};
    default:
      break;
  }
  if (upstream.http_status >= 500) {
    return {UpstreamCase::kBackendErrors,
            gw + "; the backend itself answers " + std::to_string(upstream.http_status) +
                ", so the error starts there and the gateway passes it on"};
  }
  // The backend answers: the gateway is what breaks. If the gateway gave up sooner than the
  // backend needs, its upstream timeout is too short for this backend. A 504 (or our own
  // timeout) says the gateway was waiting; a 502 only when it took a while (some load
  // balancers, Google Cloud's among them, answer 502 when their backend timeout expires). A
  // quick 502 is a connection the gateway could not make or keep, however the latencies of
  // two fast answers happen to compare.
  const bool gateway_timeout = gateway.http_status == 504 ||
                               gateway.reason == FailureReason::kTimeout ||
                               (gateway.http_status == 502 && gateway.latency >= kSlow502);
  if (gateway_timeout && upstream.latency > gateway.latency) {
    return {UpstreamCase::kGatewayTimeoutShorter,
            gw + ", but the backend answers " + std::to_string(upstream.http_status) +
                " after " + Ms(upstream.latency) +
                ": the gateway's upstream timeout is shorter than the backend's latency"};
  }
  return {UpstreamCase::kBackendFine,
          gw + ", but the backend answers " + std::to_string(upstream.http_status) + " in " +
              Ms(upstream.latency) +
              " when probed directly: the gateway is misrouted, its upstream pool is stale, or "
              "its keep-alive connections to the backend are breaking"};
}

}  // namespace gatewatch::diagnose
