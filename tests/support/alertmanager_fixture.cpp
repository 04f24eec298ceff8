#include "support/alertmanager_fixture.h"

#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "support/nginx_fixture.h"

namespace gatewatch::testing {
namespace {

constexpr int kStartAttempts = 5;
constexpr auto kStartLimit = std::chrono::seconds(15);

// One receiver that delivers nothing: the tests read alerts back from the API. A long
// group_wait keeps Alertmanager from even trying to notify during a test.
constexpr const char* kConfig = R"(global:
  resolve_timeout: 5m
route:
  receiver: blackhole
  group_wait: 1h
  group_interval: 1h
  repeat_interval: 4h
receivers:
  - name: blackhole
)";

int GetStatus(int port, const std::string& path, std::string* body) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(0, 200'000);
  client.set_read_timeout(2, 0);
  const auto res = client.Get(path.c_str());
  if (!res) return 0;
  if (body != nullptr) *body = res->body;
  return res->status;
}

}  // namespace

AlertmanagerFixture::AlertmanagerFixture() = default;

AlertmanagerFixture::~AlertmanagerFixture() { StopProcess(); }

::testing::AssertionResult AlertmanagerFixture::Start() {
  if (access(kAlertmanagerPath, X_OK) != 0) {
    return ::testing::AssertionFailure()
           << kAlertmanagerPath
           << " is missing: install the Debian package prometheus-alertmanager (scripts/deps.sh)";
  }
  const std::string config = dir_.Write("alertmanager.yml", kConfig);
  std::string last_output;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    port_ = PickFreePort();
    process_ = std::make_unique<ChildProcess>(
        kAlertmanagerPath, std::vector<std::string>{
                               "--config.file=" + config,
                               "--storage.path=" + dir_.path() + "/data-" + std::to_string(attempt),
                               "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                               "--cluster.listen-address=", "--log.level=warn"});
    const auto deadline = std::chrono::steady_clock::now() + kStartLimit;
    while (process_->Running() && std::chrono::steady_clock::now() < deadline) {
      if (GetStatus(port_, "/-/ready", nullptr) == 200) return ::testing::AssertionSuccess();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    last_output = process_->Output();
    StopProcess();
    if (last_output.find("address already in use") == std::string::npos) break;
  }
  return ::testing::AssertionFailure() << "alertmanager did not start; output:\n" << last_output;
}

std::string AlertmanagerFixture::Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string AlertmanagerFixture::GetAlerts(const std::string& query) const {
  std::string body;
  return GetStatus(port_, "/api/v2/alerts" + query, &body) == 200 ? body : std::string();
}

std::string AlertmanagerFixture::Output() const {
  return process_ ? process_->Output() : std::string();
}

void AlertmanagerFixture::StopProcess() {
  if (!process_) return;
  if (process_->Running()) {
    process_->Signal(SIGTERM);
    if (process_->Wait(std::chrono::seconds(2)) < 0) {
      process_->Signal(SIGKILL);
      process_->Wait(std::chrono::seconds(2));
    }
  }
  process_.reset();
}

}  // namespace gatewatch::testing
