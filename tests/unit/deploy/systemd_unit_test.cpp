// deploy/systemd/gatewatch.service read as systemd would (the settings that make it a
// Type=notify service with reload, watchdog and a sandbox), and consistent with the
// packaged config it starts with. tests/integration/systemd_test.cpp runs systemd-analyze
// on it and the real binary under the notify protocol.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "config/load.h"
#include "support/deploy_files.h"

namespace gatewatch::testing {
namespace {

// [Section] -> key -> every value assigned (a key may repeat; an empty assignment resets).
using Unit = std::map<std::string, std::multimap<std::string, std::string>>;

Unit ParseUnit(const std::string& text) {
  Unit unit;
  std::string section;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = line.substr(1, line.size() - 2);
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    unit[section].emplace(line.substr(0, eq), line.substr(eq + 1));
  }
  return unit;
}

std::string One(const Unit& unit, const std::string& section, const std::string& key) {
  const auto s = unit.find(section);
  if (s == unit.end()) return "<no section>";
  const auto [first, last] = s->second.equal_range(key);
  if (first == last) return "<unset>";
  return std::prev(last)->second;  // the last assignment wins
}

Unit Service() { return ParseUnit(ReadFile(SourcePath("deploy/systemd/gatewatch.service"))); }

TEST(SystemdUnit, IsANotifyServiceThatReloadsAndIsWatched) {
  const auto u = Service();
  EXPECT_EQ(One(u, "Service", "Type"), "notify");
  EXPECT_EQ(One(u, "Service", "ExecStart"),
            "/usr/bin/gatewatch --config /etc/gatewatch/gatewatch.toml");
  EXPECT_EQ(One(u, "Service", "ExecReload"), "/bin/kill -HUP $MAINPID");
  EXPECT_EQ(One(u, "Service", "Restart"), "on-failure");
  // Exit 2 is an invalid config: a restart loop cannot fix it.
  EXPECT_EQ(One(u, "Service", "RestartPreventExitStatus"), "2");
  // The agent counts as alive for 10 s after its last loop iteration and pings every half
  // interval: anything under ~20 s would restart a healthy agent after one slow iteration.
  const std::string watchdog = One(u, "Service", "WatchdogSec");
  ASSERT_TRUE(std::regex_match(watchdog, std::regex(R"(\d+s)"))) << watchdog;
  EXPECT_GE(std::stoi(watchdog), 20);
  EXPECT_EQ(One(u, "Install", "WantedBy"), "multi-user.target");
}

TEST(SystemdUnit, RunsSandboxedWithItsOwnStateAndSecrets) {
  const auto u = Service();
  EXPECT_EQ(One(u, "Service", "DynamicUser"), "yes");
  EXPECT_EQ(One(u, "Service", "StateDirectory"), "gatewatch");
  EXPECT_EQ(One(u, "Service", "ConfigurationDirectory"), "gatewatch");
  EXPECT_EQ(One(u, "Service", "EnvironmentFile"), "-/etc/gatewatch/gatewatch.env");
  EXPECT_EQ(One(u, "Service", "NoNewPrivileges"), "yes");
  EXPECT_EQ(One(u, "Service", "ProtectSystem"), "strict");
  EXPECT_EQ(One(u, "Service", "CapabilityBoundingSet"), "");
  // Probes and the listener (AF_INET, AF_INET6), the notify socket and journald (AF_UNIX).
  const std::string families = One(u, "Service", "RestrictAddressFamilies");
  for (const char* family : {"AF_INET", "AF_INET6", "AF_UNIX"}) {
    EXPECT_TRUE(std::regex_search(families, std::regex(std::string("\\b") + family + "\\b")))
        << families;
  }
  // Outbound probes go anywhere: no IP allow list, no private network.
  EXPECT_EQ(One(u, "Service", "PrivateNetwork"), "<unset>");
  EXPECT_EQ(One(u, "Service", "IPAddressDeny"), "<unset>");
}

TEST(SystemdUnit, PackagedConfigIsValidAndUsesTheUnitsDirectories) {
  const std::string path = SourcePath("deploy/systemd/gatewatch.toml");
  const auto loaded = config::ParseConfig(ReadFile(path), "gatewatch.toml",
                                          [](std::string_view) { return std::nullopt; });
  ASSERT_TRUE(loaded.config) << (loaded.errors.empty() ? "" : loaded.errors[0].ToString());
  EXPECT_EQ(loaded.config->agent.state_dir, "/var/lib/gatewatch");  // StateDirectory=gatewatch
  EXPECT_FALSE(loaded.config->targets.empty());
}

}  // namespace
}  // namespace gatewatch::testing
