#include "support/fake_webhook.h"

#include <httplib.h>

#include <algorithm>

#include "support/loopback_http_server.h"

namespace gatewatch::testing {
namespace {

constexpr int kWorkerThreads = 8;
constexpr std::chrono::milliseconds kMaxDelay = std::chrono::seconds(30);

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
  server_->new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  server_->set_keep_alive_max_count(1);
  server_->Post(".*",
                [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); });
  port_ = StartLoopbackServer(*server_, &thread_, "FakeWebhook", {.port = port});
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
  for (const auto& [name, value] : req.headers) seen.headers.emplace(LowerAscii(name), value);

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
