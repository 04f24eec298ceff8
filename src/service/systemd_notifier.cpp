#include "service/systemd_notifier.h"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>

namespace gatewatch::service {

std::string StatusLine(std::string_view text) {
  // Cut before a continuation byte would split a multi-byte character.
  std::size_t end = std::min(text.size(), SystemdNotifier::kMaxStatusBytes);
  while (end > 0 && end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  std::string line(text.substr(0, end));
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return line;
}

SystemdNotifier::SystemdNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && *socket != '\0';
  if (!enabled_) return;
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_ = std::chrono::microseconds(static_cast<std::int64_t>(usec));
  }
}

bool SystemdNotifier::Send(const std::string& state) const {
  return enabled_ && sd_notify(0, state.c_str()) > 0;
}

bool SystemdNotifier::Ready(std::string_view status) {
  return Send("READY=1\nSTATUS=" + StatusLine(status));
}

bool SystemdNotifier::Reloading() {
  if (!enabled_) return false;
  // The protocol names CLOCK_MONOTONIC itself, not "a steady clock": read exactly that one.
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const auto usec = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u +
                    static_cast<std::uint64_t>(now.tv_nsec) / 1'000u;
  return Send("RELOADING=1\nSTATUS=reloading the config\nMONOTONIC_USEC=" + std::to_string(usec));
}

bool SystemdNotifier::Stopping() { return Send("STOPPING=1\nSTATUS=stopping"); }

bool SystemdNotifier::Watchdog() { return Send("WATCHDOG=1"); }

bool SystemdNotifier::Status(std::string_view status) {
  return Send("STATUS=" + StatusLine(status));
}

}  // namespace gatewatch::service
