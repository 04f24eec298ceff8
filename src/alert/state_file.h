#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert_engine.h"
#include "core/clock.h"

// The alert state file: AlertEngine::Export() saved under agent.state_dir so that after a
// restart (kill -9 included) AlertEngine::Restore() puts firing alerts back without
// announcing them again. Plain functions; safe to call from any thread, as long as no two
// threads save the same path at once.
//
// Format (JSON, wall times as Unix milliseconds):
//   {"version": 1, "alerts": [{"rule": "gateway-502", "target": "checkout", "state": "firing",
//     "since_ms": 1790000000000, "fired_at_ms": ..., "last_notified_ms": ..., "sequence": 3,
//     "value": 0.42}]}
namespace gatewatch::alert {

inline constexpr int kStateFileVersion = 1;

// "<state_dir>/alerts.json".
std::string StateFilePath(std::string_view state_dir);

// The file's text for `alerts`. Pure. Non-finite values are written as 0.
std::string SerializeAlertState(std::span<const SavedAlert> alerts);

// Writes the file atomically (core::WriteFileAtomically). Returns "" or what failed.
std::string SaveAlertState(const std::string& path, std::span<const SavedAlert> alerts);

struct LoadedAlertState {
  std::vector<SavedAlert> alerts;  // empty on any error
  // "" when the file was read, or is missing (first start). Otherwise one line for the log,
  // e.g. "/var/lib/gatewatch/alerts.json is corrupt (...); set aside as
  // /var/lib/gatewatch/alerts.json.corrupt-1790000000; starting with no saved alerts".
  std::string error;
  std::string set_aside_path;  // where a corrupt file went, "" if none
};

// Reads the file. A corrupt, truncated or unsupported-version file is renamed to
// "<path>.corrupt-<unix seconds of wall_now>" (core::SetAsideCorruptFile) and reported in
// `error`, never thrown; an unreadable file (permissions) is reported and left in place.
LoadedAlertState LoadAlertState(const std::string& path, core::Clock::WallTimePoint wall_now);

}  // namespace gatewatch::alert
