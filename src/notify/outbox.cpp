#include "notify/outbox.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"

namespace gatewatch::notify {
namespace {

using Json = nlohmann::ordered_json;
constexpr int kVersion = 1;

// Ten thousand years of milliseconds: anything beyond is damage, not a time.
constexpr std::int64_t kMaxAbsMs = 10'000LL * 366 * 24 * 3600 * 1000;

const Json* Field(const Json& object, const char* key, Json::value_t type) {
  const auto it = object.find(key);
  if (it == object.end()) return nullptr;
  if (type == Json::value_t::number_unsigned) return it->is_number_unsigned() ? &*it : nullptr;
  if (type == Json::value_t::number_integer) return it->is_number_integer() ? &*it : nullptr;
  return it->type() == type ? &*it : nullptr;
}

struct Parsed {
  std::uint64_t next_id = 1;
  std::vector<OutboxEntry> entries;
  std::map<std::string, std::map<std::string, std::string>, std::less<>> firing;
};

// Fills `out`, or returns what is wrong with the document. Never throws.
std::string Parse(const Json& doc, Parsed* out) {
  if (!doc.is_object()) return "not a JSON object";
  const Json* version = Field(doc, "version", Json::value_t::number_integer);
  if (version == nullptr) return "no \"version\"";
  if (version->get<std::int64_t>() != kVersion) return "unsupported version " + version->dump();
  const Json* next_id = Field(doc, "next_id", Json::value_t::number_unsigned);
  const Json* entries = Field(doc, "entries", Json::value_t::array);
  const Json* firing = Field(doc, "firing", Json::value_t::object);
  if (next_id == nullptr || entries == nullptr || firing == nullptr) {
    return "lacks next_id, entries or firing";
  }
  out->next_id = next_id->get<std::uint64_t>();
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const Json& e = (*entries)[i];
    const std::string where = "entries[" + std::to_string(i) + "]";
    if (!e.is_object()) return where + " is not an object";
    const Json* id = Field(e, "id", Json::value_t::number_unsigned);
    const Json* notifier = Field(e, "notifier", Json::value_t::string);
    const Json* type = Field(e, "type", Json::value_t::string);
    const Json* key = Field(e, "key", Json::value_t::string);
    const Json* body = Field(e, "body", Json::value_t::string);
    const Json* attempts = Field(e, "attempts", Json::value_t::number_unsigned);
    const Json* enqueued = Field(e, "enqueued_ms", Json::value_t::number_integer);
    const Json* last_error = Field(e, "last_error", Json::value_t::string);
    if (id == nullptr || notifier == nullptr || type == nullptr || key == nullptr ||
        body == nullptr || attempts == nullptr || enqueued == nullptr || last_error == nullptr) {
      return where + " lacks a field or has one of the wrong type";
    }
    const std::int64_t enqueued_ms = enqueued->get<std::int64_t>();
    if (enqueued_ms > kMaxAbsMs || enqueued_ms < -kMaxAbsMs || id->get<std::uint64_t>() == 0 ||
        id->get<std::uint64_t>() >= out->next_id) {
      return where + " has an impossible id or time";
    }
    OutboxEntry entry;
    entry.id = id->get<std::uint64_t>();
    entry.notifier = notifier->get<std::string>();
    entry.type = type->get<std::string>();
    entry.idempotency_key = key->get<std::string>();
    entry.body = body->get<std::string>();
    entry.attempts = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(attempts->get<std::uint64_t>(), UINT32_MAX));
    entry.enqueued_wall = core::FromUnixMillis(enqueued_ms);
    entry.last_error = last_error->get<std::string>();
    out->entries.push_back(std::move(entry));
  }
  for (const auto& [notifier, alerts] : firing->items()) {
    if (!alerts.is_object()) return "firing." + notifier + " is not an object";
    auto& set = out->firing[notifier];
    for (const auto& [fingerprint, alert] : alerts.items()) {
      // Re-sends splice endsAt into these, so each must be a JSON object's text.
      if (!alert.is_string()) return "firing." + notifier + "." + fingerprint + " is not text";
      const Json parsed = Json::parse(alert.get<std::string>(), nullptr, false);
      if (parsed.is_discarded() || !parsed.is_object()) {
        return "firing." + notifier + "." + fingerprint + " is not an alert object";
      }
      set[fingerprint] = alert.get<std::string>();
    }
  }
  return {};
}

}  // namespace

std::string OutboxFilePath(std::string_view state_dir) {
  return core::FileInDirectory(state_dir, "outbox.json");
}

Outbox::Outbox(std::string path, std::size_t capacity)
    : path_(std::move(path)), capacity_(std::max<std::size_t>(1, capacity)) {}

Outbox::LoadReport Outbox::Load(core::Clock::TimePoint now, core::Clock::WallTimePoint wall_now) {
  LoadReport report;
  queues_.clear();
  firing_.clear();
  size_ = 0;
  next_id_ = 1;
  dirty_ = false;
  urgent_ = false;
  if (path_.empty()) return report;

  Parsed parsed;
  core::LoadJsonFileResult file = core::LoadJsonFile(
      path_, core::ToUnixMillis(wall_now) / 1000, "starting with an empty notification outbox",
      [&parsed](const Json& doc) { return Parse(doc, &parsed); });
  if (!file.parsed) {
    report.error = std::move(file.error);
    report.set_aside_path = std::move(file.set_aside_path);
    return report;
  }

  std::sort(parsed.entries.begin(), parsed.entries.end(),
            [](const OutboxEntry& a, const OutboxEntry& b) { return a.id < b.id; });
  const std::size_t skip =
      parsed.entries.size() > capacity_ ? parsed.entries.size() - capacity_ : 0;
  for (std::size_t i = skip; i < parsed.entries.size(); ++i) {
    OutboxEntry& e = parsed.entries[i];
    const auto age =
        std::max(core::Clock::Duration::zero(),
                 std::chrono::duration_cast<core::Clock::Duration>(wall_now - e.enqueued_wall));
    e.enqueued = now - age;
    e.next_attempt = now;
    const std::string notifier = e.notifier;
    queues_[notifier].push_back(std::move(e));
    ++size_;
  }
  firing_ = std::move(parsed.firing);
  next_id_ = parsed.next_id;
  report.entries = size_;
  return report;
}

std::optional<OutboxEntry> Outbox::DropOldest() {
  std::deque<OutboxEntry>* oldest_queue = nullptr;
  std::size_t oldest_index = 0;
  for (auto& [name, queue] : queues_) {
    // Only the front can be in flight (deliveries go in order), so the second is the
    // candidate then.
    for (std::size_t i = 0; i < queue.size() && i < 2; ++i) {
      if (queue[i].in_flight) continue;
      if (oldest_queue == nullptr || queue[i].id < (*oldest_queue)[oldest_index].id) {
        oldest_queue = &queue;
        oldest_index = i;
      }
      break;
    }
  }
  if (oldest_queue == nullptr) return std::nullopt;
  OutboxEntry dropped = std::move((*oldest_queue)[oldest_index]);
  oldest_queue->erase(oldest_queue->begin() + static_cast<std::ptrdiff_t>(oldest_index));
  --size_;
  if (oldest_queue->empty()) queues_.erase(dropped.notifier);
  dirty_ = true;
  return dropped;
}

std::optional<OutboxEntry> Outbox::Push(OutboxEntry entry) {
  std::optional<OutboxEntry> dropped;
  if (size_ >= capacity_) dropped = DropOldest();
  entry.id = next_id_++;
  entry.in_flight = false;
  const auto it = queues_.find(entry.notifier);
  auto& queue = it != queues_.end() ? it->second : queues_[entry.notifier];
  queue.push_back(std::move(entry));
  ++size_;
  dirty_ = true;
  urgent_ = true;
  return dropped;
}

OutboxEntry* Outbox::Front(std::string_view notifier) {
  const auto it = queues_.find(notifier);
  return it == queues_.end() || it->second.empty() ? nullptr : &it->second.front();
}

void Outbox::PopFront(std::string_view notifier) {
  const auto it = queues_.find(notifier);
  if (it == queues_.end() || it->second.empty()) return;
  it->second.pop_front();
  --size_;
  if (it->second.empty()) queues_.erase(it);
  dirty_ = true;
}

std::size_t Outbox::RemoveNotifier(std::string_view notifier) {
  const auto it = queues_.find(notifier);
  if (it == queues_.end()) return 0;
  const std::size_t n = it->second.size();
  size_ -= n;
  queues_.erase(it);
  dirty_ = true;
  return n;
}

void Outbox::Expire(core::Clock::TimePoint cutoff,
                    const std::function<void(const OutboxEntry&)>& on_drop) {
  for (auto it = queues_.begin(); it != queues_.end();) {
    auto& queue = it->second;
    // Entries are in arrival order, so only a prefix can be old enough.
    std::size_t i = 0;
    while (i < queue.size() && queue[i].enqueued < cutoff) {
      if (queue[i].in_flight) {
        ++i;
        continue;
      }
      on_drop(queue[i]);
      queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(i));
      --size_;
      dirty_ = true;
    }
    it = queue.empty() ? queues_.erase(it) : std::next(it);
  }
}

std::optional<core::Clock::TimePoint> Outbox::NextDue() const {
  std::optional<core::Clock::TimePoint> due;
  for (const auto& [name, queue] : queues_) {
    const OutboxEntry& front = queue.front();
    if (front.in_flight) continue;
    if (!due || front.next_attempt < *due) due = front.next_attempt;
  }
  return due;
}

std::vector<std::string> Outbox::Notifiers() const {
  std::vector<std::string> names;
  names.reserve(queues_.size());
  for (const auto& [name, queue] : queues_) names.push_back(name);
  return names;
}

const std::map<std::string, std::string>* Outbox::Firing(std::string_view notifier) const {
  const auto it = firing_.find(notifier);
  return it == firing_.end() ? nullptr : &it->second;
}

void Outbox::SetFiring(const std::string& notifier, const std::string& fingerprint,
                       std::string alert) {
  firing_[notifier][fingerprint] = std::move(alert);
  dirty_ = true;
  urgent_ = true;
}

void Outbox::ClearFiring(std::string_view notifier, const std::string& fingerprint) {
  const auto it = firing_.find(notifier);
  if (it == firing_.end()) return;
  if (it->second.erase(fingerprint) > 0) dirty_ = true;
  if (it->second.empty()) firing_.erase(it);
}

void Outbox::RemoveFiring(std::string_view notifier) {
  const auto it = firing_.find(notifier);
  if (it == firing_.end()) return;
  firing_.erase(it);
  dirty_ = true;
}

std::vector<std::string> Outbox::FiringNotifiers() const {
  std::vector<std::string> names;
  names.reserve(firing_.size());
  for (const auto& [name, set] : firing_) names.push_back(name);
  return names;
}

std::string Outbox::Serialize() const {
  std::vector<const OutboxEntry*> all;
  all.reserve(size_);
  for (const auto& [name, queue] : queues_) {
    for (const OutboxEntry& e : queue) all.push_back(&e);
  }
  std::sort(all.begin(), all.end(),
            [](const OutboxEntry* a, const OutboxEntry* b) { return a->id < b->id; });
  Json entries = Json::array();
  for (const OutboxEntry* e : all) {
    Json j = Json::object();
    j["id"] = e->id;
    j["notifier"] = e->notifier;
    j["type"] = e->type;
    j["key"] = e->idempotency_key;
    j["body"] = e->body;
    j["attempts"] = e->attempts;
    j["enqueued_ms"] = core::ToUnixMillis(e->enqueued_wall);
    j["last_error"] = e->last_error;
    entries.push_back(std::move(j));
  }
  Json firing = Json::object();
  for (const auto& [notifier, set] : firing_) {
    Json alerts = Json::object();
    for (const auto& [fingerprint, alert] : set) alerts[fingerprint] = alert;
    firing[notifier] = std::move(alerts);
  }
  Json doc = Json::object();
  doc["version"] = kVersion;
  doc["next_id"] = next_id_;
  doc["entries"] = std::move(entries);
  doc["firing"] = std::move(firing);
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string Outbox::Save() {
  dirty_ = false;
  urgent_ = false;
  if (path_.empty()) return {};
  return core::WriteFileAtomically(path_, Serialize());
}

}  // namespace gatewatch::notify
