#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alert/evaluator.h"
#include "alert/event.h"
#include "config/config.h"
#include "core/clock.h"
#include "window/sliding_window.h"

// The alert state of every (rule, target) pair, for the probe loop: feeds each pair's
// signal to Evaluate (alert/evaluator.h) and turns notification-worthy transitions into
// AlertEvents. Not thread-safe: owned by the probe loop; publish Snapshot() copies.
namespace gatewatch::alert {

// What the engine reads about one target during one Evaluate call. The viewed memory
// belongs to the caller and must stay valid for that call only.
struct TargetView {
  // The target's window spans (config::RequiredWindows order: ascending) and, index for
  // index, their stats at the evaluation time (window::TargetWindows::Stats(now, out)).
  std::span<const core::Millis> spans;
  std::span<const window::WindowStats> stats;
  std::uint64_t consecutive_failures = 0;  // failed probes in a row; 0 after a pass
  // The latest failed probe's explanation (reason, detail, which hop answered) and its trace
  // id; "" when there is none. Copied into firing and reminder events.
  std::string_view diagnosis;
  std::string_view trace_id;
};

// Returns the view of a target by name, or nullptr when it has none (not probed yet, or not
// on this shard): its pairs are then not judgeable (they keep their state).
using TargetLookup = std::function<const TargetView*(std::string_view target)>;

// One pair, for GET /api/v1/alerts and gatewatch_alert_state.
struct InstanceSnapshot {
  std::string rule, target, severity;
  config::AlertSignal signal = config::AlertSignal::k502Ratio;
  State state = State::kInactive;
  std::optional<double> value;         // the latest evaluation's value; nullopt = not judgeable
  double threshold = 0;                // the rule's `above`
  core::Clock::WallTimePoint since{};  // when `state` was entered (or the pair was created)
  std::optional<core::Clock::WallTimePoint> fired_at;  // while firing: when it fired
  bool held = false;  // the latest evaluation was held back by agent saturation
};

// A firing pair as a persistence layer saves it (plain data; wall times only, since steady
// time does not survive a restart).
struct SavedAlert {
  std::string rule, target;
  State state = State::kFiring;  // Export writes only kFiring; Restore skips anything else
  core::Clock::WallTimePoint since_wall{}, fired_at_wall{}, last_notified_wall{};
  std::uint64_t sequence = 0;
  double value = 0;
};

struct RestoreResult {
  std::size_t restored = 0;  // pairs now firing again, silently
  // Saved pairs whose rule still exists but no longer covers the target: resolved, so the
  // receivers that were told "firing" hear the end.
  std::vector<AlertEvent> events;
  std::size_t dropped = 0;  // saved pairs whose rule is gone (nobody left to notify)
};

class AlertEngine {
 public:
  // No rules until Reconcile.
  AlertEngine() = default;

  // Sets the rules and pairs from `config`: every rule x every target of `targets` that
  // TargetMatches. `targets` are the names this replica probes (after sharding). New pairs
  // start inactive at `now`. Pairs whose (rule name, target) existed before keep their
  // state, also when the rule's thresholds or notify list changed (the next Evaluate
  // judges them by the new rule); a changed signal counts as a new pair. Pairs that
  // disappear while firing are resolved: their events (built from the old rule) are
  // returned. The engine copies what it needs from `config`.
  std::vector<AlertEvent> Reconcile(const config::Config& config,
                                    std::span<const std::string> targets,
                                    core::Clock::TimePoint now,
                                    core::Clock::WallTimePoint wall_now);
  // Same, with every target of `config`.
  std::vector<AlertEvent> Reconcile(const config::Config& config, core::Clock::TimePoint now,
                                    core::Clock::WallTimePoint wall_now);

  // Evaluates every pair at `now` (see Evaluate in alert/evaluator.h) and returns the
  // events to notify, in pair order. `lookup` is called once per target per call. A pair
  // whose target view lacks the span its rule reads is not judgeable. Costs O(pairs); it
  // allocates only for returned events.
  std::vector<AlertEvent> Evaluate(core::Clock::TimePoint now, core::Clock::WallTimePoint wall_now,
                                   const TargetLookup& lookup, bool agent_saturated);

  // Every pair, ordered by target name, then by rule in config order.
  std::vector<InstanceSnapshot> Snapshot() const;

  // Every firing pair, for saving.
  std::vector<SavedAlert> Export() const;

  // Puts saved firing pairs back without announcing them again: no kFired event; reminders
  // continue from last_notified_wall; the sequence continues from the saved one. Call after
  // Reconcile and before the first Evaluate; a pair that is already pending or firing, or a
  // saved entry that is not kFiring, is left alone. Wall times from the future (clock
  // stepped back) count as now.
  RestoreResult Restore(std::span<const SavedAlert> saved, core::Clock::TimePoint now,
                        core::Clock::WallTimePoint wall_now);

  std::size_t size() const { return pairs_.size(); }
  // Pairs whose latest evaluation was held back by agent saturation (for the log line and
  // the status page that say so).
  std::size_t held() const { return held_; }

 private:
  struct Pair {
    std::uint32_t rule;    // index into rules_
    std::uint32_t target;  // index into targets_
    AlertState state;
    bool held = false;
  };

  const Pair* Find(std::string_view rule, std::string_view target) const;
  Pair* Find(std::string_view rule, std::string_view target);
  AlertEvent Event(const config::AlertRule& rule, std::string_view target, const AlertState& state,
                   Transition transition, const TargetView* view, bool removed) const;

  std::vector<config::AlertRule> rules_;
  std::vector<std::string> targets_;  // sorted, unique
  std::vector<Pair> pairs_;           // sorted by (target, rule)
  std::map<std::string, std::string> agent_labels_;
  std::size_t held_ = 0;
};

}  // namespace gatewatch::alert
