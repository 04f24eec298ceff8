#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "diagnose/verdict.h"
#include "probe/result.h"

// What the probes that follow a target's own probe found, and how that reads in the
// diagnosis: the direct probe of `upstream`, the confirm probes after a failure, and with
// `resolve_all` one probe per address of the name. Plain data and pure functions; thread-safe.
namespace gatewatch::diagnose {

// The latest direct probe of a target's `upstream`, and what it says about the failure of
// the gateway in front of it.
struct UpstreamFinding {
  bool success = false;  // passed the target's checks (gatewatch_upstream_probe_success)
  int http_status = 0;   // 0 when no response arrived
  probe::FailureReason reason = probe::FailureReason::kNone;
  std::chrono::microseconds latency{0};  // whole probe
  core::Clock::WallTimePoint checked{};  // when the probe started
  // The correlation with the gateway failure it was made for (diagnose/verdict.h);
  // kNotApplicable, with text "", for a probe made while the target passes.
  UpstreamCase kind = UpstreamCase::kNotApplicable;
  std::string text;
};

// The confirm probes run after a failed round.
struct ConfirmFinding {
  int probes = 0;      // confirm probes that completed
  int reproduced = 0;  // of those, the ones that failed as well
  bool operator==(const ConfirmFinding&) const = default;
};

// One address of a resolve_all round.
struct BackendResult {
  std::string address;  // as resolved: "10.0.0.7", "::1"
  bool success = false;
  int http_status = 0;  // 0 when no response arrived
  probe::FailureReason reason = probe::FailureReason::kNone;
  std::chrono::microseconds latency{0};
};

// Everything the follow-ups of one round found; empty parts were not probed.
struct Findings {
  std::vector<BackendResult> backends;      // resolve_all: one per address, in resolver order
  std::optional<UpstreamFinding> upstream;  // upstream probed for this round's failure
  std::optional<ConfirmFinding> confirm;    // at least one confirm probe completed
  // Failed rounds in a row, this one included, when no confirm probe ran because the round
  // before failed too (set by whoever keeps the count); 0 otherwise.
  std::uint64_t failed_in_a_row = 0;
};

// True when a failed gateway probe calls for probing the backend behind it: the gateway
// answered 5xx, or the exchange broke after connecting (timeout, reset, protocol error). A
// gateway that cannot be reached at all (dns, refused, connect_timeout, tls) failed at its
// own hop; the backend cannot explain that.
bool WorthCheckingUpstream(const probe::ProbeResult& gateway);

// `upstream`'s probe fields, with kind kNotApplicable and no text.
UpstreamFinding UpstreamAlone(const probe::ProbeResult& upstream);
// The same plus CorrelateUpstream(gateway, upstream)'s case and sentence.
UpstreamFinding CorrelateFinding(const probe::ProbeResult& gateway,
                                 const probe::ProbeResult& upstream);

// Which address's result stands for a resolve_all round (its one window sample): the worst,
// ranked no answer at all (dns .. protocol) > 5xx > any other failure > pass; among equals
// the slowest, then the first. `results` must not be empty.
std::size_t WorstResult(std::span<const probe::ProbeResult> results);

BackendResult ToBackend(std::string address, const probe::ProbeResult& result);

// How one failing address reads in a list: the status code for a status failure ("502"),
// else the reason's name ("refused", "timeout", "body").
std::string ShortFailure(probe::FailureReason reason, int http_status);

// "1 of 2 backends failing: ::1 refused", "2 of 3 backends failing: 10.0.0.7 refused,
// 10.0.0.8 502"; "" when every address passed.
std::string BackendsSentence(std::span<const BackendResult> backends);

// "transient: 1 confirm probe passed", "transient: 2 confirm probes passed",
// "persistent: reproduced 2 of 2", "intermittent: reproduced 1 of 2"; "" when none ran.
std::string ConfirmSentence(const ConfirmFinding& confirm);

// "persistent: failed 3 probes in a row"; "" below 2.
std::string StreakSentence(std::uint64_t failed_in_a_row);

// The diagnosis of a failed round: the backends sentence, `base` (DescribeFailure of the
// round's result), the upstream verdict and the confirm sentence (else the streak sentence),
// the ones present joined with "; ". E.g. "502 from nginx (gateway): the gateway got no
// valid answer from its upstream; the gateway answered 502 after 1.2 ms; the backend refuses
// connections: it is down or not listening on that port; persistent: reproduced 1 of 1".
std::string ComposeDiagnosis(std::string_view base, const Findings& findings);

}  // namespace gatewatch::diagnose
