#pragma once
#include <string>

// Which malloc the process runs on, and handing its free pages back to the kernel. The
// gatewatch executable links jemalloc (CMake option GATEWATCH_JEMALLOC); tests and sanitizer
// builds run on glibc's malloc. Both work either way: jemalloc is found at run time.
namespace gatewatch::core {

// "jemalloc 5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c (1 arena)" or "glibc malloc".
std::string AllocatorName();

// Returns freed memory to the kernel now (after a large config load, say), instead of when
// the allocator would on its own, so the resident size shows what the agent keeps.
void ReleaseFreeMemory();

}  // namespace gatewatch::core
