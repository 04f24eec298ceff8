#include "alert/state_file.h"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"

namespace gatewatch::alert {
namespace {

using Json = nlohmann::ordered_json;

bool ParseState(std::string_view name, State* out) {
  for (const State s : {State::kInactive, State::kPending, State::kFiring}) {
    if (StateName(s) == name) {
      *out = s;
      return true;
    }
  }
  return false;
}

// Ten thousand years of milliseconds either way: anything beyond is damage, not a time.
constexpr std::int64_t kMaxAbsMs = 10'000LL * 366 * 24 * 3600 * 1000;

// Fills `out` from the document, or returns what is wrong with it. Never throws.
std::string Parse(const Json& doc, std::vector<SavedAlert>* out) {
  if (!doc.is_object()) return "not a JSON object";
  const auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer()) return "no \"version\"";
  if (version->get<std::int64_t>() != kStateFileVersion) {
    return "unsupported version " + version->dump();
  }
  const auto alerts = doc.find("alerts");
  if (alerts == doc.end() || !alerts->is_array()) return "no \"alerts\" array";
  out->reserve(alerts->size());
  for (std::size_t i = 0; i < alerts->size(); ++i) {
    const Json& a = (*alerts)[i];
    const std::string where = "alerts[" + std::to_string(i) + "]";
    if (!a.is_object()) return where + " is not an object";
    const auto text = [&a](const char* key) -> const Json* {
      const auto it = a.find(key);
      return it != a.end() && it->is_string() ? &*it : nullptr;
    };
    const auto integer = [&a](const char* key) -> const Json* {
      const auto it = a.find(key);
      const bool ok = it != a.end() && it->is_number_integer() &&
                      std::llabs(it->get<std::int64_t>()) < kMaxAbsMs;
      return ok ? &*it : nullptr;
    };
    const Json* rule = text("rule");
    const Json* target = text("target");
    const Json* state = text("state");
    const Json* since = integer("since_ms");
    const Json* fired = integer("fired_at_ms");
    const Json* notified = integer("last_notified_ms");
    const auto sequence = a.find("sequence");
    const auto value = a.find("value");
    if (rule == nullptr || target == nullptr || state == nullptr || since == nullptr ||
        fired == nullptr || notified == nullptr || sequence == a.end() ||
        !sequence->is_number_unsigned() || value == a.end() || !value->is_number()) {
      return where + " lacks a field or has one of the wrong type";
    }
    SavedAlert saved;
    saved.rule = rule->get<std::string>();
    saved.target = target->get<std::string>();
    if (!ParseState(state->get<std::string>(), &saved.state)) {
      return where + " has an unknown state " + state->dump();
    }
    saved.since_wall = core::FromUnixMillis(since->get<std::int64_t>());
    saved.fired_at_wall = core::FromUnixMillis(fired->get<std::int64_t>());
    saved.last_notified_wall = core::FromUnixMillis(notified->get<std::int64_t>());
    saved.sequence = sequence->get<std::uint64_t>();
    saved.value = value->get<double>();
    out->push_back(std::move(saved));
  }
  return {};
}

}  // namespace

std::string StateFilePath(std::string_view state_dir) {
  return core::FileInDirectory(state_dir, "alerts.json");
}

std::string SerializeAlertState(std::span<const SavedAlert> alerts) {
  Json list = Json::array();
  for (const SavedAlert& a : alerts) {
    Json entry = Json::object();
    entry["rule"] = a.rule;
    entry["target"] = a.target;
    entry["state"] = StateName(a.state);
    entry["since_ms"] = core::ToUnixMillis(a.since_wall);
    entry["fired_at_ms"] = core::ToUnixMillis(a.fired_at_wall);
    entry["last_notified_ms"] = core::ToUnixMillis(a.last_notified_wall);
    entry["sequence"] = a.sequence;
    entry["value"] = std::isfinite(a.value) ? a.value : 0.0;
    list.push_back(std::move(entry));
  }
  Json doc = Json::object();
  doc["version"] = kStateFileVersion;
  doc["alerts"] = std::move(list);
  // Rule and target names are validated ASCII, but a replacement character beats a throw.
  return doc.dump(1, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string SaveAlertState(const std::string& path, std::span<const SavedAlert> alerts) {
  return core::WriteFileAtomically(path, SerializeAlertState(alerts));
}

LoadedAlertState LoadAlertState(const std::string& path, core::Clock::WallTimePoint wall_now) {
  LoadedAlertState loaded;
  core::LoadJsonFileResult file =
      core::LoadJsonFile(path, core::ToUnixMillis(wall_now) / 1000, "starting with no saved alerts",
                         [&loaded](const Json& doc) { return Parse(doc, &loaded.alerts); });
  if (!file.parsed) loaded.alerts.clear();
  loaded.error = std::move(file.error);
  loaded.set_aside_path = std::move(file.set_aside_path);
  return loaded;
}

}  // namespace gatewatch::alert
