#include "app/app.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <future>
#include <random>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

#include "alert/alert_engine.h"
#include "alert/state_file.h"
#include "app/app_impl.h"
#include "app/round_runner.h"
#include "app/shard.h"
#include "app/target_state.h"
#include "core/allocator.h"
#include "core/duration.h"
#include "core/log.h"
#include "core/version.h"
#include "net/curl_multi.h"
#include "probe/http_prober.h"
#include "schedule/scheduler.h"
#include "server/http_api.h"

namespace gatewatch::app {
namespace {

using Id = schedule::Scheduler::Id;
using std::chrono::milliseconds;

// A probe starting this late means the agent cannot keep its own schedule.
constexpr auto kSaturationLag = std::chrono::seconds(1);
// Targets added to a snapshot per loop iteration while Run() builds one for a reader (a few
// ms of work at most).
constexpr std::size_t kSnapshotSlice = 500;
// How often idle curl handles that no probe needed meanwhile are freed: after a burst (a
// stalled loop catching up, a start) the pool shrinks back to what the schedule uses
// within two periods, so RSS does not keep the burst's high-water mark.
constexpr auto kIdleTrimInterval = std::chrono::seconds(30);
// The loop counts as alive if it ran an iteration this recently (it wakes at least every 1 s).
constexpr auto kAliveWithin = std::chrono::seconds(10);

}  // namespace

std::size_t DefaultMaxInFlight() {
  // Each in-flight probe holds one socket; leave room for the listener, logs and clients.
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return 16'384;
  const auto cur = static_cast<std::size_t>(lim.rlim_cur);
  return cur > 256 ? cur - 128 : 64;
}

namespace {

// The state-change log line: the diagnosis sentence plus the fields to search for.
std::string DescribeForLog(const TargetState& state) {
  const auto& r = *state.last();
  std::string text = state.diagnosis() + " (reason=" + std::string(probe::ReasonName(r.reason));
  if (r.http_status != 0) text += " http=" + std::to_string(r.http_status);
  if (!r.trace_id.empty()) {
    text += " trace_id=";
    text += r.trace_id.view();
  }
  return text + ")";
}

void LogAlertEvent(const alert::AlertEvent& e) {
  switch (e.kind) {
    case alert::EventKind::kFired:
      spdlog::warn("ALERT {} FIRING on {}: {}{}{}", e.rule, e.target, e.summary,
                   e.diagnosis.empty() ? "" : " | ", e.diagnosis);
      break;
    case alert::EventKind::kReminder:
      spdlog::warn("ALERT {} still firing on {}: {}", e.rule, e.target, e.summary);
      break;
    case alert::EventKind::kResolved:
      spdlog::info("ALERT {} RESOLVED on {}: {}", e.rule, e.target, e.summary);
      break;
    case alert::EventKind::kTest:
      break;
  }
}

// The agent's own address for links in alerts: a wildcard listen address becomes the
// host's name, which is what a person clicking the link can reach.
std::string ExternalUrl(const std::string& listen, int bound_port) {
  const auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  std::string port = colon == std::string::npos ? "" : listen.substr(colon + 1);
  if (bound_port > 0) port = std::to_string(bound_port);
  if (host.empty() || host == "0.0.0.0" || host == "[::]") {
    char name[256] = {};
    host = gethostname(name, sizeof name - 1) == 0 && name[0] != '\0' ? name : "localhost";
  }
  return "http://" + host + (port.empty() ? "" : ":" + port) + "/";
}

std::string JoinErrors(const std::vector<config::ConfigError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "\n";
    out += e.ToString();
  }
  return out;
}

}  // namespace

void App::Impl::StartDue(core::Clock::TimePoint now) {
  const std::size_t in_flight = prober.InFlight();
  if (in_flight >= max_in_flight) return;  // due probes wait; their lag shows the saturation
  scheduler.PopDue(now, due_buffer, std::min(App::kMaxStartsPerStep, max_in_flight - in_flight));
  for (const auto& due : due_buffer) {
    const auto lag = now - due.scheduled;
    if (lag > max_lag_since_check) max_lag_since_check = lag;
    Observe(agent_status.schedule_lag, std::chrono::duration<double>(lag).count());
    auto it = targets.find(due.id);
    if (it == targets.end()) continue;
    if (it->second.in_flight && !rounds.FinishEarly(*it->second.in_flight)) {
      // The previous probe is still running (timeout close to interval): never overlap.
      ++agent_status.skipped_probes;
      continue;
    }
    StartProbe(due.id, it->second);
  }
}

void App::Impl::StartProbe(Id id, Entry& entry) {
  entry.in_flight =
      rounds.Start(id, entry.state->spec(), scheduler.DueOf(id), entry.state->failing(),
                   [this, id](probe::ProbeResult&& result, diagnose::Findings&& findings) {
                     OnResult(id, std::move(result), std::move(findings));
                   });
}

void App::Impl::OnUpstream(Id id, const probe::ProbeResult& upstream) {
  if (auto it = targets.find(id); it != targets.end()) it->second.state->RecordUpstream(upstream);
}

void App::Impl::OnResult(Id id, probe::ProbeResult&& result, diagnose::Findings&& findings) {
  auto it = targets.find(id);
  if (it == targets.end()) return;
  Entry& entry = it->second;
  entry.in_flight.reset();
  TargetState& state = *entry.state;
  const auto before = state.CurrentInterval();
  const auto change = state.Record(std::move(result), std::move(findings));
  const auto& last = *state.last();
  const std::string& name = state.spec().name;
  switch (change) {
    case TargetState::Change::kFirst:
      --unprobed;
      NoteReadiness();
      if (last.success()) {
        spdlog::info("target {} is UP (http {})", name, last.http_status);
      } else {
        spdlog::warn("target {} is DOWN: {}", name, DescribeForLog(state));
      }
      break;
    case TargetState::Change::kWentDown:
      spdlog::warn("target {} went DOWN: {}", name, DescribeForLog(state));
      break;
    case TargetState::Change::kRecovered:
      spdlog::info("target {} RECOVERED (http {})", name, last.http_status);
      break;
    case TargetState::Change::kNone:
      break;
  }
  const auto after = state.CurrentInterval();
  if (after != before) scheduler.SetInterval(id, after, clock.Now());
}

void App::Impl::AddTarget(config::TargetSpec spec, core::Clock::TimePoint now) {
  const Id id = next_id++;
  const auto interval = spec.interval;
  const auto key = StableHash(spec.name);
  id_by_name.emplace(spec.name, id);
  targets.emplace(id, Entry{std::make_unique<TargetState>(std::move(spec), spans),
                            std::nullopt});
  scheduler.Add(id, interval, now, key);
  order.push_back(id);
  ++unprobed;
}

void App::Impl::RemoveTarget(Id id) {
  auto it = targets.find(id);
  if (it == targets.end()) return;
  if (it->second.in_flight) rounds.Cancel(*it->second.in_flight);
  if (!it->second.state->probed()) --unprobed;
  rounds.Forget(id);
  scheduler.Remove(id);
  id_by_name.erase(it->second.state->spec().name);
  targets.erase(it);
  order.erase(std::remove(order.begin(), order.end(), id), order.end());
}

std::vector<std::string> App::Impl::TargetNames() const {
  std::vector<std::string> names;
  names.reserve(order.size());
  for (Id id : order) names.push_back(targets.at(id).state->spec().name);
  return names;
}

void App::Impl::EvaluateAlerts(core::Clock::TimePoint now) {
  last_evaluation = now;
  if (alerts.size() == 0) return;
  // The engine asks for one target at a time and reads its view before asking for the next,
  // so one scratch view serves every target.
  const auto lookup = [&](std::string_view name) -> const alert::TargetView* {
    const auto found = id_by_name.find(name);
    if (found == id_by_name.end()) return nullptr;
    const TargetState& state = *targets.at(found->second).state;
    if (!state.probed()) return nullptr;
    state.WindowStatsAt(now, view_stats);
    view.spans = spans;
    view.stats = view_stats;
    view.consecutive_failures = state.consecutive_failures();
    view.diagnosis = state.diagnosis();
    view.trace_id = state.failing() ? std::string_view(state.last()->trace_id) : std::string_view();
    return &view;
  };
  Notify(alerts.Evaluate(now, clock.WallNow(), lookup, agent_status.saturated));
  agent_status.alerts_held = alerts.held();
}

void App::Impl::Notify(std::vector<alert::AlertEvent>&& events) {
  if (events.empty()) return;
  for (const auto& e : events) LogAlertEvent(e);
  if (options.on_alert_events) options.on_alert_events(events);
  dispatcher->Enqueue(std::move(events));
  // After the events, so the state file never claims an alert was announced before the
  // outbox holds its notification (the dispatcher writes them in this order).
  dispatcher->SaveAlertState(alerts.Export());
}

// The agent's own alert, for agent.saturation_notify: same shape as a rule's event, so
// every notifier renders it; one fingerprint per agent so a resolve matches its firing.
alert::AlertEvent App::Impl::SaturationEvent(bool saturated, core::Clock::Duration lag) {
  const double lag_s = std::chrono::duration<double>(lag).count();
  const auto wall = clock.WallNow();
  if (saturated) saturated_since = wall;
  alert::AlertEvent e;
  e.rule = "gatewatch-saturated";
  e.target = "gatewatch";
  e.severity = "warning";
  e.status = saturated ? alert::AlertStatus::kFiring : alert::AlertStatus::kResolved;
  e.kind = saturated ? alert::EventKind::kFired : alert::EventKind::kResolved;
  e.signal = "schedule_lag";
  e.value = lag_s;
  e.threshold = std::chrono::duration<double>(kSaturationLag).count();
  e.value_text = std::to_string(lag_s).substr(0, 4) + "s";
  e.threshold_text = "1s";
  e.started_at = saturated_since;
  if (!saturated) e.ended_at = wall;
  e.fingerprint = alert::Fingerprint(e.rule, e.target);
  e.sequence = ++saturation_sequence;
  e.labels = config.agent.labels;
  e.labels["alertname"] = e.rule;
  e.labels["target"] = e.target;
  e.labels["severity"] = e.severity;
  e.summary = saturated ? "gatewatch cannot keep its own schedule: probes start up to " +
                              e.value_text + " late; alert rules hold new firing until it recovers"
                        : "gatewatch keeps its schedule again";
  e.description = "probes starting more than 1s late";
  e.notify = config.agent.saturation_notify;
  return e;
}

void App::Impl::UpdateSaturation() {
  const bool saturated = max_lag_since_check > kSaturationLag;
  if (saturated != agent_status.saturated) {
    if (saturated) {
      spdlog::warn(
          "agent saturated: probes start up to {:.1f}s late ({} in flight, limit {}); "
          "its own lateness must not be read as target failures",
          std::chrono::duration<double>(max_lag_since_check).count(), prober.InFlight(),
          max_in_flight);
    } else {
      spdlog::info("agent keeps its schedule again");
    }
  }
  if (saturated != agent_status.saturated && !config.agent.saturation_notify.empty()) {
    Notify({SaturationEvent(saturated, max_lag_since_check)});
  }
  agent_status.saturated = saturated;
  max_lag_since_check = core::Clock::Duration::zero();
}

void App::Impl::HandleRequests() {
  AnswerHistoryRequests();
  if (!reload_requested.exchange(false)) return;
  std::vector<std::promise<ReloadOutcome>> waiters;
  {
    std::lock_guard lock(request_mu);
    waiters.swap(reload_waiters);
  }
  if (options.on_reload_start) options.on_reload_start();
  ReloadOutcome outcome;
  if (!options.reload_source) {
    outcome = {false, "reload is not available: the agent was not started from a config file"};
  } else {
    config::LoadResult loaded = options.reload_source();
    outcome = loaded.config ? self.ApplyConfig(std::move(*loaded.config))
                            : self.RejectConfig(loaded.errors);
  }
  if (options.on_reload_done) options.on_reload_done(outcome);
  for (auto& w : waiters) w.set_value(outcome);
}

App::App(config::Config config, AppOptions options)
    : impl_(std::make_unique<Impl>(*this, std::move(options))) {
  // Server threads that ask for a snapshot meanwhile wait for the loop state to be whole.
  Impl::LoopGuard loop(*impl_);
  const auto state_dir = config.agent.state_dir;
  // The listener first: a port in use fails before any state file is touched, and alert
  // links carry the port actually bound (listen may say :0). Until the first snapshot the
  // endpoints answer 503 "starting".
  if (impl_->options.serve_http) {
    server::HttpApiOptions http;
    http.listen = config.agent.listen;
    http.snapshot = [this] { return Snapshot(); };
    http.alive = [this] { return Alive(); };
    http.readiness = [this] { return Readiness(); };
    http.api_token = config.agent.api_token;
    http.reload = [this] {
      const ReloadOutcome r = RequestReload();
      return server::ReloadOutcome{r.ok, r.message};
    };
    http.history = [this](const std::string& target) { return impl_->RequestHistory(target); };
    impl_->http = std::make_unique<server::HttpApi>(std::move(http));
    impl_->http->Start();
  }
  notify::DispatcherOptions notify_options;
  notify_options.external_url = ExternalUrl(config.agent.listen, http_port());
  notify_options.seed = impl_->seed;
  // A delivery that is not yet saved is repeated after a crash, and chat receivers do not
  // dedup by Idempotency-Key: save progress as promptly as new notifications, so only a
  // crash within ~100 ms of a delivery can page twice.
  notify_options.progress_persist_interval = notify_options.persist_interval;
  impl_->dispatcher =
      std::make_unique<notify::Dispatcher>(config, impl_->clock, std::move(notify_options));
  if (const auto& report = impl_->dispatcher->load_report(); !report.error.empty()) {
    spdlog::error("{}", report.error);
  }
  ApplyConfig(std::move(config));
  RestoreAlerts(state_dir);
  if (impl_->options.start_dispatcher) impl_->dispatcher->Start();
  impl_->agent_status.last_reload = impl_->clock.WallNow();
}

App::~App() {
  if (impl_->http) impl_->http->Stop();
  impl_->http.reset();
  impl_->multi.CancelAll();
  impl_->dispatcher.reset();  // saves what is still queued for the next start
}

void App::RestoreAlerts(const std::string& state_dir) {
  if (state_dir.empty()) return;
  Impl& m = *impl_;
  auto loaded = alert::LoadAlertState(alert::StateFilePath(state_dir), m.clock.WallNow());
  if (!loaded.error.empty()) spdlog::error("{}", loaded.error);
  if (loaded.alerts.empty()) return;
  auto restored = m.alerts.Restore(loaded.alerts, m.clock.Now(), m.clock.WallNow());
  spdlog::info("restored {} firing alerts from {} (not announced again); {} no longer apply",
               restored.restored, alert::StateFilePath(state_dir), restored.dropped);
  m.Notify(std::move(restored.events));
}

notify::Dispatcher* App::dispatcher() { return impl_->dispatcher.get(); }

void App::Run() {
  Impl& m = *impl_;
  {
    std::lock_guard lock(m.request_mu);
    m.running = true;
  }
  while (!stop_requested_.load()) Step(milliseconds(1000));
  Impl::LoopGuard loop(m);
  const std::size_t cancelled = m.prober.InFlight();
  m.multi.CancelAll();
  for (auto& [id, entry] : m.targets) entry.in_flight.reset();
  if (cancelled > 0) spdlog::info("stopping: cancelled {} in-flight probes", cancelled);
  m.dispatcher->Stop(m.options.notify_grace);
  {
    std::lock_guard lock(m.request_mu);
    m.running = false;  // from now on readers build their own, under loop_mu
  }
  m.BuildNow(m.clock.Now());  // answers the readers still waiting
}

void App::Step(milliseconds max_wait) {
  Impl& m = *impl_;
  Impl::LoopGuard loop(m);
  auto now = m.clock.Now();
  m.last_loop_ns.store(now.time_since_epoch().count());
  m.ReleaseIfUnread();
  m.HandleRequests();
  m.StartDue(now);

  milliseconds wait = max_wait;
  if (const auto next = m.scheduler.NextDue()) {
    const auto until = std::chrono::ceil<milliseconds>(*next - now);
    wait = std::clamp(until, milliseconds(0), max_wait);
  }
  // A reader waits for the snapshot being built: finish it between probe batches.
  const bool snapshot_wanted = m.building || m.snapshot_requested.load();
  if (stop_requested_.load() || m.reload_requested.load() || snapshot_wanted) {
    wait = milliseconds(0);
  }
  m.multi.Poll(wait);

  now = m.clock.Now();
  if (now - m.last_evaluation >= m.options.evaluate_interval) m.EvaluateAlerts(now);
  if (now - m.last_status_check >= m.options.status_interval) {
    m.UpdateSaturation();
    m.last_status_check = now;
  }
  if (m.building || m.snapshot_requested.load()) m.ContinueSnapshot(now, kSnapshotSlice);
  m.CompactSlice(now);
  if (now - m.last_idle_trim >= kIdleTrimInterval) {
    m.multi.TrimIdle();
    m.last_idle_trim = now;
  }
}

void App::Stop() {
  stop_requested_.store(true);
  impl_->multi.Wakeup();
}

ReloadOutcome App::RequestReload(milliseconds limit) {
  std::future<ReloadOutcome> result;
  {
    std::lock_guard lock(impl_->request_mu);
    impl_->reload_waiters.emplace_back();
    result = impl_->reload_waiters.back().get_future();
  }
  impl_->reload_requested.store(true);
  impl_->multi.Wakeup();
  if (result.wait_for(limit) != std::future_status::ready) {
    return {false, "reload did not complete: the probe loop did not answer in time"};
  }
  return result.get();
}

ReloadOutcome App::ApplyConfig(config::Config config) {
  Impl& m = *impl_;
  Impl::LoopGuard loop(m);
  const auto now = m.clock.Now();
  m.building.reset();  // its target order is about to change
  const bool initial = !m.loaded;
  m.loaded = true;
  if (!initial && config.agent.listen != m.config.agent.listen) {
    spdlog::warn("agent.listen changed to {}: a listener change needs a restart; still on {}",
                 config.agent.listen, m.config.agent.listen);
    config.agent.listen = m.config.agent.listen;
  }
  if (!initial && !(config.agent.api_token == m.config.agent.api_token)) {
    spdlog::warn("agent.api_token changed: a token change needs a restart");
    config.agent.api_token = m.config.agent.api_token;
  }
  if (!initial && (config.agent.log_format != m.config.agent.log_format ||
                   config.agent.log_level != m.config.agent.log_level)) {
    core::SetupLogging(config.agent.log_format, config.agent.log_level);
  }
  const std::vector<core::Millis> spans = config::RequiredWindows(config);
  const bool windows_changed = spans != m.spans;
  m.spans = spans;

  std::unordered_map<std::string, Id> by_name;
  for (Id id : m.order) by_name.emplace(m.targets.at(id).state->spec().name, id);

  int added = 0, changed = 0, kept = 0, not_owned = 0;
  std::vector<config::TargetSpec> fresh;
  std::vector<Id> new_order;
  std::vector<std::string> config_order;
  config_order.reserve(config.targets.size());
  for (const auto& spec : config.targets) config_order.push_back(spec.name);
  for (auto& spec : config.targets) {
    if (!OwnsTarget(config.agent.shard, spec.name)) {
      ++not_owned;
      continue;
    }
    auto found = by_name.find(spec.name);
    if (found == by_name.end() || m.targets.at(found->second).state->spec().url != spec.url) {
      fresh.push_back(std::move(spec));
      continue;  // new, or a new URL: a different thing to watch, so fresh windows
    }
    const Id id = found->second;
    by_name.erase(found);
    Impl::Entry& entry = m.targets.at(id);
    if (!entry.state->spec().SameProbe(spec)) {
      if (entry.in_flight) m.rounds.Cancel(*entry.in_flight);
      m.rounds.Forget(id);
      entry.in_flight.reset();
      entry.state->ReplaceSpec(std::move(spec));
      m.scheduler.Remove(id);
      m.scheduler.Add(id, entry.state->CurrentInterval(), now,
                      StableHash(entry.state->spec().name));
      ++changed;
    } else {
      ++kept;
    }
    if (windows_changed) entry.state->ResetWindows(spans);
    new_order.push_back(id);
  }
  const int removed = static_cast<int>(by_name.size());
  for (const auto& [name, id] : by_name) m.RemoveTarget(id);
  m.order = std::move(new_order);
  m.config = std::move(config);
  // Each TargetState holds its own spec; a second copy of 10,000 specs would only cost memory.
  m.config.targets.clear();
  m.config.targets.shrink_to_fit();
  for (auto& spec : fresh) {
    m.AddTarget(std::move(spec), now);
    ++added;
  }
  // Keep the snapshot in config order: rebuild `order` from the config's target order.
  std::unordered_map<std::string, Id> index;
  for (Id id : m.order) index.emplace(m.targets.at(id).state->spec().name, id);
  m.order.clear();
  for (const auto& name : config_order) {
    if (auto it = index.find(name); it != index.end()) m.order.push_back(it->second);
  }

  // Alert pairs follow the targets this replica probes; pairs that vanished while firing
  // are resolved so receivers hear the end.
  m.Notify(m.alerts.Reconcile(m.config, m.TargetNames(), now, m.clock.WallNow()));
  if (!initial) m.dispatcher->Reconfigure(m.config);

  m.agent_status.last_reload_success = true;
  m.agent_status.last_reload = m.clock.WallNow();
  std::string message = std::to_string(m.order.size()) + " targets";
  if (initial) {
    message = "loaded " + message;
  } else {
    message = "reloaded: " + message + " (" + std::to_string(added) + " added, " +
              std::to_string(removed) + " removed, " + std::to_string(changed) + " changed, " +
              std::to_string(kept) + " unchanged)";
  }
  if (m.config.agent.shard.count > 1) {
    message += "; shard " + std::to_string(m.config.agent.shard.index) + "/" +
               std::to_string(m.config.agent.shard.count) + " leaves " +
               std::to_string(not_owned) + " to other replicas";
  }
  m.NoteReadiness();
  spdlog::info("{}", message);
  // Parsing a large config leaves megabytes of freed TOML nodes scattered through the heap;
  // hand those pages back so the agent's resident size reflects what it keeps.
  core::ReleaseFreeMemory();
  return {true, message};
}

ReloadOutcome App::RejectConfig(const std::vector<config::ConfigError>& errors) {
  Impl::LoopGuard loop(*impl_);
  impl_->agent_status.last_reload_success = false;
  impl_->agent_status.last_reload = impl_->clock.WallNow();
  const std::string text = JoinErrors(errors);
  spdlog::error("reload rejected, still running the previous config:\n{}", text);
  return {false, "config rejected, previous config still active:\n" + text};
}

int App::http_port() const { return impl_->http ? impl_->http->port() : 0; }

bool App::Alive() const {
  const auto last = core::Clock::TimePoint(core::Clock::Duration(impl_->last_loop_ns.load()));
  return impl_->clock.Now() - last < kAliveWithin;
}

}  // namespace gatewatch::app
