#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "probe/result.h"

// Which hop produced an HTTP error answer: a gateway (nginx, HAProxy, Envoy, a cloud load
// balancer, ...), a CDN, or the application behind them. Pure functions, no I/O, no state.
namespace gatewatch::diagnose {

// Who generated the answer, in broad terms; the `origin` label of gatewatch_probe_5xx_total.
enum class Origin {
  kGateway,  // a reverse proxy or load balancer answered itself (its own error page)
  kApp,      // the application produced the answer; the hops in front only passed it on
  kCdn,      // a CDN edge answered itself, usually reporting a failure of the origin behind it
  kUnknown,  // no evidence either way
};
inline constexpr Origin kAllOrigins[] = {Origin::kGateway, Origin::kApp, Origin::kCdn,
                                         Origin::kUnknown};

// The product that generated the answer; the `responder` label of gatewatch_probe_5xx_total.
// A fixed set, so label cardinality stays bounded whatever peers send.
enum class Responder {
  kNginx,  // also OpenResty and Tengine, which keep nginx's error pages
  kHaproxy,
  kApache,  // Apache httpd (mod_proxy)
  kEnvoy,   // also Istio (server: istio-envoy)
  kCaddy,
  kTraefik,
  kVarnish,
  kSquid,
  kKong,
  kLighttpd,
  kAwsElb,    // AWS Application / Classic Load Balancer
  kGoogleLb,  // Google Cloud external HTTP(S) load balancer
  kCloudflare,
  kAkamai,
  kFastly,
  kCloudFront,
  kApplication,  // the application itself
  kUnknown,
};
inline constexpr Responder kAllResponders[] = {
    Responder::kNginx,       Responder::kHaproxy,  Responder::kApache,  Responder::kEnvoy,
    Responder::kCaddy,       Responder::kTraefik,  Responder::kVarnish, Responder::kSquid,
    Responder::kKong,        Responder::kLighttpd, Responder::kAwsElb,  Responder::kGoogleLb,
    Responder::kCloudflare,  Responder::kAkamai,   Responder::kFastly,  Responder::kCloudFront,
    Responder::kApplication, Responder::kUnknown};

// Label values: "gateway", "app", "cdn", "unknown".
std::string_view OriginName(Origin origin);
// Label values: "nginx", "haproxy", "apache", "envoy", "caddy", "traefik", "varnish", "squid",
// "kong", "lighttpd", "aws_elb", "google_lb", "cloudflare", "akamai", "fastly", "cloudfront",
// "app", "unknown".
std::string_view ResponderName(Responder responder);
// For sentences: "nginx", "HAProxy", "Apache httpd", "Envoy", ..., "the AWS load balancer",
// "the Google Cloud load balancer", ..., "the application", "an unidentified hop".
std::string_view ResponderDisplayName(Responder responder);
// The origin class of each product: CDNs -> kCdn, kApplication -> kApp, kUnknown -> kUnknown,
// every other product -> kGateway.
Origin OriginOf(Responder responder);

struct Fingerprint {
  Responder responder = Responder::kUnknown;
  Origin origin = Origin::kUnknown;
  // What the decision rests on, for people: "server: nginx/1.22.1 + nginx error page",
  // "JSON body, passed on by server: nginx/1.22.1". One ASCII line of at most ~200 bytes:
  // header values are cut to 64 bytes, control characters dropped, other non-ASCII bytes shown
  // as '?'. Never a label value.
  std::string evidence;
};

// Identifies who generated a response from its status, its headers (names lower-cased, as
// net::HttpResponse and probe::ProbeResult keep them) and the first bytes of its body (only
// the first probe::kBodyExcerptBytes are looked at). Meant for 5xx answers; works for any
// error status.
//
// The rule: Server, Via and vendor headers say who is on the path; the product's own default
// error page (or a header only its generated answers carry) says who generated the answer.
// A proxy's Server header alone is not enough: nginx sets "server: nginx" on every response
// it passes on, so a 500 with the application's JSON body behind nginx is kApplication. In
// order:
//   1. A product's generated-answer signature: its default error page (nginx's
//      "<center>nginx", HAProxy's "No server is available to handle this request.", Apache's
//      "Proxy Error", Varnish's "Guru Meditation", ...), or a header only its own answers
//      carry (x-squid-error, "server: awselb/2.0", "server: kong/x", "server: AkamaiGHost").
//      Cloudflare's 520-527 and 530 (with Cloudflare's headers or page) are Cloudflare
//      reporting the origin's failure: kCloudflare, kCdn.
//   2. Evidence that the application answered: a JSON body, a framework's error page
//      (Spring's Whitelabel page, Werkzeug, Rails, Django, ASP.NET, Express), an
//      application-server Server header (gunicorn, Kestrel, Jetty, ...), X-Powered-By, or a
//      proxy header that is only set on answers relayed from upstream
//      (x-envoy-upstream-service-time, x-kong-upstream-latency).
//   3. Weaker product hints: Envoy's Server header without x-envoy-upstream-service-time,
//      Caddy's Server header with an empty body, Traefik's bare "Bad Gateway" text body.
//   4. Otherwise kUnknown (evidence names what was on the path).
// Custom error pages configured on a gateway carry no signature and come out kUnknown.
//
// Cost: one pass over the headers and one lower-casing copy of at most 512 body bytes on the
// stack, then fixed substring searches; no regexes, no heap use except the evidence string
// (under 1 us per call for a 512-byte body). Thread-safe (pure).
Fingerprint IdentifyResponder(int status,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              std::string_view body_excerpt);

// The same for a failed probe: its http_status, headers and body_excerpt.
inline Fingerprint IdentifyResponder(const probe::ProbeResult& result) {
  return IdentifyResponder(result.http_status, result.headers, result.body_excerpt);
}

}  // namespace gatewatch::diagnose
