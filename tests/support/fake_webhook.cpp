#include "support/fake_webhook.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace gatewatch::testing {
namespace {

constexpr int kWorkerThreads = 8;
constexpr std::chrono::milliseconds kMaxDelay = std::chrono::seconds(30);

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::string FakeWebhook::Request::Header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

FakeWebhook::FakeWebhook() = default;

FakeWebhook::~FakeWebhook() { Stop(); }

void FakeWebhook::Start(int port) {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  server_ = std::make_unique<httplib::Server>();
  server_->set_socket_options([](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server_->new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  server_->set_keep_alive_max_count(1);
  server_->Post(".*",
                [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); });
  if (port == 0) {
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("FakeWebhook: cannot bind 127.0.0.1");
  } else {
    if (!server_->bind_to_port("127.0.0.1", port)) {
      throw std::runtime_error("FakeWebhook: cannot bind 127.0.0.1:" + std::to_string(port));
    }
    port_ = port;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server_->is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      server_->stop();
      thread_.join();
      throw std::runtime_error("FakeWebhook: server did not start");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void FakeWebhook::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

std::string FakeWebhook::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void FakeWebhook::Script(std::vector<Answer> answers) {
  std::lock_guard lock(mu_);
  script_ = std::move(answers);
}

std::vector<FakeWebhook::Request> FakeWebhook::Requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::size_t FakeWebhook::Count() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

bool FakeWebhook::WaitForRequests(std::size_t n, std::chrono::milliseconds limit) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, limit, [&] { return requests_.size() >= n; });
}

void FakeWebhook::Handle(const httplib::Request& req, httplib::Response& res) {
  Request seen{req.path, {}, req.body};
  for (const auto& [name, value] : req.headers) seen.headers.emplace(Lower(name), value);

  std::unique_lock lock(mu_);
  const std::size_t index = requests_.size();
  requests_.push_back(std::move(seen));
  cv_.notify_all();
  const Answer answer = script_.empty()          ? Answer{}
                        : index < script_.size() ? script_[index]
                                                 : script_.back();
  if (answer.delay > std::chrono::milliseconds::zero()) {
    cv_.wait_for(lock, std::min(answer.delay, kMaxDelay), [this] { return stopping_; });
  }
  lock.unlock();

  res.status = answer.status;
  if (answer.retry_after) res.set_header("Retry-After", *answer.retry_after);
  res.set_content(answer.body, "text/plain");
}

}  // namespace gatewatch::testing
