#pragma once
#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "config/config.h"
#include "core/clock.h"

// `gatewatch notify-test`: one synchronous delivery of a test alert, bypassing the outbox,
// so a person sees at once what the receiver answered.
namespace gatewatch::notify {

struct TestResult {
  bool ok = false;      // the receiver answered 2xx
  int http_status = 0;  // 0 when no answer arrived
  // The receiver's answer (its body, at most about 200 bytes, control characters as
  // spaces), or what went wrong below HTTP ("connect refused: ...", "timeout: ...").
  std::string detail;
};

// Renders alert::MakeTestEvent(spec.name, wall_now, agent_labels) in spec's format and
// POSTs it like a normal delivery (notify/notifier.h: same headers, signature, template),
// with the request timeout min(spec.timeout, limit). Blocks the calling thread until the
// answer or the timeout; uses its own curl multi handle, so it is safe from any thread and
// alongside a running Dispatcher. An alertmanager test alert carries endsAt = wall_now + 5m,
// so it resolves by itself.
TestResult SendTestNotification(const config::NotifierSpec& spec,
                                const std::map<std::string, std::string>& agent_labels,
                                std::string_view external_url, core::Clock::WallTimePoint wall_now,
                                std::chrono::milliseconds limit);

}  // namespace gatewatch::notify
