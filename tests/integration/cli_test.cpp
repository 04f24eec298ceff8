#include <gtest/gtest.h>

#include "core/version.h"
#include "support/child_process.h"

namespace gatewatch::testing {
namespace {

TEST(Cli, VersionPrintsVersionAndExitsZero) {
  auto r = RunCommand(GATEWATCH_BINARY, {"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find(core::kVersion), std::string::npos) << r.output;
}

// The agent runs on the allocator the build chose (jemalloc unless a sanitizer build or
// -DGATEWATCH_JEMALLOC=OFF), and says which, so a report from the field can tell.
TEST(Cli, VersionNamesTheAllocatorTheBuildLinked) {
  auto r = RunCommand(GATEWATCH_BINARY, {"--version"});
  ASSERT_EQ(r.exit_code, 0);
  const std::string expected =
      GATEWATCH_LINKS_JEMALLOC ? "allocator: jemalloc 5." : "allocator: glibc malloc";
  EXPECT_NE(r.output.find(expected), std::string::npos) << r.output;
  // With the arena count main.cpp configures (one busy thread needs no more).
  if (GATEWATCH_LINKS_JEMALLOC) {
    EXPECT_NE(r.output.find("(1 arena)"), std::string::npos) << r.output;
  }
}

}  // namespace
}  // namespace gatewatch::testing
