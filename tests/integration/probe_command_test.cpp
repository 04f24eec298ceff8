// `gatewatch probe` against a real nginx: the 3 a.m. tool names the hop and the backend's state.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/child_process.h"
#include "support/fake_upstream.h"
#include "support/nginx_fixture.h"

namespace gatewatch::testing {
namespace {

TEST(ProbeCommand, NamesNginxAndTheRefusingBackend) {
  const int dead_port = PickFreePort();
  NginxFixture nginx;
  nginx.AddProxy("/api", dead_port);
  ASSERT_TRUE(nginx.Start());
  const std::string backend = "http://127.0.0.1:" + std::to_string(dead_port) + "/api";

  auto text = RunCommand(GATEWATCH_BINARY, {"probe", nginx.Url("/api"), "--upstream", backend,
                                            "--timeout", "500ms"});
  EXPECT_EQ(text.exit_code, 1) << text.output;
  EXPECT_NE(text.output.find("502 from nginx (gateway)"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("the backend refuses connections"), std::string::npos)
      << text.output;
  EXPECT_NE(text.output.find("ttfb"), std::string::npos);

  auto json = RunCommand(GATEWATCH_BINARY, {"probe", nginx.Url("/api"), "--upstream", backend,
                                            "--json"});
  EXPECT_EQ(json.exit_code, 1);
  const auto doc = nlohmann::json::parse(json.output);
  EXPECT_EQ(doc["status"], 502);
  EXPECT_EQ(doc["responder"]["name"], "nginx");
  EXPECT_EQ(doc["verdict"]["case"], "backend_refuses");
  EXPECT_EQ(doc["upstream"]["reason"], "refused");
  EXPECT_FALSE(doc["upstream"]["phases"].contains("connect"));  // never connected: no phase
}

TEST(ProbeCommand, HealthyGatewayExitsZeroAndBadUsageTwo) {
  FakeUpstream backend;
  backend.Set("/ok", FakeUpstream::Step(200, "ok"));
  backend.Start();
  NginxFixture nginx;
  nginx.AddProxy("/ok", backend.port());
  ASSERT_TRUE(nginx.Start());
  auto ok = RunCommand(GATEWATCH_BINARY, {"probe", nginx.Url("/ok"), "--header", "X-Probe: 1"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("result    OK"), std::string::npos) << ok.output;
  EXPECT_EQ(backend.LastRequest("/ok").headers.find("x-probe")->second, "1");
  EXPECT_FALSE(backend.LastRequest("/ok").headers.find("traceparent") ==
               backend.LastRequest("/ok").headers.end());

  EXPECT_EQ(RunCommand(GATEWATCH_BINARY, {"probe"}).exit_code, 2);
  EXPECT_EQ(RunCommand(GATEWATCH_BINARY, {"probe", "file:///etc/passwd"}).exit_code, 2);
  EXPECT_EQ(RunCommand(GATEWATCH_BINARY, {"probe", nginx.Url("/ok"), "--timeout", "x"}).exit_code, 2);
}

}  // namespace
}  // namespace gatewatch::testing
