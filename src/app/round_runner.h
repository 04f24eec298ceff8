#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "diagnose/findings.h"
#include "net/address_resolver.h"
#include "probe/http_prober.h"
#include "probe/result.h"

namespace gatewatch::app {

// Runs the rounds of the agent's targets over the shared prober. A round is the target's own
// probe (with resolve_all, one per address of its host) plus, after a failure, the follow-ups
// that explain it; it ends with ONE result for the target's windows and what the follow-ups
// found (diagnose/findings.h):
//   - upstream: when the result calls for it (diagnose::WorthCheckingUpstream), the backend is
//     probed directly at once and the two are correlated (diagnose::CorrelateUpstream). While
//     the target passes, the backend is probed in the background every max(10 intervals, 1m)
//     and reported through on_upstream, so gatewatch_upstream_probe_success stays current.
//     The backend probe uses the target's method, headers, body, timeout and checks, on a
//     fresh connection.
//   - confirm: up to spec.confirm probes of the target, one after the other, each on a fresh
//     connection and started only if it can end (now + timeout) by the round's deadline: the
//     target's next scheduled run, or round start + unhealthy_interval if that is sooner (the
//     cadence a failure switches to). With resolve_all they go to the failing address. Only
//     for a failure that follows a pass (or the first round): once the target is failing,
//     its own next probe says whether the failure persists, so a long outage costs one
//     confirm probe, not one per round.
//   - resolve_all: one probe per address of the URL's host, pinned (CURLOPT_CONNECT_TO: the
//     Host header and TLS name stay the URL's). Names are looked up by net::AddressResolver
//     in the background and re-looked-up every round, so a round never waits on DNS; while a
//     name has no answer yet (its first round) or its lookup failed, the round is one plain
//     probe, so libcurl resolves and reports DNS failures as usual. localhost and IP literals
//     need no lookup (net::FixedAddresses). The round's result is the worst address's
//     (diagnose::WorstResult): one window sample per round, whatever the number of addresses.
// Follow-up probes never reach the target's windows or counters: only on_done's result does.
//
// Example, upstream set, confirm = 1, interval 15s, timeout 3s: the gateway answers 502 at
// t=10ms; a backend probe and a confirm probe start at once; the backend refuses at 11ms, the
// confirm gets 502 at 14ms; on_done then gets the 502 with upstream kBackendRefuses and
// confirm {probes 1, reproduced 1}.
//
// Not thread-safe: owned by the probe loop, like the prober. `prober` and `clock` must outlive
// it; the destructor cancels its probes. A round's spec must stay alive and unchanged until
// the round ends or is cancelled.
class RoundRunner {
 public:
  using Key = std::uint32_t;  // the caller's id of a target
  using RoundId = std::uint64_t;
  // The round's result (what the windows record) and what its follow-ups found.
  using Done = std::function<void(probe::ProbeResult&&, diagnose::Findings&&)>;
  // A background probe of the target's upstream finished (not part of any round).
  using UpstreamDone = std::function<void(Key, const probe::ProbeResult&)>;

  RoundRunner(probe::HttpProber& prober, const core::Clock& clock, UpstreamDone on_upstream);
  ~RoundRunner();
  RoundRunner(const RoundRunner&) = delete;
  RoundRunner& operator=(const RoundRunner&) = delete;

  // Starts a round of `target` now. `next_due`: the target's next scheduled run (nullopt:
  // unknown, then now + interval). `failing`: the target's previous round failed (no confirm
  // probes then). on_done runs exactly once, on the loop thread inside CurlMulti::Poll() or
  // FinishEarly(), unless the round is cancelled first.
  RoundId Start(Key key, const config::TargetSpec& target,
                std::optional<core::Clock::TimePoint> next_due, bool failing, Done on_done);
  // For a round whose own probes are done and whose follow-ups still run: cancels those and
  // runs on_done now with what they found so far, then returns true. False while the
  // round's own probes run, and for a finished or unknown round.
  bool FinishEarly(RoundId round);
  // Cancels the round's probes; on_done will not run. No-op for a finished or unknown round.
  void Cancel(RoundId round);
  // Cancels the background upstream probe of `key` and forgets what is kept for it (its
  // derived specs, its resolved addresses). Call when the target goes away or its spec
  // changes, after cancelling its round.
  void Forget(Key key);

  std::size_t active() const { return active_; }  // rounds in progress

 private:
  struct Round {
    Key key = 0;
    const config::TargetSpec* target = nullptr;
    Done on_done;
    std::uint32_t generation = 0;
    bool active = false;
    bool may_confirm = false;
    core::Clock::TimePoint deadline{};               // follow-ups must end by then
    std::size_t pending = 0;                         // own probes still running
    std::vector<probe::HttpProber::ProbeId> probes;  // own probes
    std::vector<std::string> addresses;              // resolve_all: one per own probe
    std::vector<probe::ProbeResult> results;         // resolve_all: index for index
    std::optional<probe::ProbeResult> result;        // once the own probes are done
    std::string pinned;                              // where confirm probes connect; "" = DNS
    std::optional<probe::HttpProber::ProbeId> confirm_probe, upstream_probe;
    int confirms_started = 0;
    // Only failing rounds of targets with upstream get one: a pointer keeps every slot small.
    std::unique_ptr<probe::ProbeResult> upstream;
    diagnose::Findings findings;
  };
  // Kept per target only when it needs it: upstream, resolve_all, or confirm with reuse.
  struct Extras {
    std::optional<config::TargetSpec> upstream_spec;       // the target's, aimed at upstream
    std::optional<config::TargetSpec> fresh_spec;          // the target's, on fresh connections
    std::optional<probe::HttpProber::ProbeId> background;  // upstream probe outside a round
    bool upstream_probed = false;
    core::Clock::TimePoint last_upstream{};         // start of the latest upstream probe
    std::string host;                               // resolve_all: the URL's host
    std::optional<std::vector<std::string>> fixed;  // its addresses, when known without DNS
  };

  static RoundId IdOf(std::uint32_t slot, std::uint32_t generation) {
    return (static_cast<RoundId>(generation) << 32) | slot;
  }
  Round* Find(RoundId round);
  Extras& ExtrasOf(Key key);
  const config::TargetSpec& UpstreamSpec(Key key, const config::TargetSpec& target);
  const config::TargetSpec& FreshSpec(Key key, const config::TargetSpec& target);
  void ResolveAddresses(Round& r);
  void OnOwn(std::uint32_t slot, std::uint32_t index, probe::ProbeResult&& result);
  void AfterOwn(std::uint32_t slot);
  void StartUpstream(std::uint32_t slot, core::Clock::TimePoint now);
  void StartConfirm(std::uint32_t slot, core::Clock::TimePoint now);
  void MaybeBackgroundUpstream(const Round& r, core::Clock::TimePoint now);
  void MaybeDeliver(std::uint32_t slot);
  void Deliver(std::uint32_t slot);
  void CancelProbes(Round& r);
  void Release(std::uint32_t slot);

  probe::HttpProber& prober_;
  const core::Clock& clock_;
  UpstreamDone on_upstream_;
  std::vector<Round> rounds_;  // slots, reused; callbacks name them by index
  std::vector<std::uint32_t> free_;
  std::size_t active_ = 0;
  std::unordered_map<Key, Extras> extras_;          // node-based: specs keep their address
  std::unique_ptr<net::AddressResolver> resolver_;  // created for the first resolve_all name
};

}  // namespace gatewatch::app
