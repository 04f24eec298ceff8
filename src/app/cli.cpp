#include "app/cli.h"

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "app/app.h"
#include "app/demo.h"
#include "app/probe_command.h"
#include "app/signals.h"
#include "config/load.h"
#include "config/values.h"
#include "core/allocator.h"
#include "core/log.h"
#include "core/version.h"
#include "notify/dispatcher.h"
#include "service/systemd_notifier.h"
#include "service/watchdog_ticker.h"

namespace gatewatch::app {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

constexpr const char* kUsage = R"(gatewatch - finds 502s and says which hop broke

Usage:
  gatewatch --config PATH [--shard I/N]    run the agent (same as: gatewatch run --config PATH)
  gatewatch check-config PATH             validate a config; prints PATH:LINE:COL: errors
  gatewatch probe URL [--upstream URL] [--timeout D] [--header 'K: V']... [--json]
                                          probe once now: timing waterfall, who answered,
                                          the diagnosis (exit 0 passed, 1 failed)
  gatewatch notify-test --config PATH NOTIFIER
                                          send one test alert through NOTIFIER and print
                                          the receiver's answer (exit 0 delivered, 1 not)
  gatewatch demo [--speed N] [--duration D]
                                          watch a built-in gateway and flaky backend on
                                          loopback: a 502 incident fires and resolves
  gatewatch --version | --help

Run options:
  --config PATH   the TOML config (see config/example.toml)
  --shard I/N     probe only the targets that hash to replica I of N (overrides agent.shard;
                  the GATEWATCH_SHARD environment variable does the same)

Signals: SIGHUP reloads the config, SIGTERM/SIGINT stop gracefully.
Exit codes: 0 clean stop, 1 runtime failure, 2 bad usage or invalid config.
)";

int Usage(const std::string& problem) {
  std::fprintf(stderr, "gatewatch: %s\n\n%s", problem.c_str(), kUsage);
  return kExitUsage;
}

void PrintErrors(const std::vector<config::ConfigError>& errors) {
  for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
}

// Sockets are the agent's main resource (one per in-flight probe): use the hard limit.
void RaiseFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

int CheckConfig(const std::vector<std::string>& args) {
  if (args.size() != 1) return Usage("check-config takes exactly one PATH");
  const auto result = config::LoadConfigFile(args[0], config::ProcessEnv());
  if (!result.config) {
    PrintErrors(result.errors);
    std::fprintf(stderr, "%s: %zu error%s\n", args[0].c_str(), result.errors.size(),
                 result.errors.size() == 1 ? "" : "s");
    return kExitUsage;
  }
  std::printf("%s: OK: %s\n", args[0].c_str(), config::Summarize(*result.config).c_str());
  return kExitOk;
}

int NotifyTest(const std::vector<std::string>& args) {
  std::string path, notifier;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "--config" || args[i] == "-c") && i + 1 < args.size()) {
      path = args[++i];
    } else if (notifier.empty() && args[i].rfind("-", 0) != 0) {
      notifier = args[i];
    } else {
      return Usage("unknown argument \"" + args[i] + "\"");
    }
  }
  if (path.empty() || notifier.empty()) return Usage("notify-test needs --config PATH NOTIFIER");
  const auto loaded = config::LoadConfigFile(path, config::ProcessEnv());
  if (!loaded.config) {
    PrintErrors(loaded.errors);
    return kExitUsage;
  }
  core::SetupLogging(core::LogFormat::kText, "warn");
  core::SystemClock clock;
  // Memory only: a test alert must not touch the running agent's outbox.
  config::Config config = *loaded.config;
  config.agent.state_dir.clear();
  notify::Dispatcher dispatcher(config, clock, notify::DispatcherOptions{});
  const auto result = dispatcher.SendTest(notifier, std::chrono::seconds(30));
  std::printf("%s: %s (http %d) %s\n", notifier.c_str(), result.ok ? "delivered" : "NOT delivered",
              result.http_status, result.detail.c_str());
  return result.ok ? kExitOk : kExitFailure;
}

int RunAgent(const std::vector<std::string>& args) {
  std::string path;
  std::optional<config::Shard> shard;
  if (const char* env = std::getenv("GATEWATCH_SHARD"); env != nullptr && *env != '\0') {
    shard = config::ParseShard(env);
    if (!shard)
      return Usage("GATEWATCH_SHARD must look like I/N with I < N, got \"" + std::string(env) +
                   "\"");
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "--config" || args[i] == "-c") && i + 1 < args.size()) {
      path = args[++i];
    } else if (args[i].rfind("--config=", 0) == 0) {
      path = args[i].substr(9);
    } else if (args[i] == "--shard" && i + 1 < args.size()) {
      shard = config::ParseShard(args[++i]);
      if (!shard) return Usage("--shard must look like I/N with I < N");
    } else {
      return Usage("unknown argument \"" + args[i] + "\"");
    }
  }
  if (path.empty()) return Usage("--config PATH is required");

  const auto load = [path, shard]() {
    auto result = config::LoadConfigFile(path, config::ProcessEnv());
    if (result.config && shard) result.config->agent.shard = *shard;
    return result;
  };
  auto loaded = load();
  if (!loaded.config) {
    PrintErrors(loaded.errors);
    return kExitUsage;
  }
  core::SetupLogging(loaded.config->agent.log_format, loaded.config->agent.log_level);
  RaiseFileLimit();

  BlockSignals();

  service::SystemdNotifier systemd;
  AppOptions options;
  options.reload_source = load;
  options.on_reload_start = [&systemd] { systemd.Reloading(); };
  options.on_reload_done = [&systemd](const ReloadOutcome& r) { systemd.Ready(r.message); };
  std::unique_ptr<App> app;
  try {
    app = std::make_unique<App>(std::move(*loaded.config), std::move(options));
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    return kExitFailure;
  }
  spdlog::info("gatewatch {} running with {} (port {}, {})", core::kVersion, path, app->http_port(),
               core::AllocatorName());

  // Destroyed (its thread joined) before the App, so a late signal never finds it gone.
  auto signals = std::make_unique<SignalWatcher>(
      [&app, &systemd] {
        systemd.Stopping();
        app->Stop();
      },
      [&app, &path] {
        spdlog::info("SIGHUP: reloading {}", path);
        const auto outcome = app->RequestReload();
        if (!outcome.ok) spdlog::warn("{}", outcome.message);
      });
  const std::size_t probing = app->Readiness().targets;
  systemd.Ready("probing " + std::to_string(probing) + (probing == 1 ? " target" : " targets") +
                ", listening on port " + std::to_string(app->http_port()));
  // Pings only while the probe loop is iterating, so systemd restarts a wedged agent.
  std::optional<service::WatchdogTicker> watchdog;
  if (const auto interval = systemd.WatchdogInterval()) {
    watchdog.emplace(systemd, *interval / 2, [&app] { return app->Alive(); });
  }
  int code = kExitOk;
  try {
    app->Run();
  } catch (const std::exception& e) {
    spdlog::critical("probe loop failed: {}", e.what());
    code = kExitFailure;
  }
  watchdog.reset();
  signals.reset();
  app.reset();
  spdlog::info("stopped");
  return code;
}

}  // namespace

int RunCli(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return Usage("no command given");
  const std::string command = args[0];
  if (command == "--version" || command == "version") {
    std::printf("gatewatch %s\nallocator: %s\n", core::kVersion, core::AllocatorName().c_str());
    return kExitOk;
  }
  if (command == "--help" || command == "-h" || command == "help") {
    std::printf("%s", kUsage);
    return kExitOk;
  }
  if (command == "check-config") return CheckConfig({args.begin() + 1, args.end()});
  if (command == "run") return RunAgent({args.begin() + 1, args.end()});
  if (command == "demo") return RunDemo({args.begin() + 1, args.end()});
  if (command == "notify-test") return NotifyTest({args.begin() + 1, args.end()});
  if (command == "probe") return RunProbeCommand({args.begin() + 1, args.end()});
  if (command.rfind("--config", 0) == 0 || command == "-c") return RunAgent(args);
  return Usage("unknown command \"" + command + "\"");
}

}  // namespace gatewatch::app
