#include "app/round_runner.h"

#include <algorithm>
#include <utility>

namespace gatewatch::app {
namespace {

using namespace std::chrono_literals;

// The background cadence of upstream probes while the target passes: often enough for the
// gauge to follow the backend, rare enough to add nothing measurable to the probe load.
constexpr int kUpstreamEveryIntervals = 10;
constexpr core::Clock::Duration kUpstreamAtLeastEvery = 1min;

}  // namespace

RoundRunner::RoundRunner(probe::HttpProber& prober, const core::Clock& clock,
                         UpstreamDone on_upstream)
    : prober_(prober), clock_(clock), on_upstream_(std::move(on_upstream)) {}

RoundRunner::~RoundRunner() {
  for (Round& r : rounds_) {
    if (r.active) CancelProbes(r);
  }
  for (auto& [key, x] : extras_) {
    if (x.background) prober_.Cancel(*x.background);
  }
}

RoundRunner::Round* RoundRunner::Find(RoundId round) {
  const auto slot = static_cast<std::uint32_t>(round & 0xffffffffu);
  const auto generation = static_cast<std::uint32_t>(round >> 32);
  if (slot >= rounds_.size()) return nullptr;
  Round& r = rounds_[slot];
  return r.active && r.generation == generation ? &r : nullptr;
}

RoundRunner::Extras& RoundRunner::ExtrasOf(Key key) { return extras_[key]; }

const config::TargetSpec& RoundRunner::UpstreamSpec(Key key, const config::TargetSpec& target) {
  Extras& x = ExtrasOf(key);
  if (!x.upstream_spec) {
    config::TargetSpec& s = x.upstream_spec.emplace(target);
    s.url = *target.upstream;
    s.upstream.reset();
    s.resolve_all = false;
    s.confirm = 0;
    s.connection = config::ConnectionMode::kFresh;
    s.labels.clear();
  }
  return *x.upstream_spec;
}

const config::TargetSpec& RoundRunner::FreshSpec(Key key, const config::TargetSpec& target) {
  if (target.connection == config::ConnectionMode::kFresh) return target;
  Extras& x = ExtrasOf(key);
  if (!x.fresh_spec) {
    config::TargetSpec& s = x.fresh_spec.emplace(target);
    s.connection = config::ConnectionMode::kFresh;
    s.labels.clear();
  }
  return *x.fresh_spec;
}

RoundRunner::RoundId RoundRunner::Start(Key key, const config::TargetSpec& target,
                                        std::optional<core::Clock::TimePoint> next_due,
                                        bool failing, Done on_done) {
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(rounds_.size());
    rounds_.emplace_back();
  }
  Round& r = rounds_[slot];
  if (++r.generation == 0) r.generation = 1;
  r.key = key;
  r.target = &target;
  r.on_done = std::move(on_done);
  r.active = true;
  r.may_confirm = !failing && target.confirm > 0;
  ++active_;
  const auto now = clock_.Now();
  r.deadline = next_due.value_or(now + target.interval);
  if (target.unhealthy_interval) {
    r.deadline = std::min(r.deadline, now + *target.unhealthy_interval);
  }

  if (target.resolve_all) ResolveAddresses(r);
  if (r.addresses.empty()) {
    r.pending = 1;
    r.probes.push_back(prober_.Start(
        target, [this, slot](probe::ProbeResult&& result) { OnOwn(slot, 0, std::move(result)); }));
  } else {
    r.pending = r.addresses.size();
    r.results.resize(r.addresses.size());
    for (std::uint32_t i = 0; i < r.addresses.size(); ++i) {
      r.probes.push_back(prober_.Start(
          target,
          [this, slot, i](probe::ProbeResult&& result) { OnOwn(slot, i, std::move(result)); },
          r.addresses[i]));
    }
  }
  return IdOf(slot, r.generation);
}

void RoundRunner::ResolveAddresses(Round& r) {
  Extras& x = ExtrasOf(r.key);
  if (x.host.empty()) {
    x.host = net::UrlHost(r.target->url);
    x.fixed = net::FixedAddresses(x.host);
  }
  if (x.fixed) {
    r.addresses = *x.fixed;
    return;
  }
  if (!resolver_) resolver_ = std::make_unique<net::AddressResolver>();
  // This round uses the latest answer; the lookup started now serves the next one.
  resolver_->Latest(x.host, r.addresses);
  resolver_->Refresh(x.host);
}

void RoundRunner::OnOwn(std::uint32_t slot, std::uint32_t index, probe::ProbeResult&& result) {
  Round& r = rounds_[slot];
  if (r.addresses.empty()) {
    r.result = std::move(result);
  } else {
    r.results[index] = std::move(result);
    if (--r.pending > 0) return;
    const std::size_t worst = diagnose::WorstResult(r.results);
    r.findings.backends.reserve(r.addresses.size());
    for (std::size_t i = 0; i < r.addresses.size(); ++i) {
      r.findings.backends.push_back(diagnose::ToBackend(r.addresses[i], r.results[i]));
    }
    r.pinned = r.addresses[worst];
    r.result = std::move(r.results[worst]);
  }
  r.pending = 0;
  AfterOwn(slot);
}

void RoundRunner::AfterOwn(std::uint32_t slot) {
  Round& r = rounds_[slot];
  const config::TargetSpec& target = *r.target;
  const auto now = clock_.Now();
  if (r.result->success()) {
    MaybeBackgroundUpstream(r, now);
    Deliver(slot);
    return;
  }
  if (target.upstream && diagnose::WorthCheckingUpstream(*r.result)) StartUpstream(slot, now);
  StartConfirm(slot, now);
  MaybeDeliver(slot);
}

void RoundRunner::StartUpstream(std::uint32_t slot, core::Clock::TimePoint now) {
  Round& r = rounds_[slot];
  const config::TargetSpec& spec = UpstreamSpec(r.key, *r.target);
  Extras& x = ExtrasOf(r.key);
  // A background probe may be running; this one is the one that counts for this failure.
  if (x.background) {
    prober_.Cancel(*x.background);
    x.background.reset();
  }
  x.upstream_probed = true;
  x.last_upstream = now;
  r.upstream_probe = prober_.Start(spec, [this, slot](probe::ProbeResult&& upstream) {
    Round& round = rounds_[slot];
    round.upstream_probe.reset();
    round.upstream = std::make_unique<probe::ProbeResult>(std::move(upstream));
    MaybeDeliver(slot);
  });
}

void RoundRunner::StartConfirm(std::uint32_t slot, core::Clock::TimePoint now) {
  Round& r = rounds_[slot];
  const config::TargetSpec& target = *r.target;
  if (!r.may_confirm || r.confirms_started >= target.confirm || now + target.timeout > r.deadline) {
    return;
  }
  ++r.confirms_started;
  r.confirm_probe = prober_.Start(
      FreshSpec(r.key, target),
      [this, slot](probe::ProbeResult&& confirm) {
        Round& round = rounds_[slot];
        round.confirm_probe.reset();
        if (!round.findings.confirm) round.findings.confirm.emplace();
        diagnose::ConfirmFinding& f = *round.findings.confirm;
        ++f.probes;
        if (!confirm.success()) ++f.reproduced;
        StartConfirm(slot, clock_.Now());
        MaybeDeliver(slot);
      },
      r.pinned);
}

void RoundRunner::MaybeBackgroundUpstream(const Round& r, core::Clock::TimePoint now) {
  const config::TargetSpec& target = *r.target;
  if (!target.upstream) return;
  const Key key = r.key;
  const config::TargetSpec& spec = UpstreamSpec(key, target);
  Extras& x = ExtrasOf(key);
  if (x.background) return;
  const auto every = std::max<core::Clock::Duration>(kUpstreamEveryIntervals * target.interval,
                                                     kUpstreamAtLeastEvery);
  if (x.upstream_probed && now - x.last_upstream < every) return;
  x.upstream_probed = true;
  x.last_upstream = now;
  x.background = prober_.Start(spec, [this, key](probe::ProbeResult&& upstream) {
    if (auto it = extras_.find(key); it != extras_.end()) it->second.background.reset();
    on_upstream_(key, upstream);
  });
}

void RoundRunner::MaybeDeliver(std::uint32_t slot) {
  const Round& r = rounds_[slot];
  if (!r.confirm_probe && !r.upstream_probe) Deliver(slot);
}

void RoundRunner::Deliver(std::uint32_t slot) {
  Round& r = rounds_[slot];
  if (r.upstream) {
    r.findings.upstream = diagnose::CorrelateFinding(*r.result, *r.upstream);
  }
  Done done = std::move(r.on_done);
  probe::ProbeResult result = std::move(*r.result);
  diagnose::Findings findings = std::move(r.findings);
  // Released first: on_done may start the target's next round, which may reuse this slot.
  Release(slot);
  if (done) done(std::move(result), std::move(findings));
}

bool RoundRunner::FinishEarly(RoundId round) {
  Round* r = Find(round);
  if (r == nullptr || r->pending > 0 || !r->result) return false;
  if (r->confirm_probe) prober_.Cancel(*r->confirm_probe);
  if (r->upstream_probe) prober_.Cancel(*r->upstream_probe);
  r->confirm_probe.reset();
  r->upstream_probe.reset();
  Deliver(static_cast<std::uint32_t>(round & 0xffffffffu));
  return true;
}

void RoundRunner::Cancel(RoundId round) {
  Round* r = Find(round);
  if (r == nullptr) return;
  CancelProbes(*r);
  Release(static_cast<std::uint32_t>(round & 0xffffffffu));
}

void RoundRunner::Forget(Key key) {
  const auto it = extras_.find(key);
  if (it == extras_.end()) return;
  if (it->second.background) prober_.Cancel(*it->second.background);
  extras_.erase(it);
}

void RoundRunner::CancelProbes(Round& r) {
  // Ids of probes that already finished are no-ops for the prober.
  for (const auto id : r.probes) prober_.Cancel(id);
  if (r.confirm_probe) prober_.Cancel(*r.confirm_probe);
  if (r.upstream_probe) prober_.Cancel(*r.upstream_probe);
}

void RoundRunner::Release(std::uint32_t slot) {
  Round& r = rounds_[slot];
  r.active = false;
  r.may_confirm = false;
  r.target = nullptr;
  r.on_done = nullptr;
  r.pending = 0;
  r.probes.clear();
  r.addresses.clear();
  r.results.clear();
  r.result.reset();
  r.pinned.clear();
  r.confirm_probe.reset();
  r.upstream_probe.reset();
  r.confirms_started = 0;
  r.upstream.reset();
  r.findings = diagnose::Findings{};
  free_.push_back(slot);
  --active_;
}

}  // namespace gatewatch::app
