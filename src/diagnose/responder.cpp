#include "diagnose/responder.h"

#include <algorithm>
#include <array>
#include <cstddef>

// Where each signature comes from. "Captured" means taken from the real product on Debian 12
// (bookworm) while writing this module; the integration test
// tests/integration/diagnose_gateways_test.cpp starts those products and checks the rules
// against them on every run.
//
// nginx      Captured from nginx 1.22.1 (nginx-light): 502/504 pages end in
//            "<hr><center>nginx/1.22.1</center>" ("<center>nginx</center>" with
//            server_tokens off); OpenResty and Tengine keep the page with their own name.
// HAProxy    Captured from HAProxy 2.6.12 built-in errors (same text as
//            /etc/haproxy/errors/50x.http): "<html><body><h1>502 Bad Gateway</h1>\nThe server
//            returned an invalid or incomplete response.", 503 "No server is available to
//            handle this request.", 504 "The server didn't respond in time.", 500 "An internal
//            server error occurred." No Server header: the body is the evidence.
// Apache     Captured from Apache 2.4.71 mod_proxy: "502 Proxy Error" page with
//            "<h1>Proxy Error</h1>", the 503 "The server is temporarily unable to service
//            your\nrequest" page, "<address>Apache/2.4.71 (Debian) Server at ...". Older
//            releases (seen from 2.4.10) send the same text under an HTML 2.0 doctype.
// lighttpd   Captured from lighttpd 1.4.69 mod_proxy: 503 with "Server: lighttpd/1.4.69" and
//            an XHTML 1.0 Transitional page "<h1>503 Service Unavailable</h1>"; newer
//            releases write "<!DOCTYPE html>" + "<meta charset=\"UTF-8\" />"
//            (lighttpd1.4 src/response.c, http_response_static_errdoc).
// Squid      Captured from Squid 5.7 (accel mode): "X-Squid-Error: ERR_READ_ERROR 0",
//            "Server: squid/5.7", "Via: 1.1 host (squid/5.7)", page copyright "The Squid
//            Software Foundation". X-Squid-Error is only set on Squid's own error pages.
// Varnish    Captured from Varnish 7.1 builtin.vcl: "503 Backend fetch failed" page with
//            "<h3>Guru Meditation:</h3>" and "Varnish cache server", "Via: 1.1 varnish
//            (Varnish/7.1)", "X-Varnish: 2".
// Envoy      projectcontour/contour docs troubleshooting/common-errors.md ("server: envoy",
//            "upstream connect error or disconnect/reset before headers. reset reason:
//            connection failure"); the Istio 502 UPE write-up in mjasion/mjasion
//            ("server: istio-envoy"); "no healthy upstream" and "upstream request timeout"
//            from Envoy's router (envoyproxy/envoy issues #33000, #38577); an outlier-detection
//            test suite asserting x-envoy-upstream-service-time is absent on "no healthy
//            upstream" and present on relayed upstream answers.
// Caddy      caddyserver.com/docs/caddyfile/directives/handle_errors: reverse_proxy failures are
//            errors Caddy answers itself, by default with an empty body; "a refused dial is a
//            Caddy-synthesized 502" (joemccann/radon PR #159). Caddy sets "Server: Caddy".
// Traefik    traefik pkg/proxy error handler: status line plus http.StatusText as the body
//            ("Bad Gateway", "Gateway Timeout"), no Server header.
// Kong       Kong/kong issues #1874, #7165: {"message":"An invalid response was received from
//            the upstream server"} (502), "The upstream server is timing out" (504); Kong's own
//            answers carry "Server: kong/x", relayed ones "Via: kong/x" and
//            X-Kong-Upstream-Latency.
// AWS ELB    "server: awselb/2.0" on the load balancer's own 502/503 (nginx-like page without
//            the nginx footer), e.g. the SOCA DCV debug guide and ALB 503 "Service Temporarily
//            Unavailable" transcripts; AWS knowledge center "load-balancer-http-502-errors"
//            (ELB- vs backend-generated 502s).
// Google LB  kubernetes/ingress-gce issues #34, #164: "Error: Server Error / The server
//            encountered a temporary error and could not complete your request. Please try
//            again in 30 seconds."; every answer through the LB carries "via: 1.1 google".
// Cloudflare support.cloudflare.com article 115003011431 (5xx errors; 520-527 are Cloudflare's
//            own codes for origin failures, its own 500/502 pages say "cloudflare"); 52x pages
//            "<title>host | 520: Web server is returning an unknown error</title>" with
//            "cf-error-details"; nginx-style pages ending "<hr><center>cloudflare</center>";
//            "server: cloudflare" and "cf-ray" on every answer.
// Akamai     "Server: AkamaiGHost", "X-Reference-Error", bodies "An error occurred while
//            processing your request.<p>Reference&#32;&#35;97&#46;..." and links to
//            errors.edgesuite.net.
// Fastly     Fastly's synthetic page: "<h3>Guru Mediation:</h3> <p>Details: cache-iad2150-IAD
//            ..." (note: Mediation, not Meditation) with "X-Served-By: cache-...", "Via: 1.1
//            varnish".
// CloudFront "<TITLE>ERROR: The request could not be satisfied</TITLE>" ... "Generated by
//            cloudfront (CloudFront)", "X-Amz-Cf-Id", "Via: 1.1 <id>.cloudfront.net
//            (CloudFront)".
// App pages  Spring Boot "Whitelabel Error Page"; Werkzeug/Flask "...or there is an error in
//            the application."; Rails public/500.html "We're sorry, but something went
//            wrong."; Django "<h1>Server Error (500)</h1>"; ASP.NET "Server Error in '/'
//            Application."; Express finalhandler "<title>Error</title>" + "<pre>"; Tomcat
//            "<title>HTTP Status 500 – ..."; Jetty "<h2>HTTP ERROR 500".
namespace gatewatch::diagnose {
namespace {

constexpr std::size_t kEvidenceValueMax = 64;

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// `lower_prefix` must already be lower case.
bool StartsWithNoCase(std::string_view s, std::string_view lower_prefix) {
  if (s.size() < lower_prefix.size()) return false;
  for (std::size_t i = 0; i < lower_prefix.size(); ++i) {
    if (Lower(s[i]) != lower_prefix[i]) return false;
  }
  return true;
}

// Header values are short; a plain scan is cheaper than copying them. `lower_needle` must be
// lower case.
bool ContainsNoCase(std::string_view s, std::string_view lower_needle) {
  if (lower_needle.size() > s.size()) return false;
  for (std::size_t i = 0; i + lower_needle.size() <= s.size(); ++i) {
    if (StartsWithNoCase(s.substr(i), lower_needle)) return true;
  }
  return false;
}

// The body excerpt lower-cased once, on the stack, so every signature is a plain find().
class LowerBody {
 public:
  explicit LowerBody(std::string_view body) : size_(std::min(body.size(), buf_.size())) {
    for (std::size_t i = 0; i < size_; ++i) buf_[i] = Lower(body[i]);
  }
  std::string_view text() const { return {buf_.data(), size_}; }
  bool Has(std::string_view lower_needle) const {
    return text().find(lower_needle) != std::string_view::npos;
  }

 private:
  std::array<char, probe::kBodyExcerptBytes> buf_;
  std::size_t size_;
};

// What the headers say about the path, gathered in one pass.
struct PathHeaders {
  std::string_view server;
  std::string_view via;  // the first Via header; flags below cover all of them
  std::string_view content_type;
  std::string_view powered_by;
  std::string_view squid_error;
  bool cf_ray = false;
  bool fastly = false;                 // x-served-by: cache-..., x-fastly-request-id
  bool envoy_upstream_time = false;    // x-envoy-upstream-service-time
  bool kong_upstream_latency = false;  // x-kong-upstream-latency
  bool via_google = false;
  bool via_kong = false;
};

PathHeaders ScanHeaders(const std::vector<std::pair<std::string, std::string>>& headers) {
  PathHeaders h;
  for (const auto& [name, value] : headers) {
    if (name == "server") {
      if (h.server.empty()) h.server = value;
    } else if (name == "via") {
      if (h.via.empty()) h.via = value;
      h.via_google = h.via_google || ContainsNoCase(value, "google");
      h.via_kong = h.via_kong || ContainsNoCase(value, "kong/");
    } else if (name == "content-type") {
      h.content_type = value;
    } else if (name == "x-powered-by") {
      h.powered_by = value;
    } else if (name == "x-squid-error") {
      h.squid_error = value;
    } else if (name == "cf-ray") {
      h.cf_ray = true;
    } else if (name == "x-served-by") {
      h.fastly = h.fastly || StartsWithNoCase(value, "cache-");
    } else if (name == "x-fastly-request-id") {
      h.fastly = true;
    } else if (name == "x-envoy-upstream-service-time") {
      h.envoy_upstream_time = true;
    } else if (name == "x-kong-upstream-latency") {
      h.kong_upstream_latency = true;
    }
  }
  return h;
}

// A header value fit for a log line and a JSON string: control characters dropped, other
// non-ASCII bytes shown as '?' (a cut could split a UTF-8 sequence), long values cut.
void AppendValue(std::string& out, std::string_view value) {
  const bool cut = value.size() > kEvidenceValueMax;
  if (cut) value = value.substr(0, kEvidenceValueMax);
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) {
      out += '?';
    } else if (byte >= 0x20 && byte != 0x7f) {
      out += c;
    }
  }
  if (cut) out += "...";
}

// "server: nginx/1.22.1 + nginx error page (via: 1.1 google)"
std::string Generated(const PathHeaders& h, std::string_view what) {
  std::string e;
  e.reserve(what.size() + 48);
  if (!h.server.empty()) {
    e += "server: ";
    AppendValue(e, h.server);
    e += " + ";
  }
  e += what;
  if (!h.via.empty()) {
    e += " (via: ";
    AppendValue(e, h.via);
    e += ')';
  }
  return e;
}

// "JSON body, passed on by server: nginx/1.22.1"
std::string Relayed(const PathHeaders& h, std::string_view what) {
  std::string e(what);
  if (!h.server.empty()) {
    e += ", passed on by server: ";
    AppendValue(e, h.server);
  } else if (!h.via.empty()) {
    e += ", passed on via: ";
    AppendValue(e, h.via);
  }
  return e;
}

Fingerprint Make(Responder responder, std::string evidence) {
  return Fingerprint{responder, OriginOf(responder), std::move(evidence)};
}

bool IsCloudflareCode(int status) { return (status >= 520 && status <= 527) || status == 530; }

// Step 1: a product's own generated answer.
bool MatchGenerated(int status, const PathHeaders& h, const LowerBody& b, Fingerprint& out) {
  const bool cf_headers = StartsWithNoCase(h.server, "cloudflare") || h.cf_ray;
  if (IsCloudflareCode(status) && (cf_headers || b.Has("cloudflare"))) {
    out = Make(Responder::kCloudflare, Generated(h, "status " + std::to_string(status) +
                                                        " (a Cloudflare origin-error code)"));
    return true;
  }
  if (b.Has("<center>cloudflare</center>") || b.Has("cf-error-details") ||
      b.Has("cdn-cgi/styles/cf.errors.css") || b.Has("| cloudflare</title>")) {
    out = Make(Responder::kCloudflare, Generated(h, "Cloudflare error page"));
    return true;
  }
  if (StartsWithNoCase(h.server, "akamaighost")) {
    out = Make(Responder::kAkamai, Generated(h, "Akamai's own answer"));
    return true;
  }
  if (b.Has("reference&#32;&#35;") || b.Has("errors.edgesuite.net")) {
    out = Make(Responder::kAkamai, Generated(h, "Akamai error page (Reference #)"));
    return true;
  }
  if (b.Has("generated by cloudfront") || b.Has("error: the request could not be satisfied")) {
    out = Make(Responder::kCloudFront, Generated(h, "CloudFront error page"));
    return true;
  }
  if (b.Has("guru mediation") || (b.Has("guru meditation") && h.fastly)) {
    out = Make(Responder::kFastly, Generated(h, "Fastly error page (Guru Mediation)"));
    return true;
  }
  if (b.Has("guru meditation") || b.Has("varnish cache server")) {
    out = Make(Responder::kVarnish, Generated(h, "Varnish error page (Guru Meditation)"));
    return true;
  }
  if (!h.squid_error.empty()) {
    std::string what = "x-squid-error: ";
    AppendValue(what, h.squid_error);
    out = Make(Responder::kSquid, Generated(h, what));
    return true;
  }
  if (b.Has("the squid software foundation")) {
    out = Make(Responder::kSquid, Generated(h, "Squid error page"));
    return true;
  }
  if (StartsWithNoCase(h.server, "awselb")) {
    out = Make(Responder::kAwsElb, Generated(h, "the load balancer's own answer"));
    return true;
  }
  if (b.Has("<h1>error: server error</h1>") && b.Has("the server encountered a temporary error")) {
    out = Make(Responder::kGoogleLb, Generated(h, "Google load balancer error page"));
    return true;
  }
  const std::string_view trimmed = Trim(b.text());
  if (b.Has("upstream connect error or disconnect/reset before headers") ||
      trimmed == "no healthy upstream" || trimmed == "upstream request timeout" ||
      b.Has("upstream max stream duration reached")) {
    if (h.via_google) {
      out = Make(Responder::kGoogleLb, Generated(h, "Envoy-style local reply"));
    } else {
      out = Make(Responder::kEnvoy, Generated(h, "Envoy local reply"));
    }
    return true;
  }
  if (StartsWithNoCase(h.server, "kong")) {
    out = Make(Responder::kKong, Generated(h, "Kong's own answer"));
    return true;
  }
  if (b.Has("an invalid response was received from the upstream server") ||
      b.Has("the upstream server is timing out") ||
      b.Has("failure to get a peer from the ring-balancer") || b.Has("<title>kong error</title>") ||
      (h.via_kong && b.Has("name resolution failed"))) {
    out = Make(Responder::kKong, Generated(h, "Kong error message"));
    return true;
  }
  if (b.Has("<html><body><h1>") &&
      (b.Has("the server returned an invalid or incomplete response") ||
       b.Has("no server is available to handle this request") ||
       b.Has("the server didn't respond in time") || b.Has("an internal server error occurred"))) {
    out = Make(Responder::kHaproxy, Generated(h, "HAProxy error page"));
    return true;
  }
  const bool apache_server =
      StartsWithNoCase(h.server, "apache") && !StartsWithNoCase(h.server, "apache-coyote");
  if (b.Has("<h1>proxy error</h1>") || b.Has("<address>apache/") ||
      (apache_server && (b.Has("the server is temporarily unable to service your") ||
                         b.Has("the gateway did not receive a timely") ||
                         b.Has("the proxy server received an invalid") ||
                         b.Has("the server encountered an internal error or")))) {
    out = Make(Responder::kApache, Generated(h, "Apache error page"));
    return true;
  }
  if (StartsWithNoCase(h.server, "lighttpd") && b.Has("<h1>") &&
      (b.Has("xhtml1-transitional.dtd") || b.Has("<meta charset=\"utf-8\" />"))) {
    out = Make(Responder::kLighttpd, Generated(h, "lighttpd error page"));
    return true;
  }
  if (b.Has("<center>nginx") || b.Has("<center>openresty") || b.Has("<center>tengine")) {
    out = Make(Responder::kNginx, Generated(h, "nginx error page"));
    return true;
  }
  return false;
}

bool IsAppServer(std::string_view server) {
  static constexpr std::string_view kAppServers[] = {
      "gunicorn", "uvicorn",       "werkzeug", "waitress", "hypercorn",
      "daphne",   "tornadoserver", "kestrel",  "jetty",    "apache-coyote",
      "puma",     "webrick",       "thin",     "python/",  "cowboy"};
  return std::any_of(std::begin(kAppServers), std::end(kAppServers),
                     [server](std::string_view name) { return StartsWithNoCase(server, name); });
}

// Step 2: the application answered and the hops in front passed it on.
bool MatchApplication(const PathHeaders& h, const LowerBody& b, Fingerprint& out) {
  std::string_view what;
  const std::string_view trimmed = Trim(b.text());
  if (h.envoy_upstream_time) {
    what = "x-envoy-upstream-service-time (Envoy relayed the upstream's answer)";
  } else if (h.kong_upstream_latency) {
    what = "x-kong-upstream-latency (Kong relayed the upstream's answer)";
  } else if ((!trimmed.empty() && (trimmed.front() == '{' || trimmed.front() == '[')) ||
             ContainsNoCase(h.content_type, "json")) {
    what = "JSON body";
  } else if (b.Has("whitelabel error page")) {
    what = "Spring Boot error page";
  } else if (b.Has("there is an error in the application")) {
    what = "Werkzeug/Flask error page";
  } else if (b.Has("we're sorry, but something went wrong")) {
    what = "Rails error page";
  } else if (b.Has("<h1>server error (500)</h1>")) {
    what = "Django error page";
  } else if (b.Has("server error in '/' application")) {
    what = "ASP.NET error page";
  } else if (b.Has("<title>error</title>") && b.Has("<pre>")) {
    what = "Express error page";
  } else if (b.Has("<title>http status 5")) {
    what = "Tomcat error page";
  } else if (b.Has("<h2>http error 5")) {
    what = "Jetty error page";
  } else if (b.Has("traceback (most recent call last)")) {
    what = "Python traceback";
  } else if (!h.powered_by.empty()) {
    std::string e = "x-powered-by: ";
    AppendValue(e, h.powered_by);
    out = Make(Responder::kApplication, Relayed(h, e));
    return true;
  } else if (IsAppServer(h.server)) {
    std::string e = "server: ";
    AppendValue(e, h.server);
    e += " (an application server)";
    out = Make(Responder::kApplication, std::move(e));
    return true;
  } else {
    return false;
  }
  out = Make(Responder::kApplication, Relayed(h, what));
  return true;
}

// Step 3: weaker product hints, only when nothing above decided.
bool MatchHints(const PathHeaders& h, const LowerBody& b, Fingerprint& out) {
  const std::string_view trimmed = Trim(b.text());
  if ((StartsWithNoCase(h.server, "envoy") || StartsWithNoCase(h.server, "istio-envoy")) &&
      !h.envoy_upstream_time) {
    out = Make(Responder::kEnvoy,
               Generated(h, "no x-envoy-upstream-service-time (no upstream answered)"));
    return true;
  }
  if (StartsWithNoCase(h.server, "caddy") && trimmed.empty()) {
    out = Make(Responder::kCaddy, Generated(h, "empty body (Caddy's own error answer)"));
    return true;
  }
  if (h.server.empty() && (trimmed == "bad gateway" || trimmed == "gateway timeout" ||
                           trimmed == "service unavailable")) {
    out = Make(Responder::kTraefik,
               Generated(h, "bare status-text body without a Server header (Traefik's default)"));
    return true;
  }
  return false;
}

}  // namespace

std::string_view OriginName(Origin origin) {
  switch (origin) {
    case Origin::kGateway:
      return "gateway";
    case Origin::kApp:
      return "app";
    case Origin::kCdn:
      return "cdn";
    case Origin::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view ResponderName(Responder responder) {
  switch (responder) {
    case Responder::kNginx:
      return "nginx";
    case Responder::kHaproxy:
      return "haproxy";
    case Responder::kApache:
      return "apache";
    case Responder::kEnvoy:
      return "envoy";
    case Responder::kCaddy:
      return "caddy";
    case Responder::kTraefik:
      return "traefik";
    case Responder::kVarnish:
      return "varnish";
    case Responder::kSquid:
      return "squid";
    case Responder::kKong:
      return "kong";
    case Responder::kLighttpd:
      return "lighttpd";
    case Responder::kAwsElb:
      return "aws_elb";
    case Responder::kGoogleLb:
      return "google_lb";
    case Responder::kCloudflare:
      return "cloudflare";
    case Responder::kAkamai:
      return "akamai";
    case Responder::kFastly:
      return "fastly";
    case Responder::kCloudFront:
      return "cloudfront";
    case Responder::kApplication:
      return "app";
    case Responder::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view ResponderDisplayName(Responder responder) {
  switch (responder) {
    case Responder::kNginx:
      return "nginx";
    case Responder::kHaproxy:
      return "HAProxy";
    case Responder::kApache:
      return "Apache httpd";
    case Responder::kEnvoy:
      return "Envoy";
    case Responder::kCaddy:
      return "Caddy";
    case Responder::kTraefik:
      return "Traefik";
    case Responder::kVarnish:
      return "Varnish";
    case Responder::kSquid:
      return "Squid";
    case Responder::kKong:
      return "Kong";
    case Responder::kLighttpd:
      return "lighttpd";
    case Responder::kAwsElb:
      return "the AWS load balancer";
    case Responder::kGoogleLb:
      return "the Google Cloud load balancer";
    case Responder::kCloudflare:
      return "Cloudflare";
    case Responder::kAkamai:
      return "Akamai";
    case Responder::kFastly:
      return "Fastly";
    case Responder::kCloudFront:
      return "CloudFront";
    case Responder::kApplication:
      return "the application";
    case Responder::kUnknown:
      return "an unidentified hop";
  }
  return "an unidentified hop";
}

Origin OriginOf(Responder responder) {
  switch (responder) {
    case Responder::kCloudflare:
    case Responder::kAkamai:
    case Responder::kFastly:
    case Responder::kCloudFront:
      return Origin::kCdn;
    case Responder::kApplication:
      return Origin::kApp;
    case Responder::kUnknown:
      return Origin::kUnknown;
    case Responder::kNginx:
    case Responder::kHaproxy:
    case Responder::kApache:
    case Responder::kEnvoy:
    case Responder::kCaddy:
    case Responder::kTraefik:
    case Responder::kVarnish:
    case Responder::kSquid:
    case Responder::kKong:
    case Responder::kLighttpd:
    case Responder::kAwsElb:
    case Responder::kGoogleLb:
      return Origin::kGateway;
  }
  return Origin::kUnknown;
}

Fingerprint IdentifyResponder(int status,
                              const std::vector<std::pair<std::string, std::string>>& headers,
                              std::string_view body_excerpt) {
  const PathHeaders h = ScanHeaders(headers);
  const LowerBody b(body_excerpt);
  Fingerprint out;
  if (MatchGenerated(status, h, b, out) || MatchApplication(h, b, out) || MatchHints(h, b, out)) {
    return out;
  }
  out.responder = Responder::kUnknown;
  out.origin = Origin::kUnknown;
  const std::string_view what = Trim(b.text()).empty()
                                    ? std::string_view("empty body")
                                    : std::string_view("body matches no known error page");
  if (h.server.empty() && h.via.empty()) {
    out.evidence = std::string(what) + ", no identifying headers";
  } else {
    out.evidence = Generated(h, what);
  }
  return out;
}

}  // namespace gatewatch::diagnose
