#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "support/child_process.h"

namespace gatewatch::testing {

// A real Prometheus Alertmanager (Debian's prometheus-alertmanager,
// /usr/bin/prometheus-alertmanager) on 127.0.0.1, for testing the `alertmanager` notifier
// against the real API v2.
//
//   AlertmanagerFixture am;
//   ASSERT_TRUE(am.Start());
//   ... notifier url = am.Url() ...
//   std::string alerts = am.GetAlerts();   // GET /api/v2/alerts, JSON text
//
// It runs with its own config (one receiver that sends nothing, resolve_timeout 5m),
// storage dir and web port in a private temp dir, with clustering off
// (--cluster.listen-address=). The port is chosen by binding port 0 and closing it; if
// Alertmanager then cannot bind it, Start() retries with a new port. The destructor stops it
// (SIGTERM, then SIGKILL after 2s) and removes the temp dir.
//
// Not thread-safe; use from the test thread.
class AlertmanagerFixture {
 public:
  static constexpr const char* kAlertmanagerPath = "/usr/bin/prometheus-alertmanager";

  AlertmanagerFixture();
  ~AlertmanagerFixture();
  AlertmanagerFixture(const AlertmanagerFixture&) = delete;
  AlertmanagerFixture& operator=(const AlertmanagerFixture&) = delete;

  // Starts Alertmanager and returns once GET /-/ready answers 200 (within 15s). Fails
  // (never skips) when the binary is missing, naming the Debian package to install.
  [[nodiscard]] ::testing::AssertionResult Start();

  int port() const { return port_; }
  std::string Url() const;  // "http://127.0.0.1:<port>"

  // GET /api/v2/alerts<query> (e.g. "?filter=alertname%3D%22x%22"): the response body, or
  // "" when the request failed or did not answer 200 within 2s.
  std::string GetAlerts(const std::string& query = "") const;

  std::string Output() const;  // what Alertmanager logged so far, for failure messages

 private:
  void StopProcess();

  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace gatewatch::testing
