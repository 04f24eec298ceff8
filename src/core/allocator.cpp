#include "core/allocator.h"

#include <malloc.h>

#include <cstddef>
#include <string>

// jemalloc's control entry point, weak: null unless the executable linked jemalloc.
extern "C" int mallctl(const char* name, void* oldp, std::size_t* oldlenp, void* newp,
                       std::size_t newlen) __attribute__((weak));

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

void ReleaseFreeMemory() {
  if (mallctl != nullptr) {
    // MALLCTL_ARENAS_ALL is 4096 in jemalloc 5; spelled out so no jemalloc header is needed.
    mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0);
    return;
  }
  malloc_trim(0);
}

}  // namespace gatewatch::core
