#pragma once
#include <string>

// Which malloc the process runs on, handing its free pages back to the kernel, and asking it
// which long-lived blocks to copy so part-used pages can empty (heap compaction). The
// gatewatch executable links jemalloc (CMake option GATEWATCH_JEMALLOC); tests and sanitizer
// builds run on glibc's malloc. Both work either way: jemalloc is found at run time.
namespace gatewatch::core {

// "jemalloc 5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c (1 arena)" or "glibc malloc".
std::string AllocatorName();

// Whether the heap block at `block` sits in a page run used no more than 1.125 times the
// average run of its size class, so that a copy of it would land in a fuller run and its own
// could empty and go back to the kernel (jemalloc 5's experimental.utilization.query; Redis
// and Valkey defragment on the same figures). Always false on glibc's malloc, for blocks in
// the run new blocks of that size come from, and for large blocks.
bool WorthMoving(const void* block);

// While alive, the calling thread allocates and frees without its thread cache (jemalloc's
// tcache; nothing on glibc): a copy made because WorthMoving said so goes where the
// allocator puts new blocks rather than into a slot just freed, and freeing the original
// frees its slot now. Not for hot paths: every call takes the arena's lock.
class UncachedAllocations {
 public:
  UncachedAllocations();
  ~UncachedAllocations();
  UncachedAllocations(const UncachedAllocations&) = delete;
  UncachedAllocations& operator=(const UncachedAllocations&) = delete;

 private:
  bool restore_ = false;  // the cache was on and this turned it off
};

// Returns freed memory to the kernel now (after a large config load, say), instead of when
// the allocator would on its own, so the resident size shows what the agent keeps.
void ReleaseFreeMemory();

}  // namespace gatewatch::core
