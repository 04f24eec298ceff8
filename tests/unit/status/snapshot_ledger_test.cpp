#include "status/snapshot_ledger.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

namespace gatewatch::status {
namespace {

TEST(SnapshotLedger, AliveUntilTheLastCopyOfEverySnapshotIsGone) {
  SnapshotLedger ledger;
  EXPECT_FALSE(ledger.AnyAlive());
  auto first = ledger.Track(std::make_unique<StatusSnapshot>());
  std::shared_ptr<const StatusSnapshot> second = ledger.Track(std::make_unique<StatusSnapshot>());
  auto copy = first;
  first.reset();
  EXPECT_TRUE(ledger.AnyAlive()) << "a copy of the first and the second are still held";
  copy.reset();
  EXPECT_TRUE(ledger.AnyAlive()) << "the second is still held";
  second.reset();
  EXPECT_FALSE(ledger.AnyAlive());
}

// What a reader read before dropping its snapshot happened before the loop's "none alive",
// so the loop may then write it (TSan checks the pairing).
TEST(SnapshotLedger, AReaderOnAnotherThreadHandsTheStatusesBack) {
  SnapshotLedger ledger;
  auto status = std::make_shared<TargetStatus>();
  status->probes_total = 1;
  auto snapshot = ledger.Track(std::make_unique<StatusSnapshot>());
  snapshot->targets.push_back(status);
  std::uint64_t seen = 0;
  std::thread reader([held = std::shared_ptr<const StatusSnapshot>(std::move(snapshot)),
                      &seen]() mutable {
    seen = held->targets[0]->probes_total;
    held.reset();
  });
  while (ledger.AnyAlive()) std::this_thread::yield();
  status->probes_total = 2;  // in place: nobody can see it any more
  reader.join();
  EXPECT_EQ(seen, 1u);
  EXPECT_EQ(status.use_count(), 1);
}

TEST(SnapshotLedger, ASnapshotMayOutliveItsLedger) {
  std::shared_ptr<StatusSnapshot> kept;
  {
    SnapshotLedger ledger;
    kept = ledger.Track(std::make_unique<StatusSnapshot>());
  }
  kept->generated = core::Clock::WallTimePoint{};
  kept.reset();  // its deleter still has the count to report to
  SUCCEED();
}

}  // namespace
}  // namespace gatewatch::status
