#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/secret.h"
#include "status/snapshot.h"
#include "status/target_history.h"

// The agent's HTTP endpoints, served from published StatusSnapshots (never loop state):
//   GET  /               status page (HTML; server/status_page.h): alerts on top, failing
//                        targets first, why, since when, a sparkline each; its script
//                        refreshes it from the JSON below every 10 s
//   GET  /target/<name>  one target's detail view (HTML; server/target_page.h): the last
//                        results with timing waterfalls; 404 page for an unknown name
//   GET  /assets/status.css, /assets/status.js  the pages' stylesheet and script, compiled in
//                        (server/status_assets.h); cacheable for a year (the pages link them
//                        by a content-hash URL)
//   GET  /metrics        Prometheus text (metrics::RenderMetrics); 503 without a snapshot
//   GET  /healthz        200 "ok" while alive(), else 503
//   GET  /readyz         200 "ready" once readiness() is, else 503 with the reason
//   GET  /api/v1/targets JSON (below); `?target=NAME` keeps only that target (404 if unknown)
//   GET  /api/v1/alerts  JSON: every alert instance (rule x target), firing first
//                        (server/alerts_json.h)
//   GET  /api/v1/targets/<name>/history  JSON: the target's last results, newest first, with
//                        their phase timings (server/history_json.h); 404 for an unknown
//                        name, 503 when the probe loop did not answer in time
//   POST /-/reload       Authorization: Bearer <api_token>; 403 when no token is configured,
//                        401 without or with a wrong token, 200 + message when the reload
//                        succeeded, 400 + the errors when the new config was rejected
// Unknown paths answer 404, known paths with another method 405 (with Allow). HEAD works
// wherever GET does. Large responses (/metrics, /api/v1/targets, /) are streamed in chunks,
// so memory stays bounded at any number of targets; gzip is used when the client asks.
// HTML pages carry a Content-Security-Policy that allows only the agent's own script and
// stylesheet (no inline script), a second line of defence behind the escaping.
//
// /api/v1/targets:
//   {"generated": RFC 3339, "targets": [{
//      "name", "url" (redacted), "labels": {..}, "interval", "timeout" (duration strings),
//      "up", "state_since" (RFC 3339), "consecutive_failures", "probes_total",
//      "last": null | {"status", "success", "reason" ("" when it passed), "detail",
//                      "latency_seconds", "phases": {dns|connect|tls|ttfb|transfer: seconds,
//                      measured ones only}, "remote_ip", "started" (RFC 3339), "trace_id",
//                      "tls_not_after" (Unix seconds or null)},
//      "windows": [{"window": "1m", "samples", "failed", "status_5xx", "status_502",
//                   "status_503", "status_504",
//                   "ratios": {"502", "503", "504", "5xx", "failure"},
//                   "latency_seconds": {"0.5", "0.9", "0.99"} or null when empty}],
//      "diagnosis": sentence or null, "responder": null | {"name", "origin", "evidence",
//                   "display" (for sentences: "nginx", "the AWS load balancer")},
//      "sparkline": {"span": "15m", "point": "30s", "ratio_502": [30 shares or null],
//                    "latency_seconds": [30 slowest-probe latencies or null]}}]}
//      (sparkline: oldest point first, the last one holds the snapshot's time; null: no probe
//      finished in that point; see status::Sparkline)
//   Numbers are always finite.
//
// Hostile clients: request bodies over 64 KiB are refused (413), a new connection must start
// its request within 1 s, reads and writes time out after 5 s, each connection serves one
// request (Connection: close; no keep-alive), and a fixed pool of 8 threads serves everything.
namespace gatewatch::server {

struct ReloadOutcome {
  bool ok = false;
  std::string message;  // what changed, or the config errors (one per line)
};

// One target's recent results as the probe loop had them at `as_of` (wall time).
struct HistoryReply {
  status::RecentResults recent;
  core::Clock::WallTimePoint as_of{};
};

// What /readyz answers: ready once the config is loaded and every target was probed once.
struct Readiness {
  bool loaded = false;      // the config is in; false while the agent starts
  bool ready = false;       // loaded, and every target probed once
  std::size_t targets = 0;  // targets this agent probes
  std::size_t waiting = 0;  // of those, not yet probed once
};
// A snapshot's readiness (for callers without a cheaper source, such as tests).
Readiness ReadinessOf(const status::StatusSnapshot& snapshot);

struct HttpApiOptions {
  std::string listen = "127.0.0.1:0";  // "host:port", IPv6 as "[::1]:0"; port 0 = ephemeral
  // A snapshot of every target as of about now; nullptr when none could be had in time
  // (the probe loop is stuck: the endpoints answer 503). Called from server threads, so it
  // must be thread-safe; it may block for a bounded time.
  std::function<std::shared_ptr<const status::StatusSnapshot>()> snapshot;
  std::function<bool()> alive;  // /healthz; thread-safe; unset = always alive
  // /readyz; thread-safe, and cheap (Kubernetes asks every few seconds, and a snapshot of
  // every target is not cheap). Unset: from the snapshot.
  std::function<Readiness()> readiness;
  core::Secret api_token;       // empty: POST /-/reload answers 403
  // Runs a reload and returns its outcome; called on a server thread, may block (bounded).
  std::function<ReloadOutcome()> reload;
  // The recent results of the target of that name, asked of the probe loop that owns them;
  // nullopt when the loop did not answer in time (or no longer knows the name). Called on a
  // server thread; may block (bounded, a few seconds). Unset: the detail view shows no
  // results and the history endpoint answers 503.
  std::function<std::optional<HistoryReply>(const std::string& target)> history;
};

// Owns a cpp-httplib server and its threads. Start/Stop/the destructor are for the owning
// thread; the callbacks in HttpApiOptions run on server threads.
class HttpApi {
 public:
  explicit HttpApi(HttpApiOptions options);
  ~HttpApi();  // Stop()
  HttpApi(const HttpApi&) = delete;
  HttpApi& operator=(const HttpApi&) = delete;

  // Binds and starts serving on its own threads; returns once it accepts connections.
  // Throws std::runtime_error on failure, e.g. "cannot listen on 0.0.0.0:9502: Address
  // already in use" or "invalid listen address \"x\": expected host:port". Call once.
  void Start();
  // Stops accepting and waits for the server threads: prompt when no request is in progress;
  // a connection that has not sent its request yet may take 1 s, a stalled client up to the
  // 5 s I/O timeout. Idempotent.
  void Stop();
  int port() const { return port_; }  // the bound port, after Start(); 0 before

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace gatewatch::server
