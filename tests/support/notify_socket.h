#pragma once
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace gatewatch::testing {

// A unix datagram socket standing in for systemd's notify socket: pass path() as
// $NOTIFY_SOCKET and read what the agent sends (sd_notify(3) messages such as
// "READY=1\nSTATUS=..."). Binds in the constructor (throws std::runtime_error on failure);
// the destructor closes and unlinks it. Not thread-safe: read from one thread.
class NotifySocket {
 public:
  explicit NotifySocket(std::string path);
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::string& path() const { return path_; }

  // The next datagram, waiting up to `limit`; nullopt if none arrived by then.
  std::optional<std::string> Receive(std::chrono::milliseconds limit);
  // Reads datagrams until one satisfies `match` (returned) or `limit` passes (nullopt).
  // The ones read before it are appended to `skipped` when given.
  std::optional<std::string> ReceiveMatching(const std::function<bool(const std::string&)>& match,
                                             std::chrono::milliseconds limit,
                                             std::vector<std::string>* skipped = nullptr);

 private:
  std::string path_;
  int fd_ = -1;
};

// The value of `key` in a notify message ("READY=1\nSTATUS=x" -> "x" for "STATUS"); nullopt
// when the message has no such line.
std::optional<std::string> NotifyField(const std::string& message, const std::string& key);

}  // namespace gatewatch::testing
