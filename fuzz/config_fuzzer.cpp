// config::ParseConfig on any text: toml++'s parser (compiled in, so instrumented too), then
// every validation rule of the loader, Summarize and ConfigError::ToString.
// Variables HOST, PORT and TOKEN are set for ${...} references, all others unset.
//
// Oracles: exactly one of config / errors; errors sorted by position; a loaded config keeps
// the promises of config.h (sorted unique windows, at most 8 required spans, valid unique
// names, timeout <= interval, a valid shard, burn_rate set exactly for that signal).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "config/load.h"
#include "config/values.h"
#include "fuzz_support.h"

namespace {

namespace config = gatewatch::config;
using gatewatch::fuzz::Check;

std::optional<std::string> Lookup(std::string_view name) {
  if (name == "HOST") return std::string("127.0.0.1");
  if (name == "PORT") return std::string("8080");
  if (name == "TOKEN") return std::string("s3cr3t-token");
  return std::nullopt;
}

template <typename T>
void CheckUniqueNames(const std::vector<T>& items, const char* what) {
  std::set<std::string> names;
  for (const T& item : items) {
    Check(config::IsValidTargetName(item.name), what);
    Check(names.insert(item.name).second, what);
  }
}

void CheckConfig(const config::Config& c) {
  const auto& windows = c.agent.windows;
  Check(!windows.empty() && std::is_sorted(windows.begin(), windows.end()) &&
            std::adjacent_find(windows.begin(), windows.end()) == windows.end(),
        "agent.windows sorted and unique");
  Check(config::RequiredWindows(c).size() <= 8, "at most 8 window spans");
  Check(c.agent.shard.index < c.agent.shard.count, "shard index below count");
  Check(!c.targets.empty(), "a config has targets");
  CheckUniqueNames(c.targets, "target names valid and unique");
  CheckUniqueNames(c.alerts, "alert names valid and unique");
  CheckUniqueNames(c.notifiers, "notifier names valid and unique");
  for (const config::TargetSpec& t : c.targets) {
    Check(!config::CheckTargetUrl(t.url), "target URLs pass CheckTargetUrl");
    Check(t.timeout <= t.interval, "timeout <= interval");
    Check(t.timeout.count() > 0 && t.interval.count() > 0, "positive durations");
  }
  for (const config::AlertRule& rule : c.alerts) {
    Check(rule.burn_rate.has_value() == (rule.signal == config::AlertSignal::kBurnRate),
          "burn_rate set exactly for signal burn_rate");
    Check(rule.min_samples >= 1, "min_samples >= 1");
  }
  for (const config::NotifierSpec& n : c.notifiers) {
    if (n.message_template) {
      Check(!config::CheckTemplate(*n.message_template), "templates pass CheckTemplate");
    }
  }
  Check(!config::Summarize(c).empty(), "Summarize says something");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const config::LoadResult result =
      config::ParseConfig(gatewatch::fuzz::AsText(data, size), "fuzz.toml", Lookup);
  Check(result.config.has_value() == result.errors.empty(), "exactly one of config / errors");
  for (std::size_t i = 0; i < result.errors.size(); ++i) {
    const config::ConfigError& e = result.errors[i];
    Check(e.file == "fuzz.toml" && !e.message.empty(), "errors name the file and say something");
    Check(e.line >= 0 && e.column >= 0, "positions are not negative");
    if (i > 0) {
      const config::ConfigError& p = result.errors[i - 1];
      Check(p.line < e.line || (p.line == e.line && p.column <= e.column), "errors sorted");
    }
    Check(!e.ToString().empty(), "ToString says something");
  }
  if (result.config) CheckConfig(*result.config);
  return 0;
}
