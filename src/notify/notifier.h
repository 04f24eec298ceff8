#pragma once
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "alert/event.h"
#include "config/config.h"
#include "core/clock.h"
#include "net/http_request.h"
#include "notify/payload_common.h"

// What a notifier of each type sends: the payload renderer for its type and the HTTP request
// that carries a rendered body. Pure functions; safe from any thread.
namespace gatewatch::notify {

// How long a firing alert posted to Alertmanager stays valid without a re-send, as a
// multiple of the re-send interval (Prometheus uses the same factor): a replica that dies
// lets its alerts resolve in Alertmanager after about this long.
inline constexpr int kAlertmanagerValidityFactor = 4;

// The render context for `spec` (its name and template) at wall time `now`.
// `firing_validity` only matters for alertmanager.
RenderContext ContextFor(const config::NotifierSpec& spec, std::string_view external_url,
                         core::Clock::WallTimePoint now,
                         std::chrono::milliseconds firing_validity = {});

// The body for `events` in the format of `type` (payload_<type>.h).
std::string RenderPayload(config::NotifierType type, const std::vector<alert::AlertEvent>& events,
                          const RenderContext& context);

// The request for one delivery attempt of `body` (already rendered: every retry sends the
// same bytes, so the signature and the Idempotency-Key stay the same):
//  - POST to the notifier URL (alertmanager: AlertmanagerEndpoint of it), timeout = the
//    notifier's timeout, keep-alive connections, no redirects, response read up to 4 KiB;
//  - Content-Type: application/json, User-Agent: gatewatch/<version>,
//    Idempotency-Key: `idempotency_key`;
//  - webhook with a secret: X-Gatewatch-Signature: sha256=<hex HMAC-SHA256 of body>;
//  - webhook: the notifier's own headers last; one with the same name as ours (any case)
//    replaces ours.
net::HttpRequest BuildDeliveryRequest(const config::NotifierSpec& spec, std::string body,
                                      std::string_view idempotency_key);

}  // namespace gatewatch::notify
