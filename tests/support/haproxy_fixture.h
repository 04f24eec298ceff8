#pragma once
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/child_process.h"
#include "support/server_process.h"

namespace gatewatch::testing {

// A real HAProxy (/usr/sbin/haproxy, Debian package haproxy) on 127.0.0.1 in HTTP mode, with
// one backend per exact path, for HAProxy's own error answers (which carry no Server header:
// the body is the only evidence):
//
//   HaproxyFixture haproxy;
//   haproxy.AddDeadBackend("/dead");                        // -> 503 "No server is available"
//   haproxy.AddBackend("/garbage", raw.port());             // raw kGarbageStatus -> 502
//   haproxy.AddBackend("/slow", up.port(), std::chrono::milliseconds(100));  // -> 504
//   ASSERT_TRUE(haproxy.Start());
//   ... probe haproxy.Url("/dead") ...
//
// It runs in the foreground (`haproxy -f <cfg> -db`) as whatever user runs the test, with its
// config in a private temp dir, and forwards the full request URI. A request for a path with
// no backend goes to a backend with no servers (HAProxy's 503). Stopped (SIGTERM, then
// SIGKILL) by the destructor.
//
// Not thread-safe; configure, then Start(), from the test thread.
class HaproxyFixture {
 public:
  static constexpr const char* kHaproxyPath = "/usr/sbin/haproxy";

  HaproxyFixture();
  ~HaproxyFixture();
  HaproxyFixture(const HaproxyFixture&) = delete;
  HaproxyFixture& operator=(const HaproxyFixture&) = delete;

  // Requests for exactly `path` go to 127.0.0.1:<port>. A backend that takes longer than
  // `server_timeout` to answer gets HAProxy's 504; one that answers something that is not
  // HTTP gets its 502. Call before Start().
  void AddBackend(const std::string& path, int port,
                  std::chrono::milliseconds server_timeout = std::chrono::seconds(5));
  // A backend whose only server is a port nothing listens on, health-checked every 100 ms:
  // HAProxy answers 503 "No server is available to handle this request" (before the first
  // check it tries, is refused, and answers the same 503).
  void AddDeadBackend(const std::string& path);

  // Writes the config and starts HAProxy, returning once it accepts TCP connections. Fails
  // (never skips) when HAProxy is not installed.
  [[nodiscard]] ::testing::AssertionResult Start();

  int port() const { return server_.port(); }
  std::string Url(const std::string& path) const;       // "http://127.0.0.1:<port><path>"
  std::string Log() const { return server_.Output(); }  // HAProxy's output so far

 private:
  struct Backend {
    std::string path;
    int port;
    std::chrono::milliseconds server_timeout;
    bool health_check;
  };
  std::string Config(int port) const;

  TempDir dir_;
  std::vector<Backend> backends_;
  ServerProcess server_;
};

}  // namespace gatewatch::testing
