#include "support/server_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "support/nginx_fixture.h"

namespace gatewatch::testing {
namespace {

constexpr int kStartAttempts = 5;

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

bool PortWasTaken(const std::string& output) {
  return output.find("in use") != std::string::npos ||
         output.find("Cannot bind") != std::string::npos ||
         output.find("cannot bind") != std::string::npos;
}

}  // namespace

ServerProcess::ServerProcess(std::chrono::milliseconds start_limit,
                             std::chrono::milliseconds stop_grace)
    : start_limit_(start_limit), stop_grace_(stop_grace) {}

ServerProcess::~ServerProcess() { Stop(); }

::testing::AssertionResult ServerProcess::Start(const std::string& program,
                                                const std::string& debian_package,
                                                const ArgsForPort& args_for_port) {
  if (access(program.c_str(), X_OK) != 0) {
    return ::testing::AssertionFailure()
           << program << " is missing: run the tests with the README's test command "
           << "(scripts/test.sh), which installs the Debian package " << debian_package;
  }
  std::string last_output;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    port_ = PickFreePort();
    process_ = std::make_unique<ChildProcess>(program, args_for_port(port_));
    const auto deadline = std::chrono::steady_clock::now() + start_limit_;
    while (process_->Running() && std::chrono::steady_clock::now() < deadline) {
      if (Accepts(port_)) return ::testing::AssertionSuccess();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    last_output = Output();
    Stop();
    if (!PortWasTaken(last_output)) break;
  }
  return ::testing::AssertionFailure()
         << program << " did not start listening on 127.0.0.1:" << port_ << "; its output:\n"
         << last_output;
}

void ServerProcess::Stop() {
  if (!process_) return;
  if (process_->Running()) {
    process_->Signal(SIGTERM);
    if (process_->Wait(stop_grace_) < 0) {
      process_->Signal(SIGKILL);
      process_->Wait(std::chrono::seconds(5));
    }
  }
  process_.reset();
}

std::string ServerProcess::Output() const { return process_ ? process_->Output() : ""; }

}  // namespace gatewatch::testing
