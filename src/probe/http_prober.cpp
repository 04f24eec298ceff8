#include "probe/http_prober.h"

#include <strings.h>

#include <utility>

#include "core/version.h"
#include "probe/classify.h"

namespace gatewatch::probe {
namespace {

constexpr std::string_view kTraceparent = "traceparent";

void WriteHex(std::uint64_t value, char* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out[i] = kDigits[value & 0xF];
    value >>= 4;
  }
}

bool IsHeader(const std::string& name, std::string_view wanted) {
  return name.size() == wanted.size() &&
         strncasecmp(name.data(), wanted.data(), wanted.size()) == 0;
}

}  // namespace

HttpProber::HttpProber(net::CurlMulti& multi, const core::Clock& clock, std::uint64_t seed)
    : multi_(multi),
      clock_(clock),
      rng_(seed),
      user_agent_(std::string("gatewatch/") + core::kVersion) {}

HttpProber::~HttpProber() { CancelAll(); }

void HttpProber::BuildRequest(const config::TargetSpec& target, std::string_view resolve_to,
                              const Probe& probe) {
  net::HttpRequest& r = request_;
  r.url = target.url;
  r.method = target.method;
  r.body = target.body;
  r.timeout = target.timeout;
  r.follow_redirects = target.follow_redirects;
  r.tls_insecure = target.tls_insecure;
  r.max_body_bytes = target.max_body_bytes;
  r.fresh_connection = target.connection == config::ConnectionMode::kFresh;
  r.resolve_to = resolve_to;

  // Assigning into existing elements keeps their capacity from the previous probe.
  std::size_t n = 0;
  const auto next = [&r, &n]() -> std::pair<std::string, std::string>& {
    if (r.headers.size() <= n) r.headers.resize(n + 1);
    return r.headers[n++];
  };
  bool has_user_agent = false;
  for (const config::Header& h : target.headers) {
    if (IsHeader(h.name, kTraceparent)) continue;
    has_user_agent = has_user_agent || IsHeader(h.name, "user-agent");
    auto& header = next();
    header.first = h.name;
    header.second = h.value.Reveal();
  }
  if (!has_user_agent) {
    auto& header = next();
    header.first = "User-Agent";
    header.second = user_agent_;
  }
  auto& traceparent = next();
  traceparent.first = kTraceparent;
  // "00-" + 32 hex trace id + "-" + 16 hex span id + "-01"
  traceparent.second.assign("00-");
  traceparent.second.append(probe.trace_id, sizeof(probe.trace_id));
  traceparent.second.append("-0000000000000000-01");
  std::uint64_t span = rng_();
  if (span == 0) span = 1;
  WriteHex(span, traceparent.second.data() + 36);
  r.headers.resize(n);
}

HttpProber::ProbeId HttpProber::Start(const config::TargetSpec& target, Callback on_done,
                                      std::string_view resolve_to) {
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(probes_.size());
    probes_.emplace_back();
  }
  Probe& p = probes_[slot];
  if (++p.generation == 0) p.generation = 1;
  p.target = &target;
  p.on_done = std::move(on_done);
  p.started = clock_.Now();
  p.wall_started = clock_.WallNow();
  std::uint64_t high = rng_(), low = rng_();
  if (high == 0 && low == 0) low = 1;  // an all-zero trace id is invalid in W3C trace context
  WriteHex(high, p.trace_id);
  WriteHex(low, p.trace_id + 16);
  p.active = true;
  ++in_flight_;
  const ProbeId id = (static_cast<ProbeId>(p.generation) << 32) | slot;

  BuildRequest(target, resolve_to, p);
  // The lambda holds two words, so std::function stores it without a heap allocation.
  p.request = multi_.Start(
      request_, [this, slot](net::HttpResponse&& response) { OnDone(slot, std::move(response)); });
  return id;
}

void HttpProber::OnDone(std::uint32_t slot, net::HttpResponse&& response) {
  Probe& p = probes_[slot];
  if (response.error == net::TransportError::kCancelled) {
    Release(slot);
    return;
  }
  ProbeResult result = Classify(*p.target, std::move(response));
  result.started = p.started;
  result.wall_started = p.wall_started;
  result.trace_id.assign(p.trace_id, sizeof(p.trace_id));
  Callback on_done = std::move(p.on_done);
  // Released first: on_done may start the next probe, which may reuse this slot.
  Release(slot);
  if (on_done) on_done(std::move(result));
}

void HttpProber::Release(std::uint32_t slot) {
  Probe& p = probes_[slot];
  p.active = false;
  p.target = nullptr;
  p.on_done = nullptr;
  p.request = 0;
  free_.push_back(slot);
  --in_flight_;
}

void HttpProber::Cancel(ProbeId id) {
  const auto slot = static_cast<std::uint32_t>(id & 0xffffffffu);
  const auto generation = static_cast<std::uint32_t>(id >> 32);
  if (slot >= probes_.size()) return;
  const Probe& p = probes_[slot];
  if (!p.active || p.generation != generation) return;
  multi_.Cancel(p.request);
}

void HttpProber::CancelAll() {
  for (std::uint32_t slot = 0; slot < probes_.size(); ++slot) {
    if (probes_[slot].active) multi_.Cancel(probes_[slot].request);
  }
}

}  // namespace gatewatch::probe
