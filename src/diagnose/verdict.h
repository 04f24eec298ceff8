#pragma once
#include <string>
#include <string_view>

#include "probe/result.h"

namespace gatewatch::diagnose {

// What a direct probe of the backend says about a gateway's failure, by example:
//   gateway 502, backend refused   -> kBackendRefuses
//   gateway 504, backend timed out -> kBackendTimesOut
//   gateway 502, backend 500       -> kBackendErrors (the backend's own error, passed on)
//   gateway 504 after 1.0 s, backend 200 after 2.5 s -> kGatewayTimeoutShorter (also a 502
//                                     taking 1 s or more: some load balancers send 502 when
//                                     their backend timeout expires)
//   gateway 502, backend 200 fast  -> kBackendFine (misrouted, stale pool, or a broken
//                                     keep-alive between gateway and backend)
enum class UpstreamCase {
  kNotApplicable,  // the gateway's probe passed
  kBackendRefuses,
  kBackendTimesOut,
  kBackendUnreachable,  // DNS, TLS, reset, protocol: the backend cannot be talked to
  kBackendErrors,
  kGatewayTimeoutShorter,
  kBackendFine,
};

struct UpstreamVerdict {
  UpstreamCase kind = UpstreamCase::kNotApplicable;
  std::string text;  // one plain sentence; "" for kNotApplicable
};

std::string_view UpstreamCaseName(UpstreamCase kind);  // "backend_refuses", ...

// Pure: correlates a failed gateway probe with a probe of the backend behind it made in the
// same round. Latencies come from the results (whole-probe time).
UpstreamVerdict CorrelateUpstream(const probe::ProbeResult& gateway,
                                  const probe::ProbeResult& upstream);

}  // namespace gatewatch::diagnose
