// Packaging the build: `cmake --install` lays out the binary, the systemd unit (pointing at
// the installed binary), the default config and the docs; cpack builds a .deb with that
// layout, its conffile, maintainer scripts and Depends from dpkg-shlibdeps. The .deb test
// takes several seconds (stripping the binary, dpkg-shlibdeps, compression): it builds the
// real package.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "support/child_process.h"
#include "support/deploy_files.h"

namespace gatewatch::testing {
namespace {

using std::chrono::seconds;

bool IsExecutable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

bool Exists(const std::string& path) { return std::filesystem::is_regular_file(path); }

TEST(Package, InstallLaysOutBinaryUnitConfigAndDocs) {
  TempDir dir;
  const std::string prefix = dir.path() + "/opt/gatewatch";
  const auto install =
      RunCommand("cmake", {"--install", GATEWATCH_BUILD_DIR, "--prefix", prefix}, seconds(60));
  ASSERT_EQ(install.exit_code, 0) << install.output;
  EXPECT_TRUE(IsExecutable(prefix + "/bin/gatewatch"));
  EXPECT_TRUE(Exists(prefix + "/share/doc/gatewatch/README.md"));
  EXPECT_TRUE(Exists(prefix + "/share/doc/gatewatch/examples/example.toml"));
  EXPECT_TRUE(Exists(prefix + "/share/doc/gatewatch/examples/gatewatch.env.example"));
  EXPECT_TRUE(Exists(prefix + "/share/doc/gatewatch/grafana/gatewatch-dashboard.json"));
  // Not /usr: the config goes under the prefix (the .deb puts it in /etc).
  EXPECT_EQ(ReadFile(prefix + "/etc/gatewatch/gatewatch.toml"),
            ReadFile(SourcePath("deploy/systemd/gatewatch.toml")));

  const std::string unit_path = prefix + "/lib/systemd/system/gatewatch.service";
  const std::string unit = ReadFile(unit_path);
  EXPECT_NE(unit.find("\nExecStart=" + prefix +
                      "/bin/gatewatch --config "
                      "/etc/gatewatch/gatewatch.toml\n"),
            std::string::npos)
      << unit;
  EXPECT_EQ(unit.find("/usr/bin/gatewatch"), std::string::npos) << unit;

  // The installed unit is one systemd accepts, and its binary runs.
  if (IsExecutable("/usr/bin/systemd-analyze")) {
    const auto verify = RunCommand("/usr/bin/systemd-analyze", {"verify", unit_path});
    EXPECT_EQ(verify.exit_code, 0) << verify.output;
  }
  const auto version = RunCommand(prefix + "/bin/gatewatch", {"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.output.find("gatewatch "), std::string::npos);
}

TEST(Package, DebHasTheLayoutMetadataAndMaintainerScripts) {
  if (!IsExecutable("/usr/bin/dpkg-deb") || !IsExecutable("/usr/bin/dpkg-shlibdeps")) {
    GTEST_SKIP() << "dpkg-dev not installed";
  }
  TempDir dir;
  // cpack's own "install project" step first builds the `preinstall` target, which for a
  // Makefile build means every target of the tree, the running test binaries included.
  // The same install script, run directly with the prefix and DESTDIR cpack uses for a .deb,
  // packages exactly what is built.
  const auto script =
      dir.Write("install.cmake", std::string("set(CMAKE_INSTALL_PREFIX /usr)\n") + "include(\"" +
                                     GATEWATCH_BUILD_DIR + "/cmake_install.cmake\")\n");
  const auto cpack =
      RunCommand("cpack",
                 {"--config", std::string(GATEWATCH_BUILD_DIR) + "/CPackConfig.cmake", "-B",
                  dir.path() + "/out", "-D", "CPACK_INSTALL_CMAKE_PROJECTS=", "-D",
                  "CPACK_INSTALL_SCRIPTS=" + script},
                 seconds(120));
  ASSERT_EQ(cpack.exit_code, 0) << cpack.output;
  std::string deb;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() + "/out")) {
    if (entry.path().extension() == ".deb") deb = entry.path().string();
  }
  ASSERT_TRUE(std::regex_search(deb, std::regex(R"(/gatewatch_\d+\.\d+\.\d+-1_[a-z0-9]+\.deb$)")))
      << deb;

  const auto contents = RunCommand("/usr/bin/dpkg-deb", {"-c", deb});
  ASSERT_EQ(contents.exit_code, 0) << contents.output;
  for (const char* file : {"./usr/bin/gatewatch", "./usr/lib/systemd/system/gatewatch.service",
                           "./etc/gatewatch/gatewatch.toml", "./usr/share/doc/gatewatch/README.md",
                           "./usr/share/doc/gatewatch/examples/example.toml",
                           "./usr/share/doc/gatewatch/grafana/gatewatch-dashboard.json"}) {
    EXPECT_TRUE(std::regex_search(contents.output, std::regex(std::string(" ") + file + "\n")))
        << file << " missing:\n"
        << contents.output;
  }
  EXPECT_TRUE(std::regex_search(contents.output,
                                std::regex(R"(-rwxr-xr-x root/root .* \./usr/bin/gatewatch\n)")))
      << contents.output;

  const auto info = RunCommand("/usr/bin/dpkg-deb", {"-I", deb});
  ASSERT_EQ(info.exit_code, 0) << info.output;
  EXPECT_NE(info.output.find(" Package: gatewatch\n"), std::string::npos) << info.output;
  EXPECT_TRUE(std::regex_search(info.output, std::regex(R"( Version: \d+\.\d+\.\d+-1\n)")))
      << info.output;
  EXPECT_NE(info.output.find(" Section: net\n"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find(" Maintainer: "), std::string::npos) << info.output;
  EXPECT_NE(info.output.find(" Description: synthetic monitoring agent"), std::string::npos)
      << info.output;
  // dpkg-shlibdeps found the libraries the binary links.
  const auto depends = RunCommand("/usr/bin/dpkg-deb", {"-f", deb, "Depends"});
  std::set<std::string> packages;
  std::istringstream list(depends.output);
  for (std::string item; std::getline(list, item, ',');) {
    std::istringstream words(item);
    std::string name;
    words >> name;
    packages.insert(name);
  }
  for (const char* lib : {"libcurl4", "libsystemd0", "libstdc++6", "libc6"}) {
    EXPECT_TRUE(packages.contains(lib)) << lib << " not in Depends: " << depends.output;
  }
  if (GATEWATCH_LINKS_JEMALLOC) {
    EXPECT_TRUE(packages.contains("libjemalloc2")) << "not in Depends: " << depends.output;
  }
  for (const char* member : {"conffiles", "postinst", "prerm", "postrm"}) {
    EXPECT_NE(info.output.find(std::string(" ") + member), std::string::npos) << member;
  }
  const auto conffiles = RunCommand("/usr/bin/dpkg-deb", {"-I", deb, "conffiles"});
  EXPECT_EQ(conffiles.output, "/etc/gatewatch/gatewatch.toml\n");
}

}  // namespace
}  // namespace gatewatch::testing
