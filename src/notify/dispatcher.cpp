#include "notify/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include "alert/state_file.h"
#include "core/atomic_file.h"
#include "net/curl_multi.h"
#include "notify/backoff.h"
#include "notify/notifier.h"
#include "notify/payload_alertmanager.h"

namespace gatewatch::notify {
namespace {

using Clock = core::Clock;
using std::chrono::milliseconds;

// The thread's wait when nothing falls due sooner; it also bounds how late a stop request
// or a reload is noticed if a wakeup were ever lost.
constexpr milliseconds kLoopWait{1'000};
// After an unexpected exception, so a persistent fault cannot spin a core.
constexpr milliseconds kErrorPause{100};

enum class Health { kHealthy, kRetrying, kRejecting };
enum class Outcome { kDelivered, kRetried, kFailed, kDropped };

milliseconds CeilMillis(Clock::Duration d) {
  if (d <= Clock::Duration::zero()) return milliseconds::zero();
  return std::chrono::ceil<milliseconds>(d);
}

std::map<std::string, config::NotifierSpec, std::less<>> SpecsByName(
    const std::vector<config::NotifierSpec>& specs) {
  std::map<std::string, config::NotifierSpec, std::less<>> out;
  for (const auto& spec : specs) out.emplace(spec.name, spec);
  return out;
}

// Warns when saving `what` starts failing (saying what is at `risk`) and when it works again,
// not at every failed attempt in between; `failing` carries the state from call to call.
void LogSaveOutcome(std::string_view what, std::string_view risk, const std::string& error,
                    bool* failing) {
  if (!error.empty() && !*failing) {
    spdlog::warn("{}: cannot save, {}: {}", what, risk, error);
  } else if (error.empty() && *failing) {
    spdlog::warn("{}: saving again", what);
  }
  *failing = !error.empty();
}

bool SameSpec(const config::NotifierSpec& a, const config::NotifierSpec& b) {
  return a.name == b.name && a.type == b.type && a.url == b.url &&
         a.send_resolved == b.send_resolved && a.timeout == b.timeout && a.secret == b.secret &&
         a.headers == b.headers && a.message_template == b.message_template;
}

}  // namespace

struct Dispatcher::Impl {
  struct Channel {
    config::NotifierSpec spec;
    bool busy = false;  // an attempt (queue entry or alertmanager re-send) is in flight
    net::CurlMulti::RequestId request = 0;
    std::uint64_t entry_id = 0;  // the entry in flight; 0 while a re-send is
    Health health = Health::kHealthy;
    Clock::TimePoint next_resend{};  // alertmanager only
    std::uint32_t resend_failures = 0;
    bool fired_since_resend = false;  // an alert fired after the in-flight re-send started
  };

  Impl(const config::Config& config, const Clock& clock_in, DispatcherOptions options_in)
      : clock(clock_in),
        options(std::move(options_in)),
        policy{options.base_backoff, options.max_backoff},
        rng(options.seed != 0 ? options.seed : std::random_device{}()),
        outbox(
            config.agent.state_dir.empty() ? std::string() : OutboxFilePath(config.agent.state_dir),
            options.capacity),
        alert_state_path(config.agent.state_dir.empty()
                             ? std::string()
                             : alert::StateFilePath(config.agent.state_dir)),
        agent_labels(config.agent.labels),
        test_specs(SpecsByName(config.notifiers)) {}

  const Clock& clock;
  const DispatcherOptions options;
  const BackoffPolicy policy;
  std::mt19937_64 rng;  // dispatcher thread only
  Outbox outbox;        // dispatcher thread only
  Outbox::LoadReport load_report;
  std::map<std::string, Channel, std::less<>> channels;  // dispatcher thread only
  std::optional<Clock::TimePoint> last_save;
  bool save_failing = false;
  bool full_logged = false;
  const std::string alert_state_path;                         // "" = memory only
  std::optional<std::vector<alert::SavedAlert>> alert_state;  // taken, not yet written
  bool alert_save_failing = false;

  // Shared with other threads, under mu.
  mutable std::mutex mu;
  std::condition_variable exited_cv;
  std::deque<alert::AlertEvent> inbox;
  std::size_t inbox_routes = 0;  // sum of notify-list sizes in inbox
  std::optional<std::vector<config::NotifierSpec>> pending_specs;
  std::optional<std::vector<alert::SavedAlert>> pending_alert_state;
  std::map<std::string, std::string> agent_labels;
  std::map<std::string, config::NotifierSpec, std::less<>> test_specs;
  std::map<std::string, NotifierCounters> counters;
  std::size_t queue_depth = 0;
  bool draining = false;
  bool hard_stop = false;
  bool exited = false;
  bool stopped = false;

  std::thread thread;
  // Last, so it is destroyed first: its destructor cancels what is in flight, and those
  // callbacks still find everything above alive.
  net::CurlMulti curl;

  milliseconds FiringValidity() const {
    return options.resend_interval * kAlertmanagerValidityFactor;
  }

  void Count(const std::string& notifier, Outcome outcome, std::uint64_t n = 1) {
    std::lock_guard lock(mu);
    Tally(counters[notifier], outcome, n);
  }

  static void Tally(NotifierCounters& c, Outcome outcome, std::uint64_t n) {
    switch (outcome) {
      case Outcome::kDelivered:
        c.delivered += n;
        break;
      case Outcome::kRetried:
        c.retried += n;
        break;
      case Outcome::kFailed:
        c.failed += n;
        break;
      case Outcome::kDropped:
        c.dropped += n;
        break;
    }
  }

  // Counts an attempt's outcome and the channel's health in one step under the lock, so
  // Stats() never shows an attempt counted with the health from before it.
  void Settle(Channel& ch, Outcome outcome, Health health, std::string_view why) {
    const std::string& name = ch.spec.name;
    {
      std::lock_guard lock(mu);
      NotifierCounters& c = counters[name];
      Tally(c, outcome, 1);
      c.healthy = health == Health::kHealthy;
    }
    if (ch.health == health) return;
    ch.health = health;
    switch (health) {
      case Health::kHealthy:
        spdlog::warn("notifier {}: delivering again", name);
        break;
      case Health::kRetrying:
        spdlog::warn("notifier {} ({}): delivery failing, retrying with backoff: {}", name,
                     config::NotifierTypeName(ch.spec.type), why);
        break;
      case Health::kRejecting:
        spdlog::warn("notifier {} ({}): the receiver rejects notifications, dropping them: {}",
                     name, config::NotifierTypeName(ch.spec.type), why);
        break;
    }
  }

  void PublishDepth() {
    std::lock_guard lock(mu);
    queue_depth = outbox.size();
  }

  void Drop(const std::string& notifier, std::size_t n, std::string_view why) {
    if (n == 0) return;
    Count(notifier, Outcome::kDropped, n);
    spdlog::warn("notifier {}: dropped {} undelivered notification{} ({})", notifier, n,
                 n == 1 ? "" : "s", why);
  }

  // Config (constructor or reload). Cancels and forgets what belongs to notifiers that are
  // gone or changed type.
  void ApplySpecs(const std::vector<config::NotifierSpec>& specs, Clock::TimePoint now) {
    const auto wanted = SpecsByName(specs);
    for (auto it = channels.begin(); it != channels.end();) {
      const auto next = wanted.find(it->first);
      if (next != wanted.end() && next->second.type == it->second.spec.type) {
        Channel& ch = it->second;
        if (!SameSpec(ch.spec, next->second)) {
          ch.spec = next->second;
          ch.next_resend = now;  // e.g. a new Alertmanager URL needs the firing set now
        }
        ++it;
        continue;
      }
      const std::string name = it->first;
      if (it->second.busy) curl.Cancel(it->second.request);
      channels.erase(it++);
      Drop(name, outbox.RemoveNotifier(name),
           next == wanted.end() ? "notifier removed from the config" : "notifier type changed");
      outbox.RemoveFiring(name);
    }
    for (const auto& [name, spec] : wanted) {
      if (channels.contains(name)) continue;
      Channel ch;
      ch.spec = spec;
      ch.next_resend = now;
      channels.emplace(name, std::move(ch));
    }
    // Left over from the file: notifiers that were removed or retyped while we were down.
    for (const std::string& name : outbox.Notifiers()) {
      const auto ch = channels.find(name);
      const OutboxEntry* front = outbox.Front(name);
      if (ch == channels.end()) {
        Drop(name, outbox.RemoveNotifier(name), "notifier no longer in the config");
      } else if (front != nullptr &&
                 front->type != config::NotifierTypeName(ch->second.spec.type)) {
        Drop(name, outbox.RemoveNotifier(name), "notifier type changed");
      }
    }
    for (const std::string& name : outbox.FiringNotifiers()) {
      const auto ch = channels.find(name);
      if (ch == channels.end() || ch->second.spec.type != config::NotifierType::kAlertmanager) {
        outbox.RemoveFiring(name);
      }
    }
    std::lock_guard lock(mu);
    for (const auto& [name, ch] : channels) counters[name];
    test_specs = wanted;
  }

  void Queue(const Channel& ch, const alert::AlertEvent& event, std::string body,
             Clock::TimePoint now, Clock::WallTimePoint wall_now) {
    OutboxEntry entry;
    entry.notifier = ch.spec.name;
    entry.type = std::string(config::NotifierTypeName(ch.spec.type));
    entry.idempotency_key = alert::IdempotencyKey(event);
    entry.body = std::move(body);
    entry.next_attempt = now;
    entry.enqueued = now;
    entry.enqueued_wall = wall_now;
    std::optional<OutboxEntry> dropped = outbox.Push(std::move(entry));
    if (!dropped) {
      if (outbox.size() < outbox.capacity() / 2) full_logged = false;
      return;
    }
    Count(dropped->notifier, Outcome::kDropped);
    if (!full_logged) {
      full_logged = true;
      spdlog::warn("notification outbox full ({} entries): dropping the oldest", outbox.capacity());
    }
  }

  void Route(const alert::AlertEvent& event, const std::string& name, Clock::TimePoint now,
             Clock::WallTimePoint wall_now) {
    const auto it = channels.find(name);
    if (it == channels.end()) return;
    Channel& ch = it->second;
    const config::NotifierSpec& spec = ch.spec;
    const bool resolved = event.status == alert::AlertStatus::kResolved;
    const RenderContext context =
        ContextFor(spec, options.external_url, wall_now, FiringValidity());
    if (spec.type == config::NotifierType::kAlertmanager) {
      if (event.kind == alert::EventKind::kTest) {
        Queue(ch, event, RenderAlertmanagerPayload({event}, context), now, wall_now);
      } else if (resolved) {
        outbox.ClearFiring(name, event.fingerprint);
        if (spec.send_resolved) {
          Queue(ch, event, RenderAlertmanagerPayload({event}, context), now, wall_now);
        }
      } else {
        outbox.SetFiring(name, event.fingerprint, RenderAlertmanagerAlert(event, context));
        if (event.kind == alert::EventKind::kFired) {
          ch.next_resend = now;
          ch.fired_since_resend = true;
        }
      }
      return;
    }
    if (resolved && !spec.send_resolved) return;
    Queue(ch, event, RenderPayload(spec.type, {event}, context), now, wall_now);
  }

  void Intake(std::deque<alert::AlertEvent>& events, Clock::TimePoint now,
              Clock::WallTimePoint wall_now) {
    std::vector<std::string_view> seen;
    for (const alert::AlertEvent& event : events) {
      seen.clear();
      for (const std::string& name : event.notify) {
        if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
        seen.push_back(name);
        Route(event, name, now, wall_now);
      }
    }
  }

  void StartEntry(Channel& ch, OutboxEntry& entry) {
    entry.in_flight = true;
    ch.busy = true;
    ch.entry_id = entry.id;
    const std::string name = ch.spec.name;
    const std::uint64_t id = entry.id;
    ch.request = curl.Start(
        BuildDeliveryRequest(ch.spec, entry.body, entry.idempotency_key),
        [this, name, id](net::HttpResponse&& response) { OnEntryDone(name, id, response); });
  }

  void StartResend(Channel& ch, const std::map<std::string, std::string>& firing,
                   Clock::WallTimePoint wall_now) {
    std::vector<std::string> alerts;
    alerts.reserve(firing.size());
    for (const auto& [fingerprint, alert] : firing) alerts.push_back(alert);
    const std::string body = AlertmanagerBatch(alerts, wall_now + FiringValidity());
    const auto ms = std::chrono::duration_cast<milliseconds>(wall_now.time_since_epoch()).count();
    ch.busy = true;
    ch.entry_id = 0;
    ch.fired_since_resend = false;
    const std::string name = ch.spec.name;
    ch.request =
        curl.Start(BuildDeliveryRequest(ch.spec, body, name + "-resend-" + std::to_string(ms)),
                   [this, name](net::HttpResponse&& response) { OnResendDone(name, response); });
  }

  void StartDue(Clock::TimePoint now, Clock::WallTimePoint wall_now, bool resends) {
    for (auto& [name, ch] : channels) {
      if (ch.busy) continue;
      if (OutboxEntry* entry = outbox.Front(name); entry != nullptr && entry->next_attempt <= now) {
        StartEntry(ch, *entry);
        continue;
      }
      if (!resends || ch.spec.type != config::NotifierType::kAlertmanager || ch.next_resend > now) {
        continue;
      }
      if (const auto* firing = outbox.Firing(name); firing != nullptr && !firing->empty()) {
        StartResend(ch, *firing, wall_now);
      }
    }
  }

  void OnEntryDone(const std::string& name, std::uint64_t id, const net::HttpResponse& response) {
    const auto it = channels.find(name);
    if (it == channels.end() || !it->second.busy || it->second.entry_id != id) return;
    Channel& ch = it->second;
    ch.busy = false;
    ch.entry_id = 0;
    OutboxEntry* entry = outbox.Front(name);
    if (entry == nullptr || entry->id != id) return;
    entry->in_flight = false;
    switch (Judge(response)) {
      case Verdict::kCancelled:
        return;
      case Verdict::kDelivered:
        outbox.PopFront(name);
        Settle(ch, Outcome::kDelivered, Health::kHealthy, "");
        return;
      case Verdict::kRetry: {
        ++entry->attempts;
        entry->last_error = DescribeFailure(response);
        entry->next_attempt =
            clock.Now() + RetryDelay(policy, entry->attempts, response, clock.WallNow(), rng);
        outbox.MarkDirty();
        Settle(ch, Outcome::kRetried, Health::kRetrying, entry->last_error);
        return;
      }
      case Verdict::kPermanent: {
        const std::string why = DescribeFailure(response);
        outbox.PopFront(name);
        Settle(ch, Outcome::kFailed, Health::kRejecting, why);
        return;
      }
    }
  }

  void OnResendDone(const std::string& name, const net::HttpResponse& response) {
    const auto it = channels.find(name);
    if (it == channels.end() || !it->second.busy || it->second.entry_id != 0) return;
    Channel& ch = it->second;
    ch.busy = false;
    const Clock::TimePoint now = clock.Now();
    switch (Judge(response)) {
      case Verdict::kCancelled:
        ch.next_resend = now;
        return;
      case Verdict::kDelivered:
        ch.resend_failures = 0;
        ch.next_resend = ch.fired_since_resend ? now : now + options.resend_interval;
        Settle(ch, Outcome::kDelivered, Health::kHealthy, "");
        return;
      case Verdict::kRetry:
        ++ch.resend_failures;
        ch.next_resend =
            now + RetryDelay(policy, ch.resend_failures, response, clock.WallNow(), rng);
        Settle(ch, Outcome::kRetried, Health::kRetrying, DescribeFailure(response));
        return;
      case Verdict::kPermanent:
        ch.resend_failures = 0;
        ch.next_resend = now + options.resend_interval;
        Settle(ch, Outcome::kFailed, Health::kRejecting, DescribeFailure(response));
        return;
    }
  }

  void Expire(Clock::TimePoint now) {
    std::map<std::string, std::size_t> expired;
    outbox.Expire(now - options.max_age,
                  [&expired](const OutboxEntry& e) { ++expired[e.notifier]; });
    for (const auto& [name, n] : expired) Drop(name, n, "older than the maximum age");
  }

  // Saves when dirty and its interval allows (always with `force`). Returns when the next
  // save falls due, if one is pending.
  std::optional<Clock::TimePoint> MaybeSave(Clock::TimePoint now, bool force) {
    if (!outbox.dirty()) return std::nullopt;
    const milliseconds interval =
        outbox.urgent() ? options.persist_interval : options.progress_persist_interval;
    if (!force && last_save && now - *last_save < interval) return *last_save + interval;
    const std::string error = outbox.Save();
    last_save = now;
    LogSaveOutcome("notification outbox", "undelivered notifications may not survive a restart",
                   error, &save_failing);
    return std::nullopt;
  }

  // Writes the latest alert state once no new notification awaits its save.
  void MaybeSaveAlertState() {
    if (!alert_state || outbox.urgent()) return;
    std::vector<alert::SavedAlert> alerts = std::move(*alert_state);
    alert_state.reset();
    if (alert_state_path.empty()) return;
    const std::string error = alert::SaveAlertState(alert_state_path, alerts);
    LogSaveOutcome("alert state", "firing alerts may be announced again after a restart", error,
                   &alert_save_failing);
  }

  // What other threads handed to this one since the last Handover().
  struct Handed {
    std::deque<alert::AlertEvent> events;
    std::optional<std::vector<config::NotifierSpec>> specs;  // nullopt: no reload
    bool draining = false;
  };

  // Takes the queued events and specs, and moves the latest alert state to save into
  // alert_state.
  Handed Handover() {
    Handed handed;
    std::lock_guard lock(mu);
    handed.events.swap(inbox);
    inbox_routes = 0;
    handed.specs.swap(pending_specs);
    if (pending_alert_state) {
      alert_state = std::move(pending_alert_state);
      pending_alert_state.reset();
    }
    handed.draining = draining;
    return handed;
  }

  std::size_t RunOnce(milliseconds max_wait) {
    Handed handed = Handover();
    Clock::TimePoint now = clock.Now();
    const Clock::WallTimePoint wall_now = clock.WallNow();
    if (handed.specs) ApplySpecs(*handed.specs, now);
    Intake(handed.events, now, wall_now);
    Expire(now);
    StartDue(now, wall_now, !handed.draining);
    std::optional<Clock::TimePoint> due = MaybeSave(now, false);
    MaybeSaveAlertState();
    PublishDepth();
    if (const auto next = NextAttempt(!handed.draining); next && (!due || *next < *due)) due = next;
    milliseconds wait = max_wait;
    if (due) wait = std::min(wait, CeilMillis(*due - now));

    const std::size_t handled = curl.Poll(wait);
    now = clock.Now();
    MaybeSave(now, false);
    MaybeSaveAlertState();
    PublishDepth();
    return handled;
  }

  // When the earliest attempt not yet started falls due (queue fronts, and with `resends`
  // alertmanager re-sends), over notifiers that are not busy.
  std::optional<Clock::TimePoint> NextAttempt(bool resends) {
    std::optional<Clock::TimePoint> due;
    for (auto& [name, ch] : channels) {
      if (ch.busy) continue;
      std::optional<Clock::TimePoint> t;
      if (const OutboxEntry* entry = outbox.Front(name)) t = entry->next_attempt;
      if (resends && ch.spec.type == config::NotifierType::kAlertmanager) {
        if (const auto* firing = outbox.Firing(name); firing != nullptr && !firing->empty()) {
          if (!t || ch.next_resend < *t) t = ch.next_resend;
        }
      }
      if (t && (!due || *t < *due)) due = t;
    }
    return due;
  }

  bool Drained() {
    for (const auto& [name, ch] : channels) {
      if (ch.busy) return false;
    }
    if (!outbox.empty()) return false;
    std::lock_guard lock(mu);
    return inbox.empty() && !pending_specs;
  }

  // Cancels what is in flight (it stays queued), queues events that arrived but were not
  // taken in yet (so a stop loses none of them), and saves.
  void Shutdown() {
    curl.CancelAll();
    Handed handed = Handover();
    const Clock::TimePoint now = clock.Now();
    if (handed.specs) ApplySpecs(*handed.specs, now);
    Intake(handed.events, now, clock.WallNow());
    MaybeSave(now, true);
    MaybeSaveAlertState();
    PublishDepth();
  }

  void Loop() {
    while (true) {
      bool is_draining = false;
      {
        std::lock_guard lock(mu);
        if (hard_stop) break;
        is_draining = draining;
      }
      if (is_draining && Drained()) break;
      try {
        RunOnce(kLoopWait);
      } catch (const std::exception& e) {
        spdlog::error("notify: dispatcher iteration failed: {}", e.what());
        curl.Poll(kErrorPause);
      } catch (...) {
        spdlog::error("notify: dispatcher iteration failed");
        curl.Poll(kErrorPause);
      }
    }
    try {
      Shutdown();
    } catch (const std::exception& e) {
      spdlog::error("notify: dispatcher shutdown failed: {}", e.what());
    }
    std::lock_guard lock(mu);
    exited = true;
    exited_cv.notify_all();
  }
};

Dispatcher::Dispatcher(const config::Config& config, const core::Clock& clock,
                       DispatcherOptions options)
    : impl_(std::make_unique<Impl>(config, clock, std::move(options))) {
  Impl& d = *impl_;
  if (!config.agent.state_dir.empty()) {
    if (const std::string error = core::EnsureDirectory(config.agent.state_dir); !error.empty()) {
      spdlog::warn("notification outbox: {}", error);
    }
  }
  d.load_report = d.outbox.Load(clock.Now(), clock.WallNow());
  if (!d.load_report.error.empty()) {
    spdlog::warn("notification outbox: {}", d.load_report.error);
  } else if (d.load_report.entries > 0) {
    spdlog::info("notification outbox: {} undelivered notification{} from before the restart",
                 d.load_report.entries, d.load_report.entries == 1 ? "" : "s");
  }
  d.ApplySpecs(config.notifiers, clock.Now());
  d.PublishDepth();
}

Dispatcher::~Dispatcher() {
  Impl& d = *impl_;
  if (d.thread.joinable()) {
    {
      std::lock_guard lock(d.mu);
      d.hard_stop = true;
    }
    d.curl.Wakeup();
    d.thread.join();
    return;
  }
  // Also after Stop(): events enqueued since then are saved for the next start.
  try {
    d.Shutdown();
  } catch (const std::exception& e) {
    spdlog::error("notify: dispatcher shutdown failed: {}", e.what());
  }
}

const Outbox::LoadReport& Dispatcher::load_report() const { return impl_->load_report; }

void Dispatcher::Start() {
  Impl& d = *impl_;
  if (d.thread.joinable()) return;
  d.thread = std::thread([&d] { d.Loop(); });
}

void Dispatcher::Stop(std::chrono::milliseconds grace) {
  Impl& d = *impl_;
  {
    std::lock_guard lock(d.mu);
    if (d.stopped) return;
    d.stopped = true;
    d.draining = true;
  }
  if (!d.thread.joinable()) {
    d.Shutdown();
    return;
  }
  d.curl.Wakeup();
  {
    std::unique_lock lock(d.mu);
    d.exited_cv.wait_for(lock, grace, [&d] { return d.exited; });
    d.hard_stop = true;
  }
  d.curl.Wakeup();
  d.thread.join();
}

void Dispatcher::Enqueue(std::vector<alert::AlertEvent> events) {
  if (events.empty()) return;
  Impl& d = *impl_;
  {
    std::lock_guard lock(d.mu);
    for (alert::AlertEvent& e : events) {
      d.inbox_routes += e.notify.size();
      d.inbox.push_back(std::move(e));
    }
    while (d.inbox.size() > d.options.capacity) {
      const alert::AlertEvent& oldest = d.inbox.front();
      d.inbox_routes -= oldest.notify.size();
      for (const std::string& name : oldest.notify) ++d.counters[name].dropped;
      d.inbox.pop_front();
    }
  }
  d.curl.Wakeup();
}

void Dispatcher::SaveAlertState(std::vector<alert::SavedAlert> alerts) {
  Impl& d = *impl_;
  {
    std::lock_guard lock(d.mu);
    d.pending_alert_state = std::move(alerts);
  }
  d.curl.Wakeup();
}

void Dispatcher::Reconfigure(const config::Config& config) {
  Impl& d = *impl_;
  {
    std::lock_guard lock(d.mu);
    d.pending_specs = config.notifiers;
    d.agent_labels = config.agent.labels;
  }
  d.curl.Wakeup();
}

DispatcherStats Dispatcher::Stats() const {
  const Impl& d = *impl_;
  std::lock_guard lock(d.mu);
  DispatcherStats stats;
  stats.notifiers = d.counters;
  stats.queue_depth = d.queue_depth + d.inbox_routes;
  return stats;
}

TestResult Dispatcher::SendTest(std::string_view notifier, std::chrono::milliseconds limit) const {
  const Impl& d = *impl_;
  config::NotifierSpec spec;
  std::map<std::string, std::string> labels;
  {
    std::lock_guard lock(d.mu);
    const auto it = d.test_specs.find(notifier);
    if (it == d.test_specs.end()) {
      TestResult result;
      result.detail = "no notifier named \"" + std::string(notifier) + "\" in the config";
      return result;
    }
    spec = it->second;
    labels = d.agent_labels;
  }
  return SendTestNotification(spec, labels, d.options.external_url, d.clock.WallNow(), limit);
}

std::size_t Dispatcher::RunOnce(std::chrono::milliseconds max_wait) {
  return impl_->RunOnce(max_wait);
}

void Dispatcher::Kick() { impl_->curl.Wakeup(); }

}  // namespace gatewatch::notify
