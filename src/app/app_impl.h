#pragma once
// App's insides, shared by app.cpp (the loop: probing, alerts, config) and app_snapshots.cpp
// (what readers on other threads get: snapshots, readiness, recent results). Not for use
// outside src/app.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "alert/alert_engine.h"
#include "app/app.h"
#include "app/compaction_schedule.h"
#include "app/round_runner.h"
#include "app/target_state.h"
#include "core/version.h"
#include "net/curl_multi.h"
#include "probe/http_prober.h"
#include "schedule/scheduler.h"
#include "server/http_api.h"
#include "status/snapshot_ledger.h"

namespace gatewatch::app {

std::size_t DefaultMaxInFlight();

struct App::Impl {
  using Id = schedule::Scheduler::Id;

  Impl(App& owner, AppOptions opts)
      : self(owner),
        options(std::move(opts)),
        clock(options.clock != nullptr ? *options.clock : system_clock),
        seed(options.seed != 0 ? options.seed : std::random_device{}()),
        prober(multi, clock, seed),
        scheduler(seed ^ 0x9e3779b97f4a7c15ULL),
        rounds(prober, clock,
               [this](RoundRunner::Key id, const probe::ProbeResult& r) { OnUpstream(id, r); }),
        max_in_flight(DefaultMaxInFlight()) {
    agent_status.version = core::kVersion;
    agent_status.started = clock.WallNow();
    agent_status.schedule_lag.bounds = ScheduleLagBounds();
    last_loop_ns.store(clock.Now().time_since_epoch().count());
  }

  struct Entry {
    std::unique_ptr<TargetState> state;
    std::optional<RoundRunner::RoundId> in_flight;  // its round, until on_done
  };

  App& self;
  core::SystemClock system_clock;
  AppOptions options;
  const core::Clock& clock;
  std::uint64_t seed;
  net::CurlMulti multi;
  probe::HttpProber prober;
  schedule::Scheduler scheduler;
  RoundRunner rounds;  // each target's probe(s) and their follow-ups (upstream, confirm)
  std::size_t max_in_flight;

  config::Config config;  // the active config, minus `targets` (TargetStates hold those)
  bool loaded = false;
  std::unordered_map<Id, Entry> targets;
  // Target name -> id, kept with `targets` so the once-a-second alert evaluation looks names
  // up without rebuilding an index of every target (string_view lookups: no allocation).
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Id, NameHash, std::equal_to<>> id_by_name;
  std::vector<Id> order;  // config order, for the snapshot
  Id next_id = 1;

  std::vector<core::Millis> spans;  // every target's windows: agent windows + alert windows
  alert::AlertEngine alerts;
  core::Clock::TimePoint last_evaluation{};
  // Scratch for EvaluateAlerts, reused so an evaluation allocates only for events.
  std::vector<window::WindowStats> view_stats;
  alert::TargetView view;

  status::AgentStatus agent_status;
  core::Clock::Duration max_lag_since_check{0};
  core::Clock::TimePoint last_status_check{};
  core::Clock::TimePoint last_idle_trim{};
  std::vector<schedule::Scheduler::Due> due_buffer;

  // Who may touch loop state: Step() and the other loop-thread entry points hold loop_mu
  // (LoopGuard), and loop_owner names the thread holding it, so a callback on that thread
  // that reads a snapshot does not wait for itself. While Run() is active, readers on other
  // threads ask the loop instead of waiting for loop_mu (RequestSnapshot).
  std::mutex loop_mu;
  std::atomic<std::thread::id> loop_owner{};
  bool running = false;  // Run() is active; guarded by request_mu

  // Counts the snapshots alive. readers_may_hold: one was built since the ledger last said
  // none is alive, so the targets' statuses may be seen by a reader and are copied on change.
  status::SnapshotLedger ledger;
  bool readers_may_hold = false;
  std::shared_ptr<status::StatusSnapshot> building;  // a snapshot being built in slices
  std::size_t unprobed = 0;  // targets without a first result: not ready until 0
  // The last snapshot built, for readers that come within kSnapshotReuse while another still
  // holds it. Weak: a snapshot nobody reads must not keep the statuses copy-on-write.
  mutable std::mutex snapshot_mu;
  std::weak_ptr<const status::StatusSnapshot> latest;
  core::Clock::TimePoint latest_at{};
  std::atomic<std::int64_t> last_loop_ns{0};
  // /readyz without a snapshot: loaded (bit 63), targets (bits 32..62), waiting (bits 0..31).
  std::atomic<std::uint64_t> readiness{0};

  std::mutex request_mu;
  std::vector<std::promise<ReloadOutcome>> reload_waiters;
  std::atomic<bool> reload_requested{false};
  // The status page's detail view asks for one target's recent results, which only the loop
  // may read: a server thread queues a request (RequestHistory) and the loop answers between
  // iterations (AnswerHistoryRequests). Bounded: at most kMaxHistoryRequests wait at once,
  // each for kHistoryWait.
  struct HistoryRequest {
    std::string target;
    std::promise<std::optional<server::HistoryReply>> reply;
  };
  static constexpr std::size_t kMaxHistoryRequests = 16;
  static constexpr std::chrono::seconds kHistoryWait{2};
  std::vector<HistoryRequest> history_requests;  // guarded by request_mu
  std::atomic<bool> history_requested{false};
  std::optional<server::HistoryReply> RequestHistory(const std::string& target);
  void AnswerHistoryRequests();
  // Readers waiting for the loop to build a snapshot (guarded by request_mu); one build
  // answers all of them.
  std::vector<std::promise<std::shared_ptr<const status::StatusSnapshot>>> snapshot_waiters;
  std::atomic<bool> snapshot_requested{false};
  class LoopGuard;
  // While Run() is active: asks the loop for a snapshot and waits (kSnapshotWait). nullopt
  // when Run() is not active, so the caller builds it under loop_mu itself.
  std::optional<std::shared_ptr<const status::StatusSnapshot>> RequestSnapshot();
  // The last snapshot built, if some reader still holds it (and, given `now`, it was built
  // within kSnapshotReuse of it); else null.
  std::shared_ptr<const status::StatusSnapshot> Held(
      std::optional<core::Clock::TimePoint> now = std::nullopt) const;
  // Once no snapshot is alive, lets every target write its status in place again.
  void ReleaseIfUnread();
  // Heap compaction (TargetState::Compact, core::WorthMoving): a pass over every target, a
  // slice per loop iteration, when `compaction` says (see CompactionSchedule). Paused while a
  // snapshot is alive. compact_next: the position in `order` of the pass under way, or none.
  std::optional<std::size_t> compact_next;
  CompactionSchedule compaction{clock.Now()};
  std::uint64_t compacted_blocks = 0;  // moved during the pass under way
  void CompactSlice(core::Clock::TimePoint now);
  void NoteReadiness();

  std::unique_ptr<notify::Dispatcher> dispatcher;
  std::unique_ptr<server::HttpApi> http;  // last member: stopped first, it reads the others

  void StartDue(core::Clock::TimePoint now);
  void StartProbe(Id id, Entry& entry);
  void OnResult(Id id, probe::ProbeResult&& result, diagnose::Findings&& findings);
  void OnUpstream(Id id, const probe::ProbeResult& upstream);
  void HandleRequests();
  // A whole snapshot now (dropping one half built).
  std::shared_ptr<const status::StatusSnapshot> BuildNow(core::Clock::TimePoint now);
  // Adds up to max_targets targets to the snapshot being built (starting one if none is).
  // Once every target is in: caches it, answers the waiting readers and returns it; null
  // until then.
  std::shared_ptr<const status::StatusSnapshot> ContinueSnapshot(core::Clock::TimePoint now,
                                                                 std::size_t max_targets);
  void UpdateSaturation();
  alert::AlertEvent SaturationEvent(bool saturated, core::Clock::Duration lag);
  core::Clock::WallTimePoint saturated_since{};
  std::uint64_t saturation_sequence = 0;
  void EvaluateAlerts(core::Clock::TimePoint now);
  void Notify(std::vector<alert::AlertEvent>&& events);
  std::vector<std::string> TargetNames() const;
  void AddTarget(config::TargetSpec spec, core::Clock::TimePoint now);
  void RemoveTarget(Id id);
};

// Holds the loop for the calling thread (see loop_mu); a no-op on the thread that already
// holds it, so loop entry points may call each other.
class App::Impl::LoopGuard {
 public:
  explicit LoopGuard(Impl& m) : m_(m) {
    if (m_.loop_owner.load() == std::this_thread::get_id()) return;
    lock_ = std::unique_lock(m_.loop_mu);
    m_.loop_owner.store(std::this_thread::get_id());
  }
  ~LoopGuard() {
    if (lock_.owns_lock()) m_.loop_owner.store(std::thread::id());
  }
  LoopGuard(const LoopGuard&) = delete;
  LoopGuard& operator=(const LoopGuard&) = delete;

 private:
  Impl& m_;
  std::unique_lock<std::mutex> lock_;
};

}  // namespace gatewatch::app
