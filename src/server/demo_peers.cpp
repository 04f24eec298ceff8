#include "server/demo_peers.h"

#include <httplib.h>

#include <mutex>
#include <stdexcept>
#include <thread>

namespace gatewatch::server {
namespace {

// nginx 1.22's default 502 page, byte for byte, so the demo's diagnosis works on the same
// evidence it would see in production.
constexpr const char* kNginx502 =
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n";

}  // namespace

struct DemoPeers::Impl {
  std::mutex mu;
  std::unique_ptr<httplib::Server> backend;
  std::thread backend_thread;
  int backend_port = 0;
  httplib::Server gateway;
  std::thread gateway_thread;
  int gateway_port = 0;

  void StartBackend(int port) {
    backend = std::make_unique<httplib::Server>();
    backend->Get("/health", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"status":"UP"})", "application/json");
    });
    const int bound = port == 0 ? backend->bind_to_any_port("127.0.0.1")
                                : (backend->bind_to_port("127.0.0.1", port) ? port : -1);
    if (bound <= 0) throw std::runtime_error("demo: cannot bind the backend on 127.0.0.1");
    backend_port = bound;
    backend_thread = std::thread([server = backend.get()] { server->listen_after_bind(); });
    while (!backend->is_running()) std::this_thread::yield();
  }

  void StopBackend() {
    if (!backend) return;
    backend->stop();
    if (backend_thread.joinable()) backend_thread.join();
    backend.reset();
  }
};

DemoPeers::DemoPeers() : impl_(std::make_unique<Impl>()) {}

DemoPeers::~DemoPeers() { Stop(); }

void DemoPeers::Start() {
  std::lock_guard lock(impl_->mu);
  impl_->StartBackend(0);
  impl_->gateway.Get("/api/(.*)", [this](const httplib::Request& req, httplib::Response& res) {
    int port = 0;
    {
      std::lock_guard lock(impl_->mu);
      port = impl_->backend_port;
    }
    httplib::Client upstream("127.0.0.1", port);
    upstream.set_connection_timeout(0, 300'000);
    upstream.set_read_timeout(2, 0);
    res.set_header("Server", "nginx");
    std::string path = "/";
    path += req.matches[1].str();
    if (auto answer = upstream.Get(path)) {
      res.status = answer->status;
      res.set_content(answer->body, answer->get_header_value("Content-Type").c_str());
      return;
    }
    res.status = 502;
    res.set_content(kNginx502, "text/html");
  });
  impl_->gateway_port = impl_->gateway.bind_to_any_port("127.0.0.1");
  if (impl_->gateway_port <= 0) throw std::runtime_error("demo: cannot bind the gateway");
  impl_->gateway_thread = std::thread([this] { impl_->gateway.listen_after_bind(); });
  while (!impl_->gateway.is_running()) std::this_thread::yield();
}

void DemoPeers::Stop() {
  impl_->gateway.stop();
  if (impl_->gateway_thread.joinable()) impl_->gateway_thread.join();
  std::lock_guard lock(impl_->mu);
  impl_->StopBackend();
}

void DemoPeers::CrashBackend() {
  std::lock_guard lock(impl_->mu);
  impl_->StopBackend();
}

void DemoPeers::HealBackend() {
  std::lock_guard lock(impl_->mu);
  if (!impl_->backend) impl_->StartBackend(impl_->backend_port);
}

std::string DemoPeers::GatewayUrl(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(impl_->gateway_port) + path;
}

std::string DemoPeers::BackendUrl(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(impl_->backend_port) + path;
}

}  // namespace gatewatch::server
