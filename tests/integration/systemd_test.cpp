// gatewatch under systemd: the unit passes systemd-analyze (verify, and a security exposure
// of at most 2.0), and the real binary speaks the notify protocol to a socket the test
// binds in place of systemd: READY=1 once serving, RELOADING=1 then READY=1 around every
// reload (SIGHUP and POST /-/reload, taken or rejected), WATCHDOG=1 while the loop runs,
// STOPPING=1 on SIGTERM. Without $NOTIFY_SOCKET it runs as before.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <regex>
#include <string>
#include <vector>

#include "support/child_process.h"
#include "support/deploy_files.h"
#include "support/fake_upstream.h"
#include "support/nginx_fixture.h"
#include "support/notify_socket.h"
#include "support/wait.h"

namespace gatewatch::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kSystemdAnalyze = "/usr/bin/systemd-analyze";
constexpr auto kWait = seconds(5);

bool HasSystemdAnalyze() { return access(kSystemdAnalyze, X_OK) == 0; }

// The repository's unit with ExecStart pointing at the binary under test (verify checks
// that the executable exists).
std::string UnitForBuiltBinary(const TempDir& dir) {
  std::string unit = ReadFile(SourcePath("deploy/systemd/gatewatch.service"));
  const std::string packaged = "/usr/bin/gatewatch";
  const auto at = unit.find("ExecStart=" + packaged);
  if (at == std::string::npos) return "";
  unit.replace(at + 10, packaged.size(), GATEWATCH_BINARY);
  return dir.Write("gatewatch.service", unit);
}

TEST(SystemdAnalyze, VerifiesClean) {
  if (!HasSystemdAnalyze()) GTEST_SKIP() << kSystemdAnalyze << " not installed";
  TempDir dir;
  const auto unit = UnitForBuiltBinary(dir);
  ASSERT_FALSE(unit.empty());
  const auto result = RunCommand(kSystemdAnalyze, {"verify", unit});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  // Warnings (unknown keys, bad values) name the unit file and do not change the exit code.
  EXPECT_EQ(result.output.find("gatewatch.service"), std::string::npos) << result.output;
}

TEST(SystemdAnalyze, SecurityExposureIsAtMostTwo) {
  if (!HasSystemdAnalyze()) GTEST_SKIP() << kSystemdAnalyze << " not installed";
  const auto unit = SourcePath("deploy/systemd/gatewatch.service");
  const auto result = RunCommand(kSystemdAnalyze, {"security", "--offline=yes", unit});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(result.output, m,
                                std::regex(R"(Overall exposure level for gatewatch\.service: )"
                                           R"(([0-9]+\.[0-9]+))")))
      << result.output;
  EXPECT_LE(std::stod(m[1].str()), 2.0) << result.output;
  // The same bar as systemd-analyze itself applies it (--threshold is in tenths).
  EXPECT_EQ(
      RunCommand(kSystemdAnalyze, {"security", "--offline=yes", "--threshold=20", unit}).exit_code,
      0);
}

std::string Config(const std::string& backend_url, int targets) {
  std::string text =
      "[agent]\nlisten = \"127.0.0.1:0\"\napi_token = \"test-reload-token\"\n\n"
      "[defaults]\ninterval = \"1s\"\ntimeout = \"200ms\"\n";
  for (int i = 0; i < targets; ++i) {
    text += "\n[[target]]\nname = \"t" + std::to_string(i) + "\"\nurl = \"" + backend_url + "\"\n";
  }
  return text;
}

bool StartsWith(const std::string& message, const std::string& prefix) {
  return message.starts_with(prefix);
}

// Reads until a RELOADING=1 and then the READY=1 that ends that reload; returns the
// READY=1 message's STATUS (nullopt if either is missing or they come out of order).
std::optional<std::string> ExpectReloadCycle(NotifySocket& socket) {
  std::vector<std::string> before;
  const auto reloading = socket.ReceiveMatching(
      [](const std::string& m) { return StartsWith(m, "RELOADING=1\n"); }, kWait, &before);
  if (!reloading) return std::nullopt;
  for (const auto& m : before) {
    if (m != "WATCHDOG=1") return std::nullopt;  // only pings may come in between
  }
  // systemd >= 253 matches the reload by this timestamp; it must be CLOCK_MONOTONIC now.
  const auto usec = NotifyField(*reloading, "MONOTONIC_USEC");
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const auto now_usec = static_cast<long long>(now.tv_sec) * 1'000'000LL + now.tv_nsec / 1'000;
  if (!usec || std::stoll(*usec) > now_usec || std::stoll(*usec) < now_usec - 10'000'000LL) {
    return std::nullopt;
  }
  const auto ready = socket.ReceiveMatching(
      [](const std::string& m) { return StartsWith(m, "READY=1\n"); }, kWait);
  if (!ready) return std::nullopt;
  return NotifyField(*ready, "STATUS");
}

TEST(SdNotify, ReadyReloadWatchdogAndStopping) {
  FakeUpstream backend;
  backend.Set("/health", FakeUpstream::Step(200, "ok"));
  backend.Start();
  TempDir dir;
  NotifySocket socket(dir.path() + "/notify.sock");
  const auto config = dir.Write("gatewatch.toml", Config(backend.Url("/health"), 1));
  ChildProcess agent(GATEWATCH_BINARY, {"--config", config},
                     {"NOTIFY_SOCKET=" + socket.path(), "WATCHDOG_USEC=200000"});

  // READY=1 is the first thing systemd hears, once the listener is bound.
  const auto ready = socket.Receive(kWait);
  ASSERT_TRUE(ready) << agent.Output();
  ASSERT_TRUE(StartsWith(*ready, "READY=1\n")) << *ready;
  const auto status = NotifyField(*ready, "STATUS").value_or("");
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(status, m, std::regex(R"(probing 1 target, listening on port (\d+))")))
      << status;
  const int port = std::stoi(m[1].str());
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  const auto health = client.Get("/healthz");
  ASSERT_TRUE(health) << "READY=1 was sent before the listener answered";
  EXPECT_EQ(health->status, 200);

  // WATCHDOG_USEC=200ms: a ping every 100 ms while the loop runs.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(
        socket.ReceiveMatching([](const std::string& s) { return s == "WATCHDOG=1"; }, seconds(2)),
        "WATCHDOG=1")
        << agent.Output();
  }

  // SIGHUP with a new target: RELOADING=1, then READY=1 saying what was loaded.
  dir.Write("gatewatch.toml", Config(backend.Url("/health"), 2));
  agent.Signal(SIGHUP);
  auto reloaded = ExpectReloadCycle(socket);
  ASSERT_TRUE(reloaded) << agent.Output();
  EXPECT_NE(reloaded->find("reloaded: 2 targets"), std::string::npos) << *reloaded;

  // A broken config is rejected, and systemd still hears the reload end (the agent is
  // ready, on the previous config), with the first error in one line.
  dir.Write("gatewatch.toml", "[[target]]\nname = \"t0\"\nurl = \"gopher://x\"\n");
  agent.Signal(SIGHUP);
  reloaded = ExpectReloadCycle(socket);
  ASSERT_TRUE(reloaded) << agent.Output();
  EXPECT_NE(reloaded->find("config rejected"), std::string::npos) << *reloaded;
  EXPECT_NE(reloaded->find("gatewatch.toml:3:7"), std::string::npos) << *reloaded;

  // POST /-/reload goes through the same cycle.
  dir.Write("gatewatch.toml", Config(backend.Url("/health"), 3));
  const auto post =
      client.Post("/-/reload", {{"Authorization", "Bearer test-reload-token"}}, "", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 200) << post->body;
  reloaded = ExpectReloadCycle(socket);
  ASSERT_TRUE(reloaded) << agent.Output();
  EXPECT_NE(reloaded->find("reloaded: 3 targets"), std::string::npos) << *reloaded;

  agent.Signal(SIGTERM);
  const auto stopping = socket.ReceiveMatching(
      [](const std::string& s) { return StartsWith(s, "STOPPING=1"); }, kWait);
  EXPECT_TRUE(stopping) << agent.Output();
  EXPECT_EQ(agent.Wait(kWait), 0) << agent.Output();
}

// Runs the agent with `env`, checks it serves /healthz and stops cleanly on SIGTERM.
void RunsNormally(const std::vector<std::string>& env) {
  FakeUpstream backend;
  backend.Set("/health", FakeUpstream::Step(200, "ok"));
  backend.Start();
  TempDir dir;
  const int port = PickFreePort();
  const auto config = dir.Write(
      "gatewatch.toml", "[agent]\nlisten = \"127.0.0.1:" + std::to_string(port) +
                            "\"\n\n[[target]]\nname = \"t\"\nurl = \"" + backend.Url("/health") +
                            "\"\ninterval = \"1s\"\ntimeout = \"200ms\"\n");
  ChildProcess agent(GATEWATCH_BINARY, {"--config", config}, env);
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  ASSERT_TRUE(WaitFor(
      [&] {
        const auto r = client.Get("/healthz");
        return r && r->status == 200;
      },
      kWait))
      << agent.Output();
  agent.Signal(SIGTERM);
  EXPECT_EQ(agent.Wait(kWait), 0) << agent.Output();
}

TEST(SdNotify, WithoutNotifySocketTheAgentRunsAsBefore) {
  // "NOTIFY_SOCKET" without "=" removes it (glibc putenv), whatever the test runner has.
  RunsNormally({"NOTIFY_SOCKET", "WATCHDOG_USEC=200000"});
}

TEST(SdNotify, AnUnreachableNotifySocketIsNotFatal) {
  TempDir dir;
  RunsNormally({"NOTIFY_SOCKET=" + dir.path() + "/nobody-listens.sock", "WATCHDOG_USEC=200000"});
}

}  // namespace
}  // namespace gatewatch::testing
