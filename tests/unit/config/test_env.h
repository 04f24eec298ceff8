#pragma once
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

// Shared by the config tests: the data directory and the fake environment every data file is
// loaded with.
namespace gatewatch::config::testing {

inline std::filesystem::path ConfigDataDir() {
  return std::filesystem::path(GATEWATCH_TEST_DATA_DIR) / "config";
}

inline std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every value containing "s3cr3t" is a secret: no error message may contain that text.
inline constexpr std::string_view kSecretMarker = "s3cr3t";

inline std::optional<std::string> TestEnv(std::string_view name) {
  if (name == "GW_TEST_API_TOKEN") return "s3cr3t-api-token";
  if (name == "GW_TEST_CHECKOUT_TOKEN") return "s3cr3t-checkout-token";
  if (name == "GW_TEST_FTP_URL") {
    return "ftp://deploy:s3cr3t-ftp-pass@files.example.com/x?key=s3cr3t-query";
  }
  if (name == "GW_TEST_API_URL") return "https://user:s3cr3t-url-pass@api.example.com/health";
  if (name == "GW_TEST_SLACK_URL") {
    return "https://hooks.slack.example.com/services/T000/B000/s3cr3t-slack-token";
  }
  if (name == "GW_TEST_BAD_HOOK_URL") return "ftp://hooks.example.com/s3cr3t-hook-path";
  if (name == "GW_TEST_HOOK_SECRET") return "s3cr3t-hmac-key";
  if (name == "GW_TEST_INTERVAL") return "10s";
  if (name == "GW_TEST_EMPTY") return "";
  return std::nullopt;
}

}  // namespace gatewatch::config::testing
