#include "support/raw_tcp_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <string_view>

namespace gatewatch::testing {
namespace {

constexpr std::size_t kMaxRequestHead = 64 * 1024;
constexpr std::size_t kWriteChunk = 16 * 1024;

}  // namespace

RawTcpServer::RawTcpServer(Behavior behavior, std::size_t body_bytes)
    : behavior_(behavior), body_bytes_(body_bytes) {}

RawTcpServer::~RawTcpServer() { Stop(); }

void RawTcpServer::Start() {
  if (listen_fd_ >= 0) return;
  if (pipe2(stop_fds_, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::runtime_error("RawTcpServer: pipe2 failed");
  }
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listen_fd_, 128) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("RawTcpServer: cannot listen on 127.0.0.1");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

void RawTcpServer::Stop() {
  if (stopped_.exchange(true) || listen_fd_ < 0) return;
  // Never read, so the pipe stays readable and every later poll() sees the stop too.
  const char byte = 1;
  [[maybe_unused]] const auto written = write(stop_fds_[1], &byte, 1);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    workers.swap(workers_);
  }
  for (auto& w : workers) w.join();
  close(listen_fd_);
  close(stop_fds_[0]);
  close(stop_fds_[1]);
}

std::string RawTcpServer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

bool RawTcpServer::WaitFor(int fd, short events, std::chrono::milliseconds limit) {
  pollfd fds[2] = {{fd, events, 0}, {stop_fds_[0], POLLIN, 0}};
  int r;
  do {
    r = poll(fds, 2, static_cast<int>(limit.count()));
  } while (r < 0 && errno == EINTR);
  if (r <= 0 || (fds[1].revents & POLLIN) != 0) return false;
  return (fds[0].revents & (events | POLLHUP | POLLERR)) != 0;
}

void RawTcpServer::AcceptLoop() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fds_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if ((fds[1].revents & POLLIN) != 0) return;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;
    ++connections_;
    std::lock_guard lock(mu_);
    workers_.emplace_back([this, fd] {
      Serve(fd);
      close(fd);
    });
  }
}

bool RawTcpServer::ReadRequestHead(int fd) {
  std::string head;
  char buf[4096];
  while (head.size() < kMaxRequestHead) {
    if (!WaitFor(fd, POLLIN, std::chrono::milliseconds(-1))) return false;
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return false;
    head.append(buf, static_cast<std::size_t>(n));
    if (head.find("\r\n\r\n") != std::string::npos) return true;
  }
  return false;
}

bool RawTcpServer::SendAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
      if (!WaitFor(fd, POLLOUT, std::chrono::milliseconds(-1))) return false;
      continue;
    }
    bytes_sent_ += static_cast<std::size_t>(n);
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

void RawTcpServer::Serve(int fd) {
  const auto send_text = [&](std::string_view text) {
    return SendAll(fd, text.data(), text.size());
  };
  switch (behavior_) {
    case Behavior::kHang:
      WaitFor(fd, POLLRDHUP, std::chrono::milliseconds(-1));
      return;
    case Behavior::kCloseImmediately:
      return;
    default:
      break;
  }
  if (!ReadRequestHead(fd)) return;
  switch (behavior_) {
    case Behavior::kGarbageStatus:
      send_text("this is not http\r\n\r\n");
      return;
    case Behavior::kResetMidBody: {
      if (!send_text("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")) return;
      if (!send_text(std::string(1000, 'x'))) return;
      WaitFor(fd, POLLRDHUP, std::chrono::milliseconds(50));
      const linger reset{1, 0};
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
      return;
    }
    case Behavior::kBrokenChunked:
      if (!send_text("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nhello\r\nZZ\r\nworld\r\n0\r\n\r\n")) {
        return;
      }
      // Hold the connection open so the client fails on the bytes, not on a close.
      WaitFor(fd, POLLRDHUP, std::chrono::seconds(5));
      return;
    case Behavior::kLargeBody: {
      if (!send_text("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                     "Content-Length: " +
                     std::to_string(body_bytes_) + "\r\n\r\n")) {
        return;
      }
      const std::string chunk(kWriteChunk, 'y');
      for (std::size_t left = body_bytes_; left > 0;) {
        const std::size_t n = std::min(left, chunk.size());
        if (!SendAll(fd, chunk.data(), n)) return;
        left -= n;
      }
      return;
    }
    case Behavior::kSlowHeaders: {
      constexpr std::string_view kHead =
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Padding: "
          "slowloris-slowloris-slowloris-slowloris-slowloris-slowloris\r\n"
          "Content-Length: 2\r\n\r\nok";
      for (const char& byte : kHead) {
        if (!SendAll(fd, &byte, 1)) return;
        // WaitFor is true when the client hung up, false after the pause or on Stop().
        if (WaitFor(fd, POLLRDHUP, std::chrono::milliseconds(100)) || stopped_.load()) return;
      }
      return;
    }
    case Behavior::kHang:
    case Behavior::kCloseImmediately:
      return;
  }
}

}  // namespace gatewatch::testing
