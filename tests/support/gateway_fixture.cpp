#include "support/gateway_fixture.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/nginx_fixture.h"

namespace gatewatch::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

GatewayFixture::GatewayFixture(Product product) : product_(product) {
  // Squid and Apache started as root switch to their own users, which must still reach the
  // config and log files here.
  std::filesystem::permissions(dir_.path(), std::filesystem::perms::all);
}

GatewayFixture::~GatewayFixture() = default;

const char* GatewayFixture::ProgramPath(Product product) {
  switch (product) {
    case Product::kLighttpd:
      return "/usr/sbin/lighttpd";
    case Product::kApache:
      return "/usr/sbin/apache2";
    case Product::kSquid:
      return "/usr/sbin/squid";
    case Product::kVarnish:
      return "/usr/sbin/varnishd";
  }
  return "";
}

const char* GatewayFixture::DebianPackage(Product product) {
  switch (product) {
    case Product::kLighttpd:
      return "lighttpd";
    case Product::kApache:
      return "apache2";
    case Product::kSquid:
      return "squid";
    case Product::kVarnish:
      return "varnish";
  }
  return "";
}

void GatewayFixture::AddProxy(const std::string& path, int port) {
  routes_.push_back({path, port});
}

void GatewayFixture::AddDeadProxy(const std::string& path) { AddProxy(path, PickFreePort()); }

std::string GatewayFixture::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

std::string GatewayFixture::Log() const {
  const std::string& d = dir_.path();
  return server_.Output() + ReadFile(d + "/error.log") + ReadFile(d + "/cache.log");
}

std::string GatewayFixture::LighttpdConfig(int port) const {
  const std::string& d = dir_.path();
  std::ostringstream c;
  c << "server.document-root = \"" << d << "\"\n"
    << "server.bind = \"127.0.0.1\"\n"
    << "server.port = " << port << "\n"
    << "server.errorlog = \"" << d << "/error.log\"\n"
    << "server.modules = (\"mod_proxy\")\n";
  for (const Route& r : routes_) {
    c << "$HTTP[\"url\"] == \"" << r.path << "\" { proxy.server = (\"\" => ((\"host\" => "
      << "\"127.0.0.1\", \"port\" => " << r.port << "))) }\n";
  }
  return c.str();
}

std::string GatewayFixture::ApacheConfig(int port) const {
  const std::string& d = dir_.path();
  const std::string modules = "/usr/lib/apache2/modules/";
  std::ostringstream c;
  c << "ServerRoot " << d << "\n"
    << "DefaultRuntimeDir " << d << "\n"
    << "LoadModule mpm_event_module " << modules << "mod_mpm_event.so\n"
    << "LoadModule authz_core_module " << modules << "mod_authz_core.so\n"
    << "LoadModule proxy_module " << modules << "mod_proxy.so\n"
    << "LoadModule proxy_http_module " << modules << "mod_proxy_http.so\n"
    << "Listen 127.0.0.1:" << port << "\n"
    << "ServerName localhost\n"
    << "PidFile " << d << "/httpd.pid\n"
    << "ErrorLog " << d << "/error.log\n"
    << "DocumentRoot " << d << "\n"
    << "ServerSignature On\n";
  for (const Route& r : routes_) {
    // Without a $1 in the target, ProxyPassMatch would append the path a second time.
    c << "ProxyPassMatch \"^(" << r.path << ")$\" \"http://127.0.0.1:" << r.port << "$1\"\n";
  }
  return c.str();
}

std::string GatewayFixture::SquidConfig(int port) const {
  const std::string& d = dir_.path();
  std::ostringstream c;
  c << "http_port 127.0.0.1:" << port << " accel defaultsite=localhost no-vhost\n"
    << "visible_hostname gatewatch-test\n"
    << "dns_nameservers 127.0.0.1\n"  // nothing here needs DNS; keep any lookup on loopback
    << "pinger_enable off\n"
    << "icp_port 0\n"
    << "htcp_port 0\n"
    << "cache deny all\n"
    << "cache_mem 8 MB\n"
    << "pid_filename none\n"
    << "cache_log " << d << "/cache.log\n"
    << "access_log none\n"
    << "cache_store_log none\n"
    << "coredump_dir " << d << "\n"
    << "shutdown_lifetime 0 seconds\n"
    << "http_access allow all\n"
    << "never_direct allow all\n";
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const Route& r = routes_[i];
    c << "acl path" << i << " urlpath_regex ^" << r.path << "$\n"
      << "cache_peer 127.0.0.1 parent " << r.port << " 0 no-query originserver name=p" << i
      << " connect-fail-limit=1\n"
      << "cache_peer_access p" << i << " allow path" << i << "\n"
      << "cache_peer_access p" << i << " deny all\n";
  }
  return c.str();
}

std::string GatewayFixture::VarnishVcl() const {
  std::ostringstream c;
  c << "vcl 4.1;\n"
    << "backend none { .host = \"127.0.0.1\"; .port = \"" << PickFreePort() << "\"; }\n";
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    c << "backend b" << i << " { .host = \"127.0.0.1\"; .port = \"" << routes_[i].port << "\"; }\n";
  }
  c << "sub vcl_recv {\n";
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    c << "  if (req.url == \"" << routes_[i].path << "\") { set req.backend_hint = b" << i
      << "; }\n";
  }
  c << "  return (pass);\n}\n";
  return c.str();
}

std::vector<std::string> GatewayFixture::Args(int port) const {
  const std::string& d = dir_.path();
  switch (product_) {
    case Product::kLighttpd:
      return {"-D", "-f", dir_.Write("lighttpd.conf", LighttpdConfig(port))};
    case Product::kApache:
      return {"-X", "-f", dir_.Write("httpd.conf", ApacheConfig(port))};
    case Product::kSquid:
      return {"-N", "-f", dir_.Write("squid.conf", SquidConfig(port))};
    case Product::kVarnish:
      return {"-F",
              "-j",
              "none",
              "-a",
              "127.0.0.1:" + std::to_string(port),
              "-f",
              dir_.Write("default.vcl", VarnishVcl()),
              "-n",
              d + "/varnish",
              "-s",
              "malloc,16m",
              "-p",
              "vsl_space=1M"};
  }
  return {};
}

::testing::AssertionResult GatewayFixture::Start() {
  return server_.Start(ProgramPath(product_), DebianPackage(product_),
                       [this](int port) { return Args(port); });
}

}  // namespace gatewatch::testing
