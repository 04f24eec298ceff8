#include "config/load.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "support/child_process.h"
#include "unit/config/test_env.h"

namespace gatewatch::config {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::ConfigDataDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using testing::ReadText;
using testing::TestEnv;

std::optional<std::string> NoEnv(std::string_view) { return std::nullopt; }

std::string ErrorLines(const LoadResult& result) {
  std::string out;
  for (const ConfigError& e : result.errors) out += e.ToString() + "\n";
  return out;
}

// Loads tests/data/config/<name>, failing the test (with every error) if it does not load.
Config LoadValid(const std::string& name) {
  LoadResult result = ParseConfig(ReadText(ConfigDataDir() / name), name, TestEnv);
  EXPECT_TRUE(result.errors.empty()) << ErrorLines(result);
  EXPECT_TRUE(result.config.has_value());
  return result.config.value_or(Config{});
}

const TargetSpec* FindTarget(const Config& config, std::string_view name) {
  for (const TargetSpec& t : config.targets) {
    if (t.name == name) return &t;
  }
  ADD_FAILURE() << "no target " << name;
  return nullptr;
}

std::string HeaderValue(const TargetSpec& target, std::string_view name) {
  for (const Header& h : target.headers) {
    if (h.name == name) return h.value.Reveal();
  }
  return "<absent>";
}

TEST(ParseConfig, MinimalConfigGetsEveryDefault) {
  const Config config = LoadValid("valid-minimal.toml");
  EXPECT_EQ(config.source, "valid-minimal.toml");
  EXPECT_EQ(config.agent.listen, "0.0.0.0:9502");
  EXPECT_EQ(config.agent.log_format, core::LogFormat::kText);
  EXPECT_EQ(config.agent.log_level, "info");
  EXPECT_THAT(config.agent.windows, ElementsAre(1min, 5min, 1h));
  EXPECT_EQ(config.agent.shard.index, 0u);
  EXPECT_EQ(config.agent.shard.count, 1u);
  EXPECT_TRUE(config.agent.api_token.empty());
  ASSERT_EQ(config.targets.size(), 1u);
  const TargetSpec& t = config.targets[0];
  EXPECT_EQ(t.name, "api");
  EXPECT_EQ(t.url, "http://127.0.0.1:8080/health");
  EXPECT_EQ(t.method, "GET");
  EXPECT_TRUE(t.headers.empty());
  EXPECT_EQ(t.interval, 15s);
  EXPECT_EQ(t.timeout, 5s);
  EXPECT_FALSE(t.unhealthy_interval.has_value());
  EXPECT_THAT(t.expect_status, ElementsAre(StatusMatcher{0, 2}));
  EXPECT_FALSE(t.expect_body.has_value());
  EXPECT_FALSE(t.follow_redirects);
  EXPECT_FALSE(t.tls_insecure);
  EXPECT_EQ(t.max_body_bytes, 1u << 20);
  EXPECT_EQ(t.connection, ConnectionMode::kFresh);
  EXPECT_TRUE(t.labels.empty());
}

TEST(ParseConfig, TargetsInheritDefaultsAndTheirOwnValuesWin) {
  const Config config = LoadValid("valid-defaults-inheritance.toml");
  ASSERT_EQ(config.targets.size(), 2u);
  EXPECT_EQ(config.targets[0].name, "plain");  // file order is kept
  EXPECT_EQ(config.targets[1].name, "custom");

  const TargetSpec& plain = config.targets[0];
  EXPECT_EQ(plain.interval, 30s);
  EXPECT_EQ(plain.timeout, 2s);
  EXPECT_EQ(plain.method, "HEAD");
  EXPECT_THAT(plain.expect_status, ElementsAre(StatusMatcher{200, 0}, StatusMatcher{204, 0}));
  EXPECT_EQ(plain.max_body_bytes, 4096u);
  EXPECT_EQ(HeaderValue(plain, "Authorization"), "Bearer s3cr3t-api-token");
  EXPECT_EQ(HeaderValue(plain, "User-Agent"), "gatewatch-test");
  EXPECT_THAT(plain.labels, ElementsAre(Pair("team", "platform"), Pair("tier", "gold")));

  const TargetSpec& custom = config.targets[1];
  EXPECT_EQ(custom.interval, 1min);
  EXPECT_EQ(custom.timeout, 2s);
  EXPECT_EQ(custom.method, "GET");
  EXPECT_THAT(custom.expect_status, ElementsAre(StatusMatcher{0, 2}));
  EXPECT_EQ(custom.max_body_bytes, 4096u);
  // "authorization" replaces the inherited "Authorization" (header names are case-insensitive).
  ASSERT_EQ(custom.headers.size(), 3u);
  EXPECT_EQ(HeaderValue(custom, "authorization"), "Bearer s3cr3t-checkout-token");
  EXPECT_EQ(HeaderValue(custom, "Authorization"), "<absent>");
  EXPECT_EQ(HeaderValue(custom, "User-Agent"), "gatewatch-test");
  EXPECT_EQ(HeaderValue(custom, "X-Tenant"), "acme");
  EXPECT_THAT(custom.labels, ElementsAre(Pair("team", "platform"), Pair("tier", "silver")));
}

TEST(ParseConfig, SubstitutesEnvironmentVariablesInEveryString) {
  const Config config = LoadValid("valid-env-substitution.toml");
  EXPECT_EQ(config.agent.api_token.Reveal(), "s3cr3t-api-token");
  ASSERT_EQ(config.targets.size(), 1u);
  const TargetSpec& t = config.targets[0];
  EXPECT_EQ(t.url, "https://user:s3cr3t-url-pass@api.example.com/health");
  EXPECT_EQ(t.interval, 10s);
  EXPECT_EQ(HeaderValue(t, "Authorization"), "Bearer s3cr3t-checkout-token");
  EXPECT_EQ(t.body, "price: $5, empty: [], literal: $HOME");
  ASSERT_TRUE(t.expect_body.has_value());
  EXPECT_TRUE(t.expect_body->Search(R"({"ok": true})"));
  EXPECT_FALSE(t.expect_body->Search(R"({"ok": true} trailing)"));
}

TEST(ParseConfig, AgentKeysAreParsedAndWindowsSortedAndDeduplicated) {
  const Config config = LoadValid("valid-agent.toml");
  EXPECT_EQ(config.agent.listen, "[::1]:0");
  EXPECT_EQ(config.agent.log_format, core::LogFormat::kJson);
  EXPECT_EQ(config.agent.log_level, "debug");
  EXPECT_THAT(config.agent.windows, ElementsAre(1s, 1min, 5min, 1h, 7 * 24h));
  EXPECT_EQ(config.agent.shard.index, 3u);
  EXPECT_EQ(config.agent.shard.count, 4u);
}

TEST(ParseConfig, ExpectStatusAcceptsSingleValuesAndMixedArrays) {
  const Config config = LoadValid("valid-expect-status.toml");
  ASSERT_EQ(config.targets.size(), 3u);
  EXPECT_THAT(config.targets[0].expect_status, ElementsAre(StatusMatcher{204, 0}));
  EXPECT_THAT(config.targets[1].expect_status, ElementsAre(StatusMatcher{0, 3}));
  EXPECT_THAT(config.targets[2].expect_status,
              ElementsAre(StatusMatcher{200, 0}, StatusMatcher{0, 4}, StatusMatcher{503, 0}));
  EXPECT_TRUE(config.targets[2].expect_status[1].Matches(429));
}

TEST(ParseConfig, EveryTargetKeyIsApplied) {
  const Config config = LoadValid("valid-all-target-keys.toml");
  ASSERT_EQ(config.targets.size(), 1u);
  const TargetSpec& t = config.targets[0];
  EXPECT_EQ(t.name, "checkout_v2.eu-1");
  EXPECT_EQ(t.url, "HTTPS://user:pass@api.example.com:8443/health?probe=1");
  EXPECT_EQ(t.method, "POST");
  EXPECT_EQ(HeaderValue(t, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderValue(t, "X-Weird!#$%&'*+-.^_`|~"), "ok");
  EXPECT_EQ(t.body, R"({"ping": true})");
  EXPECT_EQ(t.interval, 10s);
  EXPECT_EQ(t.timeout, 10s);  // equal to interval is allowed
  EXPECT_EQ(t.unhealthy_interval, 2s);
  EXPECT_THAT(t.expect_status, ElementsAre(StatusMatcher{0, 2}, StatusMatcher{301, 0}));
  ASSERT_TRUE(t.expect_body.has_value());
  EXPECT_TRUE(t.expect_body->Search(R"({"status": "UP"})"));
  EXPECT_TRUE(t.follow_redirects);
  EXPECT_TRUE(t.tls_insecure);
  EXPECT_EQ(t.max_body_bytes, 0u);
  EXPECT_EQ(t.connection, ConnectionMode::kReuse);
  EXPECT_THAT(t.labels, ElementsAre(Pair("_private", "yes"), Pair("team", "payments")));
}

class ValidConfig : public ::testing::TestWithParam<std::string> {};

TEST_P(ValidConfig, LoadsWithoutErrorsAndSummaryHoldsNoSecret) {
  const Config config = LoadValid(GetParam());
  const std::string summary = Summarize(config);
  EXPECT_THAT(summary, Not(HasSubstr(testing::kSecretMarker)));
  EXPECT_THAT(summary, Not(HasSubstr("://")));  // no URLs at all
}

std::vector<std::string> ValidFiles() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(ConfigDataDir(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("valid-") && name.ends_with(".toml")) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(DataDir, ValidConfig, ::testing::ValuesIn(ValidFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param.substr(0, info.param.size() - 5);
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(ValidConfigData, DirectoryHoldsTheValidCases) { EXPECT_GE(ValidFiles().size(), 6u); }

TEST(ParseConfig, SecretsStayOutOfErrorsEvenNextToOtherProblems) {
  // The secrets load fine; the bad interval makes the whole config fail.
  const LoadResult result = ParseConfig(R"(
[agent]
api_token = "${GW_TEST_API_TOKEN}"
[[target]]
name = "api"
url = "${GW_TEST_API_URL}"
headers = { Authorization = "${GW_TEST_CHECKOUT_TOKEN}" }
interval = "1s"
timeout = "${GW_TEST_INTERVAL}"
)",
                                        "inline.toml", TestEnv);
  ASSERT_FALSE(result.config.has_value());
  EXPECT_EQ(ErrorLines(result),
            "inline.toml:9:11: targets.api.timeout: must not exceed interval (1s), got \"10s\"\n");
}

TEST(ParseConfig, UrlErrorFromEnvironmentIsRedacted) {
  const LoadResult result = ParseConfig(R"([[target]]
name = "api"
url = "${GW_TEST_API_URL} trailing"
)",
                                        "inline.toml", TestEnv);
  EXPECT_EQ(ErrorLines(result),
            "inline.toml:3:7: targets.api.url: must not contain whitespace or control "
            "characters, got \"https://<redacted>@api.example.com/health trailing\"\n");
}

TEST(ParseConfig, ErrorsAreSortedByLineThenColumn) {
  const LoadResult result = ParseConfig(R"([[target]]
name = "b"
url = "http://b/"
interval = 1
timeout = 2
[agent]
listen = 3
shard = 4
)",
                                        "f.toml", NoEnv);
  ASSERT_EQ(result.errors.size(), 4u);
  std::vector<int> lines;
  for (const ConfigError& e : result.errors) lines.push_back(e.line);
  EXPECT_THAT(lines, ElementsAre(4, 5, 7, 8));
}

TEST(ParseConfig, EmptyTextHasNoTargets) {
  const LoadResult result = ParseConfig("", "empty.toml", NoEnv);
  EXPECT_FALSE(result.config.has_value());
  EXPECT_EQ(ErrorLines(result), "empty.toml:1:1: config has no [[target]]; add at least one\n");
}

TEST(ParseConfig, InlineTargetArrayOfNonTablesIsRejected) {
  const LoadResult result = ParseConfig("target = [1, 2]\n", "f.toml", NoEnv);
  EXPECT_EQ(ErrorLines(result), "f.toml:1:10: target: must be an array of tables ([[target]])\n");
}

TEST(ParseConfig, UnhealthyIntervalBelowMinimumIsRejected) {
  const LoadResult result = ParseConfig(R"([[target]]
name = "a"
url = "http://a/"
unhealthy_interval = "99ms"
)",
                                        "f.toml", NoEnv);
  EXPECT_EQ(ErrorLines(result),
            "f.toml:4:22: targets.a.unhealthy_interval: must be at least 100ms, got \"99ms\"\n");
}

TEST(ParseConfig, TimeoutFromDefaultsAgainstIntervalFromDefaultsIsReportedOnce) {
  const LoadResult result = ParseConfig(R"([defaults]
interval = "1s"
[[target]]
name = "a"
url = "http://a/"
[[target]]
name = "b"
url = "http://b/"
)",
                                        "f.toml", NoEnv);
  EXPECT_EQ(ErrorLines(result),
            "f.toml:2:12: defaults.interval: must not be less than timeout (5s), got \"1s\"\n");
}

TEST(ConfigError, ToStringOmitsMissingParts) {
  EXPECT_EQ((ConfigError{"g.toml", 14, 12, "targets.api.interval", "must be x"}).ToString(),
            "g.toml:14:12: targets.api.interval: must be x");
  EXPECT_EQ((ConfigError{"g.toml", 1, 1, "", "config has no [[target]]"}).ToString(),
            "g.toml:1:1: config has no [[target]]");
  EXPECT_EQ((ConfigError{"g.toml", 0, 0, "", "cannot read: No such file or directory"}).ToString(),
            "g.toml: cannot read: No such file or directory");
}

TEST(LoadConfigFile, ReadsTheFileAndUsesItsPathAsSource) {
  gatewatch::testing::TempDir dir;
  const std::string path =
      dir.Write("g.toml", "[[target]]\nname = \"a\"\nurl = \"http://127.0.0.1:1/\"\n");
  const LoadResult result = LoadConfigFile(path, NoEnv);
  ASSERT_TRUE(result.config.has_value()) << ErrorLines(result);
  EXPECT_EQ(result.config->source, path);
  EXPECT_EQ(result.config->targets.size(), 1u);
}

TEST(LoadConfigFile, ErrorsNameThePath) {
  gatewatch::testing::TempDir dir;
  const std::string path = dir.Write("g.toml", "[[target]]\nname = \"a\"\n");
  EXPECT_EQ(ErrorLines(LoadConfigFile(path, NoEnv)),
            path + ":1:1: targets.a.url: missing required key\n");
}

TEST(LoadConfigFile, MissingFileIsOneErrorWithoutPosition) {
  gatewatch::testing::TempDir dir;
  const std::string path = dir.path() + "/absent.toml";
  const LoadResult result = LoadConfigFile(path, NoEnv);
  EXPECT_FALSE(result.config.has_value());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].line, 0);
  EXPECT_EQ(result.errors[0].column, 0);
  EXPECT_EQ(result.errors[0].ToString(), path + ": cannot read: No such file or directory");
}

TEST(LoadConfigFile, DirectoryIsUnreadable) {
  gatewatch::testing::TempDir dir;
  const LoadResult result = LoadConfigFile(dir.path(), NoEnv);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].message, "cannot read: Is a directory");
}

TEST(ProcessEnv, ReadsTheProcessEnvironment) {
  const EnvLookup env = ProcessEnv();
  const char* path = std::getenv("PATH");
  ASSERT_NE(path, nullptr);
  EXPECT_EQ(env("PATH"), std::string(path));
  EXPECT_EQ(env("GATEWATCH_SURELY_UNSET_VARIABLE_0xC0FFEE"), std::nullopt);
}

TEST(Summarize, CountsSchemesAndShowsAgentSettings) {
  Config config;
  config.agent.listen = "127.0.0.1:9502";
  config.agent.windows = {30s, 1h};
  config.agent.shard = Shard{1, 3};
  config.agent.api_token = core::Secret("s3cr3t");
  for (const char* url : {"https://a/", "http://b/", "HTTPS://c/"}) {
    TargetSpec t;
    t.url = url;
    config.targets.push_back(t);
  }
  EXPECT_EQ(Summarize(config),
            "3 targets (2 https, 1 http), windows 30s/1h, listen 127.0.0.1:9502, shard 1/3");
  config.targets.resize(1);
  EXPECT_EQ(Summarize(config),
            "1 target (1 https), windows 30s/1h, listen 127.0.0.1:9502, shard 1/3");
}

TEST(ShippedConfigs, ExampleLoadsOfflineAndProbesTheAgentItself) {
  const fs::path path = fs::path(GATEWATCH_TEST_DATA_DIR) / "../../config/example.toml";
  const LoadResult result = LoadConfigFile(path.string(), NoEnv);
  ASSERT_TRUE(result.config.has_value()) << ErrorLines(result);
  const Config& config = *result.config;
  EXPECT_EQ(config.agent.listen, "127.0.0.1:9502");
  ASSERT_EQ(config.targets.size(), 2u);
  const TargetSpec* health = FindTarget(config, "self-health");
  const TargetSpec* metrics = FindTarget(config, "self-metrics");
  ASSERT_TRUE(health && metrics);
  EXPECT_EQ(health->url, "http://127.0.0.1:9502/healthz");
  EXPECT_EQ(metrics->url, "http://127.0.0.1:9502/metrics");
  ASSERT_TRUE(metrics->expect_body.has_value());
  EXPECT_TRUE(metrics->expect_body->Search("# TYPE gatewatch_build_info gauge\n"));
}

TEST(ShippedConfigs, MinimalLoads) {
  const fs::path path = fs::path(GATEWATCH_TEST_DATA_DIR) / "../../config/minimal.toml";
  const LoadResult result = LoadConfigFile(path.string(), NoEnv);
  ASSERT_TRUE(result.config.has_value()) << ErrorLines(result);
  EXPECT_EQ(result.config->targets.size(), 1u);
}

}  // namespace
}  // namespace gatewatch::config

namespace gatewatch::config {
namespace {

TEST(ParseConfig, HealthModeDefaultsToAutoAndCanBeTurnedOff) {
  const auto result = ParseConfig(
      "[defaults]\nhealth = \"off\"\n"
      "[[target]]\nname = \"a\"\nurl = \"http://127.0.0.1/\"\n"
      "[[target]]\nname = \"b\"\nurl = \"http://127.0.0.1/\"\nhealth = \"auto\"\n",
      "t.toml", [](std::string_view) { return std::nullopt; });
  ASSERT_TRUE(result.config.has_value());
  EXPECT_EQ(result.config->targets[0].health, HealthMode::kOff);
  EXPECT_EQ(result.config->targets[1].health, HealthMode::kAuto);
  EXPECT_EQ(TargetSpec{}.health, HealthMode::kAuto);
}

}  // namespace
}  // namespace gatewatch::config
