#include "support/haproxy_fixture.h"

#include <sstream>

#include "support/nginx_fixture.h"

namespace gatewatch::testing {

HaproxyFixture::HaproxyFixture() = default;

HaproxyFixture::~HaproxyFixture() = default;

void HaproxyFixture::AddBackend(const std::string& path, int port,
                                std::chrono::milliseconds server_timeout) {
  backends_.push_back({path, port, server_timeout, false});
}

void HaproxyFixture::AddDeadBackend(const std::string& path) {
  backends_.push_back({path, PickFreePort(), std::chrono::seconds(5), true});
}

std::string HaproxyFixture::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

std::string HaproxyFixture::Config(int port) const {
  std::ostringstream c;
  c << "global\n"
    << "  maxconn 256\n"
    << "defaults\n"
    << "  mode http\n"
    << "  timeout connect 200ms\n"
    << "  timeout client 5s\n"
    << "  timeout server 5s\n"
    << "frontend fe\n"
    << "  bind 127.0.0.1:" << port << "\n";
  for (std::size_t i = 0; i < backends_.size(); ++i) {
    c << "  use_backend b" << i << " if { path " << backends_[i].path << " }\n";
  }
  c << "  default_backend none\n"
    << "backend none\n";
  for (std::size_t i = 0; i < backends_.size(); ++i) {
    const Backend& b = backends_[i];
    c << "backend b" << i << "\n"
      << "  timeout server " << b.server_timeout.count() << "ms\n"
      << "  server s1 127.0.0.1:" << b.port
      << (b.health_check ? " check inter 100ms fall 1 rise 1" : "") << "\n";
  }
  return c.str();
}

::testing::AssertionResult HaproxyFixture::Start() {
  return server_.Start(kHaproxyPath, "haproxy", [this](int port) {
    const std::string cfg = dir_.Write("haproxy.cfg", Config(port));
    return std::vector<std::string>{"-f", cfg, "-db"};
  });
}

}  // namespace gatewatch::testing
