#include "support/fake_upstream.h"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "support/loopback_http_server.h"

namespace gatewatch::testing {
namespace {

constexpr int kWorkerThreads = 16;
constexpr std::chrono::milliseconds kMaxDelay = std::chrono::seconds(30);
// cpp-httplib listens with a backlog of 5, which drops SYNs (1s client retransmit) when a
// test opens hundreds of connections at once; listen() again raises it on Linux.
constexpr int kBacklog = 1024;

// cpp-httplib does not expose its accepted sockets, and a worker thread waits up to its
// keep-alive timeout (or read timeout) on an idle client connection before stop() can join
// it. Shutting down every connected TCP socket in this process whose local port is ours
// (only the server's accepted sockets can have it) wakes those workers at once.
void ShutdownAcceptedSockets(int port) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    int fd = -1;
    const std::string name = entry.path().filename().string();
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc()) continue;
    sockaddr_in local{}, peer{};
    socklen_t local_len = sizeof(local), peer_len = sizeof(peer);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        local.sin_family != AF_INET || ntohs(local.sin_port) != port ||
        getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
      continue;
    }
    shutdown(fd, SHUT_RDWR);
  }
}

}  // namespace

FakeUpstream::FakeUpstream() : server_(std::make_unique<httplib::Server>()) {}

FakeUpstream::~FakeUpstream() { Stop(); }

void FakeUpstream::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  server_->new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  const auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    Handle(req, res);
  };
  server_->Get(".*", handler);
  server_->Post(".*", handler);
  server_->Put(".*", handler);
  server_->Patch(".*", handler);
  server_->Delete(".*", handler);
  server_->Options(".*", handler);
  port_ = StartLoopbackServer(*server_, &thread_, "FakeUpstream", {.backlog = kBacklog});
}

void FakeUpstream::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    ShutdownAcceptedSockets(port_);
    server_->stop();
    thread_.join();
  }
}

std::string FakeUpstream::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void FakeUpstream::Script(const std::string& path, std::vector<Step> steps, bool cycle) {
  std::lock_guard lock(mu_);
  scripts_[path] = PathScript{std::move(steps), cycle};
}

std::size_t FakeUpstream::Hits(const std::string& path) const {
  std::lock_guard lock(mu_);
  const auto it = hits_.find(path);
  return it == hits_.end() ? 0 : it->second;
}

std::size_t FakeUpstream::TotalHits() const {
  std::lock_guard lock(mu_);
  return total_hits_;
}

FakeUpstream::Request FakeUpstream::LastRequest(const std::string& path) const {
  std::lock_guard lock(mu_);
  const auto it = last_.find(path);
  return it == last_.end() ? Request{} : it->second;
}

bool FakeUpstream::WaitForHits(const std::string& path, std::size_t n,
                               std::chrono::milliseconds limit) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, limit, [&] {
    const auto it = hits_.find(path);
    return it != hits_.end() && it->second >= n;
  });
}

void FakeUpstream::Handle(const httplib::Request& req, httplib::Response& res) {
  Request seen{req.method, req.path, {}, req.body};
  for (const auto& [name, value] : req.headers) seen.headers.emplace(LowerAscii(name), value);

  std::unique_lock lock(mu_);
  const std::size_t index = hits_[req.path]++;
  ++total_hits_;
  last_[req.path] = std::move(seen);
  cv_.notify_all();
  const auto script = scripts_.find(req.path);
  if (script == scripts_.end() || script->second.steps.empty()) {
    res.status = 404;
    res.set_content("no script for " + req.path, "text/plain");
    return;
  }
  const auto& steps = script->second.steps;
  const std::size_t n = steps.size();
  const Step step = index < n              ? steps[index]
                    : script->second.cycle ? steps[index % n]
                                           : steps.back();
  if (step.delay > std::chrono::milliseconds::zero()) {
    cv_.wait_for(lock, std::min(step.delay, kMaxDelay), [this] { return stopping_; });
  }
  lock.unlock();

  res.status = step.status;
  for (const auto& [name, value] : step.headers) res.set_header(name, value);
  if (step.abort) {
    res.set_chunked_content_provider(step.content_type,
                                     [](std::size_t, httplib::DataSink&) { return false; });
    return;
  }
  res.set_content(step.body, step.content_type);
}

}  // namespace gatewatch::testing
