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

}  // namespace
}  // namespace gatewatch::testing
