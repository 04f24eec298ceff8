#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "diagnose/findings.h"
#include "probe/result.h"
#include "status/snapshot.h"
#include "status/target_history.h"
#include "window/target_windows.h"

namespace gatewatch::app {

// What the agent knows about one target: its spec, windows, counters and last result.
// Owned by the probe loop; not thread-safe. Publish() hands its status to other threads.
class TargetState {
 public:
  TargetState(config::TargetSpec spec, const std::vector<std::chrono::milliseconds>& spans);

  // What a recorded result changed, so the loop can log and re-pace the schedule.
  enum class Change { kNone, kFirst, kWentDown, kRecovered };

  // Windowed at result.started. `findings` (from the round's follow-ups) join the diagnosis
  // of a failure and set upstream / confirmed / backends of the status.
  Change Record(probe::ProbeResult&& result, diagnose::Findings&& findings = {});
  // A direct probe of `upstream` made while the target passes: updates status upstream's
  // probe fields (verdict none), never the windows or counters.
  void RecordUpstream(const probe::ProbeResult& upstream);

  // Swaps in a changed spec, keeping windows and counters (reload of an edited target).
  void ReplaceSpec(config::TargetSpec spec);
  // Starts fresh windows for new spans (reload that changed agent.windows).
  void ResetWindows(const std::vector<std::chrono::milliseconds>& spans);

  const config::TargetSpec& spec() const { return spec_; }
  bool failing() const { return status_->last != nullptr && !status_->up; }
  bool probed() const { return status_->last != nullptr; }
  const std::shared_ptr<const probe::ProbeResult>& last() const { return status_->last; }
  std::uint64_t consecutive_failures() const { return status_->consecutive_failures; }
  const std::string& diagnosis() const { return status_->diagnosis; }  // "" while passing
  core::Clock::WallTimePoint state_since() const { return status_->state_since; }
  // The interval the scheduler should use now: unhealthy_interval while failing.
  std::chrono::milliseconds CurrentInterval() const;

  // The status as of `now`, for a snapshot. Not modified while that snapshot lives: the next
  // change copies it first (copy-on-write) until ReadersGone(). A target that neither
  // recorded a result nor crossed a window or sparkline boundary since the last call gets
  // the same instance back, so a snapshot of 10,000 mostly idle targets costs a pointer
  // each, and snapshots alive at once share one copy per target.
  std::shared_ptr<const status::TargetStatus> Publish(core::Clock::TimePoint now);
  // Every snapshot that Publish() fed is gone (status::SnapshotLedger says so): the next
  // change writes the status and counters in place instead of copying them.
  void ReadersGone() {
    status_published_ = false;
    counters_published_ = false;
    last_published_ = false;
  }
  // Copies the heap blocks this target writes over and over (status, counters, last result,
  // window rings and summaries, diagnosis) into new ones where `worth_moving` says so (see
  // core::WorthMoving), so pages left part-used by copy-on-write and ring changes can empty.
  // Nothing changes but addresses. Does nothing while a snapshot may still read the status
  // (until ReadersGone()). Returns the number of blocks moved.
  std::size_t Compact(const std::function<bool(const void*)>& worth_moving);
  // Each window's stats at `now`, in span order, into `out` (its capacity is reused).
  void WindowStatsAt(core::Clock::TimePoint now, std::vector<window::WindowStats>& out) const {
    windows_.Stats(now, out);
  }
  // The last few results, for the status page's detail view (copied out on request).
  const status::RecentResults& recent() const { return history_.recent(); }

 private:
  void ApplyFindings(bool success, diagnose::Findings&& findings);
  // The status to change in place: a fresh copy once the current one was published.
  status::TargetStatus& MutableStatus();
  // The counters to change in place: a fresh copy once the current ones were published.
  status::ProbeCounters& MutableCounters();
  // Makes `result` the status' last result: copied into the current one while no snapshot
  // can see it (its strings keep their buffers), else a new instance. At 10,000 probes/s,
  // replacing every target's result each second left the allocator's pages half used.
  void SetLast(probe::ProbeResult&& result);
  // Recomputes the status' windows and sparkline at `now` (merging every window's buckets).
  void Summarize(core::Clock::TimePoint now);

  config::TargetSpec spec_;
  window::TargetWindows windows_;
  // The one copy of the status, windows and sparkline included as of the last Publish().
  // While a snapshot holds it, it is never written (copy-on-write, like the counters), so
  // other threads read it without locks while the loop moves on to a copy.
  std::shared_ptr<status::TargetStatus> status_;
  // status_->counters, writable, under the same copy-on-write rule.
  std::shared_ptr<status::ProbeCounters> counters_;
  // The windows and sparkline change only when a result is recorded or time crosses a bucket
  // boundary of some window or a sparkline point, so until then Publish() reuses them
  // instead of merging every bucket again: exact, not an estimate.
  core::Clock::TimePoint summarized_at_{}, summary_valid_until_{};
  status::TargetHistory history_;  // recent results and the sparkline series (444 bytes)
  // Last, in history_'s tail padding: 10,000 targets hold one of these each, and at 896
  // bytes (static_assert in target_state.cpp) it fits jemalloc's 896-byte size class.
  bool status_published_ = false;
  bool counters_published_ = false;
  bool last_published_ = false;
  bool summary_stale_ = true;
};

// Bucket bounds (seconds) of gatewatch_probe_duration_seconds and the schedule-lag histogram.
const std::vector<double>& ProbeDurationBounds();
const std::vector<double>& ScheduleLagBounds();
void Observe(status::Histogram& histogram, double seconds);

}  // namespace gatewatch::app
