#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "config/load.h"
#include "unit/config/test_env.h"

// Walks tests/data/config/invalid-*.toml: each file holds one broken thing (or, for
// invalid-several-errors, several) and invalid-<case>.expected holds the exact
// ConfigError::ToString() lines, one per error, in the order they must be reported.
namespace gatewatch::config {
namespace {

namespace fs = std::filesystem;
using testing::ConfigDataDir;
using testing::ReadText;

std::vector<std::string> CaseNames(std::string_view prefix, std::string_view extension) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(ConfigDataDir(), ec)) {
    const fs::path& p = entry.path();
    if (p.extension() == extension && p.stem().string().starts_with(prefix)) {
      names.push_back(p.stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string TestNameFor(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
      '_');
  return name;
}

class InvalidConfig : public ::testing::TestWithParam<std::string> {};

TEST_P(InvalidConfig, ReportsExactlyTheExpectedErrors) {
  const fs::path toml = ConfigDataDir() / (GetParam() + ".toml");
  const fs::path expected = ConfigDataDir() / (GetParam() + ".expected");
  ASSERT_TRUE(fs::exists(expected)) << "missing " << expected;

  const LoadResult result = ParseConfig(ReadText(toml), toml.filename().string(), testing::TestEnv);

  EXPECT_FALSE(result.config.has_value());
  std::string actual;
  for (const ConfigError& e : result.errors) actual += e.ToString() + "\n";
  EXPECT_EQ(actual, ReadText(expected));
  EXPECT_EQ(actual.find(testing::kSecretMarker), std::string::npos) << actual;
  EXPECT_EQ(actual.find("hunter2"), std::string::npos) << actual;
}

INSTANTIATE_TEST_SUITE_P(DataDir, InvalidConfig,
                         ::testing::ValuesIn(CaseNames("invalid-", ".toml")), TestNameFor);

TEST(InvalidConfigData, EveryCaseHasBothFiles) {
  const std::vector<std::string> tomls = CaseNames("invalid-", ".toml");
  const std::vector<std::string> expectations = CaseNames("invalid-", ".expected");
  EXPECT_GE(tomls.size(), 40u) << "data dir: " << ConfigDataDir();
  EXPECT_EQ(tomls, expectations);
}

}  // namespace
}  // namespace gatewatch::config
