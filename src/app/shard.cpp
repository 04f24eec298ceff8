#include "app/shard.h"

namespace gatewatch::app {

std::uint64_t StableHash(std::string_view text) {
  std::uint64_t h = 14695981039346656037ULL;  // FNV-1a 64 offset basis
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

bool OwnsTarget(const config::Shard& shard, std::string_view target_name) {
  if (shard.count <= 1) return true;
  return StableHash(target_name) % shard.count == shard.index;
}

}  // namespace gatewatch::app
