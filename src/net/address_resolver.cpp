#include "net/address_resolver.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace gatewatch::net {
namespace {

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool IsLocalhostName(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  constexpr std::string_view kSuffix = ".localhost";
  return EqualsNoCase(host, "localhost") ||
         (host.size() > kSuffix.size() &&
          EqualsNoCase(host.substr(host.size() - kSuffix.size()), kSuffix));
}

// libcurl asks for AAAA records only where an IPv6 socket can be opened; so do we, so the
// addresses probed are the ones libcurl would try.
bool Ipv6Works() {
  static const bool works = [] {
    const int fd = socket(AF_INET6, SOCK_DGRAM, 0);
    if (fd < 0) return false;
    close(fd);
    return true;
  }();
  return works;
}

std::string ToText(const sockaddr* addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, buf, sizeof buf);
  } else if (addr->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

// Blocking; runs on the resolver thread only. Empty on failure.
std::vector<std::string> Lookup(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = Ipv6Works() ? AF_UNSPEC : AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  std::vector<std::string> out;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &list) != 0) return out;
  for (const addrinfo* a = list; a != nullptr && out.size() < kMaxAddresses; a = a->ai_next) {
    std::string text = ToText(a->ai_addr);
    if (!text.empty() && std::find(out.begin(), out.end(), text) == out.end()) {
      out.push_back(std::move(text));
    }
  }
  freeaddrinfo(list);
  return out;
}

}  // namespace

std::string UrlHost(std::string_view url) {
  CURLU* u = curl_url();
  if (u == nullptr) return {};
  std::string out;
  char* host = nullptr;
  if (curl_url_set(u, CURLUPART_URL, std::string(url).c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
    out = host;
    if (out.size() >= 2 && out.front() == '[' && out.back() == ']') {
      out = out.substr(1, out.size() - 2);
    }
    // A zone id ("fe80::1%25eth0") stays as the URL spells it; it is an IP literal either way.
  }
  curl_free(host);
  curl_url_cleanup(u);
  return out;
}

std::optional<std::vector<std::string>> FixedAddresses(std::string_view host) {
  const std::string h(host);
  unsigned char buf[sizeof(in6_addr)];
  if (inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1) {
    return std::vector<std::string>{h};
  }
  if (IsLocalhostName(host)) {
    std::vector<std::string> out{"127.0.0.1"};
    if (Ipv6Works()) out.emplace_back("::1");
    return out;
  }
  return std::nullopt;
}

struct AddressResolver::Shared {
  struct Answer {
    Status status = Status::kUnknown;
    std::vector<std::string> addresses;
    bool queued = false;  // queued or being looked up
  };
  std::mutex mu;
  std::condition_variable wake;
  std::deque<std::string> queue;
  std::unordered_map<std::string, Answer> answers;
  bool started = false;
  bool stopping = false;

  // The thread's body: owns a reference to this object, so it may outlive the resolver.
  static void Run(const std::shared_ptr<Shared>& self) {
    std::unique_lock lock(self->mu);
    while (true) {
      self->wake.wait(lock, [&] { return self->stopping || !self->queue.empty(); });
      if (self->stopping) return;
      std::string host = std::move(self->queue.front());
      self->queue.pop_front();
      lock.unlock();
      std::vector<std::string> addresses;
      try {
        addresses = Lookup(host);
      } catch (const std::exception& e) {
        spdlog::error("address lookup of {} failed: {}", host, e.what());
      }
      lock.lock();
      Answer& answer = self->answers[host];  // queued entries are never erased
      answer.queued = false;
      answer.status = addresses.empty() ? Status::kFailed : Status::kResolved;
      answer.addresses = std::move(addresses);
    }
  }
};

AddressResolver::AddressResolver() : shared_(std::make_shared<Shared>()) {}

AddressResolver::~AddressResolver() {
  std::lock_guard lock(shared_->mu);
  shared_->stopping = true;
  shared_->wake.notify_all();
}

bool AddressResolver::Refresh(const std::string& host) {
  std::lock_guard lock(shared_->mu);
  auto& answers = shared_->answers;
  auto it = answers.find(host);
  if (it != answers.end() && it->second.queued) return true;
  if (shared_->queue.size() >= kMaxPending) return false;
  if (it == answers.end()) {
    if (answers.size() >= kMaxNames) {
      // Names come from the config; this many means reloads left old ones behind.
      std::erase_if(answers, [](const auto& entry) { return !entry.second.queued; });
    }
    it = answers.emplace(host, Shared::Answer{}).first;
  }
  it->second.queued = true;
  shared_->queue.push_back(host);
  if (!shared_->started) {
    shared_->started = true;
    std::thread([self = shared_] { Shared::Run(self); }).detach();
  }
  shared_->wake.notify_one();
  return true;
}

AddressResolver::Status AddressResolver::Latest(const std::string& host,
                                                std::vector<std::string>& out) const {
  out.clear();
  std::lock_guard lock(shared_->mu);
  const auto it = shared_->answers.find(host);
  if (it == shared_->answers.end()) return Status::kUnknown;
  if (it->second.status == Status::kResolved) {
    out.assign(it->second.addresses.begin(), it->second.addresses.end());
  }
  return it->second.status;
}

}  // namespace gatewatch::net
