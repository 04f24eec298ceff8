// The `alertmanager` notifier against a real Prometheus Alertmanager on loopback: a firing
// alert is readable from its API with our labels, and the resolve ends it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/clock.h"
#include "notify/dispatcher.h"
#include "support/alertmanager_fixture.h"
#include "support/wait.h"
#include "unit/notify/test_events.h"

namespace gatewatch::notify {
namespace {

using gatewatch::testing::AlertmanagerFixture;
using gatewatch::testing::WaitFor;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// Our alert as Alertmanager lists it (active ones only): the alert, null when it is not
// listed, or nullopt when Alertmanager did not answer with a list.
std::optional<json> FindAlert(const AlertmanagerFixture& am, const std::string& alertname) {
  const json alerts = json::parse(am.GetAlerts(), nullptr, false);
  if (!alerts.is_array()) return std::nullopt;
  for (const json& a : alerts) {
    if (a["labels"].value("alertname", "") == alertname) return a;
  }
  return json(nullptr);
}

bool Listed(const AlertmanagerFixture& am, const std::string& alertname) {
  const auto found = FindAlert(am, alertname);
  return found && !found->is_null();
}

bool NotListed(const AlertmanagerFixture& am, const std::string& alertname) {
  const auto found = FindAlert(am, alertname);
  return found && found->is_null();
}

TEST(NotifyAlertmanagerTest, FiringAlertIsListedAndResolveEndsIt) {
  AlertmanagerFixture am;
  ASSERT_TRUE(am.Start());

  config::NotifierSpec spec;
  spec.name = "am";
  spec.type = config::NotifierType::kAlertmanager;
  spec.url = core::Secret(am.Url());
  spec.timeout = milliseconds(2'000);
  config::Config config;
  config.agent.labels = {{"region", "eu-west-1"}};
  config.notifiers = {spec};
  // Real time: Alertmanager judges startsAt/endsAt against its own clock.
  core::SystemClock clock;
  DispatcherOptions options;
  options.external_url = "http://127.0.0.1:9502/";
  options.seed = 1;
  Dispatcher d(config, clock, options);
  d.Start();

  alert::AlertEvent fired =
      testing::SampleEvent(alert::EventKind::kFired, "gw-am-test", "checkout");
  fired.started_at = clock.WallNow() - minutes(1);
  fired.notify = {"am"};

  ASSERT_TRUE(NotListed(am, "gw-am-test"));
  d.Enqueue({fired});
  ASSERT_TRUE(WaitFor([&] { return Listed(am, "gw-am-test"); }, seconds(10)))
      << "alert never showed up in Alertmanager; its log:\n"
      << am.Output();
  const json listed = *FindAlert(am, "gw-am-test");
  EXPECT_EQ(listed["labels"]["target"], "checkout");
  EXPECT_EQ(listed["labels"]["severity"], "critical");
  EXPECT_EQ(listed["labels"]["region"], "eu-west-1");
  EXPECT_EQ(listed["annotations"]["summary"], fired.summary);
  EXPECT_EQ(listed["annotations"]["diagnosis"], fired.diagnosis);
  EXPECT_EQ(listed["generatorURL"], "http://127.0.0.1:9502/");
  EXPECT_NE(listed["status"]["state"], "suppressed");
  EXPECT_TRUE(gatewatch::testing::WaitFor([&] { return d.Stats().notifiers["am"].delivered >= 1; },
                                          seconds(5)));

  alert::AlertEvent resolved =
      testing::SampleEvent(alert::EventKind::kResolved, "gw-am-test", "checkout");
  resolved.started_at = fired.started_at;
  resolved.ended_at = clock.WallNow();
  resolved.notify = {"am"};
  d.Enqueue({resolved});
  EXPECT_TRUE(WaitFor([&] { return NotListed(am, "gw-am-test"); }, seconds(10)))
      << "still active after the resolve: " << FindAlert(am, "gw-am-test").value_or(json()).dump();
  EXPECT_TRUE(WaitFor([&] { return d.Stats().notifiers["am"].delivered >= 2; }, seconds(5)));
  EXPECT_EQ(d.Stats().notifiers["am"].failed, 0u);
  d.Stop(milliseconds(500));
}

TEST(NotifyAlertmanagerTest, NotifyTestReachesAlertmanager) {
  AlertmanagerFixture am;
  ASSERT_TRUE(am.Start());
  config::NotifierSpec spec;
  spec.name = "am";
  spec.type = config::NotifierType::kAlertmanager;
  spec.url = core::Secret(am.Url() + "/");
  spec.timeout = milliseconds(2'000);
  core::SystemClock clock;
  const TestResult result =
      SendTestNotification(spec, {{"region", "eu-west-1"}}, "", clock.WallNow(), seconds(5));
  EXPECT_TRUE(result.ok) << result.http_status << " " << result.detail;
  EXPECT_EQ(result.http_status, 200);
  EXPECT_TRUE(WaitFor([&] { return Listed(am, "gatewatch-test"); }, seconds(10)));
}

}  // namespace
}  // namespace gatewatch::notify
