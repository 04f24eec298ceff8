#pragma once
#include <memory>
#include <string>
#include <utility>

#include "status/snapshot.h"

// Snapshots hold each target's status behind a shared pointer (the probe loop publishes
// them copy-on-write); tests build them from plain values.
namespace gatewatch::testing {

inline std::shared_ptr<const status::TargetStatus> Share(status::TargetStatus target) {
  return std::make_shared<const status::TargetStatus>(std::move(target));
}

// A copy of `model` under another name.
inline std::shared_ptr<const status::TargetStatus> Renamed(const status::TargetStatus& model,
                                                           std::string name) {
  status::TargetStatus copy = model;
  copy.name = std::move(name);
  return Share(std::move(copy));
}

}  // namespace gatewatch::testing
