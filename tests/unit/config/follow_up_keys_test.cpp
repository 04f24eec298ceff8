// The keys of the probes that follow a failure: upstream, confirm, resolve_all.
#include <gtest/gtest.h>

#include <string>

#include "config/load.h"
#include "unit/config/test_env.h"

namespace gatewatch::config {
namespace {

std::string ErrorLines(const LoadResult& result) {
  std::string out;
  for (const ConfigError& e : result.errors) out += e.ToString() + "\n";
  return out;
}

LoadResult Parse(const std::string& text) { return ParseConfig(text, "t.toml", testing::TestEnv); }

TEST(FollowUpKeys, DefaultsAreOneConfirmProbeNoUpstreamOneAddress) {
  const LoadResult r = Parse("[[target]]\nname = \"a\"\nurl = \"http://127.0.0.1:8080/\"\n");
  ASSERT_TRUE(r.config) << ErrorLines(r);
  const TargetSpec& t = r.config->targets.at(0);
  EXPECT_EQ(t.upstream, std::nullopt);
  EXPECT_FALSE(t.resolve_all);
  EXPECT_EQ(t.confirm, 1);
}

TEST(FollowUpKeys, TargetValuesWinOverDefaults) {
  const LoadResult r = Parse(
      "[defaults]\nconfirm = 3\nresolve_all = true\nupstream = \"${GW_TEST_API_URL}\"\n\n"
      "[[target]]\nname = \"a\"\nurl = \"https://api.example.com/health\"\n"
      "upstream = \"http://10.0.0.5:8080/health\"\nconfirm = 0\n\n"
      "[[target]]\nname = \"b\"\nurl = \"https://api.example.com/other\"\n"
      "resolve_all = false\n");
  ASSERT_TRUE(r.config) << ErrorLines(r);
  const TargetSpec& a = r.config->targets.at(0);
  const TargetSpec& b = r.config->targets.at(1);
  EXPECT_EQ(a.upstream, "http://10.0.0.5:8080/health");
  EXPECT_EQ(a.confirm, 0);
  EXPECT_TRUE(a.resolve_all);
  EXPECT_EQ(b.upstream, "https://user:s3cr3t-url-pass@api.example.com/health");
  EXPECT_EQ(b.confirm, 3);
  EXPECT_FALSE(b.resolve_all);
}

TEST(FollowUpKeys, ConfirmTakesWholeNumbersZeroToFive) {
  for (const char* ok : {"0", "5"}) {
    const LoadResult r = Parse(std::string("[[target]]\nname = \"a\"\nurl = \"http://h/\"\n") +
                               "confirm = " + ok + "\n");
    EXPECT_TRUE(r.config) << ok << ": " << ErrorLines(r);
  }
  const LoadResult r = Parse("[[target]]\nname = \"a\"\nurl = \"http://h/\"\nconfirm = 1.5\n");
  EXPECT_EQ(ErrorLines(r),
            "t.toml:4:11: targets.a.confirm: must be an integer 0..5 (confirm probes after a "
            "failure), got float 1.5\n");
}

TEST(FollowUpKeys, EditingThemIsAProbeChange) {
  TargetSpec a;
  TargetSpec b = a;
  EXPECT_TRUE(a.SameProbe(b));
  b.confirm = 2;
  EXPECT_FALSE(a.SameProbe(b));
  b = a;
  b.upstream = "http://10.0.0.5/";
  EXPECT_FALSE(a.SameProbe(b));
  b = a;
  b.resolve_all = true;
  EXPECT_FALSE(a.SameProbe(b));
}

}  // namespace
}  // namespace gatewatch::config
