#include "app/target_state.h"

#include <algorithm>
#include <cassert>

#include "app/shard.h"
#include "core/secret.h"
#include "diagnose/describe.h"
#include "diagnose/findings.h"
#include "diagnose/responder.h"

namespace gatewatch::app {

// One per target: a byte over 896 and jemalloc rounds every one up to 1,024 (1.3 MB more at
// 10,000 targets). Reorder or slim the members (and TargetSpec's) rather than grow past it.
static_assert(sizeof(TargetState) <= 896);

namespace {

status::Histogram EmptyHistogram(const std::vector<double>& bounds) {
  status::Histogram h;
  assert(bounds.size() <= status::Histogram::kMaxBounds);
  h.bounds = bounds;
  return h;
}

double Seconds(std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1e6; }

// How often the target is probed at most: its windows' counters are sized for that.
std::chrono::milliseconds FastestInterval(const config::TargetSpec& spec) {
  return spec.unhealthy_interval ? std::min(spec.interval, *spec.unhealthy_interval)
                                 : spec.interval;
}

// Where this target's window buckets and sparkline points start (see
// window::TargetWindows): from its name, so it is stable across restarts and reloads, and
// spread over targets so they cross boundaries at different moments. Below 2^32 ms.
core::Clock::Duration WindowPhase(const std::string& name) {
  constexpr std::uint64_t kRangeMs = std::uint64_t{1} << 32;
  return std::chrono::milliseconds(static_cast<std::int64_t>(StableHash(name) % kRangeMs));
}

}  // namespace

const std::vector<double>& ProbeDurationBounds() {
  static const std::vector<double> kBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                              0.5,   1,    2.5,   5,    10};
  assert(kBounds.size() <= status::Histogram::kMaxBounds);
  return kBounds;
}

const std::vector<double>& ScheduleLagBounds() {
  static const std::vector<double> kBounds = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                              0.25,  0.5,   1,    2.5,   5};
  assert(kBounds.size() <= status::Histogram::kMaxBounds);
  return kBounds;
}

void Observe(status::Histogram& histogram, double seconds) {
  const auto it = std::lower_bound(histogram.bounds.begin(), histogram.bounds.end(), seconds);
  ++histogram.counts[static_cast<std::size_t>(it - histogram.bounds.begin())];
  histogram.sum += seconds;
  ++histogram.count;
}

TargetState::TargetState(config::TargetSpec spec,
                         const std::vector<std::chrono::milliseconds>& spans)
    : spec_(std::move(spec)),
      windows_(spans, FastestInterval(spec_), WindowPhase(spec_.name)),
      status_(std::make_shared<status::TargetStatus>()),
      counters_(std::make_shared<status::ProbeCounters>()),
      history_(status::SparklineWidthFor(spans), WindowPhase(spec_.name)) {
  counters_->duration = EmptyHistogram(ProbeDurationBounds());
  status_->counters = counters_;
  ReplaceSpec(spec_);
}

void TargetState::ReplaceSpec(config::TargetSpec spec) {
  status::TargetStatus& status = MutableStatus();
  // What the follow-up probes found is about a backend or addresses no longer asked about.
  if (spec.upstream != spec_.upstream) status.upstream.reset();
  if (!spec.resolve_all) status.backends.clear();
  if (&spec != &spec_) spec_ = std::move(spec);
  status.name = spec_.name;
  status.url = core::RedactUrl(spec_.url);
  status.labels = spec_.labels;
  status.interval = spec_.interval;
  status.timeout = spec_.timeout;
}

void TargetState::ResetWindows(const std::vector<std::chrono::milliseconds>& spans) {
  windows_ = window::TargetWindows(spans, FastestInterval(spec_), WindowPhase(spec_.name));
  summary_stale_ = true;
  history_.SetSparklineWidth(status::SparklineWidthFor(spans));
}

std::chrono::milliseconds TargetState::CurrentInterval() const {
  if (failing() && spec_.unhealthy_interval) return *spec_.unhealthy_interval;
  return spec_.interval;
}

TargetState::Change TargetState::Record(probe::ProbeResult&& result,
                                        diagnose::Findings&& findings) {
  windows_.Record(result.started, result);
  summary_stale_ = true;
  status::TargetStatus& status = MutableStatus();
  ++status.probes_total;
  status::ProbeCounters& counters = MutableCounters();
  if (result.http_status != 0) ++counters.responses_by_code[result.http_status];
  if (!result.success()) ++counters.failures(result.reason);
  Observe(counters.duration, Seconds(result.latency));
  std::optional<diagnose::Fingerprint> hop;
  if (result.http_status >= 500 && result.http_status <= 599) {
    hop = diagnose::IdentifyResponder(result);
    ++counters.fivexx_by_hop[{result.http_status, hop->origin, hop->responder}];
  }
  if (result.success()) {
    status.diagnosis.clear();
    status.responder.reset();
  } else {
    // A failure after failures had no confirm probe: the streak itself says it persists.
    if (spec_.confirm > 0 && !findings.confirm && status.consecutive_failures > 0) {
      findings.failed_in_a_row = status.consecutive_failures + 1;
    }
    // Assigned, not moved: the sentence goes into the status' buffer (usually big enough)
    // rather than replacing a long-lived string on every failure.
    status.diagnosis.assign(diagnose::ComposeDiagnosis(
        diagnose::DescribeFailure(result, hop ? &*hop : nullptr), findings));
    status.responder = std::move(hop);
  }
  ApplyFindings(result.success(), std::move(findings));
  history_.Record(result, status.responder ? &*status.responder : nullptr);
  // Headers and the body excerpt were kept only to diagnose; the sentence and the
  // fingerprint now carry what they said. Dropping them keeps a failing target as small
  // as a healthy one (this result is copied into every snapshot).
  result.headers = {};
  result.body_excerpt = {};

  const bool was_probed = status.last != nullptr;
  const bool was_up = status.up;
  const bool up = result.success();
  status.consecutive_failures = up ? 0 : status.consecutive_failures + 1;
  status.up = up;
  const auto wall = result.wall_started;
  SetLast(std::move(result));
  if (!was_probed) {
    status.state_since = wall;
    return Change::kFirst;
  }
  if (was_up == up) return Change::kNone;
  status.state_since = wall;
  return up ? Change::kRecovered : Change::kWentDown;
}

status::TargetStatus& TargetState::MutableStatus() {
  if (status_published_) {
    status_ = std::make_shared<status::TargetStatus>(*status_);
    status_published_ = false;
  }
  return *status_;
}

status::ProbeCounters& TargetState::MutableCounters() {
  if (counters_published_) {
    counters_ = std::make_shared<status::ProbeCounters>(*counters_);
    MutableStatus().counters = counters_;
    counters_published_ = false;
  }
  return *counters_;
}

void TargetState::SetLast(probe::ProbeResult&& result) {
  status::TargetStatus& status = MutableStatus();
  if (status.last != nullptr && !last_published_) {
    // Only this status points at it, and it was made non-const (below): writable.
    const_cast<probe::ProbeResult&>(*status.last) = result;
    return;
  }
  status.last = std::make_shared<probe::ProbeResult>(std::move(result));
  last_published_ = false;
}

void TargetState::ApplyFindings(bool success, diagnose::Findings&& findings) {
  status::TargetStatus& status = MutableStatus();
  if (findings.upstream) {
    status.upstream =
        std::make_shared<const diagnose::UpstreamFinding>(std::move(*findings.upstream));
  } else if (status.upstream && status.upstream->kind != diagnose::UpstreamCase::kNotApplicable) {
    // The verdict explained a failure that is over (or this one had no backend probe).
    auto probe_only = std::make_shared<diagnose::UpstreamFinding>(*status.upstream);
    probe_only->kind = diagnose::UpstreamCase::kNotApplicable;
    probe_only->text.clear();
    status.upstream = std::move(probe_only);
  }
  status.confirmed = success ? std::nullopt : findings.confirm;
  status.backends = std::move(findings.backends);
}

void TargetState::RecordUpstream(const probe::ProbeResult& upstream) {
  MutableStatus().upstream =
      std::make_shared<const diagnose::UpstreamFinding>(diagnose::UpstreamAlone(upstream));
}

std::shared_ptr<const status::TargetStatus> TargetState::Publish(core::Clock::TimePoint now) {
  if (summary_stale_ || now < summarized_at_ || now >= summary_valid_until_) Summarize(now);
  status_published_ = true;
  counters_published_ = true;
  last_published_ = true;
  return status_;
}

std::size_t TargetState::Compact(const std::function<bool(const void*)>& worth_moving) {
  if (status_published_ || counters_published_ || last_published_) return 0;
  std::size_t moved = windows_.Compact(worth_moving);
  // Each new block is taken before the old one is freed, so it cannot land in the old slot.
  if (worth_moving(status_.get())) {
    status_ = std::make_shared<status::TargetStatus>(std::move(*status_));
    ++moved;
  }
  if (worth_moving(counters_.get())) {
    counters_ = std::make_shared<status::ProbeCounters>(std::move(*counters_));
    status_->counters = counters_;
    ++moved;
  }
  status::TargetStatus& status = *status_;
  if (status.last != nullptr && worth_moving(status.last.get())) {
    // Only this status points at it, and it was made non-const (SetLast): movable.
    auto& last = const_cast<probe::ProbeResult&>(*status.last);
    status.last = std::make_shared<probe::ProbeResult>(std::move(last));
    ++moved;
  }
  if (!status.windows.empty() && worth_moving(status.windows.data())) {
    status.windows = std::vector<status::WindowSummary>(status.windows);
    ++moved;
  }
  std::string& diagnosis = status.diagnosis;
  if (diagnosis.capacity() > std::string().capacity() && worth_moving(diagnosis.data())) {
    std::string fresh;
    fresh.reserve(diagnosis.capacity());  // Record() assigns into it: keep its room
    fresh = diagnosis;
    diagnosis = std::move(fresh);
    ++moved;
  }
  return moved;
}

void TargetState::Summarize(core::Clock::TimePoint now) {
  status::TargetStatus& status = MutableStatus();
  status.windows.clear();
  status.windows.reserve(windows_.size());
  status.sparkline = history_.SparklineAt(now);
  // Valid until the first boundary after `now` of any window bucket or sparkline point: that
  // is when the oldest results start to drop out, or the sparkline moves on by a point.
  summarized_at_ = now;
  summary_valid_until_ = std::min(windows_.NextBoundary(now), history_.NextPointAt(now));
  summary_stale_ = false;
  for (std::size_t i = 0; i < windows_.size(); ++i) {
    const window::WindowStats s = windows_.StatsOf(i, now);
    status::WindowSummary w;
    w.span = windows_.span(i);
    const auto count = [](std::uint64_t n) {
      return static_cast<std::uint32_t>(std::min<std::uint64_t>(n, UINT32_MAX));
    };
    w.total = count(s.total);
    w.failed = count(s.failed);
    w.status_5xx = count(s.status_5xx);
    w.status_502 = count(s.status_502);
    w.status_503 = count(s.status_503);
    w.status_504 = count(s.status_504);
    const auto q = [&](double p) -> status::QuantileSeconds {
      const auto v = s.latency.Quantile(p);
      if (!v) return std::nullopt;
      return *v;
    };
    w.p50 = q(0.5);
    w.p90 = q(0.9);
    w.p99 = q(0.99);
    status.windows.push_back(w);
  }
}

}  // namespace gatewatch::app
