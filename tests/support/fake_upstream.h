#pragma once
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace gatewatch::testing {

// A scripted HTTP/1.1 server on 127.0.0.1 (cpp-httplib) standing in for a backend or an
// app behind a gateway.
//
//   FakeUpstream up;
//   up.Start();
//   up.Script("/health", {200, Step(502, "bad gateway").Header("Server", "nginx")});
//   ... probe up.Url("/health") ...
//   EXPECT_EQ(up.Hits("/health"), 2u);
//
// Every method (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS) on a path is answered from
// that path's script; the n-th request gets step n, and past the end the script either
// sticks on its last step or cycles from the first. An unscripted path answers 404 with
// the body "no script for <path>". Hits count every request, scripted or not.
//
// Threading: all methods are thread-safe; handlers run on the server's own pool of 16
// threads. Stop() (and the destructor) is prompt: handlers sleeping in a step's delay are
// woken, and open client connections (idle keep-alive ones included) are shut down.
class FakeUpstream {
 public:
  // One scripted answer. Implicit from a status so scripts read naturally:
  //   up.Script("/x", {200, 200, 502, 502});
  //   up.Set("/r", Step(302, "").Header("Location", "/elsewhere"));
  //   up.Set("/slow", Step(200).Delay(std::chrono::milliseconds(300)));
  struct Step {
    Step(int status = 200, std::string body = "ok")  // NOLINT(google-explicit-constructor)
        : status(status), body(std::move(body)) {}
    Step& Header(std::string name, std::string value) {
      headers.emplace_back(std::move(name), std::move(value));
      return *this;
    }
    Step& Delay(std::chrono::milliseconds d) {
      delay = d;
      return *this;
    }
    Step& ContentType(std::string type) {
      content_type = std::move(type);
      return *this;
    }
    Step& Abort() {
      abort = true;
      return *this;
    }

    int status;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // e.g. {"Server", "nginx"}
    std::chrono::milliseconds delay{0};  // before answering; at most 30s; cut short by Stop()
    std::string content_type = "text/plain";
    // Send the status line and headers (chunked), then close the connection without a body.
    bool abort = false;
  };

  // What a request carried, for asserting on what the client sent.
  struct Request {
    std::string method;
    std::string path;
    std::multimap<std::string, std::string> headers;  // names lower-cased
    std::string body;
  };

  FakeUpstream();
  ~FakeUpstream();
  FakeUpstream(const FakeUpstream&) = delete;
  FakeUpstream& operator=(const FakeUpstream&) = delete;

  // Binds 127.0.0.1 on an ephemeral port and returns once the server accepts requests.
  // Throws std::runtime_error if it cannot bind or does not come up within 5s.
  void Start();
  void Stop();  // idempotent

  int port() const { return port_; }
  std::string Url(const std::string& path) const;  // "http://127.0.0.1:<port><path>"

  void Script(const std::string& path, std::vector<Step> steps, bool cycle = false);
  void Set(const std::string& path, Step step) { Script(path, {std::move(step)}); }

  std::size_t Hits(const std::string& path) const;
  std::size_t TotalHits() const;
  // The most recent request to path, or one with an empty method if none arrived.
  Request LastRequest(const std::string& path) const;
  // Waits (real time, bounded by limit) until path has at least n hits; true if it did.
  bool WaitForHits(const std::string& path, std::size_t n,
                   std::chrono::milliseconds limit = std::chrono::seconds(2)) const;

 private:
  struct PathScript {
    std::vector<Step> steps;
    bool cycle = false;
  };
  void Handle(const httplib::Request& req, httplib::Response& res);

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;  // signalled on every hit and on Stop()
  bool stopping_ = false;
  std::map<std::string, PathScript> scripts_;
  std::map<std::string, std::size_t> hits_;
  std::map<std::string, Request> last_;
  std::size_t total_hits_ = 0;
};

}  // namespace gatewatch::testing
