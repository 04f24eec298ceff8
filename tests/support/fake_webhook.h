#pragma once
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace gatewatch::testing {

// A notification receiver on 127.0.0.1 (cpp-httplib) that records every POST, on any path,
// and answers from a script.
//
//   FakeWebhook hook;
//   hook.Start();
//   hook.Script({500, 500, FakeWebhook::Answer(429).RetryAfter("2"), 200});
//   ... deliver to hook.Url() ...
//   ASSERT_TRUE(hook.WaitForRequests(4, std::chrono::seconds(2)));
//   EXPECT_EQ(hook.Requests()[3].Header("idempotency-key"), ...);
//
// The n-th POST gets answer n; past the end of the script, the last answer (200 "ok" when
// nothing was scripted). The server closes each connection after its answer, so Stop() never
// waits on an idle keep-alive connection.
//
// Threading: all methods are thread-safe; handlers run on the server's pool of 8 threads.
// Stop() (and the destructor) is prompt: answers waiting out a delay are cut short.
class FakeWebhook {
 public:
  struct Answer {
    Answer(int status = 200, std::string body = "ok")  // NOLINT(google-explicit-constructor)
        : status(status), body(std::move(body)) {}
    Answer& RetryAfter(std::string value) {
      retry_after = std::move(value);
      return *this;
    }
    Answer& Delay(std::chrono::milliseconds d) {
      delay = d;
      return *this;
    }

    int status;
    std::string body;
    std::optional<std::string> retry_after;  // the Retry-After header, when set
    std::chrono::milliseconds delay{0};      // before answering; at most 30s; cut by Stop()
  };

  struct Request {
    std::string path;
    std::multimap<std::string, std::string> headers;  // names lower-cased
    std::string body;
    // The first value of header `name` (lower-case), or "" when absent.
    std::string Header(const std::string& name) const;
  };

  FakeWebhook();
  ~FakeWebhook();
  FakeWebhook(const FakeWebhook&) = delete;
  FakeWebhook& operator=(const FakeWebhook&) = delete;

  // Binds 127.0.0.1:`port` (0 = an ephemeral port) and returns once it accepts requests. A
  // stopped webhook may be started again, also on its old port. Recorded requests and the
  // script position are kept. Throws std::runtime_error if it cannot bind or come up in 5s.
  void Start(int port = 0);
  void Stop();  // idempotent

  int port() const { return port_; }
  std::string Url(const std::string& path = "/hook") const;  // "http://127.0.0.1:<port><path>"

  void Script(std::vector<Answer> answers);

  std::vector<Request> Requests() const;
  std::size_t Count() const;
  // Waits (real time, bounded by limit) until at least n POSTs arrived; true if they did.
  bool WaitForRequests(std::size_t n,
                       std::chrono::milliseconds limit = std::chrono::seconds(2)) const;

 private:
  void Handle(const httplib::Request& req, httplib::Response& res);

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;  // signalled on every request and on Stop()
  bool stopping_ = false;
  std::vector<Answer> script_;
  std::vector<Request> requests_;
};

}  // namespace gatewatch::testing
