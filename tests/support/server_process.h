#pragma once
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace gatewatch::testing {

// A real server binary (HAProxy, lighttpd, Squid, ...) run in the foreground by a test and
// listening on 127.0.0.1:<port>, for fixtures that wrap one product.
//
//   ServerProcess server;
//   ASSERT_TRUE(server.Start("/usr/sbin/haproxy", "haproxy", [&](int port) {
//     dir.Write("haproxy.cfg", ConfigFor(port));
//     return std::vector<std::string>{"-f", dir.path() + "/haproxy.cfg", "-db"};
//   }));
//
// Start() picks a free port (bind 0, close), calls `args_for_port` (which writes any config
// for that port and returns the program's arguments) and returns once the port accepts TCP
// connections. If the process exits first and its output says the address was taken in the
// meantime, it retries with a new port (up to 5 times). A missing binary fails (never
// skips) with a message naming scripts/test.sh and the Debian package that provides it.
// Stop() (and the destructor) sends SIGTERM, then SIGKILL after `stop_grace`.
//
// Not thread-safe; use from the test thread.
class ServerProcess {
 public:
  using ArgsForPort = std::function<std::vector<std::string>(int port)>;

  explicit ServerProcess(std::chrono::milliseconds start_limit = std::chrono::seconds(15),
                         std::chrono::milliseconds stop_grace = std::chrono::seconds(5));
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  [[nodiscard]] ::testing::AssertionResult Start(const std::string& program,
                                                 const std::string& debian_package,
                                                 const ArgsForPort& args_for_port);
  void Stop();

  int port() const { return port_; }
  bool Running() { return process_ && process_->Running(); }
  std::string Output() const;  // everything the process printed so far

 private:
  std::chrono::milliseconds start_limit_;
  std::chrono::milliseconds stop_grace_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace gatewatch::testing
