#pragma once
#include <memory>
#include <string>

// The two loopback peers `gatewatch demo` watches, so a new user sees a real 502 incident
// with no config and no network:
//  - a backend answering GET /health with {"status":"UP"}, which can be crashed (its
//    listener closed, so connections are refused) and healed (listening again, same port);
//  - a gateway that reverse-proxies /api/* to that backend and, like nginx, answers
//    `502 Bad Gateway` (with `Server: nginx` and nginx's default error page) when the
//    backend refuses the connection, so the diagnosis sees what a real gateway would send.
// Both serve on 127.0.0.1 ephemeral ports on their own threads. Thread-safe.
namespace gatewatch::server {

class DemoPeers {
 public:
  DemoPeers();
  ~DemoPeers();
  DemoPeers(const DemoPeers&) = delete;
  DemoPeers& operator=(const DemoPeers&) = delete;

  void Start();  // throws std::runtime_error if a port cannot be bound
  void Stop();

  void CrashBackend();  // stop listening: the gateway's next requests get 502
  void HealBackend();   // listen again on the same port

  std::string GatewayUrl(const std::string& path) const;  // http://127.0.0.1:<gw>/api/...
  std::string BackendUrl(const std::string& path) const;  // http://127.0.0.1:<backend>/...

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gatewatch::server
