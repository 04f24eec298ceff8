#include "diagnose/responder.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace gatewatch::diagnose {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Case {
  const char* name;
  int status;
  Headers headers;  // names lower-cased, as the prober keeps them
  std::string body;
  Responder want;
  Origin origin;
  const char* evidence;  // must appear in Fingerprint::evidence
};

// Pages captured from the real products on Debian 12 (nginx 1.22.1, HAProxy 2.6.12,
// Apache 2.4.71, lighttpd 1.4.69, Squid 5.7, Varnish 7.1); the integration test
// diagnose_gateways_test.cpp checks the same rules against the running products.
const std::string kNginx502 =
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n"
    "</body>\r\n</html>\r\n";
const std::string kHaproxy502 =
    "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete "
    "response.\n</body></html>\n";
const std::string kHaproxy503 =
    "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this "
    "request.\n</body></html>\n";
const std::string kHaproxy504 =
    "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n"
    "</body></html>\n";
const std::string kApache502 =
    "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" "
    "\"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>502 Proxy Error</title>\n"
    "</head><body>\n<h1>Proxy Error</h1>\n<p>The proxy server received an invalid\nresponse "
    "from an upstream server.<br />\nThe proxy server could not handle the request<p>Reason: "
    "<strong>Error reading from remote server</strong></p></p>\n<hr>\n<address>Apache/2.4.71 "
    "(Debian) Server at 127.0.0.1 Port 18431</address>\n</body></html>\n";
// Apache's 503 with ServerSignature Off: no <address> line, the Server header still says it.
const std::string kApache503NoSignature =
    "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" "
    "\"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>503 Service "
    "Unavailable</title>\n</head><body>\n<h1>Service Unavailable</h1>\n<p>The server is "
    "temporarily unable to service your\nrequest due to maintenance downtime or capacity\n"
    "problems. Please try again later.</p>\n</body></html>\n";
const std::string kLighttpd503 =
    "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD "
    "XHTML 1.0 Transitional//EN\"\n         "
    "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n<html "
    "xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n <head>\n  "
    "<title>503 Service Unavailable</title>\n </head>\n <body>\n  <h1>503 Service "
    "Unavailable</h1>\n </body>\n</html>\n";
// lighttpd1.4 src/response.c http_response_static_errdoc, releases after 1.4.69.
const std::string kLighttpdNew503 =
    "<!DOCTYPE html>\n<html lang=\"en\">\n <head>\n  <meta charset=\"UTF-8\" />\n  "
    "<title>503 Service Unavailable</title>\n </head>\n <body>\n  <h1>503 Service "
    "Unavailable</h1>\n </body>\n</html>\n";
const std::string kSquid502Start =
    "<!DOCTYPE html PUBLIC \"-//W3C//DTD HTML 4.01//EN\" "
    "\"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<meta type=\"copyright\" "
    "content=\"Copyright (C) 1996-2021 The Squid Software Foundation and contributors\">\n"
    "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\n<title>ERROR: "
    "The requested URL could not be retrieved</title>\n";
const std::string kVarnish503 =
    "<!DOCTYPE html>\n<html>\n  <head>\n    <title>503 Backend fetch failed</title>\n  "
    "</head>\n  <body>\n    <h1>Error 503 Backend fetch failed</h1>\n    <p>Backend fetch "
    "failed</p>\n    <h3>Guru Meditation:</h3>\n    <p>XID: 3</p>\n    <hr>\n    <p>Varnish "
    "cache server</p>\n  </body>\n</html>\n";
// AWS ALB: the nginx-like page without the nginx footer, CRLF line ends (Content-Length 122).
const std::string kAlb502 =
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
    "Gateway</h1></center>\r\n</body>\r\n</html>\r\n";
// kubernetes/ingress-gce issues #34 and #164.
const std::string kGoogle502 =
    "<html><head>\n<meta http-equiv=\"content-type\" content=\"text/html;charset=utf-8\">\n"
    "<title>502 Server Error</title>\n</head>\n<body text=#000000 bgcolor=#ffffff>\n<h1>Error: "
    "Server Error</h1>\n<h2>The server encountered a temporary error and could not complete "
    "your request.<p>Please try again in 30 seconds.</h2>\n<h2></h2>\n</body></html>\n";
// Cloudflare 52x page head (public 520/525 captures) and its nginx-style 502.
const std::string kCloudflare522 =
    "<!DOCTYPE html>\n<!--[if lt IE 7]> <html class=\"no-js ie6 oldie\" lang=\"en-US\"> "
    "<![endif]-->\n<head>\n<title>example.com | 522: Connection timed out</title>\n<meta "
    "charset=\"UTF-8\" />\n";
const std::string kCloudflare502 =
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
    "Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n";
const std::string kAkamai503 =
    "<HTML><HEAD><TITLE>Error</TITLE></HEAD><BODY>An error occurred while processing your "
    "request.<p>Reference&#32;&#35;97&#46;44367c68&#46;1482720567&#46;ec59760</BODY></HTML>";
const std::string kFastly503 =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?> <!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML "
    "1.0 Strict//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\"> <html> <head> "
    "<title>503 Backend is unhealthy</title> </head> <body> <h1>Error 503 Backend is "
    "unhealthy</h1> <p>Backend is unhealthy</p> <h3>Guru Mediation:</h3> <p>Details: "
    "cache-iad2150-IAD 1528653727 3234964384</p> <hr> <p>Varnish cache server</p> </body> "
    "</html>";
const std::string kCloudFront502 =
    "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\" "
    "\"http://www.w3.org/TR/html4/loose.dtd\">\n<HTML><HEAD><META HTTP-EQUIV=\"Content-Type\" "
    "CONTENT=\"text/html; charset=iso-8859-1\">\n<TITLE>ERROR: The request could not be "
    "satisfied</TITLE>\n</HEAD><BODY>\n<H1>502 ERROR</H1>\n";
const std::string kSpringJson = R"({"timestamp":"2026-01-01T00:00:00.000+00:00","status":500,)"
                                R"("error":"Internal Server Error","path":"/api/orders"})";
const std::string kWerkzeug500 =
    "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal "
    "Server Error</h1>\n<p>The server encountered an internal error and was unable to "
    "complete your request. Either the server is overloaded or there is an error in the "
    "application.</p>\n";
const std::string kExpress500 =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>"
    "\n</head>\n<body>\n<pre>Internal Server Error</pre>\n</body>\n</html>\n";
const std::string kRails500 =
    "<!DOCTYPE html>\n<html>\n<head>\n  <title>We're sorry, but something went wrong "
    "(500)</title>\n";

std::vector<Case> Cases() {
  return {
      // Gateways, each from its own error page or a header only its own answers carry.
      {"nginx 502",
       502,
       {{"server", "nginx/1.22.1"}, {"content-type", "text/html"}},
       kNginx502,
       Responder::kNginx,
       Origin::kGateway,
       "server: nginx/1.22.1 + nginx error page"},
      {"nginx server_tokens off",
       504,
       {{"server", "nginx"}},
       "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 "
       "Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
       Responder::kNginx,
       Origin::kGateway,
       "nginx error page"},
      {"openresty keeps nginx's page",
       502,
       {{"server", "openresty"}},
       "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
       "Gateway</h1></center>\r\n<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n",
       Responder::kNginx,
       Origin::kGateway,
       "nginx error page"},
      {"nginx page upper case",
       502,
       {},
       "<HR><CENTER>NGINX</CENTER>",
       Responder::kNginx,
       Origin::kGateway,
       "nginx error page"},
      {"haproxy 502 (no server header)",
       502,
       {{"content-type", "text/html"}, {"cache-control", "no-cache"}},
       kHaproxy502,
       Responder::kHaproxy,
       Origin::kGateway,
       "HAProxy error page"},
      {"haproxy 503",
       503,
       {{"content-type", "text/html"}},
       kHaproxy503,
       Responder::kHaproxy,
       Origin::kGateway,
       "HAProxy error page"},
      {"haproxy 504",
       504,
       {{"content-type", "text/html"}},
       kHaproxy504,
       Responder::kHaproxy,
       Origin::kGateway,
       "HAProxy error page"},
      {"apache proxy error",
       502,
       {{"server", "Apache/2.4.71 (Debian)"}},
       kApache502,
       Responder::kApache,
       Origin::kGateway,
       "Apache error page"},
      {"apache 503 without signature",
       503,
       {{"server", "Apache"}},
       kApache503NoSignature,
       Responder::kApache,
       Origin::kGateway,
       "server: Apache + Apache error page"},
      {"apache 2.4.10 html 2.0 page",
       502,
       {},
       "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>502 Proxy "
       "Error</title>\n</head><body>\n<h1>Proxy Error</h1>\n",
       Responder::kApache,
       Origin::kGateway,
       "Apache error page"},
      {"lighttpd 1.4.69",
       503,
       {{"server", "lighttpd/1.4.69"}},
       kLighttpd503,
       Responder::kLighttpd,
       Origin::kGateway,
       "lighttpd error page"},
      {"lighttpd newer",
       503,
       {{"server", "lighttpd"}},
       kLighttpdNew503,
       Responder::kLighttpd,
       Origin::kGateway,
       "lighttpd error page"},
      {"squid by header",
       502,
       {{"server", "squid/5.7"},
        {"x-squid-error", "ERR_READ_ERROR 0"},
        {"via", "1.1 vm (squid/5.7)"}},
       kSquid502Start,
       Responder::kSquid,
       Origin::kGateway,
       "x-squid-error: ERR_READ_ERROR 0"},
      {"squid by page",
       503,
       {},
       kSquid502Start,
       Responder::kSquid,
       Origin::kGateway,
       "Squid error page"},
      {"varnish",
       503,
       {{"server", "Varnish"}, {"x-varnish", "2"}, {"via", "1.1 varnish (Varnish/7.1)"}},
       kVarnish503,
       Responder::kVarnish,
       Origin::kGateway,
       "Guru Meditation"},
      {"envoy connection failure (contour docs)",
       503,
       {{"server", "envoy"}, {"content-type", "text/plain"}},
       "upstream connect error or disconnect/reset before headers. reset reason: connection "
       "failure",
       Responder::kEnvoy,
       Origin::kGateway,
       "Envoy local reply"},
      {"istio 502 UPE",
       502,
       {{"server", "istio-envoy"}},
       "upstream connect error or disconnect/reset before headers. reset reason: protocol error",
       Responder::kEnvoy,
       Origin::kGateway,
       "server: istio-envoy"},
      {"envoy no healthy upstream",
       503,
       {{"server", "envoy"}},
       "no healthy upstream",
       Responder::kEnvoy,
       Origin::kGateway,
       "Envoy local reply"},
      {"envoy upstream request timeout",
       504,
       {{"server", "envoy"}},
       "upstream request timeout",
       Responder::kEnvoy,
       Origin::kGateway,
       "Envoy local reply"},
      {"envoy empty local reply",
       503,
       {{"server", "envoy"}},
       "",
       Responder::kEnvoy,
       Origin::kGateway,
       "no x-envoy-upstream-service-time"},
      {"caddy empty 502",
       502,
       {{"server", "Caddy"}},
       "",
       Responder::kCaddy,
       Origin::kGateway,
       "empty body"},
      {"traefik bad gateway",
       502,
       {{"content-type", "text/plain; charset=utf-8"}},
       "Bad Gateway",
       Responder::kTraefik,
       Origin::kGateway,
       "Traefik"},
      {"traefik gateway timeout",
       504,
       {},
       "Gateway Timeout",
       Responder::kTraefik,
       Origin::kGateway,
       "Traefik"},
      {"kong 502 own answer",
       502,
       {{"server", "kong/3.4.2"}, {"content-type", "application/json; charset=utf-8"}},
       R"({"message":"An invalid response was received from the upstream server"})",
       Responder::kKong,
       Origin::kGateway,
       "server: kong/3.4.2"},
      {"kong 504 message",
       504,
       {},
       R"({
  "message":"The upstream server is timing out"
})",
       Responder::kKong,
       Origin::kGateway,
       "Kong error message"},
      {"aws alb 502",
       502,
       {{"server", "awselb/2.0"}, {"content-type", "text/html"}},
       kAlb502,
       Responder::kAwsElb,
       Origin::kGateway,
       "server: awselb/2.0"},
      {"aws alb 503 empty target group",
       503,
       {{"server", "awselb/2.0"}},
       "<html>\n<head><title>503 Service Temporarily Unavailable</title></head>\n<body>\n"
       "<center><h1>503 Service Temporarily Unavailable</h1></center>\n</body>\n</html>\n",
       Responder::kAwsElb,
       Origin::kGateway,
       "awselb"},
      {"google lb 502",
       502,
       {{"via", "1.1 google"}, {"content-type", "text/html; charset=UTF-8"}},
       kGoogle502,
       Responder::kGoogleLb,
       Origin::kGateway,
       "Google load balancer error page"},
      {"google lb envoy-style reply",
       503,
       {{"via", "1.1 google"}},
       "upstream connect error or disconnect/reset before headers. reset reason: connection "
       "timeout",
       Responder::kGoogleLb,
       Origin::kGateway,
       "via: 1.1 google"},
      // CDNs.
      {"cloudflare 522",
       522,
       {{"server", "cloudflare"}, {"cf-ray", "8f3d56181e892e53-BOM"}},
       kCloudflare522,
       Responder::kCloudflare,
       Origin::kCdn,
       "status 522"},
      {"cloudflare 521 without body",
       521,
       {{"cf-ray", "8f3d56181e892e53-BOM"}},
       "",
       Responder::kCloudflare,
       Origin::kCdn,
       "status 521"},
      {"cloudflare own 502",
       502,
       {{"server", "cloudflare"}},
       kCloudflare502,
       Responder::kCloudflare,
       Origin::kCdn,
       "Cloudflare error page"},
      {"akamai by server",
       503,
       {{"server", "AkamaiGHost"}, {"x-reference-error", "18.c52"}},
       kAkamai503,
       Responder::kAkamai,
       Origin::kCdn,
       "server: AkamaiGHost"},
      {"akamai by reference", 504, {}, kAkamai503, Responder::kAkamai, Origin::kCdn, "Reference #"},
      {"fastly",
       503,
       {{"x-served-by", "cache-iad2150-IAD"}, {"via", "1.1 varnish"}},
       kFastly503,
       Responder::kFastly,
       Origin::kCdn,
       "Fastly"},
      {"cloudfront",
       502,
       {{"server", "CloudFront"}, {"x-amz-cf-id", "q3OA"}, {"x-cache", "Error from cloudfront"}},
       kCloudFront502,
       Responder::kCloudFront,
       Origin::kCdn,
       "CloudFront error page"},
      // The application answered; the proxies in front only passed it on.
      {"spring json behind nginx",
       500,
       {{"server", "nginx/1.22.1"}, {"content-type", "application/json"}},
       kSpringJson,
       Responder::kApplication,
       Origin::kApp,
       "JSON body, passed on by server: nginx/1.22.1"},
      {"app's own 502 json behind nginx",
       502,
       {{"server", "nginx"}},
       R"({"error":"payment provider unavailable"})",
       Responder::kApplication,
       Origin::kApp,
       "JSON body"},
      {"problem+json content type, blank body",
       503,
       {{"server", "nginx"}, {"content-type", "application/problem+json"}},
       "  ",
       Responder::kApplication,
       Origin::kApp,
       "JSON body"},
      {"app json behind cloudflare",
       500,
       {{"server", "cloudflare"}, {"cf-ray", "8c2f10ab39d1-AMS"}},
       kSpringJson,
       Responder::kApplication,
       Origin::kApp,
       "passed on by server: cloudflare"},
      {"spring whitelabel page",
       500,
       {{"server", "nginx"}},
       "<html><body><h1>Whitelabel Error Page</h1><p>This application has no explicit mapping",
       Responder::kApplication,
       Origin::kApp,
       "Spring Boot error page"},
      {"werkzeug behind gunicorn",
       500,
       {{"server", "gunicorn"}},
       kWerkzeug500,
       Responder::kApplication,
       Origin::kApp,
       "Werkzeug/Flask error page"},
      {"express behind nginx",
       500,
       {{"server", "nginx"}, {"x-powered-by", "Express"}},
       kExpress500,
       Responder::kApplication,
       Origin::kApp,
       "Express error page"},
      {"x-powered-by only",
       500,
       {{"server", "nginx"}, {"x-powered-by", "PHP/8.2.7"}},
       "<html><body>Something broke</body></html>",
       Responder::kApplication,
       Origin::kApp,
       "x-powered-by: PHP/8.2.7"},
      {"rails",
       500,
       {{"server", "nginx"}},
       kRails500,
       Responder::kApplication,
       Origin::kApp,
       "Rails error page"},
      {"django",
       500,
       {{"server", "nginx"}},
       "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  "
       "<title>Server Error (500)</title>\n</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>",
       Responder::kApplication,
       Origin::kApp,
       "Django error page"},
      {"relayed by envoy",
       500,
       {{"server", "envoy"}, {"x-envoy-upstream-service-time", "12"}},
       "boom",
       Responder::kApplication,
       Origin::kApp,
       "x-envoy-upstream-service-time"},
      {"relayed by kong",
       500,
       {{"via", "kong/3.4.2"}, {"x-kong-upstream-latency", "7"}, {"x-kong-proxy-latency", "0"}},
       "boom",
       Responder::kApplication,
       Origin::kApp,
       "x-kong-upstream-latency"},
      {"application server header",
       503,
       {{"server", "Kestrel"}},
       "",
       Responder::kApplication,
       Origin::kApp,
       "server: Kestrel (an application server)"},
      // Ambiguous: no signature, no application evidence.
      {"custom page behind nginx",
       502,
       {{"server", "nginx/1.22.1"}},
       "<html><body>We'll be right back</body></html>",
       Responder::kUnknown,
       Origin::kUnknown,
       "server: nginx/1.22.1 + body matches no known error page"},
      {"nothing at all",
       500,
       {},
       "",
       Responder::kUnknown,
       Origin::kUnknown,
       "empty body, no identifying headers"},
      {"bare text behind nginx",
       502,
       {{"server", "nginx"}},
       "Bad Gateway",
       Responder::kUnknown,
       Origin::kUnknown,
       "body matches no known error page"},
      {"caddy with a body",
       500,
       {{"server", "Caddy"}},
       "oops",
       Responder::kUnknown,
       Origin::kUnknown,
       "server: Caddy"},
      {"plain internal server error",
       500,
       {},
       "Internal Server Error\n",
       Responder::kUnknown,
       Origin::kUnknown,
       "no identifying headers"},
      {"tomcat's Apache-Coyote is an application server",
       500,
       {{"server", "Apache-Coyote/1.1"}},
       "<html><body>oops</body></html>",
       Responder::kApplication,
       Origin::kApp,
       "an application server"},
  };
}

TEST(IdentifyResponder, EveryProductAndTheApplication) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    const Fingerprint f = IdentifyResponder(c.status, c.headers, c.body);
    EXPECT_EQ(ResponderName(f.responder), ResponderName(c.want)) << f.evidence;
    EXPECT_EQ(OriginName(f.origin), OriginName(c.origin)) << f.evidence;
    EXPECT_NE(f.evidence.find(c.evidence), std::string::npos) << f.evidence;
  }
}

TEST(IdentifyResponder, LooksOnlyAtTheExcerptLength) {
  // The prober keeps at most kBodyExcerptBytes; a signature beyond them is not evidence.
  const std::string late = std::string(probe::kBodyExcerptBytes, ' ') + "<center>nginx</center>";
  EXPECT_EQ(IdentifyResponder(502, {}, late).responder, Responder::kUnknown);
  const std::string early = std::string(probe::kBodyExcerptBytes - 30, ' ') + "<center>nginx";
  EXPECT_EQ(IdentifyResponder(502, {}, early).responder, Responder::kNginx);
}

TEST(IdentifyResponder, EvidenceIsOneBoundedLine) {
  const std::string long_server = "nginx\r\nX-Injected: \xc3\xa9 " + std::string(300, 'a');
  const Fingerprint f = IdentifyResponder(502, {{"server", long_server}}, kNginx502);
  EXPECT_EQ(f.responder, Responder::kNginx);
  EXPECT_EQ(f.evidence.find('\r'), std::string::npos) << f.evidence;
  EXPECT_EQ(f.evidence.find('\n'), std::string::npos) << f.evidence;
  EXPECT_LT(f.evidence.size(), 200u) << f.evidence;
  EXPECT_NE(f.evidence.find("..."), std::string::npos) << f.evidence;
  EXPECT_NE(f.evidence.find("X-Injected: ?? a"), std::string::npos) << f.evidence;
  for (const char c : f.evidence) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << f.evidence;
}

TEST(IdentifyResponder, ProbeResultOverloadUsesItsResponse) {
  probe::ProbeResult r;
  r.reason = probe::FailureReason::kStatus;
  r.http_status = 503;
  r.headers = {{"content-type", "text/html"}};
  r.body_excerpt = kHaproxy503;
  const Fingerprint f = IdentifyResponder(r);
  EXPECT_EQ(f.responder, Responder::kHaproxy);
  EXPECT_EQ(f.origin, Origin::kGateway);
}

TEST(ResponderNames, AreDistinctBoundedLabelValues) {
  std::set<std::string_view> names;
  for (const Responder r : kAllResponders) {
    const std::string_view name = ResponderName(r);
    EXPECT_FALSE(name.empty());
    for (const char c : name) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << name;
    EXPECT_TRUE(names.insert(name).second) << "duplicate " << name;
    EXPECT_FALSE(ResponderDisplayName(r).empty()) << name;
  }
  EXPECT_EQ(names.size(), 18u);
  EXPECT_EQ(ResponderName(Responder::kApplication), "app");
  EXPECT_EQ(ResponderName(Responder::kAwsElb), "aws_elb");
  EXPECT_EQ(ResponderName(Responder::kGoogleLb), "google_lb");
}

TEST(OriginNames, AreTheSpecLabels) {
  EXPECT_EQ(OriginName(Origin::kGateway), "gateway");
  EXPECT_EQ(OriginName(Origin::kApp), "app");
  EXPECT_EQ(OriginName(Origin::kCdn), "cdn");
  EXPECT_EQ(OriginName(Origin::kUnknown), "unknown");
}

TEST(OriginOf, ClassifiesEveryResponder) {
  for (const Responder r : kAllResponders) {
    SCOPED_TRACE(ResponderName(r));
    switch (r) {
      case Responder::kCloudflare:
      case Responder::kAkamai:
      case Responder::kFastly:
      case Responder::kCloudFront:
        EXPECT_EQ(OriginOf(r), Origin::kCdn);
        break;
      case Responder::kApplication:
        EXPECT_EQ(OriginOf(r), Origin::kApp);
        break;
      case Responder::kUnknown:
        EXPECT_EQ(OriginOf(r), Origin::kUnknown);
        break;
      default:
        EXPECT_EQ(OriginOf(r), Origin::kGateway);
        break;
    }
  }
}

}  // namespace
}  // namespace gatewatch::diagnose
