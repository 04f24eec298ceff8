#include "app/shard.h"

#include <gtest/gtest.h>

#include <string>

namespace gatewatch::app {
namespace {

TEST(Shard, ReplicasSplitTargetsDisjointlyAndCompletely) {
  for (std::uint32_t count : {1u, 2u, 3u, 7u}) {
    std::vector<int> owners(5000, 0);
    std::vector<int> per_shard(count, 0);
    for (std::uint32_t index = 0; index < count; ++index) {
      for (int t = 0; t < 5000; ++t) {
        if (OwnsTarget({index, count}, "target-" + std::to_string(t))) {
          ++owners[t];
          ++per_shard[index];
        }
      }
    }
    for (int t = 0; t < 5000; ++t) ASSERT_EQ(owners[t], 1) << "target " << t << " of " << count;
    // Roughly even: every shard gets at least half its fair share.
    for (int n : per_shard) EXPECT_GT(n, 5000 / static_cast<int>(count) / 2);
  }
}

TEST(Shard, HashIsStableAcrossBuilds) {
  // FNV-1a 64 test vectors: a replica must agree with every other build on who owns what.
  EXPECT_EQ(StableHash(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(StableHash("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(StableHash("foobar"), 0x85944171f73967e8ULL);
}

}  // namespace
}  // namespace gatewatch::app
