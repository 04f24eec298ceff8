#pragma once
#include <atomic>
#include <cstdint>
#include <memory>

#include "status/snapshot.h"

namespace gatewatch::status {

// Counts the snapshots still alive, so the probe loop knows when no reader can see the
// target statuses it put in them. While one is alive the loop copies a status before
// changing it (copy-on-write); once none is, it writes its statuses in place again. At
// 10,000 targets probed every second that is the difference between one copy of every status
// and two (see app::TargetState::Publish).
//
// Track() and AnyAlive() are for the loop's thread; the snapshots it hands out may be dropped
// on any thread, and may outlive the ledger.
class SnapshotLedger {
 public:
  // Takes ownership. The returned pointer's deleter reports the snapshot's end.
  std::shared_ptr<StatusSnapshot> Track(std::unique_ptr<StatusSnapshot> snapshot) {
    alive_->fetch_add(1, std::memory_order_relaxed);
    return std::shared_ptr<StatusSnapshot>(snapshot.release(), Release{alive_});
  }

  // False once every tracked snapshot was destroyed. The acquire pairs with the release in
  // the deleter: everything a reader did with a snapshot happened before a false answer, so
  // the loop may then write what the snapshots pointed at.
  bool AnyAlive() const { return alive_->load(std::memory_order_acquire) != 0; }

 private:
  struct Release {
    std::shared_ptr<std::atomic<std::int64_t>> alive;
    void operator()(StatusSnapshot* snapshot) const {
      delete snapshot;  // first: it drops its references to the statuses
      alive->fetch_sub(1, std::memory_order_release);
    }
  };
  // Shared with every deleter: a reader may drop its snapshot after the agent is gone.
  std::shared_ptr<std::atomic<std::int64_t>> alive_ =
      std::make_shared<std::atomic<std::int64_t>>(0);
};

}  // namespace gatewatch::status
