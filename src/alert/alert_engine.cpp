#include "alert/alert_engine.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <unordered_map>
#include <utility>

#include "alert/signal.h"

namespace gatewatch::alert {
namespace {

bool Notifies(Transition t) {
  return t == Transition::kFired || t == Transition::kReminder || t == Transition::kResolved;
}

const window::WindowStats* StatsFor(const TargetView& view, core::Millis span) {
  const auto it = std::lower_bound(view.spans.begin(), view.spans.end(), span);
  if (it == view.spans.end() || *it != span) return nullptr;
  const auto index = static_cast<std::size_t>(it - view.spans.begin());
  return index < view.stats.size() ? &view.stats[index] : nullptr;
}

std::string PairKey(std::string_view rule, std::string_view target) {
  std::string key(rule);
  key += '\0';
  key += target;
  return key;
}

// The steady time point that was `wall` ago at (now, wall_now). Saved wall times from the
// future (the wall clock stepped back meanwhile) count as now.
core::Clock::TimePoint SteadyAt(core::Clock::WallTimePoint wall, core::Clock::TimePoint now,
                                core::Clock::WallTimePoint wall_now) {
  const auto age = std::max(wall_now - wall, core::Clock::WallTimePoint::duration::zero());
  return now - std::chrono::duration_cast<core::Clock::Duration>(age);
}

AlertState FiringFrom(const SavedAlert& saved, core::Clock::TimePoint now,
                      core::Clock::WallTimePoint wall_now) {
  AlertState s;
  s.state = State::kFiring;
  s.since = SteadyAt(saved.since_wall, now, wall_now);
  s.active_since = s.since;
  s.since_wall = saved.since_wall;
  s.fired_at_wall = saved.fired_at_wall;
  s.last_notified = SteadyAt(saved.last_notified_wall, now, wall_now);
  s.last_notified_wall = saved.last_notified_wall;
  s.value = saved.value;
  s.sequence = saved.sequence;
  return s;
}

// The rule's signal for a target; nullopt when not judgeable (no view, span not kept, too
// few samples).
std::optional<double> Value(const config::AlertRule& rule, const TargetView* view) {
  if (view == nullptr) return std::nullopt;
  if (rule.signal == config::AlertSignal::kConsecutiveFailures) {
    static const window::WindowStats kUnused;
    return SignalValue(rule, kUnused, view->consecutive_failures);
  }
  if (rule.burn_rate) {
    const window::WindowStats* long_window = StatsFor(*view, rule.burn_rate->long_window);
    const window::WindowStats* short_window = StatsFor(*view, rule.burn_rate->short_window);
    if (long_window == nullptr || short_window == nullptr) return std::nullopt;
    return BurnRateSignal(rule, *long_window, *short_window);
  }
  const window::WindowStats* stats = StatsFor(*view, rule.window);
  if (stats == nullptr) return std::nullopt;
  return SignalValue(rule, *stats, view->consecutive_failures);
}

}  // namespace

std::vector<AlertEvent> AlertEngine::Reconcile(const config::Config& config,
                                               core::Clock::TimePoint now,
                                               core::Clock::WallTimePoint wall_now) {
  std::vector<std::string> names;
  names.reserve(config.targets.size());
  for (const config::TargetSpec& t : config.targets) names.push_back(t.name);
  return Reconcile(config, names, now, wall_now);
}

std::vector<AlertEvent> AlertEngine::Reconcile(const config::Config& config,
                                               std::span<const std::string> targets,
                                               core::Clock::TimePoint now,
                                               core::Clock::WallTimePoint wall_now) {
  std::vector<config::AlertRule> rules = config.alerts;
  std::vector<std::string> names(targets.begin(), targets.end());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());

  std::unordered_map<std::string, std::size_t> old_index;
  old_index.reserve(pairs_.size());
  for (std::size_t i = 0; i < pairs_.size(); ++i) {
    old_index.emplace(PairKey(rules_[pairs_[i].rule].name, targets_[pairs_[i].target]), i);
  }
  std::vector<bool> kept(pairs_.size(), false);

  AlertState fresh;
  fresh.since = now;
  fresh.since_wall = wall_now;
  std::vector<Pair> pairs;
  for (std::uint32_t t = 0; t < names.size(); ++t) {
    for (std::uint32_t r = 0; r < rules.size(); ++r) {
      if (!config::TargetMatches(rules[r], names[t])) continue;
      Pair pair{r, t, fresh, false};
      const auto old = old_index.find(PairKey(rules[r].name, names[t]));
      if (old != old_index.end() && rules_[pairs_[old->second].rule].signal == rules[r].signal) {
        pair.state = pairs_[old->second].state;
        pair.held = pairs_[old->second].held;
        kept[old->second] = true;
      }
      pairs.push_back(std::move(pair));
    }
  }

  std::vector<AlertEvent> events;
  for (std::size_t i = 0; i < pairs_.size(); ++i) {
    if (kept[i]) continue;
    const Pair& gone = pairs_[i];
    const Evaluation e = ResolveRemoved(gone.state, now, wall_now);
    if (e.transition == Transition::kResolved) {
      events.push_back(Event(rules_[gone.rule], targets_[gone.target], e.state, e.transition,
                             nullptr, /*removed=*/true));
    }
  }

  rules_ = std::move(rules);
  targets_ = std::move(names);
  pairs_ = std::move(pairs);
  agent_labels_ = config.agent.labels;
  held_ = 0;
  for (const Pair& p : pairs_) held_ += p.held ? 1 : 0;
  return events;
}

std::vector<AlertEvent> AlertEngine::Evaluate(core::Clock::TimePoint now,
                                              core::Clock::WallTimePoint wall_now,
                                              const TargetLookup& lookup, bool agent_saturated) {
  std::vector<AlertEvent> events;
  held_ = 0;
  std::uint32_t current = std::numeric_limits<std::uint32_t>::max();
  const TargetView* view = nullptr;
  for (Pair& pair : pairs_) {
    if (pair.target != current) {
      current = pair.target;
      view = lookup(targets_[current]);
    }
    const config::AlertRule& rule = rules_[pair.rule];
    const Evaluation e =
        alert::Evaluate(rule, pair.state, Value(rule, view), agent_saturated, now, wall_now);
    pair.state = e.state;
    pair.held = e.held;
    held_ += e.held ? 1 : 0;
    if (Notifies(e.transition)) {
      events.push_back(
          Event(rule, targets_[pair.target], pair.state, e.transition, view, /*removed=*/false));
    }
  }
  return events;
}

std::vector<InstanceSnapshot> AlertEngine::Snapshot() const {
  std::vector<InstanceSnapshot> out;
  out.reserve(pairs_.size());
  for (const Pair& pair : pairs_) {
    const config::AlertRule& rule = rules_[pair.rule];
    InstanceSnapshot s;
    s.rule = rule.name;
    s.target = targets_[pair.target];
    s.severity = rule.severity;
    s.signal = rule.signal;
    s.state = pair.state.state;
    s.value = pair.state.last_value;
    s.threshold = rule.above;
    s.since = pair.state.since_wall;
    if (pair.state.state == State::kFiring) s.fired_at = pair.state.fired_at_wall;
    s.held = pair.held;
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<SavedAlert> AlertEngine::Export() const {
  std::vector<SavedAlert> out;
  for (const Pair& pair : pairs_) {
    if (pair.state.state != State::kFiring) continue;
    out.push_back(SavedAlert{rules_[pair.rule].name, targets_[pair.target], State::kFiring,
                             pair.state.since_wall, pair.state.fired_at_wall,
                             pair.state.last_notified_wall, pair.state.sequence, pair.state.value});
  }
  return out;
}

RestoreResult AlertEngine::Restore(std::span<const SavedAlert> saved, core::Clock::TimePoint now,
                                   core::Clock::WallTimePoint wall_now) {
  RestoreResult result;
  for (const SavedAlert& s : saved) {
    if (s.state != State::kFiring) continue;
    if (Pair* pair = Find(s.rule, s.target)) {
      if (pair->state.state != State::kInactive) continue;
      const std::uint64_t sequence = std::max(pair->state.sequence, s.sequence);
      pair->state = FiringFrom(s, now, wall_now);
      pair->state.sequence = sequence;
      ++result.restored;
      continue;
    }
    const auto rule = std::find_if(rules_.begin(), rules_.end(),
                                   [&](const config::AlertRule& r) { return r.name == s.rule; });
    if (rule == rules_.end()) {
      ++result.dropped;
      continue;
    }
    const Evaluation e = ResolveRemoved(FiringFrom(s, now, wall_now), now, wall_now);
    result.events.push_back(
        Event(*rule, s.target, e.state, e.transition, nullptr, /*removed=*/true));
  }
  return result;
}

const AlertEngine::Pair* AlertEngine::Find(std::string_view rule, std::string_view target) const {
  const auto t = std::lower_bound(targets_.begin(), targets_.end(), target);
  if (t == targets_.end() || *t != target) return nullptr;
  const auto index = static_cast<std::uint32_t>(t - targets_.begin());
  auto it = std::lower_bound(pairs_.begin(), pairs_.end(), index,
                             [](const Pair& p, std::uint32_t i) { return p.target < i; });
  for (; it != pairs_.end() && it->target == index; ++it) {
    if (rules_[it->rule].name == rule) return &*it;
  }
  return nullptr;
}

AlertEngine::Pair* AlertEngine::Find(std::string_view rule, std::string_view target) {
  return const_cast<Pair*>(std::as_const(*this).Find(rule, target));
}

AlertEvent AlertEngine::Event(const config::AlertRule& rule, std::string_view target,
                              const AlertState& state, Transition transition,
                              const TargetView* view, bool removed) const {
  EventContext context;
  context.agent_labels = &agent_labels_;
  if (view != nullptr) {
    context.diagnosis = view->diagnosis;
    context.trace_id = view->trace_id;
  }
  context.removed = removed;
  return MakeEvent(rule, target, state, transition, context);
}

}  // namespace gatewatch::alert
