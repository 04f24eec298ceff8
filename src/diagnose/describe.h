#pragma once
#include <string>

#include "diagnose/responder.h"
#include "probe/result.h"

namespace gatewatch::diagnose {

// One plain sentence saying why a probe failed, for the API, alerts and log lines. Built from
// the result's reason, http_status, detail, phases, latency, remote_ip and body_bytes, plus
// the fingerprint of who answered (may be null: then a 5xx is described by its status alone).
// Examples, one per reason:
//   dns              DNS lookup failed: could not resolve api.example.com
//   refused          connection refused by 127.0.0.1:8080: nothing is listening on that port
//   connect_timeout  TCP connect to 10.0.0.7 timed out after 3.0 s: no answer (host down,
//                    packets dropped by a firewall, or a wrong address)
//   tls              TLS certificate rejected: certificate has expired
//                    TLS handshake failed: the server does not speak TLS on this port (is it
//                    plain HTTP?) (wrong version number)
//   timeout          timed out after 3.0 s waiting for the first byte (connected in 1.2 ms)
//   reset            connection closed by 127.0.0.1 before any response (empty reply)
//   protocol         protocol error talking to 127.0.0.1: Unsupported HTTP/1 subversion in
//                    response
//   status (5xx)     502 from nginx (gateway): the gateway got no valid answer from its
//                    upstream
//                    500 from the application (app): the application itself returned the
//                    error; the hops in front passed it on
//                    521 from Cloudflare (cdn): the origin web server refused the connection
//   status (other)   unexpected status 404, expected 2xx
//   body             unexpected body: body does not match /"status":\s*"UP"/
//   health           the service reports itself unhealthy: health status "DOWN"
// A passing result (reason kNone) gives "". Durations are written "850 us", "1.2 ms", "3.0 s".
// Curl's words (detail) are used where the reason alone would say less. Pure; thread-safe.
std::string DescribeFailure(const probe::ProbeResult& result, const Fingerprint* fingerprint);

}  // namespace gatewatch::diagnose
