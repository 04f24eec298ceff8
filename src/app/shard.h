#pragma once
#include <cstdint>
#include <string_view>

#include "config/config.h"

namespace gatewatch::app {

// Stable 64-bit FNV-1a of a target name: the same on every replica, build and restart.
std::uint64_t StableHash(std::string_view text);

// True when this replica (shard.index of shard.count) owns the target. Replicas with the
// same count and different indexes split targets disjointly and completely.
bool OwnsTarget(const config::Shard& shard, std::string_view target_name);

}  // namespace gatewatch::app
