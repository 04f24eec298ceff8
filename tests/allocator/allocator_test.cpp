// core/allocator against the real jemalloc, linked into this executable as into gatewatch
// (the other test executables run on glibc's malloc, where there is nothing to ask).
#include "core/allocator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

extern "C" int mallctl(const char* name, void* oldp, std::size_t* oldlenp, void* newp,
                       std::size_t newlen);

namespace gatewatch::core {
namespace {

// Bytes in pages that hold live blocks (jemalloc's stats.active), refreshed now.
std::size_t ActiveBytes() {
  std::uint64_t epoch = 1;
  std::size_t length = sizeof(epoch);
  mallctl("epoch", &epoch, &length, &epoch, sizeof(epoch));
  std::size_t active = 0;
  length = sizeof(active);
  EXPECT_EQ(mallctl("stats.active", &active, &length, nullptr, 0), 0);
  return active;
}

// 440 bytes: jemalloc's 448-byte class, as a target's status is.
using Block = std::array<std::uint32_t, 110>;

std::unique_ptr<Block> NewBlock(std::uint32_t tag) {
  auto block = std::make_unique<Block>();
  block->fill(tag);
  return block;
}

TEST(Allocator, RunsOnJemallocHere) {
  EXPECT_THAT(AllocatorName(), ::testing::StartsWith("jemalloc "));
}

TEST(Allocator, MovingWhatWorthMovingNamesEmptiesHalfUsedPages) {
  // 20,000 blocks, then every other one freed: pages half used, none free.
  std::vector<std::unique_ptr<Block>> blocks;
  for (std::uint32_t i = 0; i < 20'000; ++i) blocks.push_back(NewBlock(i));
  std::vector<std::unique_ptr<Block>> kept;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (i % 2 == 0) kept.push_back(std::move(blocks[i]));
  }
  blocks.clear();
  const std::size_t before = ActiveBytes();

  std::size_t moved = 0;
  {
    UncachedAllocations uncached;
    for (auto& block : kept) {
      if (!WorthMoving(block.get())) continue;
      block = std::make_unique<Block>(*block);  // new block first, then the old one goes
      ++moved;
    }
  }
  const std::size_t after = ActiveBytes();
  EXPECT_GT(moved, kept.size() / 4);
  // Half of 20,000 x 448 bytes was holes: most of it comes back as whole free pages.
  EXPECT_LT(after + 2'000'000, before) << "before " << before << " after " << after;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    ASSERT_EQ((*kept[i])[0], 2 * i);
    ASSERT_EQ((*kept[i])[109], 2 * i);
  }
  // Packed now: few blocks are still worth moving.
  std::size_t still = 0;
  for (const auto& block : kept) still += WorthMoving(block.get()) ? 1 : 0;
  EXPECT_LT(still, kept.size() / 10);
}

TEST(Allocator, FullPagesLargeBlocksAndNullAreNotWorthMoving) {
  EXPECT_FALSE(WorthMoving(nullptr));
  const auto large = std::make_unique<std::array<char, 1 << 20>>();
  EXPECT_FALSE(WorthMoving(large.get()));
  std::vector<std::unique_ptr<Block>> packed;
  for (std::uint32_t i = 0; i < 4'096; ++i) packed.push_back(NewBlock(i));
  std::size_t worth = 0;
  for (const auto& block : packed) worth += WorthMoving(block.get()) ? 1 : 0;
  EXPECT_LT(worth, packed.size() / 10);
}

TEST(Allocator, UncachedAllocationsTurnTheThreadCacheBackOn) {
  bool enabled = false;
  std::size_t length = sizeof(enabled);
  ASSERT_EQ(mallctl("thread.tcache.enabled", &enabled, &length, nullptr, 0), 0);
  ASSERT_TRUE(enabled);
  {
    UncachedAllocations uncached;
    ASSERT_EQ(mallctl("thread.tcache.enabled", &enabled, &length, nullptr, 0), 0);
    EXPECT_FALSE(enabled);
  }
  ASSERT_EQ(mallctl("thread.tcache.enabled", &enabled, &length, nullptr, 0), 0);
  EXPECT_TRUE(enabled);
}

}  // namespace
}  // namespace gatewatch::core
