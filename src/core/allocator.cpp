#include "core/allocator.h"

#include <malloc.h>

#include <cstddef>
#include <string>

// jemalloc's control entry points, weak: null unless the executable linked jemalloc.
extern "C" int mallctl(const char* name, void* oldp, std::size_t* oldlenp, void* newp,
                       std::size_t newlen) __attribute__((weak));
extern "C" int mallctlnametomib(const char* name, std::size_t* mibp, std::size_t* miblenp)
    __attribute__((weak));
extern "C" int mallctlbymib(const std::size_t* mib, std::size_t miblen, void* oldp,
                            std::size_t* oldlenp, void* newp, std::size_t newlen)
    __attribute__((weak));

namespace gatewatch::core {

std::string AllocatorName() {
  const char* version = nullptr;
  std::size_t length = sizeof(version);
  if (mallctl != nullptr && mallctl("version", &version, &length, nullptr, 0) == 0 &&
      version != nullptr) {
    std::string name = std::string("jemalloc ") + version;
    unsigned arenas = 0;
    length = sizeof(arenas);
    if (mallctl("opt.narenas", &arenas, &length, nullptr, 0) == 0) {
      name += " (" + std::to_string(arenas) + (arenas == 1 ? " arena)" : " arenas)");
    }
    return name;
  }
  return "glibc malloc";
}

namespace {

// experimental.utilization.query, looked up once (by name it would be parsed on every call).
struct UtilizationQuery {
  std::size_t mib[4] = {};
  std::size_t length = 4;
  bool usable = false;

  UtilizationQuery() {
    if (mallctl == nullptr || mallctlnametomib == nullptr || mallctlbymib == nullptr) return;
    // The bin totals it reports are only kept with statistics compiled in (Debian's are).
    bool stats = false;
    std::size_t size = sizeof(stats);
    if (mallctl("config.stats", &stats, &size, nullptr, 0) != 0 || !stats) return;
    usable = mallctlnametomib("experimental.utilization.query", mib, &length) == 0;
  }
};

// What the query reports about the run (slab) holding a block, in jemalloc's order.
struct RunUtilization {
  const void* current_run;  // where a new block of this size would go; null if all are full
  std::size_t run_free;     // free slots in the block's run
  std::size_t run_slots;
  std::size_t run_bytes;
  std::size_t size_class_free;  // over every run of the size class
  std::size_t size_class_slots;
};

}  // namespace

bool WorthMoving(const void* block) {
  static const UtilizationQuery query;
  if (!query.usable || block == nullptr) return false;
  RunUtilization run{};
  std::size_t length = sizeof(run);
  if (mallctlbymib(query.mib, query.length, &run, &length, &block, sizeof(block)) != 0 ||
      length != sizeof(run)) {
    return false;
  }
  // A full run gains nothing; a large block (one slot) has no run to share.
  if (run.run_free == 0 || run.run_slots <= 1 || run.current_run == nullptr) return false;
  // The run new blocks come from is about to fill up: moving out of it goes nowhere.
  const auto* current = static_cast<const char*>(run.current_run);
  const auto* address = static_cast<const char*>(block);
  if (address >= current && address < current + run.run_bytes) return false;
  // Used no more than 1.125 times the average run of its size class (the margin Valkey's
  // active defragmentation uses, so runs all about half used still consolidate): its blocks
  // are the ones to move into fuller runs. Cross-multiplied, to stay in integers.
  const std::size_t run_used = run.run_slots - run.run_free;
  const std::size_t class_used = run.size_class_slots - run.size_class_free;
  return 8 * run_used * run.size_class_slots <= 9 * class_used * run.run_slots;
}

UncachedAllocations::UncachedAllocations() {
  if (mallctl == nullptr) return;
  bool enabled = false;
  bool off = false;
  std::size_t size = sizeof(enabled);
  // Turning it off flushes what it holds back to the arena.
  restore_ = mallctl("thread.tcache.enabled", &enabled, &size, &off, sizeof(off)) == 0 && enabled;
}

UncachedAllocations::~UncachedAllocations() {
  if (!restore_) return;
  bool on = true;
  mallctl("thread.tcache.enabled", nullptr, nullptr, &on, sizeof(on));
}

void ReleaseFreeMemory() {
  if (mallctl != nullptr) {
    // MALLCTL_ARENAS_ALL is 4096 in jemalloc 5; spelled out so no jemalloc header is needed.
    mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
    return;
  }
  malloc_trim(0);
}

}  // namespace gatewatch::core
