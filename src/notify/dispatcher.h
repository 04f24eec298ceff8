#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert_engine.h"
#include "alert/event.h"
#include "config/config.h"
#include "core/clock.h"
#include "notify/outbox.h"
#include "notify/send_now.h"

// Delivers alert notifications to the configured notifiers: at least once, in order per
// notifier, and never on the probe loop's time.
//
// Flow: Enqueue (probe loop) -> inbox -> the dispatcher thread routes each event to the
// notifiers in its `notify` list (resolved ones only to notifiers with send_resolved),
// renders the body once (notify/notifier.h) and queues one outbox entry per (event,
// notifier) -> one HTTP attempt at a time per notifier, on the dispatcher's own curl multi
// handle (so a slow or dead receiver holds only its own queue) -> 2xx: delivered; a
// transport error, 408, 429 or 5xx: retried after BackoffDelay (full jitter, base
// `base_backoff`, cap `max_backoff`), at least Retry-After on 429/503; any other answer
// (4xx, 3xx): failed, dropped. An entry older than `max_age` is dropped. Full outbox: the
// oldest entry is dropped. Every outcome is counted per notifier (Stats()).
//
// alertmanager notifiers are different: firing alerts are not queued one by one but kept in
// a per-notifier firing set, and the whole set is POSTed (with endsAt = now + 4 x
// resend_interval) soon after any alert fires and then every `resend_interval`, so
// Alertmanager never times them out while they fire, and several replicas' identical
// alerts merge there. A resolve removes the alert from the set and is queued like any other
// notification (endsAt = the resolve time), after the set's in-flight POST if any, so a
// re-send can never revive a resolved alert. Each POST of the set counts as one delivery.
//
// Durability: the outbox (entries and firing sets) is saved atomically to
// <state_dir>/outbox.json: new notifications within `persist_interval` of their arrival
// (at once when no save happened within that interval), progress within
// `progress_persist_interval`, everything at Stop() and destruction. The constructor loads
// it: after a crash, pending notifications are delivered (a delivery made just before the
// crash may be repeated, with the same Idempotency-Key) and firing alerts keep being
// re-sent. A corrupt file is set aside (load_report()). SaveAlertState writes the alert
// state file after the outbox, on the same thread. state_dir "" = memory only.
//
// Logs: one warn line when a notifier starts failing (retrying or rejecting) and one when
// it delivers again, not one per attempt.
//
// Threading: Enqueue, SaveAlertState, Reconfigure, Stats, SendTest and Kick are
// thread-safe. Either Start() the dispatcher's own thread, or (tests) call RunOnce from one
// thread; never both. Time (backoff, ages, re-sends) comes from the injected clock; with a
// ManualClock, advance it and call RunOnce (or Kick() the thread).
namespace gatewatch::notify {

struct DispatcherOptions {
  std::string external_url;                       // the agent's "http://host:port/" for links
  std::uint64_t seed = 0;                         // backoff jitter; 0 = from std::random_device
  std::chrono::milliseconds max_age{86'400'000};  // undelivered longer: dropped (24h)
  std::chrono::milliseconds base_backoff{1'000};
  std::chrono::milliseconds max_backoff{300'000};
  std::chrono::milliseconds resend_interval{60'000};  // alertmanager firing re-sends
  std::size_t capacity = 10'000;                      // outbox entries, all notifiers
  // Minimum time between saves of new notifications (and firing sets that grew).
  std::chrono::milliseconds persist_interval{100};
  // Minimum time between saves of mere progress (deliveries, attempt counts, drops): losing
  // it in a crash costs a duplicate delivery at worst, and an alert storm draining a full
  // outbox would otherwise rewrite megabytes ten times a second.
  std::chrono::milliseconds progress_persist_interval{2'000};
};

// Per-notifier counts since the dispatcher was created, for
// gatewatch_notifications_total{notifier, outcome}.
struct NotifierCounters {
  std::uint64_t delivered = 0;  // a 2xx answer
  std::uint64_t retried = 0;    // failed attempts that will be retried
  std::uint64_t failed = 0;     // rejected for good (4xx other than 408/429, 3xx)
  std::uint64_t dropped = 0;    // too old, outbox full, or the notifier was removed
  bool healthy = true;          // the latest attempt succeeded (or none was made)
};

struct DispatcherStats {
  // Every configured notifier (zeros included), and removed ones that counted something.
  std::map<std::string, NotifierCounters> notifiers;
  // Undelivered notifications, for gatewatch_notification_queue_depth: outbox entries plus
  // routed-but-not-yet-queued events (firing sets of alertmanager notifiers not included).
  std::size_t queue_depth = 0;
};

class Dispatcher {
 public:
  // Copies the notifiers and agent.labels from `config`, creates agent.state_dir if
  // missing and loads its outbox. Entries for notifiers no longer configured, or whose type
  // changed, are dropped and counted. `clock` must outlive the dispatcher.
  Dispatcher(const config::Config& config, const core::Clock& clock, DispatcherOptions options);
  // Stops the thread without a grace period (in-flight attempts are cancelled and stay
  // queued), queues events not yet taken in, and saves the outbox and the alert state.
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // What loading the outbox found: entries loaded, or a corrupt file set aside.
  const Outbox::LoadReport& load_report() const;

  // Starts the dispatcher thread. Call at most once.
  void Start();
  // Keeps delivering for up to `grace` (real time) until nothing is queued or in flight
  // (alertmanager re-sends stop), then cancels what is in flight (it stays queued), saves the
  // outbox and the alert state, and joins the thread. Without Start(): cancels in-flight
  // attempts and saves. Idempotent.
  void Stop(std::chrono::milliseconds grace);

  // Hands events to the dispatcher; O(events), never waits on the network. When the
  // dispatcher cannot keep up and `capacity` events are already waiting, the oldest waiting
  // events are dropped (counted per notifier). Events enqueued after Stop() are only saved
  // (by the destructor) for the next start.
  void Enqueue(std::vector<alert::AlertEvent> events);

  // Saves the alert engine's state (alert::AlertEngine::Export()) to
  // <state_dir>/alerts.json (alert/state_file.h) on the dispatcher thread, never on the
  // caller's. It is written only once the outbox file holds every event enqueued before this
  // call, so a crash between the two writes can repeat a notification but never lose one: call
  // it after Enqueue-ing the events of the same evaluation. When calls come faster than saves
  // (persist_interval), only the latest state is written. No-op when state_dir is "".
  void SaveAlertState(std::vector<alert::SavedAlert> alerts);

  // Applies the notifiers of a reloaded config at the dispatcher's next iteration. Removed
  // notifiers, and notifiers whose type changed, lose their queued notifications and firing
  // sets (counted as dropped); changed ones keep them (bodies already rendered stay as they
  // are; URL, headers, secret and timeout apply from the next attempt).
  void Reconfigure(const config::Config& config);

  DispatcherStats Stats() const;

  // notify-test: SendTestNotification through the configured notifier `notifier`; a
  // name that is not configured gives ok = false and a detail saying so. Blocks the caller.
  TestResult SendTest(std::string_view notifier, std::chrono::milliseconds limit) const;

  // One iteration: takes in new events and config, drops entries past max_age, starts due
  // attempts, saves when due, then waits up to `max_wait` (less when something falls due
  // sooner by the clock) for answers, Kick() or Enqueue(). Returns the answers handled.
  // Only when Start() was not called.
  std::size_t RunOnce(std::chrono::milliseconds max_wait);

  // Wakes a RunOnce (or the thread) that is waiting, e.g. after a ManualClock advanced.
  void Kick();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gatewatch::notify
