#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "net/curl_multi.h"
#include "net/http_request.h"
#include "probe/result.h"

namespace gatewatch::probe {

// Runs probes of TargetSpecs over a shared CurlMulti and hands back classified results.
//
// Each probe sends the target's method, headers (values revealed from their Secrets), body,
// timeout, redirect, TLS, body-cap and connection settings, plus:
//   User-Agent: gatewatch/<version>   unless the target sets its own (any case)
//   traceparent: 00-<32 hex trace id>-<16 hex span id>-01
// The trace and span ids come from a std::mt19937_64 seeded with `seed` (so tests get fixed
// ids), are never all zero, and the trace id is returned in ProbeResult::trace_id. A
// traceparent header configured on the target is replaced by this one, so the id in the
// result is always the one that was sent.
//
// Results: on_done runs exactly once per probe that completes (passed or failed), on the
// loop thread inside CurlMulti::Poll(), with started/wall_started taken from `clock` when the
// probe was started. It never runs for a cancelled probe (Cancel, CancelAll, this object's
// destructor, or the CurlMulti's): a cancelled probe is not a result and counts nowhere.
// on_done may call Start() and Cancel().
//
// Not thread-safe: owned by the probe-loop thread, like the CurlMulti. `multi` and `clock`
// must outlive this object; the destructor cancels its own probes still in flight.
class HttpProber {
 public:
  using ProbeId = std::uint64_t;
  using Callback = std::function<void(ProbeResult&&)>;

  HttpProber(net::CurlMulti& multi, const core::Clock& clock, std::uint64_t seed);
  ~HttpProber();
  HttpProber(const HttpProber&) = delete;
  HttpProber& operator=(const HttpProber&) = delete;

  // Starts one probe now; never blocks. `target` must stay alive and unchanged until the
  // probe completes or is cancelled. With `resolve_to` (an IP address) the connection goes
  // there instead of to what the URL's host resolves to (Host header and TLS name stay the
  // URL's), for probing every address of a name.
  ProbeId Start(const config::TargetSpec& target, Callback on_done,
                std::string_view resolve_to = {});
  void Cancel(ProbeId id);  // on_done will not run; no-op for a finished or unknown id
  void CancelAll();         // cancels every probe of this prober
  std::size_t InFlight() const { return in_flight_; }

 private:
  struct Probe {
    const config::TargetSpec* target = nullptr;
    Callback on_done;
    core::Clock::TimePoint started{};
    core::Clock::WallTimePoint wall_started{};
    char trace_id[32] = {};
    net::CurlMulti::RequestId request = 0;
    std::uint32_t generation = 0;
    bool active = false;
  };

  void BuildRequest(const config::TargetSpec& target, std::string_view resolve_to,
                    const Probe& probe);
  void OnDone(std::uint32_t slot, net::HttpResponse&& response);
  void Release(std::uint32_t slot);

  net::CurlMulti& multi_;
  const core::Clock& clock_;
  std::mt19937_64 rng_;
  const std::string user_agent_;
  std::vector<Probe> probes_;
  std::vector<std::uint32_t> free_;
  std::size_t in_flight_ = 0;
  // Reused for every Start(): CurlMulti copies what it needs before Start() returns, so
  // assigning into the same strings avoids allocating a request per probe.
  net::HttpRequest request_;
};

}  // namespace gatewatch::probe
