#pragma once
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/child_process.h"
#include "support/server_process.h"

namespace gatewatch::testing {

// A real reverse proxy other than nginx and HAProxy (those have NginxFixture and
// HaproxyFixture), started on 127.0.0.1 by the test so its own error pages and headers can be
// checked as the product really sends them:
//
//   GatewayFixture squid(GatewayFixture::Product::kSquid);
//   squid.AddDeadProxy("/dead");          // -> Squid's 502 with X-Squid-Error
//   squid.AddProxy("/app", backend.port());
//   ASSERT_TRUE(squid.Start());
//   ... probe squid.Url("/dead") ...
//
// Products and how they run (foreground, config and logs in a private temp dir, as whatever
// user runs the test; Squid and Apache drop root privileges to their usual users):
//   kLighttpd  /usr/sbin/lighttpd -D            (Debian package lighttpd)   mod_proxy
//   kApache    /usr/sbin/apache2 -X             (Debian package apache2)    mod_proxy_http
//   kSquid     /usr/sbin/squid -N               (Debian package squid)      accel mode, one
//                                                                           cache_peer per path
//   kVarnish   /usr/sbin/varnishd -F -j none    (Debian package varnish)    VCL backend per
//                                                                           path, all passes
// Paths match exactly and the full request URI is forwarded. Varnish compiles its VCL with the
// system C compiler at start (about a second). The destructor stops the process (SIGTERM, then
// SIGKILL).
//
// Not thread-safe; configure, then Start(), from the test thread.
class GatewayFixture {
 public:
  enum class Product { kLighttpd, kApache, kSquid, kVarnish };

  explicit GatewayFixture(Product product);
  ~GatewayFixture();
  GatewayFixture(const GatewayFixture&) = delete;
  GatewayFixture& operator=(const GatewayFixture&) = delete;

  // Requests for exactly `path` are proxied to 127.0.0.1:<port>. Call before Start().
  void AddProxy(const std::string& path, int port);
  // Proxies to a port nothing listens on: the product answers its own error.
  void AddDeadProxy(const std::string& path);

  // Writes the config and starts the product, returning once it accepts TCP connections.
  // Fails (never skips) when the product is not installed, naming its Debian package.
  [[nodiscard]] ::testing::AssertionResult Start();

  int port() const { return server_.port(); }
  std::string Url(const std::string& path) const;  // "http://127.0.0.1:<port><path>"
  std::string Log() const;  // the product's output and error log so far, for failure messages

  static const char* ProgramPath(Product product);
  static const char* DebianPackage(Product product);

 private:
  struct Route {
    std::string path;
    int port;
  };
  std::vector<std::string> Args(int port) const;
  std::string LighttpdConfig(int port) const;
  std::string ApacheConfig(int port) const;
  std::string SquidConfig(int port) const;
  std::string VarnishVcl() const;

  const Product product_;
  TempDir dir_;
  std::vector<Route> routes_;
  ServerProcess server_;
};

}  // namespace gatewatch::testing
