#include "schedule/scheduler.h"

#include <algorithm>

namespace gatewatch::schedule {
namespace {

using std::chrono::milliseconds;

constexpr core::Clock::Duration kMaxJitter = milliseconds(100);

core::Clock::Duration ClampInterval(milliseconds interval) {
  return std::max(interval, milliseconds(1));
}

// splitmix64's finalizer: neighbouring keys (sequential ids, similar name hashes) land on
// unrelated offsets.
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// std::push_heap builds a max-heap; ordering by "later" puts the earliest due on top.
struct Later {
  template <typename Item>
  bool operator()(const Item& a, const Item& b) const {
    return a.due != b.due ? a.due > b.due : a.id > b.id;
  }
};

}  // namespace

Scheduler::Scheduler(std::uint64_t seed) : rng_(seed) {}

void Scheduler::Add(Id id, milliseconds interval, TimePoint now, std::uint64_t phase_key) {
  const Duration period = ClampInterval(interval);
  const auto ticks = static_cast<std::uint64_t>(period.count());
  const TimePoint first = now + Duration(static_cast<Duration::rep>(Mix(phase_key) % ticks));
  Entry& entry = entries_[id];
  entry = Entry{period, first, first, 0};
  Push(id, entry);
  DropStaleTop();  // a replaced schedule may have been on top
}

void Scheduler::Remove(Id id) {
  if (entries_.erase(id) == 0) return;
  if (queue_.size() > MaxQueued()) {
    Compact();
  } else {
    DropStaleTop();
  }
}

bool Scheduler::Contains(Id id) const { return entries_.contains(id); }

std::optional<Scheduler::TimePoint> Scheduler::DueOf(Id id) const {
  const auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  return it->second.due;
}

void Scheduler::SetInterval(Id id, milliseconds interval, TimePoint now) {
  const auto it = entries_.find(id);
  if (it == entries_.end()) return;
  Entry& entry = it->second;
  const Duration period = ClampInterval(interval);
  if (period == entry.interval) return;
  const TimePoint last_slot = entry.slot - entry.interval;
  entry.interval = period;
  const TimePoint slot = std::max(std::min(entry.slot, last_slot + period), now);
  if (slot == entry.slot) return;
  entry.slot = slot;
  entry.due = slot + Jitter(period);
  Push(id, entry);
  DropStaleTop();
}

std::optional<Scheduler::TimePoint> Scheduler::NextDue() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.front().due;
}

std::vector<Scheduler::Due> Scheduler::PopDue(TimePoint now, std::size_t max) {
  std::vector<Due> out;
  PopDue(now, out, max);
  return out;
}

void Scheduler::PopDue(TimePoint now, std::vector<Due>& out, std::size_t max) {
  out.clear();
  while (out.size() < max && !queue_.empty() && queue_.front().due <= now) {
    const Id id = queue_.front().id;
    std::pop_heap(queue_.begin(), queue_.end(), Later{});
    queue_.pop_back();
    Entry& entry = entries_.find(id)->second;  // the top is live, so the entry exists
    out.push_back(Due{id, entry.due});
    // The first slot strictly after now; the ones in between were missed. Arithmetic, not
    // a loop, so an hours-long stall costs the same as a short one.
    const auto passed = (now - entry.slot) / entry.interval;
    missed_slots_ += static_cast<std::uint64_t>(passed);
    entry.slot += entry.interval * (passed + 1);
    entry.due = entry.slot + Jitter(entry.interval);
    Push(id, entry);
    DropStaleTop();
  }
}

Scheduler::Duration Scheduler::Jitter(Duration interval) {
  const Duration bound = std::min(interval / 100, kMaxJitter);
  const auto range = static_cast<std::uint64_t>(bound.count()) + 1;
  return Duration(static_cast<Duration::rep>(rng_() % range));
}

void Scheduler::Push(Id id, Entry& entry) {
  entry.generation = next_generation_++;
  if (queue_.size() >= MaxQueued()) {
    Compact();  // includes `entry`, already updated
    return;
  }
  queue_.push_back(QueueItem{entry.due, id, entry.generation});
  std::push_heap(queue_.begin(), queue_.end(), Later{});
}

// Stale items are dropped lazily, when they reach the top; rebuilding once they outnumber
// the live ones keeps the queue O(n) however often intervals change, at O(n) per n changes.
std::size_t Scheduler::MaxQueued() const { return 2 * entries_.size() + 16; }

void Scheduler::Compact() {
  queue_.clear();
  for (const auto& [id, entry] : entries_) {
    queue_.push_back(QueueItem{entry.due, id, entry.generation});
  }
  std::make_heap(queue_.begin(), queue_.end(), Later{});
}

bool Scheduler::IsLive(const QueueItem& item) const {
  const auto it = entries_.find(item.id);
  return it != entries_.end() && it->second.generation == item.generation;
}

void Scheduler::DropStaleTop() {
  while (!queue_.empty() && !IsLive(queue_.front())) {
    std::pop_heap(queue_.begin(), queue_.end(), Later{});
    queue_.pop_back();
  }
}

}  // namespace gatewatch::schedule
