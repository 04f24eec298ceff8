#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <unordered_map>
#include <vector>

#include "core/clock.h"

namespace gatewatch::schedule {

// When each target is next due, on steady time passed in by the caller. The scheduler asks,
// it does not wait: the loop blocks (e.g. in curl_multi_poll) until NextDue(), then calls
// PopDue(now) and starts a probe for every Due.
//
// Cadence: a target runs on slots anchored to its first run, slot k at first + k * interval,
// so the schedule never drifts. Each run after the first is delayed by a random jitter in
// [0, min(interval / 100, 100 ms)] added to its slot, not carried over to the next one.
// When the loop is late, PopDue returns each overdue target once and moves it to its first
// slot after `now`; the slots skipped on the way are counted in missed_slots(), not bunched.
//
// Example, interval 10s, first run at 3s: runs near 3s, 13s, 23s, ... If PopDue is next
// called at 45.5s, the target due at 23s+jitter is returned once (scheduled = 23s+jitter,
// so the caller sees 22.5s of lag), slots 33s and 43s count as 2 missed, and the next run
// is 53s+jitter.
//
// Cost: O(log n) per Add, Remove, SetInterval and popped Due (a binary heap with lazy
// deletion, compacted when stale entries outnumber live ones). Deterministic for a given
// seed and call sequence.
// Not thread-safe: owned by the probe loop.
class Scheduler {
 public:
  using Id = std::uint32_t;
  using TimePoint = core::Clock::TimePoint;

  // Seeds the jitter generator (std::mt19937_64).
  explicit Scheduler(std::uint64_t seed);

  // Schedules `id` (replacing any schedule it had). The first run lands at now + a stable
  // offset in [0, interval) derived from phase_key (e.g. a hash of the target's name), so
  // targets spread over their interval and a restart keeps the same offsets. Intervals
  // below 1 ms are treated as 1 ms, here and in SetInterval.
  void Add(Id id, std::chrono::milliseconds interval, TimePoint now, std::uint64_t phase_key);
  void Remove(Id id);  // no-op for an unknown id
  bool Contains(Id id) const;
  // When `id` runs next (slot + jitter); nullopt for an unknown id. After PopDue returned
  // it, that is its next run.
  std::optional<TimePoint> DueOf(Id id) const;

  // Changes the cadence (e.g. to unhealthy_interval while failing). The next run moves to
  // min(current next run, last slot + new interval), or to `now` if that is in the past
  // (plus jitter when it moves); later slots follow the new interval from there.
  // Faster, 10s -> 2s with the last slot at 0s (next at 10s): at now=1s the next run moves
  // to 2s; at now=4s it moves to 4s, as 2s has passed. Slower: the next run keeps its time
  // and the ones after it use the new interval. Before the first run, "last slot" is the
  // first run minus the old interval. No-op for an unknown id or an unchanged interval.
  void SetInterval(Id id, std::chrono::milliseconds interval, TimePoint now);

  // The earliest next run; nullopt if nothing is scheduled.
  std::optional<TimePoint> NextDue() const;

  struct Due {
    Id id;
    TimePoint scheduled;  // when it was due (slot + jitter): now - scheduled is the lag
  };
  // Every id due at or before now (at most max of them), earliest first (ties by id); each
  // is moved to its next slot after now. Ids left over by `max` stay due for the next call.
  std::vector<Due> PopDue(TimePoint now, std::size_t max = SIZE_MAX);
  // The same, into `out` (cleared first): no allocation once its capacity suffices.
  void PopDue(TimePoint now, std::vector<Due>& out, std::size_t max = SIZE_MAX);

  std::uint64_t missed_slots() const { return missed_slots_; }  // total skipped so far
  std::size_t size() const { return entries_.size(); }
  // Queue entries, live and stale (Remove and SetInterval leave the old one behind, dropped
  // lazily); never more than 2 * size() + 16, so memory follows the number of ids.
  std::size_t queued() const { return queue_.size(); }

 private:
  using Duration = core::Clock::Duration;
  struct Entry {
    Duration interval;
    TimePoint slot;  // the next run's slot, before jitter
    TimePoint due;   // slot + jitter
    std::uint64_t generation;
  };
  struct QueueItem {
    TimePoint due;
    Id id;
    std::uint64_t generation;  // stale unless equal to the entry's
  };

  Duration Jitter(Duration interval);
  void Push(Id id, Entry& entry);
  std::size_t MaxQueued() const;
  void Compact();
  bool IsLive(const QueueItem& item) const;
  void DropStaleTop();

  std::mt19937_64 rng_;
  std::unordered_map<Id, Entry> entries_;
  std::vector<QueueItem> queue_;  // min-heap on (due, id); its top is always live
  std::uint64_t next_generation_ = 0;
  std::uint64_t missed_slots_ = 0;
};

}  // namespace gatewatch::schedule
