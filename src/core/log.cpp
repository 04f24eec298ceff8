#include "core/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace gatewatch::core {
namespace {

// Renders each record as one JSON object, so a message with quotes or newlines stays one line.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch());
    nlohmann::json line = {
        {"ts", static_cast<double>(ms.count()) / 1000.0},
        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                              spdlog::level::to_string_view(msg.level).size())},
        {"msg", std::string(msg.payload.data(), msg.payload.size())},
    };
    const std::string text =
        line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

bool IsValidLogLevel(std::string_view level) {
  static constexpr std::string_view kLevels[] = {"trace", "debug", "info",    "warn",
                                                 "error", "critical", "off"};
  for (auto l : kLevels) {
    if (l == level) return true;
  }
  return false;
}

void SetupLogging(LogFormat format, std::string_view level) {
  auto logger = std::make_shared<spdlog::logger>(
      "gatewatch", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (format == LogFormat::kJson) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        "%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc));
  }
  logger->set_level(IsValidLogLevel(level) ? spdlog::level::from_str(std::string(level))
                                           : spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace gatewatch::core
