#include "metrics/metrics.h"

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <ostream>
#include <ranges>
#include <streambuf>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/duration.h"
#include "probe/result.h"

namespace gatewatch::metrics {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricType;

// Serialized series are batched so the ClientMetric objects alive at once stay few: building
// a whole family first would hold ~150k of them (tens of MB) at 10,000 targets.
constexpr std::size_t kSeriesPerBatch = 512;
constexpr std::size_t kFlushBytes = 64 * 1024;

class AppendBuf final : public std::streambuf {
 public:
  explicit AppendBuf(std::string& out) : out_(out) {}

 protected:
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof())) out_.push_back(static_cast<char>(c));
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    out_.append(s, static_cast<std::size_t>(n));
    return n;
  }

 private:
  std::string& out_;
};

struct Label {
  std::string_view name;
  std::string_view value;
};

// Writes families one batch of series at a time through prometheus::TextSerializer. The
// serializer prints "# TYPE" for every call, so batches after a family's first one drop it.
class Writer {
 public:
  Writer(std::string& out, const Sink* sink) : out_(out), buf_(out), stream_(&buf_), sink_(sink) {}

  void Begin(std::string_view name, std::string_view help, MetricType type) {
    family_.name.assign(name);
    help_.assign(help);
    family_.type = type;
    family_.metric.clear();
    header_written_ = false;
  }

  ClientMetric& Add(std::initializer_list<Label> labels) {
    if (family_.metric.size() >= kSeriesPerBatch) SerializeBatch();
    ClientMetric& metric = family_.metric.emplace_back();
    metric.label.reserve(labels.size());
    for (const Label& l : labels) {
      metric.label.push_back({std::string(l.name), std::string(l.value)});
    }
    return metric;
  }
  void Gauge(std::initializer_list<Label> labels, double value) { Add(labels).gauge.value = value; }
  void Untyped(std::initializer_list<Label> labels, double value) {
    Add(labels).untyped.value = value;
  }
  void Counter(std::initializer_list<Label> labels, double value) {
    Add(labels).counter.value = value;
  }

  void End() { SerializeBatch(); }

  // Hands everything rendered so far to the sink; false once the sink refused.
  bool Flush(bool force) {
    if (sink_ == nullptr || !ok_) return ok_;
    if (out_.size() >= kFlushBytes || (force && !out_.empty())) {
      ok_ = (*sink_)(out_);
      out_.clear();
    }
    return ok_;
  }

 private:
  void SerializeBatch() {
    if (family_.metric.empty()) return;
    if (!ok_) {
      family_.metric.clear();
      return;
    }
    const std::size_t start = out_.size();
    family_.help = header_written_ ? std::string() : help_;
    serializer_.Serialize(stream_, families_view_);
    if (header_written_) {
      const std::size_t type_line_end = out_.find('\n', start);
      out_.erase(start, type_line_end == std::string::npos ? std::string::npos
                                                           : type_line_end - start + 1);
    }
    header_written_ = true;
    family_.metric.clear();
    Flush(false);
  }

  std::string& out_;
  AppendBuf buf_;
  std::ostream stream_;
  const Sink* sink_;
  bool ok_ = true;
  prometheus::TextSerializer serializer_;
  std::vector<prometheus::MetricFamily> families_view_{1};
  prometheus::MetricFamily& family_ = families_view_.front();
  std::string help_;
  bool header_written_ = false;
};

double Seconds(std::chrono::microseconds d) { return static_cast<double>(d.count()) / 1e6; }

void FillHistogram(const status::Histogram& h, ClientMetric::Histogram& out) {
  out.sample_count = h.count;
  out.sample_sum = h.sum;
  out.bucket.resize(h.bounds.size());
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.bounds.size(); ++i) {
    if (i < h.counts.size()) cumulative += h.counts[i];
    out.bucket[i] = {cumulative, h.bounds[i]};
  }
}

// Prometheus label names are [a-zA-Z_][a-zA-Z0-9_]*.
std::string SanitizeLabelName(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 1);
  if (name.empty() || (name.front() >= '0' && name.front() <= '9')) out.push_back('_');
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out.push_back(ok ? c : '_');
  }
  return out;
}

void WriteTargetInfo(Writer& w, const status::TargetStatus& t) {
  ClientMetric& m = w.Add({{"target", t.name}, {"url", t.url}});
  m.gauge.value = 1;
  for (const auto& [key, value] : t.labels) {
    std::string name = SanitizeLabelName(key);
    const bool taken = std::any_of(m.label.begin(), m.label.end(),
                                   [&](const ClientMetric::Label& l) { return l.name == name; });
    if (taken || name.starts_with("__")) continue;
    m.label.push_back({std::move(name), value});
  }
}

struct Phase {
  std::string_view name;
  std::optional<std::chrono::microseconds> net::PhaseTimings::*field;
};
constexpr Phase kPhases[] = {{"dns", &net::PhaseTimings::dns},
                             {"connect", &net::PhaseTimings::connect},
                             {"tls", &net::PhaseTimings::tls},
                             {"ttfb", &net::PhaseTimings::ttfb},
                             {"transfer", &net::PhaseTimings::transfer}};

// The snapshot's targets as references, for range-for loops over them.
auto Deref(const std::vector<std::shared_ptr<const status::TargetStatus>>& targets) {
  return targets | std::views::transform([](const auto& t) -> const status::TargetStatus& {
           return *t;
         });
}

std::size_t EstimateBytes(const status::StatusSnapshot& s) {
  std::size_t bytes = 4096;
  for (const auto& t : Deref(s.targets)) {
    const std::size_t series = 10 + t.counters->duration.bounds.size() +
                               t.counters->responses_by_code.size() +
                               std::size(probe::kAllFailureReasons) + t.windows.size() * 9;
    bytes += series * (80 + t.name.size()) + t.url.size();
  }
  return bytes;
}

void RenderTargets(Writer& w, const std::vector<std::shared_ptr<const status::TargetStatus>>& shared) {
  const auto targets = Deref(shared);
  // Every target has the agent's few windows, so their names are formatted once.
  std::vector<std::pair<std::chrono::milliseconds, std::string>> window_names;
  window_names.reserve(8);
  const auto window_name = [&](const status::WindowSummary& win) -> const std::string& {
    for (const auto& [span, name] : window_names) {
      if (span == win.span) return name;
    }
    return window_names.emplace_back(win.span, core::FormatDuration(win.span)).second;
  };

  w.Begin("gatewatch_probe_success", "1 if the last probe passed every check, else 0.",
          MetricType::Gauge);
  for (const auto& t : targets) {
    if (t.last) w.Gauge({{"target", t.name}}, t.last->success() ? 1 : 0);
  }
  w.End();

  w.Begin("gatewatch_probe_duration_seconds", "Whole probe time.", MetricType::Histogram);
  for (const auto& t : targets) FillHistogram(t.counters->duration, w.Add({{"target", t.name}}).histogram);
  w.End();

  w.Begin("gatewatch_probe_phase_seconds",
          "Phases of the last probe (dns, connect, tls, ttfb, transfer); only measured ones.",
          MetricType::Gauge);
  for (const auto& t : targets) {
    if (!t.last) continue;
    for (const Phase& p : kPhases) {
      if (const auto& d = t.last->phases.*p.field) {
        w.Gauge({{"target", t.name}, {"phase", p.name}}, Seconds(*d));
      }
    }
  }
  w.End();

  w.Begin("gatewatch_probe_http_status_code",
          "HTTP status of the last probe, 0 if no response arrived.", MetricType::Gauge);
  for (const auto& t : targets) {
    if (t.last) w.Gauge({{"target", t.name}}, t.last->http_status);
  }
  w.End();

  w.Begin("gatewatch_probes_total", "Probes completed.", MetricType::Counter);
  for (const auto& t : targets) {
    w.Counter({{"target", t.name}}, static_cast<double>(t.probes_total));
  }
  w.End();

  w.Begin("gatewatch_probe_responses_total", "Probe responses by exact HTTP status.",
          MetricType::Counter);
  for (const auto& t : targets) {
    for (const auto& [code, count] : t.counters->responses_by_code) {
      w.Counter({{"target", t.name}, {"code", std::to_string(code)}}, static_cast<double>(count));
    }
  }
  w.End();

  w.Begin("gatewatch_probe_failures_total", "Failed probes by main reason.", MetricType::Counter);
  for (const auto& t : targets) {
    for (const probe::FailureReason reason : probe::kAllFailureReasons) {
      const std::uint64_t count = t.counters->failures(reason);
      w.Counter({{"target", t.name}, {"reason", probe::ReasonName(reason)}},
                static_cast<double>(count));
    }
  }
  w.End();

  w.Begin("gatewatch_probe_5xx_total",
          "5xx answers by code and by who produced them (origin: gateway, app, cdn, unknown).",
          MetricType::Counter);
  for (const auto& t : targets) {
    for (const auto& [key, count] : t.counters->fivexx_by_hop) {
      const auto& [code, origin, responder] = key;
      w.Counter({{"target", t.name},
                 {"code", std::to_string(code)},
                 {"origin", std::string(diagnose::OriginName(origin))},
                 {"responder", std::string(diagnose::ResponderName(responder))}},
                static_cast<double>(count));
    }
  }
  w.End();

  w.Begin("gatewatch_window_ratio",
          "Share of probes in the window: answered 502, 503, 504, any 5xx, or failed.",
          MetricType::Gauge);
  for (const auto& t : targets) {
    for (const auto& win : t.windows) {
      const std::string& name = window_name(win);
      const std::pair<std::string_view, std::uint64_t> signals[] = {{"502", win.status_502},
                                                                    {"503", win.status_503},
                                                                    {"504", win.status_504},
                                                                    {"5xx", win.status_5xx},
                                                                    {"failure", win.failed}};
      for (const auto& [signal, part] : signals) {
        w.Gauge({{"target", t.name}, {"window", name}, {"signal", signal}},
                status::WindowSummary::Ratio(part, win.total));
      }
    }
  }
  w.End();

  w.Begin("gatewatch_window_latency_seconds", "Probe latency quantiles in the window.",
          MetricType::Untyped);
  for (const auto& t : targets) {
    for (const auto& win : t.windows) {
      const std::pair<std::string_view, const status::QuantileSeconds*> quantiles[] = {
          {"0.5", &win.p50}, {"0.9", &win.p90}, {"0.99", &win.p99}};
      for (const auto& [quantile, value] : quantiles) {
        if (*value) {
          w.Untyped({{"target", t.name}, {"window", window_name(win)}, {"quantile", quantile}},
                    **value);
        }
      }
    }
  }
  w.End();

  w.Begin("gatewatch_window_samples", "Probes in the window.", MetricType::Gauge);
  for (const auto& t : targets) {
    for (const auto& win : t.windows) {
      w.Gauge({{"target", t.name}, {"window", window_name(win)}}, static_cast<double>(win.total));
    }
  }
  w.End();

  w.Begin("gatewatch_tls_cert_not_after_timestamp_seconds",
          "Expiry of the leaf TLS certificate seen by the last probe, Unix seconds.",
          MetricType::Gauge);
  for (const auto& t : targets) {
    if (t.last && t.last->tls_not_after) {
      w.Gauge({{"target", t.name}}, static_cast<double>(*t.last->tls_not_after));
    }
  }
  w.End();

  w.Begin("gatewatch_upstream_probe_success",
          "1 if the latest direct probe of the target's upstream (the backend behind its "
          "gateway) passed, else 0.",
          MetricType::Gauge);
  for (const auto& t : targets) {
    if (t.upstream) w.Gauge({{"target", t.name}}, t.upstream->success ? 1 : 0);
  }
  w.End();

  w.Begin("gatewatch_target_info", "Configured targets: URL and the target's own labels.",
          MetricType::Gauge);
  for (const auto& t : targets) WriteTargetInfo(w, t);
  w.End();
}

void RenderAgent(Writer& w, const status::AgentStatus& a) {
  w.Begin("gatewatch_build_info", "Version of the running agent.", MetricType::Gauge);
  w.Gauge({{"version", a.version}}, 1);
  w.End();

  w.Begin("gatewatch_probes_in_flight", "Probes started and not yet completed.", MetricType::Gauge);
  w.Gauge({}, static_cast<double>(a.probes_in_flight));
  w.End();

  w.Begin("gatewatch_probes_skipped_total",
          "Probes skipped because the previous probe of the target was still running.",
          MetricType::Counter);
  w.Counter({}, static_cast<double>(a.skipped_probes));
  w.End();

  w.Begin("gatewatch_agent_saturated", "1 while the agent cannot keep its own schedule.",
          MetricType::Gauge);
  w.Gauge({}, a.saturated ? 1 : 0);
  w.End();

  w.Begin("gatewatch_schedule_lag_seconds", "How late probes start against their schedule.",
          MetricType::Histogram);
  FillHistogram(a.schedule_lag, w.Add({}).histogram);
  w.End();

  w.Begin("gatewatch_notifications_total",
          "Notification attempts by outcome: delivered, retried, failed (rejected for good), "
          "dropped (too old, outbox full, notifier removed).",
          MetricType::Counter);
  for (const auto& [name, c] : a.notifications.notifiers) {
    w.Counter({{"notifier", name}, {"outcome", "delivered"}}, static_cast<double>(c.delivered));
    w.Counter({{"notifier", name}, {"outcome", "retried"}}, static_cast<double>(c.retried));
    w.Counter({{"notifier", name}, {"outcome", "failed"}}, static_cast<double>(c.failed));
    w.Counter({{"notifier", name}, {"outcome", "dropped"}}, static_cast<double>(c.dropped));
  }
  w.End();

  w.Begin("gatewatch_notification_queue_depth", "Notifications not yet delivered.",
          MetricType::Gauge);
  w.Gauge({}, static_cast<double>(a.notifications.queue_depth));
  w.End();

  w.Begin("gatewatch_config_last_reload_success",
          "1 if the last config load or reload succeeded, 0 if it was rejected.",
          MetricType::Gauge);
  w.Gauge({}, a.last_reload_success ? 1 : 0);
  w.End();

  w.Begin("gatewatch_config_last_reload_timestamp_seconds",
          "When the config was last loaded or a reload attempted, Unix seconds.",
          MetricType::Gauge);
  w.Gauge({}, core::ToUnixSeconds(a.last_reload));
  w.End();
}

void RenderAlerts(Writer& w, const std::vector<alert::InstanceSnapshot>& alerts) {
  if (alerts.empty()) return;
  w.Begin("gatewatch_alert_state",
          "State of each alert rule x target: 0 inactive, 1 pending, 2 firing.",
          MetricType::Gauge);
  for (const auto& a : alerts) {
    w.Gauge({{"alert", a.rule}, {"target", a.target}}, static_cast<double>(a.state));
  }
  w.End();
}

bool Render(const status::StatusSnapshot& snapshot, std::string& out, const Sink* sink) {
  Writer w(out, sink);
  RenderTargets(w, snapshot.targets);
  RenderAlerts(w, snapshot.alerts);
  RenderAgent(w, snapshot.agent);
  return w.Flush(true);
}

}  // namespace

std::string RenderMetrics(const status::StatusSnapshot& snapshot) {
  std::string out;
  out.reserve(EstimateBytes(snapshot));
  Render(snapshot, out, nullptr);
  return out;
}

bool RenderMetrics(const status::StatusSnapshot& snapshot, const Sink& sink) {
  std::string buffer;
  buffer.reserve(kFlushBytes + kFlushBytes / 2);
  return Render(snapshot, buffer, &sink);
}

}  // namespace gatewatch::metrics
