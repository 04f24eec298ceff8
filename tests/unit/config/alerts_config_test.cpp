#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/load.h"
#include "unit/config/test_env.h"

// [[alert]], [[notifier]], agent.labels / agent.state_dir, and the helpers the alert engine
// uses (GlobMatches, TargetMatches, RequiredWindows). Error messages are pinned by the
// tests/data/config/invalid-alert-* and invalid-notifier-* files.
namespace gatewatch::config {
namespace {

using namespace std::chrono_literals;
using testing::ConfigDataDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using testing::ReadText;
using testing::TestEnv;

std::string ErrorLines(const LoadResult& result) {
  std::string out;
  for (const ConfigError& e : result.errors) out += e.ToString() + "\n";
  return out;
}

Config LoadValid(const std::string& name) {
  LoadResult result = ParseConfig(ReadText(ConfigDataDir() / name), name, TestEnv);
  EXPECT_TRUE(result.errors.empty()) << ErrorLines(result);
  return result.config.value_or(Config{});
}

const AlertRule& Rule(const Config& config, std::string_view name) {
  for (const AlertRule& r : config.alerts) {
    if (r.name == name) return r;
  }
  ADD_FAILURE() << "no alert " << name;
  static const AlertRule kNone;
  return kNone;
}

const NotifierSpec& Notifier(const Config& config, std::string_view name) {
  for (const NotifierSpec& n : config.notifiers) {
    if (n.name == name) return n;
  }
  ADD_FAILURE() << "no notifier " << name;
  static const NotifierSpec kNone;
  return kNone;
}

TEST(AlertRules, EveryKeyIsApplied) {
  const Config config = LoadValid("valid-alerts.toml");
  ASSERT_EQ(config.alerts.size(), 9u);
  EXPECT_EQ(config.alerts[0].name, "gateway-502");  // file order
  const AlertRule& r = Rule(config, "gateway-502");
  EXPECT_THAT(r.targets, ElementsAre("checkout", "edge-*"));  // duplicates dropped
  EXPECT_EQ(r.signal, AlertSignal::k502Ratio);
  EXPECT_EQ(r.window, 5min);
  EXPECT_DOUBLE_EQ(r.above, 0.05);
  EXPECT_DOUBLE_EQ(r.clear_below, 0.02);
  EXPECT_EQ(r.for_duration, 1min);
  EXPECT_EQ(r.min_samples, 10u);
  EXPECT_EQ(r.repeat, 1h);
  EXPECT_EQ(r.severity, "critical");
  EXPECT_THAT(r.notify, ElementsAre("oncall-slack", "audit-hook"));
  EXPECT_FALSE(r.burn_rate.has_value());
}

TEST(AlertRules, OptionalKeysGetTheirDefaults) {
  const Config config = LoadValid("valid-alerts.toml");
  const AlertRule& r = Rule(config, "any-failure");
  EXPECT_TRUE(r.targets.empty());
  EXPECT_EQ(r.signal, AlertSignal::kFailureRatio);
  EXPECT_EQ(r.window, 5min);
  EXPECT_DOUBLE_EQ(r.above, 0);
  EXPECT_DOUBLE_EQ(r.clear_below, 0);  // = above
  EXPECT_EQ(r.for_duration, 0ms);
  EXPECT_EQ(r.min_samples, 1u);
  EXPECT_EQ(r.repeat, 1h);
  EXPECT_EQ(r.severity, "warning");
  EXPECT_TRUE(r.notify.empty());
}

TEST(AlertRules, LatencyConsecutiveAndHysteresisValues) {
  const Config config = LoadValid("valid-alerts.toml");
  const AlertRule& slow = Rule(config, "slow");
  EXPECT_EQ(slow.signal, AlertSignal::kLatencyP99);
  EXPECT_EQ(slow.window, 1min);
  EXPECT_DOUBLE_EQ(slow.above, 0.8);  // seconds
  EXPECT_EQ(slow.repeat, 0ms);        // never remind
  EXPECT_EQ(Rule(config, "median").signal, AlertSignal::kLatencyP50);
  EXPECT_EQ(Rule(config, "tail").signal, AlertSignal::kLatencyP90);
  EXPECT_DOUBLE_EQ(Rule(config, "tail").above, 1.0);  // an integer is a number too

  const AlertRule& same = Rule(config, "5xx");
  EXPECT_DOUBLE_EQ(same.clear_below, 0.1);  // clear_below == above is allowed

  const AlertRule& down = Rule(config, "down");
  EXPECT_EQ(down.signal, AlertSignal::kConsecutiveFailures);
  EXPECT_DOUBLE_EQ(down.above, 2);
  EXPECT_DOUBLE_EQ(down.clear_below, 1);
  EXPECT_THAT(down.targets, ElementsAre("search"));
}

TEST(AlertRules, BurnRateDefaultsAndThresholdIsFactor) {
  const Config config = LoadValid("valid-alerts.toml");
  const AlertRule& fast = Rule(config, "budget-fast");
  EXPECT_EQ(fast.signal, AlertSignal::kBurnRate);
  ASSERT_TRUE(fast.burn_rate.has_value());
  EXPECT_DOUBLE_EQ(fast.burn_rate->slo, 0.999);
  EXPECT_EQ(fast.burn_rate->long_window, 1h);
  EXPECT_EQ(fast.burn_rate->short_window, 5min);
  EXPECT_DOUBLE_EQ(fast.burn_rate->factor, 14.4);
  EXPECT_DOUBLE_EQ(fast.above, 14.4);
  EXPECT_DOUBLE_EQ(fast.clear_below, 14.4);

  const AlertRule& slow = Rule(config, "budget-slow");
  ASSERT_TRUE(slow.burn_rate.has_value());
  EXPECT_DOUBLE_EQ(slow.burn_rate->slo, 0.99);
  EXPECT_EQ(slow.burn_rate->long_window, 6h);
  EXPECT_EQ(slow.burn_rate->short_window, 30min);
  EXPECT_DOUBLE_EQ(slow.burn_rate->factor, 6);
  EXPECT_DOUBLE_EQ(slow.above, 6);
  EXPECT_DOUBLE_EQ(slow.clear_below, 3);
  EXPECT_EQ(slow.severity, "ticket");
}

TEST(AlertRules, RequiredWindowsAddAlertAndBurnRateWindows) {
  const Config config = LoadValid("valid-alerts.toml");
  EXPECT_THAT(config.agent.windows, ElementsAre(1min, 5min, 1h));
  // 1m (slow), 5m (default window, budget-fast short), 1h (budget-fast long),
  // 30m and 6h (budget-slow); consecutive_failures adds none.
  EXPECT_THAT(RequiredWindows(config), ElementsAre(1min, 5min, 30min, 1h, 6h));
}

TEST(AlertRules, RequiredWindowsWithoutAlertsAreTheAgentWindows) {
  Config config;
  config.agent.windows = {30s, 1h};
  EXPECT_THAT(RequiredWindows(config), ElementsAre(30s, 1h));
  AlertRule consecutive;
  consecutive.signal = AlertSignal::kConsecutiveFailures;
  consecutive.window = 2min;  // not used by this signal
  config.alerts.push_back(consecutive);
  AlertRule ratio;
  ratio.window = 10s;
  config.alerts.push_back(ratio);
  EXPECT_THAT(RequiredWindows(config), ElementsAre(10s, 30s, 1h));
}

TEST(Notifiers, EveryTypeAndEveryWebhookKey) {
  const Config config = LoadValid("valid-notifiers.toml");
  ASSERT_EQ(config.notifiers.size(), 7u);
  const NotifierSpec& hook = Notifier(config, "hook");
  EXPECT_EQ(hook.type, NotifierType::kWebhook);
  EXPECT_EQ(hook.url.Reveal(), "http://127.0.0.1:9000/hook?token=s3cr3t-hmac-key");
  EXPECT_FALSE(hook.send_resolved);
  EXPECT_EQ(hook.timeout, 2s);
  EXPECT_EQ(hook.secret.Reveal(), "s3cr3t-hmac-key");
  ASSERT_EQ(hook.headers.size(), 2u);
  for (const Header& h : hook.headers) {
    EXPECT_EQ(h.value.Reveal(), h.name == "X-Team" ? "sre" : "Bearer s3cr3t-api-token") << h.name;
  }
  ASSERT_TRUE(hook.message_template.has_value());
  EXPECT_THAT(*hook.message_template, HasSubstr("{{status}}: {{alert}} on {{target}}"));

  const NotifierSpec& slack = Notifier(config, "oncall-slack");
  EXPECT_EQ(slack.type, NotifierType::kSlack);
  EXPECT_EQ(slack.url.Reveal(),
            "https://hooks.slack.example.com/services/T000/B000/s3cr3t-slack-token");
  EXPECT_TRUE(slack.send_resolved);  // defaults
  EXPECT_EQ(slack.timeout, 10s);
  EXPECT_TRUE(slack.secret.empty());
  EXPECT_TRUE(slack.headers.empty());

  EXPECT_EQ(Notifier(config, "discord").type, NotifierType::kDiscord);
  EXPECT_EQ(Notifier(config, "teams").type, NotifierType::kTeams);
  EXPECT_EQ(Notifier(config, "mattermost").type, NotifierType::kMattermost);
  EXPECT_EQ(Notifier(config, "googlechat").type, NotifierType::kGoogleChat);
  const NotifierSpec& am = Notifier(config, "am");
  EXPECT_EQ(am.type, NotifierType::kAlertmanager);
  EXPECT_FALSE(am.message_template.has_value());
}

TEST(Notifiers, NamesRoundTrip) {
  EXPECT_EQ(NotifierTypeName(NotifierType::kGoogleChat), "googlechat");
  EXPECT_EQ(NotifierTypeName(NotifierType::kAlertmanager), "alertmanager");
  EXPECT_EQ(SignalName(AlertSignal::k502Ratio), "502_ratio");
  EXPECT_EQ(SignalName(AlertSignal::kConsecutiveFailures), "consecutive_failures");
  EXPECT_EQ(SignalName(AlertSignal::kBurnRate), "burn_rate");
}

TEST(Notifiers, SecretsStayOutOfErrorsAndSummary) {
  // The slack URL loads; the bad alert beside it fails the config.
  const LoadResult result = ParseConfig(R"([[target]]
name = "api"
url = "http://127.0.0.1:1/"
[[notifier]]
name = "n"
type = "slack"
url = "${GW_TEST_SLACK_URL}"
[[notifier]]
name = "bad"
type = "webhook"
url = "${GW_TEST_SLACK_URL} x"
secret = "${GW_TEST_HOOK_SECRET}"
[[alert]]
name = "a"
signal = "502_ratio"
above = 2
notify = ["n"]
)",
                                        "inline.toml", TestEnv);
  EXPECT_EQ(ErrorLines(result),
            "inline.toml:11:7: notifiers.bad.url: must not contain whitespace or control "
            "characters, got \"https://<redacted>\"\n"
            "inline.toml:16:9: alerts.a.above: must be a ratio, at least 0 and below 1 (0.05 = "
            "5%), got 2\n");
  const Config ok = LoadValid("valid-notifiers.toml");
  EXPECT_THAT(Summarize(ok), Not(HasSubstr(testing::kSecretMarker)));
  EXPECT_THAT(Summarize(ok), HasSubstr("7 notifiers"));
}

TEST(AgentSpec, StateDirAndLabelsAreParsed) {
  const Config config = LoadValid("valid-agent.toml");
  EXPECT_EQ(config.agent.state_dir, "/var/lib/gatewatch");
  EXPECT_THAT(config.agent.labels,
              ElementsAre(Pair("cluster", "prod-1"), Pair("region", "eu-west-1")));
}

TEST(AgentSpec, StateDirDefaultsToMemoryOnly) {
  const LoadResult result =
      ParseConfig("[[target]]\nname = \"a\"\nurl = \"http://a/\"\n", "f.toml", TestEnv);
  ASSERT_TRUE(result.config.has_value());
  EXPECT_EQ(result.config->agent.state_dir, "");
  EXPECT_TRUE(result.config->agent.labels.empty());
  EXPECT_TRUE(result.config->alerts.empty());
  EXPECT_TRUE(result.config->notifiers.empty());
}

TEST(Summarize, CountsAlertsAndNotifiers) {
  const Config config = LoadValid("valid-alerts.toml");
  EXPECT_EQ(Summarize(config),
            "4 targets (3 https, 1 http), windows 1m/5m/1h, 9 alerts, 2 notifiers, listen "
            "0.0.0.0:9502, shard 0/1");
}

struct GlobCase {
  std::string_view glob, name;
  bool matches;
};

TEST(GlobMatches, StarAndQuestionMark) {
  const GlobCase cases[] = {
      {"checkout", "checkout", true},
      {"checkout", "checkout2", false},
      {"checkout", "Checkout", false},  // case-sensitive, like target names
      {"edge-*", "edge-eu", true},
      {"edge-*", "edge-", true},  // * matches nothing too
      {"edge-*", "edge", false},
      {"*", "", true},
      {"*", "anything", true},
      {"", "", true},
      {"", "a", false},
      {"edge-??", "edge-eu", true},
      {"edge-??", "edge-e", false},
      {"edge-??", "edge-eu1", false},
      {"*-eu", "edge-eu", true},
      {"*-eu", "edge-us", false},
      {"a*b*c", "abc", true},
      {"a*b*c", "a-b-x-c", true},
      {"a*b*c", "a-b-x-b", false},
      {"*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},  // no exponential blow-up
      {"**x", "yyx", true},
      {"?*", "", false},
      {"api.v?.*", "api.v2.eu", true},
      // Found by fuzz/config_values_fuzzer: a '*' in the name at the glob's '*' was taken as
      // a literal match, and the rest of the name then had nothing left to match it.
      {"api-*", "api-*x", true},
      {"*", "*ab", true},
  };
  for (const GlobCase& c : cases) {
    EXPECT_EQ(GlobMatches(c.glob, c.name), c.matches) << c.glob << " vs " << c.name;
  }
}

TEST(TargetMatches, EmptyListMeansEveryTarget) {
  AlertRule rule;
  EXPECT_TRUE(TargetMatches(rule, "anything"));
  rule.targets = {"checkout", "edge-*"};
  EXPECT_TRUE(TargetMatches(rule, "checkout"));
  EXPECT_TRUE(TargetMatches(rule, "edge-us"));
  EXPECT_FALSE(TargetMatches(rule, "search"));
  EXPECT_FALSE(TargetMatches(rule, "checkout-v2"));
}

TEST(ShippedConfigs, ExampleShowsTheWorked502Alert) {
  const auto path = std::filesystem::path(GATEWATCH_TEST_DATA_DIR) / "../../config/example.toml";
  const LoadResult result =
      LoadConfigFile(path.string(), [](std::string_view) { return std::optional<std::string>(); });
  ASSERT_TRUE(result.config.has_value()) << ErrorLines(result);
  const Config& config = *result.config;
  const AlertRule& r = Rule(config, "gateway-502");
  EXPECT_EQ(r.signal, AlertSignal::k502Ratio);
  EXPECT_EQ(r.window, 5min);
  EXPECT_DOUBLE_EQ(r.above, 0.05);
  EXPECT_TRUE(TargetMatches(r, "self-health"));
  ASSERT_TRUE(Rule(config, "error-budget").burn_rate.has_value());
  // Offline: every notifier it defines stays on loopback.
  for (const NotifierSpec& n : config.notifiers) {
    EXPECT_TRUE(n.url.Reveal().starts_with("http://127.0.0.1:")) << n.name;
  }
}

}  // namespace
}  // namespace gatewatch::config
