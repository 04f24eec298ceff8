#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

// The agent's side of systemd's service manager protocol (sd_notify(3), Type=notify units);
// the only libsystemd user.
namespace gatewatch::service {

// Tells systemd what the agent is doing: READY=1 once the config is loaded and the listener
// bound, RELOADING=1 ... READY=1 around each reload, STOPPING=1 when a stop begins, WATCHDOG=1
// while the probe loop is healthy (see WatchdogTicker), and a one-line STATUS= for
// `systemctl status`.
//
// Without $NOTIFY_SOCKET (not started by systemd, or a unit that is not Type=notify) every
// call is a no-op that returns false, so the agent runs the same anywhere.
//
// The environment is read once, at construction; nothing is unset, so a notifier built later
// (or a restart after exec) sees the same socket. Thread-safe: each call sends one datagram
// and touches no state of its own. Status text is made one line (newlines become spaces) and
// cut to kMaxStatusBytes.
class SystemdNotifier {
 public:
  static constexpr std::size_t kMaxStatusBytes = 256;

  SystemdNotifier();

  // True when $NOTIFY_SOCKET is set and not empty.
  bool enabled() const { return enabled_; }
  // The unit's WatchdogSec= ($WATCHDOG_USEC, when $WATCHDOG_PID is unset or this process):
  // Watchdog() must be called more often than this, conventionally every half of it.
  // nullopt when the watchdog is off (or enabled() is false).
  std::optional<std::chrono::microseconds> WatchdogInterval() const { return watchdog_; }

  // Each returns true if systemd was told (the datagram was sent).
  bool Ready(std::string_view status);  // READY=1 and STATUS=status
  // RELOADING=1 with MONOTONIC_USEC=now (systemd >= 253 wants the timestamp to match the
  // reload to its READY=1; older versions ignore it). Follow with Ready() when done, whether
  // the new config was taken or rejected.
  bool Reloading();
  bool Stopping();                       // STOPPING=1
  bool Watchdog();                       // WATCHDOG=1: the agent is healthy
  bool Status(std::string_view status);  // STATUS=status only

 private:
  bool Send(const std::string& state) const;
  bool enabled_ = false;
  std::optional<std::chrono::microseconds> watchdog_;
};

// `text` as one STATUS= value: newlines and other control characters become spaces and the
// result is at most SystemdNotifier::kMaxStatusBytes (cut on a UTF-8 character boundary).
std::string StatusLine(std::string_view text);

}  // namespace gatewatch::service
