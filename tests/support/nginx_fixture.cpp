#include "support/nginx_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace gatewatch::testing {
namespace {

constexpr int kStartAttempts = 5;
constexpr auto kStartLimit = std::chrono::seconds(10);

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  return addr;
}

bool Accepts(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const sockaddr_in addr = Loopback(port);
  const bool ok = connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int PickFreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("PickFreePort: socket failed");
  sockaddr_in addr = Loopback(0);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("PickFreePort: bind failed");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

NginxFixture::NginxFixture() = default;

NginxFixture::~NginxFixture() { StopProcess(); }

void NginxFixture::AddProxy(const std::string& path, int port,
                            std::chrono::milliseconds read_timeout) {
  AddLocation(path, "proxy_pass http://127.0.0.1:" + std::to_string(port) +
                        "; proxy_connect_timeout 2s; proxy_read_timeout " +
                        std::to_string(read_timeout.count()) + "ms;");
}

void NginxFixture::AddDeadProxy(const std::string& path) { AddProxy(path, PickFreePort()); }

void NginxFixture::AddStatic(const std::string& path, int status, const std::string& body) {
  std::string quoted;
  for (const char c : body) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  AddLocation(path, "return " + std::to_string(status) + " \"" + quoted + "\";");
}

void NginxFixture::AddLocation(const std::string& path, const std::string& directives) {
  locations_.push_back("    location = " + path + " { " + directives + " }\n");
}

void NginxFixture::EnableTls(const std::string& cert_file, const std::string& key_file) {
  cert_file_ = cert_file;
  key_file_ = key_file;
}

std::string NginxFixture::Url(const std::string& path) const {
  return std::string(cert_file_.empty() ? "http" : "https") +
         "://127.0.0.1:" + std::to_string(port_) + path;
}

std::string NginxFixture::ErrorLog() const {
  std::string log = ReadFile(dir() + "/error.log");
  if (process_) log += process_->Output();
  return log;
}

std::string NginxFixture::Config() const {
  const std::string& d = dir();
  std::ostringstream c;
  c << "master_process off;\n"
    << "error_log " << d << "/error.log info;\n"
    << "events { worker_connections 1024; }\n"
    << "http {\n"
    << "  access_log off;\n"
    << "  default_type text/plain;\n"
    << "  client_body_temp_path " << d << "/client_body;\n"
    << "  proxy_temp_path " << d << "/proxy;\n"
    << "  fastcgi_temp_path " << d << "/fastcgi;\n"
    << "  uwsgi_temp_path " << d << "/uwsgi;\n"
    << "  scgi_temp_path " << d << "/scgi;\n"
    << "  server {\n"
    << "    listen 127.0.0.1:" << port_ << (cert_file_.empty() ? "" : " ssl") << ";\n"
    << "    server_name localhost;\n";
  if (!cert_file_.empty()) {
    c << "    ssl_certificate " << cert_file_ << ";\n"
      << "    ssl_certificate_key " << key_file_ << ";\n";
  }
  for (const auto& location : locations_) c << location;
  c << "  }\n}\n";
  return c.str();
}

::testing::AssertionResult NginxFixture::Start() {
  if (access(kNginxPath, X_OK) != 0) {
    return ::testing::AssertionFailure()
           << kNginxPath << " is missing: run the tests with the README's test command "
           << "(scripts/test.sh), which installs nginx-light";
  }
  const std::string conf = dir() + "/nginx.conf";
  std::string last_log;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    port_ = PickFreePort();
    dir_.Write("nginx.conf", Config());
    std::filesystem::remove(dir() + "/error.log");
    process_ = std::make_unique<ChildProcess>(
        kNginxPath, std::vector<std::string>{"-p", dir() + "/", "-c", conf, "-g",
                                             "daemon off; pid " + dir() + "/nginx.pid;"});
    const auto deadline = std::chrono::steady_clock::now() + kStartLimit;
    while (process_->Running() && std::chrono::steady_clock::now() < deadline) {
      if (Accepts(port_)) return ::testing::AssertionSuccess();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    last_log = ErrorLog();
    StopProcess();
    if (last_log.find("Address already in use") == std::string::npos) break;
  }
  return ::testing::AssertionFailure() << "nginx did not start; config:\n"
                                       << Config() << "log:\n"
                                       << last_log;
}

void NginxFixture::StopProcess() {
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
