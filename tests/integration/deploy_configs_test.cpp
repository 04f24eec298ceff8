// Every gatewatch config shipped under deploy/ (the Kubernetes ConfigMaps and the packaged
// /etc/gatewatch/gatewatch.toml) passes `gatewatch check-config` with the environment its
// manifests provide, and really takes its secrets from that environment.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "support/child_process.h"
#include "support/deploy_files.h"

namespace gatewatch::testing {
namespace {

std::set<std::string> Variables(const std::string& toml) {
  static const std::regex kVar(R"(\$\{([A-Za-z_][A-Za-z0-9_]*)\})");
  std::set<std::string> names;
  for (auto it = std::sregex_iterator(toml.begin(), toml.end(), kVar); it != std::sregex_iterator();
       ++it) {
    names.insert((*it)[1].str());
  }
  return names;
}

// Values shaped like what the Secret and the downward API would hand over.
std::vector<std::string> EnvFor(const std::set<std::string>& names, const std::string& skip = "") {
  std::vector<std::string> env;
  for (const auto& name : names) {
    if (name == skip) continue;
    std::string value = "test-value-0123456789";
    if (name.ends_with("_URL")) value = "https://hooks.example.com/services/T000/B000/abc";
    if (name == "POD_NAME") value = "shop-7d9f8b6c5-x2x9k";
    env.push_back(name + "=" + value);
  }
  return env;
}

TEST(DeployConfigs, KubernetesConfigMapsPassCheckConfig) {
  const auto configs = EmbeddedGatewatchConfigs();
  ASSERT_GE(configs.size(), 2u);
  TempDir dir;
  for (const auto& c : configs) {
    const auto path = dir.Write(c.name + ".toml", c.toml);
    const auto vars = Variables(c.toml);
    const auto result = RunCommand(GATEWATCH_BINARY, {"check-config", path},
                                   std::chrono::seconds(30), EnvFor(vars));
    EXPECT_EQ(result.exit_code, 0) << c.file << " " << c.name << ":\n" << result.output;
    EXPECT_NE(result.output.find(": OK: "), std::string::npos) << result.output;
    // The values came from the environment and stay secret: check-config never shows them.
    EXPECT_EQ(result.output.find("test-value-0123456789"), std::string::npos) << result.output;
    EXPECT_EQ(result.output.find("hooks.example.com/services"), std::string::npos) << result.output;

    // Each variable is really needed: without it the config is invalid and says which.
    for (const auto& var : vars) {
      const auto missing = RunCommand(GATEWATCH_BINARY, {"check-config", path},
                                      std::chrono::seconds(30), EnvFor(vars, var));
      EXPECT_EQ(missing.exit_code, 2) << c.name << " without " << var;
      EXPECT_NE(missing.output.find(var), std::string::npos) << missing.output;
    }
  }
}

TEST(DeployConfigs, PackagedDefaultConfigPassesCheckConfig) {
  const auto result =
      RunCommand(GATEWATCH_BINARY, {"check-config", SourcePath("deploy/systemd/gatewatch.toml")});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("listen 0.0.0.0:9502"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace gatewatch::testing
