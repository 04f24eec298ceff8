#include "config/load.h"

#include <toml++/toml.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

#include "config/loader.h"
#include "config/values.h"
#include "core/duration.h"

namespace gatewatch::config {
namespace {

constexpr long kMaxFileBytes = 16 << 20;

// Reads a whole file; on failure returns nullopt and sets `error`.
std::optional<std::string> ReadFile(const std::string& path, std::string& error) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  if (!file) {
    error = std::generic_category().message(errno);
    return std::nullopt;
  }
  std::string text;
  char buf[1 << 16];
  while (true) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, file.get());
    text.append(buf, n);
    if (static_cast<long>(text.size()) > kMaxFileBytes) {
      error = "larger than 16 MiB";
      return std::nullopt;
    }
    if (n < sizeof buf) break;
  }
  if (std::ferror(file.get())) {
    error = std::generic_category().message(errno);
    return std::nullopt;
  }
  return text;
}

}  // namespace

std::string ConfigError::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += ':';
    out += std::to_string(line);
    out += ':';
    out += std::to_string(column);
  }
  out += ": ";
  if (!key_path.empty()) {
    out += key_path;
    out += ": ";
  }
  out += message;
  return out;
}

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

LoadResult ParseConfig(std::string_view toml_text, std::string_view file_name,
                       const EnvLookup& env) {
  LoadResult result;
  toml::table root;
  try {
    root = toml::parse(toml_text, file_name);
  } catch (const toml::parse_error& e) {
    const internal::Position at = internal::At(e.source());
    result.errors.push_back(
        ConfigError{std::string(file_name), at.line, at.column, "", std::string(e.description())});
    return result;
  }
  Config config;
  config.source = std::string(file_name);
  internal::Loader loader(file_name, env);
  loader.Load(root, config);
  result.errors = loader.TakeErrors();
  if (result.errors.empty()) {
    result.config = std::move(config);
  } else {
    std::stable_sort(result.errors.begin(), result.errors.end(),
                     [](const ConfigError& a, const ConfigError& b) {
                       return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                     });
  }
  return result;
}

LoadResult LoadConfigFile(const std::string& path, const EnvLookup& env) {
  std::string error;
  std::optional<std::string> text = ReadFile(path, error);
  if (!text) {
    LoadResult result;
    result.errors.push_back(ConfigError{path, 0, 0, "", "cannot read: " + error});
    return result;
  }
  return ParseConfig(*text, path, env);
}

std::string Summarize(const Config& config) {
  std::size_t https = 0;
  for (const TargetSpec& target : config.targets) {
    if (EqualsIgnoreCase(std::string_view(target.url).substr(0, 8), "https://")) ++https;
  }
  const std::size_t http = config.targets.size() - https;
  std::string out = std::to_string(config.targets.size());
  out += config.targets.size() == 1 ? " target" : " targets";
  if (!config.targets.empty()) {
    out += " (";
    if (https > 0) out += std::to_string(https) + " https";
    if (https > 0 && http > 0) out += ", ";
    if (http > 0) out += std::to_string(http) + " http";
    out += ')';
  }
  out += ", windows ";
  for (std::size_t i = 0; i < config.agent.windows.size(); ++i) {
    if (i > 0) out += '/';
    out += core::FormatDuration(config.agent.windows[i]);
  }
  if (!config.alerts.empty()) {
    out += ", " + std::to_string(config.alerts.size()) +
           (config.alerts.size() == 1 ? " alert" : " alerts");
  }
  if (!config.notifiers.empty()) {
    out += ", " + std::to_string(config.notifiers.size()) +
           (config.notifiers.size() == 1 ? " notifier" : " notifiers");
  }
  out += ", listen " + config.agent.listen;
  out += ", shard " + std::to_string(config.agent.shard.index) + "/" +
         std::to_string(config.agent.shard.count);
  return out;
}

}  // namespace gatewatch::config
