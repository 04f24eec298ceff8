#pragma once
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "alert/event.h"
#include "config/config.h"
#include "config/load.h"
#include "core/clock.h"
#include "notify/dispatcher.h"
#include "server/http_api.h"
#include "status/snapshot.h"

namespace gatewatch::app {

struct ReloadOutcome {
  bool ok = false;
  std::string message;  // "reloaded: 3 targets (1 added, 1 removed, 1 changed)" or the errors
};

struct AppOptions {
  const core::Clock* clock = nullptr;  // not owned; nullptr = the system clock
  std::uint64_t seed = 0;              // jitter and trace ids; 0 = from std::random_device
  bool serve_http = true;              // false: no listener (tests that only drive the loop)
  // How often the loop re-judges the agent's own status: saturation (the worst schedule lag
  // since the last time), which snapshots carry.
  std::chrono::milliseconds status_interval{1000};
  // How often alert rules are judged against the windows.
  std::chrono::milliseconds evaluate_interval{1000};
  // Receives every notification-worthy alert event (fired, reminder, resolved), on the probe
  // loop thread; it must not block (hand the events to a queue). Events are logged either way.
  std::function<void(const std::vector<alert::AlertEvent>&)> on_alert_events;
  // Start the notification dispatcher's own thread. Tests that drive delivery step by step
  // set this false and call dispatcher()->RunOnce().
  bool start_dispatcher = true;
  // How long a stop keeps delivering queued notifications before saving the rest.
  std::chrono::milliseconds notify_grace{5000};
  // Produces the config for a reload (SIGHUP, POST /-/reload); usually re-reads the file.
  // Unset: reloads are refused.
  std::function<config::LoadResult()> reload_source;
  // Called on the loop thread around every reload (SIGHUP, POST /-/reload): on_reload_start
  // before the config is read, on_reload_done with the outcome, taken or rejected. They must
  // not block (systemd's RELOADING=1 ... READY=1). Either may be unset.
  std::function<void()> on_reload_start;
  std::function<void(const ReloadOutcome&)> on_reload_done;
};

// Owns and wires everything: prober, scheduler, windows, HTTP API. The probe loop (Run or
// Step) runs on one thread and owns all probe state; other threads only read snapshots or
// post requests (Stop, RequestReload, Snapshot while Run is active), which wake the loop.
// Snapshots are built when asked for, not on a timer: while no reader holds one, the loop
// changes every target's status in place, and only a read makes it copy (see
// status::SnapshotLedger).
//
// Construction binds the listener, so a port in use throws std::runtime_error before any
// probing starts.
class App {
 public:
  // Probes started per loop iteration at most: completions are reaped between batches, so a
  // burst of due targets (start-up, a long GC-like stall) never piles thousands of
  // handshakes into flight at once, and their measured latency is not inflated by our own
  // start work. While the loop is behind (saturated), in-flight probes settle at about twice
  // this: a started batch takes about two iterations to finish. Each holds some 30 KB
  // (curl's handle and 16 KB receive buffer, the connection, the request and result), so at
  // 10,000 targets and the highest rate a 2-core machine sustains, 256 held ~72 MB resident
  // against ~58 MB for 32, for no more throughput: a saturated loop is CPU-bound either way,
  // and a backlogged iteration does not wait in Poll(), so 32 per iteration still starts far
  // more than any machine here completes. It caps starts, not probes in flight: probes that
  // hang until their timeout never hold back the ones due after them.
  static constexpr std::size_t kMaxStartsPerStep = 32;

  App(config::Config config, AppOptions options);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Loops Step() until Stop(); then cancels in-flight probes. Call from one thread only.
  void Run();
  // One loop iteration: starts due probes, waits up to max_wait (less if a probe is due
  // sooner) for network activity, records completions, publishes a snapshot when due.
  void Step(std::chrono::milliseconds max_wait);

  // Thread-safe, and cheap: asks Run() to return.
  void Stop();
  bool stopping() const { return stop_requested_.load(); }

  // Thread-safe. Asks the loop to reload from options.reload_source and waits (up to
  // `limit`) for the outcome. Safe to call while Run() is active on another thread.
  ReloadOutcome RequestReload(std::chrono::milliseconds limit = std::chrono::seconds(10));
  // Loop thread only: validates nothing more (the config is already valid) and swaps it in.
  // Unchanged targets keep their windows; a changed target keeps them unless its URL changed.
  ReloadOutcome ApplyConfig(config::Config config);
  // Loop thread only: records a rejected reload (metrics + log) and keeps the old config.
  ReloadOutcome RejectConfig(const std::vector<config::ConfigError>& errors);

  // Every target's status as of now; thread-safe. Readers within a second of each other
  // share one snapshot while any of them holds it. Built on the calling thread while no
  // Run() is active (waiting for a Step() in progress on another thread to end), else asked
  // of the loop, which builds it in slices between probe batches: then nullptr if the loop
  // does not answer within 2 s and no earlier snapshot is still held.
  std::shared_ptr<const status::StatusSnapshot> Snapshot() const;
  // Loop thread only: judges the agent's own status now (saturation) and builds a fresh
  // snapshot for the next Snapshot() calls (tests use it after Step()).
  void PublishSnapshot();
  // For /readyz and start-up messages; thread-safe and cheap (no snapshot).
  server::Readiness Readiness() const;

  int http_port() const;  // bound port; 0 when serve_http is false
  // The notification dispatcher (never null). For tests and notify-test.
  notify::Dispatcher* dispatcher();
  // True while the loop has run an iteration recently (for /healthz).
  bool Alive() const;

 private:
  void RestoreAlerts(const std::string& state_dir);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace gatewatch::app
