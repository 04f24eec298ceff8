#pragma once
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "status/snapshot.h"

// The JSON of GET /api/v1/targets (the shape is documented in server/http_api.h). Pure
// functions of a snapshot; safe from any thread.
namespace gatewatch::server {

// Receives output in pieces; returns false to stop early (the client went away).
using Sink = std::function<bool(std::string_view chunk)>;

// {"dns": seconds, ...}: the measured phases only (a phase that never happened is absent).
nlohmann::ordered_json PhasesToJson(const net::PhaseTimings& phases);

// One element of "targets". Non-finite numbers become null.
nlohmann::ordered_json TargetToJson(const status::TargetStatus& target);

// The whole document {"generated", "targets"}, streamed to `sink` one target at a time so
// memory stays bounded. `only`: render just the target of that name ("" = all). Invalid
// UTF-8 in strings (a detail copied from a response) is replaced, never thrown on.
// Returns false if the sink stopped it.
bool RenderTargetsJson(const status::StatusSnapshot& snapshot, std::string_view only,
                       const Sink& sink);

}  // namespace gatewatch::server
