// What readers on other threads get from the probe loop: snapshots (built on request, see
// App::Snapshot), readiness, and one target's recent results.
#include <algorithm>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "app/app_impl.h"
#include "core/allocator.h"

namespace gatewatch::app {
namespace {

// A snapshot still held by a reader is handed to other readers this long after it was
// built, instead of building another: a scrape, a status page and an API call at once
// share one.
constexpr auto kSnapshotReuse = std::chrono::seconds(1);
// How long a reader waits for the loop to build a snapshot, and how many may wait at once.
constexpr auto kSnapshotWait = std::chrono::seconds(2);
constexpr std::size_t kMaxSnapshotWaiters = 64;
// Heap compaction (App::Impl::CompactSlice): targets per loop iteration (each a few
// allocator queries, about a millisecond per slice).
constexpr std::size_t kCompactionSlice = 500;

}  // namespace

std::shared_ptr<const status::StatusSnapshot> App::Impl::BuildNow(core::Clock::TimePoint now) {
  building.reset();
  return ContinueSnapshot(now, SIZE_MAX);
}

std::shared_ptr<const status::StatusSnapshot> App::Impl::ContinueSnapshot(
    core::Clock::TimePoint now, std::size_t max_targets) {
  if (!building) {
    building = ledger.Track(std::make_unique<status::StatusSnapshot>());
    readers_may_hold = true;
    building->generated = clock.WallNow();
    building->targets.reserve(order.size());
  }
  // Targets are added in slices across loop iterations, so at 10,000 targets a snapshot
  // never holds up probe starts for more than a slice's worth of work (an unchanged target
  // costs a pointer; a changed one a summary of its windows).
  const std::size_t end = std::min(order.size(), building->targets.size() + max_targets);
  for (std::size_t i = building->targets.size(); i < end; ++i) {
    building->targets.push_back(targets.at(order[i]).state->Publish(now));
  }
  if (building->targets.size() < order.size()) return nullptr;
  agent_status.ready = unprobed == 0;
  building->alerts = alerts.Snapshot();
  agent_status.probes_in_flight = prober.InFlight();
  agent_status.notifications = dispatcher->Stats();
  building->agent = agent_status;
  std::shared_ptr<const status::StatusSnapshot> done = std::move(building);
  {
    std::lock_guard lock(snapshot_mu);
    latest = done;
    latest_at = now;
  }
  std::vector<std::promise<std::shared_ptr<const status::StatusSnapshot>>> waiters;
  {
    std::lock_guard lock(request_mu);
    waiters.swap(snapshot_waiters);
    snapshot_requested.store(false);
  }
  for (auto& w : waiters) w.set_value(done);
  return done;
}

std::shared_ptr<const status::StatusSnapshot> App::Impl::Held(
    std::optional<core::Clock::TimePoint> now) const {
  std::lock_guard lock(snapshot_mu);
  if (now && *now - latest_at >= kSnapshotReuse) return nullptr;
  return latest.lock();
}

std::optional<std::shared_ptr<const status::StatusSnapshot>> App::Impl::RequestSnapshot() {
  std::future<std::shared_ptr<const status::StatusSnapshot>> reply;
  {
    std::lock_guard lock(request_mu);
    if (!running) return std::nullopt;
    if (snapshot_waiters.size() >= kMaxSnapshotWaiters) return Held();
    snapshot_waiters.emplace_back();
    reply = snapshot_waiters.back().get_future();
    snapshot_requested.store(true);
  }
  multi.Wakeup();
  if (reply.wait_for(kSnapshotWait) == std::future_status::ready) return reply.get();
  // The loop is stuck (it is also what /healthz reports): an older snapshot beats none.
  return Held();
}

void App::Impl::ReleaseIfUnread() {
  if (!readers_may_hold || ledger.AnyAlive()) return;
  // Every snapshot is gone, and with it every reader of the statuses it held.
  for (auto& [id, entry] : targets) entry.state->ReadersGone();
  readers_may_hold = false;
  compaction.MarkDue();
}

void App::Impl::CompactSlice(core::Clock::TimePoint now) {
  if (!compact_next) {
    if (!compaction.ShouldStart(now)) return;
    compact_next = 0;
    compacted_blocks = 0;
  }
  if (readers_may_hold) return;  // resumed once the snapshot is gone
  const std::size_t end = std::min(order.size(), *compact_next + kCompactionSlice);
  {
    core::UncachedAllocations uncached;
    for (std::size_t& i = *compact_next; i < end; ++i) {
      compacted_blocks += targets.at(order[i]).state->Compact(core::WorthMoving);
    }
  }
  if (*compact_next < order.size()) return;
  compact_next.reset();
  compaction.Finished(now);
  if (compacted_blocks > 0) {
    spdlog::debug("heap compaction: moved {} blocks of {} targets", compacted_blocks,
                  order.size());
  }
}

void App::Impl::NoteReadiness() {
  const std::uint64_t targets_bits = std::min<std::uint64_t>(order.size(), 0x7fffffff);
  const std::uint64_t waiting_bits = std::min<std::uint64_t>(unprobed, 0xffffffff);
  readiness.store((std::uint64_t{loaded} << 63) | (targets_bits << 32) | waiting_bits);
}

std::optional<server::HistoryReply> App::Impl::RequestHistory(const std::string& target) {
  std::future<std::optional<server::HistoryReply>> reply;
  {
    std::lock_guard lock(request_mu);
    if (history_requests.size() >= kMaxHistoryRequests) return std::nullopt;
    history_requests.push_back({target, {}});
    reply = history_requests.back().reply.get_future();
  }
  history_requested.store(true);
  multi.Wakeup();
  if (reply.wait_for(kHistoryWait) != std::future_status::ready) return std::nullopt;
  return reply.get();
}

void App::Impl::AnswerHistoryRequests() {
  if (!history_requested.exchange(false)) return;
  std::vector<HistoryRequest> requests;
  {
    std::lock_guard lock(request_mu);
    requests.swap(history_requests);
  }
  const auto as_of = clock.WallNow();
  for (auto& request : requests) {
    std::optional<server::HistoryReply> reply;
    // A linear search: a person opening a page asks, not every probe.
    for (const Id id : order) {
      const TargetState& state = *targets.at(id).state;
      if (state.spec().name != request.target) continue;
      reply = server::HistoryReply{state.recent(), as_of};
      break;
    }
    request.reply.set_value(std::move(reply));
  }
}

std::shared_ptr<const status::StatusSnapshot> App::Snapshot() const {
  Impl& m = *impl_;
  if (auto held = m.Held(m.clock.Now())) return held;
  if (m.loop_owner.load() != std::this_thread::get_id()) {
    if (auto asked = m.RequestSnapshot()) return std::move(*asked);
  }
  Impl::LoopGuard loop(m);
  return m.BuildNow(m.clock.Now());
}

void App::PublishSnapshot() {
  Impl& m = *impl_;
  Impl::LoopGuard loop(m);
  const auto now = m.clock.Now();
  m.UpdateSaturation();
  m.last_status_check = now;
  m.BuildNow(now);
}

server::Readiness App::Readiness() const {
  const std::uint64_t bits = impl_->readiness.load();
  server::Readiness r;
  r.loaded = (bits >> 63) != 0;
  r.targets = static_cast<std::size_t>((bits >> 32) & 0x7fffffff);
  r.waiting = static_cast<std::size_t>(bits & 0xffffffff);
  r.ready = r.loaded && r.waiting == 0;
  return r;
}

}  // namespace gatewatch::app
