#pragma once
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace gatewatch::testing {

// A real nginx (/usr/sbin/nginx) on 127.0.0.1, configured by the test, for the gateway
// faults that matter most: its own 502 and 504 pages, its Server header, its TLS.
//
//   NginxFixture nginx;
//   nginx.AddProxy("/live", backend.port());
//   nginx.AddDeadProxy("/dead");                            // -> nginx's real 502
//   nginx.AddProxy("/slow", backend.port(), std::chrono::milliseconds(100));  // -> 504
//   nginx.AddStatic("/static", 200, "hello");
//   ASSERT_TRUE(nginx.Start());
//   ... probe nginx.Url("/dead") ...
//
// It runs in the foreground as one process (master_process off), as whatever user runs the
// test (root included: there are no worker processes to switch user), with its config,
// pid file, error log and temp paths in a private temp dir. The port is chosen by binding
// port 0 and closing it; if nginx then fails to bind it, Start() retries with a new port.
// The destructor stops nginx (SIGTERM, then SIGKILL after 2s) and removes the temp dir.
//
// Not thread-safe; configure, then Start(), from the test thread.
class NginxFixture {
 public:
  static constexpr const char* kNginxPath = "/usr/sbin/nginx";

  NginxFixture();
  ~NginxFixture();
  NginxFixture(const NginxFixture&) = delete;
  NginxFixture& operator=(const NginxFixture&) = delete;

  // Locations, matched exactly (location = <path>). Call before Start().
  // Proxies to 127.0.0.1:<port>; a backend slower than read_timeout gets nginx's 504.
  void AddProxy(const std::string& path, int port,
                std::chrono::milliseconds read_timeout = std::chrono::seconds(5));
  // Proxies to a port nothing listens on: nginx answers its own 502 Bad Gateway.
  void AddDeadProxy(const std::string& path);
  void AddStatic(const std::string& path, int status, const std::string& body);
  // Any other directives for a location, e.g. "return 301 /elsewhere;".
  void AddLocation(const std::string& path, const std::string& directives);
  // Serve HTTPS instead of HTTP with this certificate and key (PEM files).
  void EnableTls(const std::string& cert_file, const std::string& key_file);

  // Writes the config and starts nginx, returning once it accepts TCP connections. Fails
  // (never skips) when nginx is not installed, with a message naming the README's test
  // command, which installs nginx-light.
  [[nodiscard]] ::testing::AssertionResult Start();

  int port() const { return port_; }
  // "http://127.0.0.1:<port><path>" (https:// with TLS enabled).
  std::string Url(const std::string& path) const;
  const std::string& dir() const { return dir_.path(); }  // the temp dir, for test files
  std::string ErrorLog() const;  // nginx's error log so far, for failure messages

 private:
  std::string Config() const;
  void StopProcess();

  TempDir dir_;
  std::vector<std::string> locations_;
  std::string cert_file_, key_file_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// A port on 127.0.0.1 that was free a moment ago (bound to 0, then closed). Throws
// std::runtime_error if no socket can be bound.
int PickFreePort();

}  // namespace gatewatch::testing
