#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

// The notifications not yet delivered, and what the dispatcher must not forget across a
// restart: a bounded queue per notifier, persisted to one file under agent.state_dir.
//
// Not thread-safe: owned by the dispatcher thread (notify/dispatcher.h).
namespace gatewatch::notify {

// One notification for one notifier. The body is rendered once, when the event arrives, so
// every attempt (also after a restart) sends the same bytes with the same Idempotency-Key.
struct OutboxEntry {
  std::uint64_t id = 0;  // set by Push: increasing in arrival order, unique in this outbox
  std::string notifier;  // the notifier's name
  std::string type;      // config::NotifierTypeName when rendered; the body is in its format
  std::string idempotency_key;
  std::string body;
  std::uint32_t attempts = 0;                  // failed attempts so far
  core::Clock::TimePoint next_attempt{};       // steady; not persisted (a restart retries at once)
  core::Clock::TimePoint enqueued{};           // steady, for the maximum age
  core::Clock::WallTimePoint enqueued_wall{};  // persisted; `enqueued` is derived on load
  std::string last_error;                      // the latest failure, "" before any
  bool in_flight = false;                      // an attempt is running; not persisted
};

// "<state_dir>/outbox.json".
std::string OutboxFilePath(std::string_view state_dir);

// The file (version 1):
//   {"version": 1, "next_id": 43,
//    "entries": [{"id": 42, "notifier": "hook", "type": "webhook", "key": "...",
//                 "body": "...", "attempts": 2, "enqueued_ms": <Unix ms>, "last_error": "..."}],
//    "firing": {"<alertmanager notifier>": {"<fingerprint>": "<alert object JSON>"}}}
class Outbox {
 public:
  // `path` "" keeps everything in memory (agent.state_dir = ""). capacity >= 1.
  Outbox(std::string path, std::size_t capacity);

  struct LoadReport {
    std::size_t entries = 0;     // entries loaded
    std::string error;           // "" or one line for the log (corrupt file set aside, ...)
    std::string set_aside_path;  // where a corrupt file went
  };
  // Replaces the contents with the file's. A missing file is an empty outbox. A corrupt,
  // truncated or unknown-version file is renamed to "<path>.corrupt-<unix seconds>" and
  // reported, never thrown; the outbox is then empty. Loaded entries are due at `now`; their
  // age is carried over from the wall clock (a wall clock that went back counts as age 0).
  // At most `capacity` entries are kept (the newest).
  LoadReport Load(core::Clock::TimePoint now, core::Clock::WallTimePoint wall_now);

  // Appends `entry` (its id is assigned here) to its notifier's queue. When the outbox is
  // full, the oldest entry that is not in flight is removed first and returned so the
  // caller can count it as dropped.
  std::optional<OutboxEntry> Push(OutboxEntry entry);

  // The oldest entry for `notifier`, or nullptr. Mutating it: call MarkDirty() afterwards.
  OutboxEntry* Front(std::string_view notifier);
  // Removes the oldest entry for `notifier` (no-op when none).
  void PopFront(std::string_view notifier);

  // Removes every entry of `notifier` (in flight or not) and returns how many there were.
  std::size_t RemoveNotifier(std::string_view notifier);

  // Removes every entry not in flight enqueued before `cutoff`, calling `on_drop` for each.
  void Expire(core::Clock::TimePoint cutoff,
              const std::function<void(const OutboxEntry&)>& on_drop);

  // Earliest next_attempt among the queue fronts that are not in flight; nullopt if none.
  std::optional<core::Clock::TimePoint> NextDue() const;

  // Names that have at least one entry, sorted.
  std::vector<std::string> Notifiers() const;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t capacity() const { return capacity_; }

  // The alerts an alertmanager notifier keeps re-sending while they fire: fingerprint ->
  // alert object (payload_alertmanager.h, without endsAt). Setters mark the outbox dirty.
  const std::map<std::string, std::string>* Firing(std::string_view notifier) const;
  void SetFiring(const std::string& notifier, const std::string& fingerprint, std::string alert);
  void ClearFiring(std::string_view notifier, const std::string& fingerprint);
  void RemoveFiring(std::string_view notifier);
  // Notifiers with a firing set, sorted.
  std::vector<std::string> FiringNotifiers() const;

  // Something changed since the last Save. urgent(): something that a crash must not lose
  // (a new entry, a firing set that grew); the rest (deliveries, attempt counts, drops) only
  // costs a duplicate or a repeated drop when lost, so it may be saved lazily.
  bool dirty() const { return dirty_; }
  bool urgent() const { return urgent_; }
  void MarkDirty() { dirty_ = true; }

  // The file's text. Pure.
  std::string Serialize() const;
  // Writes the file atomically when there is a path, then clears dirty() and urgent() (also
  // when the write failed: the caller logs, and the next change tries again). Returns "" or
  // what failed.
  std::string Save();

  const std::string& path() const { return path_; }

 private:
  std::optional<OutboxEntry> DropOldest();

  std::string path_;
  std::size_t capacity_;
  std::map<std::string, std::deque<OutboxEntry>, std::less<>> queues_;
  std::map<std::string, std::map<std::string, std::string>, std::less<>> firing_;
  std::size_t size_ = 0;
  std::uint64_t next_id_ = 1;
  bool dirty_ = false;
  bool urgent_ = false;
};

}  // namespace gatewatch::notify
