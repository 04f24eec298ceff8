// The real gatewatch binary as an operator runs it: exit codes, signals, reload, bad configs.
#include <httplib.h>
#include <signal.h>

#include <gtest/gtest.h>

#include "support/child_process.h"
#include "support/fake_upstream.h"
#include "support/fake_webhook.h"
#include "support/nginx_fixture.h"
#include "support/wait.h"

namespace gatewatch::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string AgentConfig(int port, const std::string& targets) {
  return "[agent]\nlisten = \"127.0.0.1:" + std::to_string(port) + "\"\n\n" + targets;
}

std::string Target(const std::string& name, const std::string& url, const std::string& interval) {
  return "[[target]]\nname = \"" + name + "\"\nurl = \"" + url + "\"\ninterval = \"" + interval +
         "\"\ntimeout = \"" + interval + "\"\n";
}

std::string Get(int port, const std::string& path, int* status = nullptr) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  auto r = client.Get(path.c_str());
  if (status != nullptr) *status = r ? r->status : 0;
  return r ? r->body : std::string();
}

TEST(AgentProcess, CheckConfigExitCodes) {
  TempDir dir;
  const auto good = dir.Write("good.toml", Target("a", "http://127.0.0.1:1/", "1s"));
  auto ok = RunCommand(GATEWATCH_BINARY, {"check-config", good});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("good.toml: OK: 1 target"), std::string::npos) << ok.output;

  const auto bad = dir.Write("bad.toml", "[[target]]\nname = \"a\"\nurl = \"ftp://x/\"\nintervall = \"1s\"\n");
  auto invalid = RunCommand(GATEWATCH_BINARY, {"check-config", bad});
  EXPECT_EQ(invalid.exit_code, 2);
  EXPECT_NE(invalid.output.find("bad.toml:3:7: targets.a.url: must be an http:// or https:// URL"),
            std::string::npos)
      << invalid.output;
  EXPECT_NE(invalid.output.find("bad.toml:4:1: targets.a.intervall: unknown key (did you mean \"interval\"?)"),
            std::string::npos)
      << invalid.output;

  // The agent refuses to start on the same file, with the same messages and exit code.
  auto run = RunCommand(GATEWATCH_BINARY, {"--config", bad});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("bad.toml:3:7:"), std::string::npos) << run.output;
}

TEST(AgentProcess, UsageErrorsExitTwoAndHelpExitsZero) {
  EXPECT_EQ(RunCommand(GATEWATCH_BINARY, {}).exit_code, 2);
  EXPECT_EQ(RunCommand(GATEWATCH_BINARY, {"frobnicate"}).exit_code, 2);
  EXPECT_EQ(RunCommand(GATEWATCH_BINARY, {"run"}).exit_code, 2);
  EXPECT_EQ(RunCommand(GATEWATCH_BINARY, {"--config", "/nonexistent/x.toml"}).exit_code, 2);
  auto help = RunCommand(GATEWATCH_BINARY, {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("check-config"), std::string::npos);
}

TEST(AgentProcess, SigtermStopsPromptlyEvenWithHungProbes) {
  FakeUpstream hang;
  hang.Set("/hang", FakeUpstream::Step(200, "late").Delay(seconds(20)));
  hang.Start();
  TempDir dir;
  const int port = PickFreePort();
  std::string targets;
  for (int i = 0; i < 20; ++i) {
    targets += Target("hung" + std::to_string(i), hang.Url("/hang"), "10s");
  }
  const auto path = dir.Write("agent.toml", AgentConfig(port, targets));
  ChildProcess agent(GATEWATCH_BINARY, {"--config", path});
  ASSERT_TRUE(WaitFor([&] { return Get(port, "/healthz") == "ok\n"; }, seconds(5))) << agent.Output();
  // Let some probes get stuck in flight.
  ASSERT_TRUE(WaitFor([&] { return hang.TotalHits() >= 3; }, seconds(12)));
  const auto start = std::chrono::steady_clock::now();
  agent.Signal(SIGTERM);
  EXPECT_EQ(agent.Wait(seconds(3)), 0) << agent.Output();
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(2));
  EXPECT_NE(agent.Output().find("cancelled"), std::string::npos) << agent.Output();
}

TEST(AgentProcess, SighupReloadsAValidConfigAndRejectsABrokenOne) {
  FakeUpstream backend;
  backend.Set("/ok", FakeUpstream::Step(200, "ok"));
  backend.Start();
  TempDir dir;
  const int port = PickFreePort();
  const auto path = dir.Write("agent.toml", AgentConfig(port, Target("one", backend.Url("/ok"), "1s")));
  ChildProcess agent(GATEWATCH_BINARY, {"--config", path});
  ASSERT_TRUE(WaitFor([&] { return Get(port, "/healthz") == "ok\n"; }, seconds(5))) << agent.Output();

  dir.Write("agent.toml", AgentConfig(port, Target("one", backend.Url("/ok"), "1s") +
                                                Target("two", backend.Url("/ok"), "1s")));
  agent.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] {
    return Get(port, "/metrics").find("gatewatch_target_info{target=\"two\"") != std::string::npos;
  }, seconds(5))) << agent.Output();

  dir.Write("agent.toml", "[[target]]\nname = \"one\"\nurl = \"gopher://x\"\n");
  agent.Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] {
    return Get(port, "/metrics").find("gatewatch_config_last_reload_success 0") != std::string::npos;
  }, seconds(5))) << agent.Output();
  // Still running the previous config: both targets are still there and probed.
  EXPECT_NE(Get(port, "/metrics").find("gatewatch_target_info{target=\"two\""), std::string::npos);
  EXPECT_TRUE(agent.Running());
  EXPECT_NE(agent.Output().find("agent.toml:3:7: targets.one.url"), std::string::npos)
      << agent.Output();
  agent.Signal(SIGINT);
  EXPECT_EQ(agent.Wait(seconds(3)), 0);
}

TEST(AgentProcess, PortInUseExitsOneWithAClearMessage) {
  httplib::Server blocker;
  const int port = blocker.bind_to_any_port("127.0.0.1");
  TempDir dir;
  const auto path = dir.Write("agent.toml", AgentConfig(port, Target("a", "http://127.0.0.1:1/", "1s")));
  auto run = RunCommand(GATEWATCH_BINARY, {"--config", path}, seconds(5));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("Address already in use"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace gatewatch::testing

namespace gatewatch::testing {
namespace {

TEST(AgentProcess, DemoShowsA502AlertFireAndResolve) {
  // Four times faster than a person would run it: crash at 2.5 s, heal at 7.5 s.
  auto run = RunCommand(GATEWATCH_BINARY,
                        {"demo", "--speed", "4", "--duration", "20s", "--listen", "127.0.0.1:0"},
                        std::chrono::seconds(40));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  const auto fired = run.output.find("[FIRING] gateway-502 on shop-gateway");
  const auto resolved = run.output.find("[RESOLVED] gateway-502 on shop-gateway");
  ASSERT_NE(fired, std::string::npos) << run.output;
  ASSERT_NE(resolved, std::string::npos) << run.output;
  EXPECT_LT(fired, resolved);
  // Exactly once each: no duplicate page, no duplicate resolve.
  EXPECT_EQ(run.output.find("[FIRING]", fired + 1), std::string::npos);
  EXPECT_EQ(run.output.find("[RESOLVED]", resolved + 1), std::string::npos);
  EXPECT_NE(run.output.find("the backend crashed"), std::string::npos);
}

}  // namespace
}  // namespace gatewatch::testing


namespace gatewatch::testing {
namespace {

TEST(AgentProcess, NotifyTestReportsTheReceiversAnswer) {
  FakeWebhook hook;
  hook.Script({FakeWebhook::Answer(200, "thanks")});
  hook.Start();
  TempDir dir;
  const auto path = dir.Write(
      "agent.toml", "[[target]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/\"\n\n"
                    "[[notifier]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"" + hook.Url() +
                    "\"\n\n[[notifier]]\nname = \"dead\"\ntype = \"slack\"\n"
                    "url = \"http://127.0.0.1:1/services/x\"\ntimeout = \"200ms\"\n");
  auto ok = RunCommand(GATEWATCH_BINARY, {"notify-test", "--config", path, "hook"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("delivered (http 200) thanks"), std::string::npos) << ok.output;
  ASSERT_EQ(hook.Requests().size(), 1u);
  EXPECT_NE(hook.Requests()[0].body.find("\"version\":\"4\""), std::string::npos);

  auto down = RunCommand(GATEWATCH_BINARY, {"notify-test", "--config", path, "dead"});
  EXPECT_EQ(down.exit_code, 1) << down.output;
  EXPECT_NE(down.output.find("NOT delivered"), std::string::npos) << down.output;
  EXPECT_EQ(down.output.find("services/x"), std::string::npos) << "URL must stay secret";

  EXPECT_EQ(RunCommand(GATEWATCH_BINARY, {"notify-test", "--config", path}).exit_code, 2);
  EXPECT_EQ(RunCommand(GATEWATCH_BINARY, {"notify-test", "--config", path, "nope"}).exit_code, 1);
}

}  // namespace
}  // namespace gatewatch::testing
