#include "app/demo.h"

#include <cinttypes>
#include <cstdio>
#include <optional>

#include <spdlog/spdlog.h>

#include "app/app.h"
#include "app/signals.h"
#include "config/load.h"
#include "core/duration.h"
#include "core/log.h"
#include "server/demo_peers.h"

namespace gatewatch::app {
namespace {

using std::chrono::milliseconds;

struct DemoArgs {
  int speed = 1;
  std::optional<milliseconds> duration;
  std::string listen = "127.0.0.1:9502";
};

std::optional<DemoArgs> ParseArgs(const std::vector<std::string>& args, std::string& error) {
  DemoArgs out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if (args[i] == "--speed" && has_value) {
      out.speed = std::atoi(args[++i].c_str());
      if (out.speed < 1 || out.speed > 8) {
        error = "--speed takes a whole number from 1 to 8";
        return std::nullopt;
      }
    } else if (args[i] == "--duration" && has_value) {
      out.duration = core::ParseDuration(args[++i]);
      if (!out.duration) {
        error = "--duration takes a duration such as \"90s\"";
        return std::nullopt;
      }
    } else if (args[i] == "--listen" && has_value) {
      out.listen = args[++i];
    } else {
      error = "unknown demo argument \"" + args[i] + "\"";
      return std::nullopt;
    }
  }
  return out;
}

std::string Ms(milliseconds d, int speed) { return std::to_string(d.count() / speed) + "ms"; }

// The demo's config, through the real loader, so it is exactly what a user could write.
std::string DemoConfig(const server::DemoPeers& peers, const std::string& listen, int speed) {
  const auto s = [speed](long ms) { return Ms(milliseconds(ms), speed); };
  return "[agent]\nlisten = \"" + listen + "\"\nwindows = [\"" + s(20'000) + "\", \"5m\"]\n" +
         "labels = { env = \"demo\" }\n\n" +
         "[defaults]\ninterval = \"" + s(1'000) + "\"\ntimeout = \"" + s(500) + "\"\n\n" +
         "[[target]]\nname = \"shop-gateway\"\nurl = \"" + peers.GatewayUrl("/api/health") +
         // upstream: on each 502 the backend is probed directly, so the diagnosis says
         // which hop broke (the backend refusing), the thing the demo is there to show.
         "\"\nupstream = \"" + peers.BackendUrl("/health") +
         "\"\nlabels = { tier = \"gateway\" }\n\n" +
         "[[target]]\nname = \"shop-backend\"\nurl = \"" + peers.BackendUrl("/health") +
         "\"\nlabels = { tier = \"backend\" }\n\n" +
         "[[alert]]\nname = \"gateway-502\"\ntargets = [\"shop-gateway\"]\n"
         "signal = \"502_ratio\"\nwindow = \"" + s(20'000) + "\"\nabove = 0.3\n"
         "clear_below = 0.1\nmin_samples = 5\nfor = \"" + s(3'000) + "\"\nrepeat = \"0s\"\n"
         "severity = \"critical\"\n";
}

void PrintAlert(const alert::AlertEvent& e) {
  const bool firing = e.status == alert::AlertStatus::kFiring;
  std::printf("\n  +-- console notifier ------------------------------------------------\n");
  std::printf("  | [%s] %s on %s (severity %s)\n", firing ? "FIRING" : "RESOLVED",
              e.rule.c_str(), e.target.c_str(), e.severity.c_str());
  std::printf("  | %s\n", e.summary.c_str());
  if (!e.diagnosis.empty()) std::printf("  | diagnosis: %s\n", e.diagnosis.c_str());
  if (!e.trace_id.empty()) std::printf("  | trace id:  %s\n", e.trace_id.c_str());
  std::printf("  +--------------------------------------------------------------------\n\n");
  std::fflush(stdout);
}

void PrintView(const status::StatusSnapshot& snap, double elapsed_s) {
  std::printf("[%5.1fs]", elapsed_s);
  bool first = true;
  for (const auto& target : snap.targets) {
    const status::TargetStatus& t = *target;
    std::printf("%s %-13s", first ? "" : "\n        ", t.name.c_str());
    first = false;
    if (!t.last) {
      std::printf(" waiting for the first probe");
      continue;
    }
    const auto& w = t.windows.front();
    std::printf(" %-4s", t.up ? "UP" : "DOWN");
    if (t.last->http_status != 0) {
      std::printf(" http %d", t.last->http_status);
    } else {
      std::printf(" %-8s", std::string(probe::ReasonName(t.last->reason)).c_str());
    }
    std::printf("  502 ratio %.2f of %3" PRIu32, status::WindowSummary::Ratio(w.status_502, w.total),
                w.total);
    if (w.p99) std::printf("  p99 %6.1fms", *w.p99 * 1000);
    if (!t.up) std::printf("\n          %s", t.diagnosis.c_str());
  }
  for (const auto& a : snap.alerts) {
    std::printf("\n        alert %s on %s: %s", a.rule.c_str(), a.target.c_str(),
                std::string(alert::StateName(a.state)).c_str());
  }
  std::printf("\n");
  std::fflush(stdout);
}

}  // namespace

int RunDemo(const std::vector<std::string>& args) {
  std::string error;
  const auto parsed = ParseArgs(args, error);
  if (!parsed) {
    std::fprintf(stderr, "gatewatch demo: %s\n", error.c_str());
    return 2;
  }
  const DemoArgs& demo = *parsed;
  core::SetupLogging(core::LogFormat::kText, "warn");
  BlockSignals();

  server::DemoPeers peers;
  peers.Start();
  std::unique_ptr<App> app;
  for (const std::string& listen : {demo.listen, std::string("127.0.0.1:0")}) {
    auto loaded = config::ParseConfig(DemoConfig(peers, listen, demo.speed), "demo.toml",
                                      [](std::string_view) { return std::nullopt; });
    if (!loaded.config) {
      for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
      return 1;
    }
    AppOptions options;
    options.on_alert_events = [](const std::vector<alert::AlertEvent>& events) {
      for (const auto& e : events) PrintAlert(e);
    };
    try {
      app = std::make_unique<App>(std::move(*loaded.config), std::move(options));
      break;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "gatewatch demo: %s; trying another port\n", e.what());
    }
  }
  if (!app) return 1;

  const int port = app->http_port();
  std::printf(
      "gatewatch demo: watching a gateway (%s) and its backend (%s) on loopback.\n"
      "  status page  http://127.0.0.1:%d/\n  metrics      http://127.0.0.1:%d/metrics\n"
      "  API          http://127.0.0.1:%d/api/v1/targets  and  /api/v1/alerts\n"
      "The backend crashes at %ds and heals at %ds; the alert gateway-502 fires when over 30%%\n"
      "of the gateway's answers in the last %ds are 502s, and resolves below 10%%. Ctrl-C stops.\n\n",
      peers.GatewayUrl("/api/health").c_str(), peers.BackendUrl("/health").c_str(), port, port,
      port, 10 / demo.speed, 30 / demo.speed, 20 / demo.speed);
  std::fflush(stdout);

  SignalWatcher signals([&app] { app->Stop(); }, [] {});
  const auto start = std::chrono::steady_clock::now();
  const auto at = [&](long ms) { return start + milliseconds(ms / demo.speed); };
  bool crashed = false, healed = false;
  auto next_view = start + milliseconds(2000 / demo.speed);
  while (!app->stopping()) {
    app->Step(milliseconds(100));
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - start).count();
    if (!crashed && now >= at(10'000)) {
      crashed = true;
      peers.CrashBackend();
      std::printf("[%5.1fs] *** demo: the backend crashed (its port now refuses connections)\n",
                  elapsed);
    }
    if (!healed && now >= at(30'000)) {
      healed = true;
      peers.HealBackend();
      std::printf("[%5.1fs] *** demo: the backend is back\n", elapsed);
    }
    if (now >= next_view) {
      next_view += milliseconds(2000 / demo.speed);
      PrintView(*app->Snapshot(), elapsed);
    }
    if (demo.duration && now - start >= *demo.duration) app->Stop();
  }
  app.reset();
  peers.Stop();
  std::printf("gatewatch demo: stopped\n");
  return 0;
}

}  // namespace gatewatch::app
