// The mission end to end, with the real binary: a real nginx whose backend starts failing,
// a webhook receiver that fails its first deliveries, kill -9 in the middle of the incident,
// and a restart. The receiver must hear exactly one firing and exactly one resolve.
#include <httplib.h>
#include <thread>
#include <signal.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/child_process.h"
#include "support/fake_upstream.h"
#include "support/fake_webhook.h"
#include "support/nginx_fixture.h"
#include "support/wait.h"

namespace gatewatch::testing {
namespace {

using std::chrono::seconds;

struct Delivery {
  std::string status;  // "firing" / "resolved"
  std::string key;     // Idempotency-Key
  int answer_index;
};

TEST(IncidentEndToEnd, FiresOnceThroughAFlakyReceiverSurvivesKill9AndResolvesOnce) {
  // 35 answers of 502 (about 7 s at 200 ms), then healthy for good.
  FakeUpstream backend;
  std::vector<FakeUpstream::Step> steps(35, FakeUpstream::Step(502, R"({"error":"db down"})"));
  steps.emplace_back(200, "ok");
  backend.Script("/checkout/health", steps);
  backend.Start();
  NginxFixture nginx;
  nginx.AddProxy("/checkout/health", backend.port());
  ASSERT_TRUE(nginx.Start());

  FakeWebhook hook;
  hook.Script({500, 500, 200});  // the first two deliveries fail
  hook.Start();

  TempDir dir;
  const int port = PickFreePort();
  const std::string config =
      "[agent]\nlisten = \"127.0.0.1:" + std::to_string(port) + "\"\nstate_dir = \"" +
      dir.path() + "/state\"\nwindows = [\"2s\"]\n\n"
      "[[target]]\nname = \"checkout\"\nurl = \"" + nginx.Url("/checkout/health") +
      "\"\ninterval = \"200ms\"\ntimeout = \"200ms\"\n\n"
      "[[alert]]\nname = \"gateway-502\"\nsignal = \"502_ratio\"\nwindow = \"2s\"\n"
      "above = 0.5\nclear_below = 0.2\nmin_samples = 3\nrepeat = \"0s\"\n"
      "notify = [\"hook\"]\n\n"
      "[[notifier]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"" + hook.Url() +
      "\"\ntimeout = \"1s\"\n";
  const auto path = dir.Write("gatewatch.toml", config);

  auto agent = std::make_unique<ChildProcess>(GATEWATCH_BINARY, std::vector<std::string>{"--config", path});
  // Two failed attempts, then the firing is delivered (backoff starts at 1 s).
  ASSERT_TRUE(hook.WaitForRequests(3, seconds(15))) << agent->Output();
  const auto firing_key = hook.Requests()[0].Header("idempotency-key");
  ASSERT_FALSE(firing_key.empty());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(hook.Requests()[i].Header("idempotency-key"), firing_key) << "attempt " << i;
    EXPECT_EQ(nlohmann::json::parse(hook.Requests()[i].body)["status"], "firing");
  }
  const auto first = agent->Output();
  // Mid-incident, well after the delivery's answer reached the agent (a crash within about
  // 100 ms of a delivery may repeat it, with the same Idempotency-Key).
  std::this_thread::sleep_for(std::chrono::milliseconds(600));

  // kill -9 mid-incident, then start again on the same state_dir.
  agent->Signal(SIGKILL);
  agent->Wait(seconds(5));
  agent = std::make_unique<ChildProcess>(GATEWATCH_BINARY, std::vector<std::string>{"--config", path});

  // The backend heals after its 35th answer; the 502 ratio falls below 0.2 and the alert
  // resolves: exactly one more delivery, a resolve.
  ASSERT_TRUE(hook.WaitForRequests(4, seconds(25))) << first << "\n---\n" << agent->Output();
  // Give a duplicate every chance to show up before counting.
  WaitFor([&] { return hook.Requests().size() > 4; }, seconds(3));
  const auto requests = hook.Requests();
  ASSERT_EQ(requests.size(), 4u) << agent->Output();
  const auto resolved = nlohmann::json::parse(requests[3].body);
  EXPECT_EQ(resolved["status"], "resolved") << requests[3].body;
  EXPECT_NE(requests[3].Header("idempotency-key"), firing_key);
  EXPECT_EQ(resolved["alerts"][0]["labels"]["alertname"], "gateway-502");
  EXPECT_EQ(resolved["alerts"][0]["labels"]["target"], "checkout");
  EXPECT_NE(agent->Output().find("restored 1 firing alerts"), std::string::npos)
      << agent->Output();

  agent->Signal(SIGTERM);
  EXPECT_EQ(agent->Wait(seconds(10)), 0) << agent->Output();
}

}  // namespace
}  // namespace gatewatch::testing
