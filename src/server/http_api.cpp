#include "server/http_api.h"

#include "server/alerts_json.h"

#include <fcntl.h>
#include <httplib.h>
#include <netdb.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "metrics/metrics.h"
#include "server/history_json.h"
#include "server/status_assets.h"
#include "server/status_page.h"
#include "server/target_page.h"
#include "server/targets_json.h"

namespace gatewatch::server {
namespace {

constexpr std::string_view kText = "text/plain; charset=utf-8";
constexpr std::string_view kJson = "application/json";
constexpr std::string_view kHtml = "text/html; charset=utf-8";
// The pages run only the agent's own script and stylesheet: even a value that escaped
// escaping could not run inline script. frame-ancestors 'self' keeps the pages out of other
// sites' frames.
constexpr std::string_view kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";
constexpr std::size_t kWorkerThreads = 8;
constexpr std::size_t kMaxBodyBytes = 64 * 1024;
// One request per connection: scrapers and the page's refresh come back less often than any
// sensible keep-alive timeout, and cpp-httplib's wait for a next request neither frees the
// worker nor notices stop(), so an idle keep-alive client would hold both.
constexpr std::size_t kKeepAliveMaxCount = 1;
// How long a new connection may stay silent before its request starts.
constexpr time_t kFirstByteSeconds = 1;
constexpr std::chrono::seconds kIoTimeout{5};

struct HostPort {
  std::string host;
  int port = 0;
};

HostPort ParseListen(const std::string& listen) {
  const auto invalid = [&] {
    return std::runtime_error("invalid listen address \"" + listen + "\": expected host:port");
  };
  std::string_view host, port;
  const std::string_view text = listen;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || text.substr(close + 1, 1) != ":") throw invalid();
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) throw invalid();
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  int value = -1;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (host.empty() || port.empty() || ec != std::errc() || end != port.data() + port.size() ||
      value < 0 || value > 65535) {
    throw invalid();
  }
  return {std::string(host), value};
}

// SO_REUSEADDR only: cpp-httplib's default adds SO_REUSEPORT, which would let a second agent
// bind the same port silently instead of failing with "Address already in use".
void ListenSocketOptions(int fd) {
  const int yes = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  fcntl(fd, F_SETFD, FD_CLOEXEC);
}

// cpp-httplib reports only that binding failed; redo the steps to learn why.
std::string BindFailureReason(const HostPort& where) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* result = nullptr;
  const std::string port = std::to_string(where.port);
  if (const int rc = getaddrinfo(where.host.c_str(), port.c_str(), &hints, &result); rc != 0) {
    return gai_strerror(rc);
  }
  std::string reason = "cannot bind";
  for (const addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) {
      reason = std::strerror(errno);
      continue;
    }
    ListenSocketOptions(fd);
    const bool bound = bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0;
    if (!bound) reason = std::strerror(errno);
    close(fd);
  }
  freeaddrinfo(result);
  return reason;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Runs over the expected value's length whatever `a` is, so timing reveals neither.
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < b.size(); ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ static_cast<unsigned char>(b[i]));
  }
  return diff == 0;
}

std::string_view BearerToken(const httplib::Request& req) {
  static constexpr std::string_view kScheme = "bearer ";
  // Read from the (case-insensitive) header map: get_header_value would return a copy.
  const auto it = req.headers.find("Authorization");
  if (it == req.headers.end()) return {};
  const std::string_view value = it->second;
  if (value.size() < kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return {};
  }
  return value.substr(kScheme.size());
}

void SetPageHeaders(httplib::Response& res) {
  res.set_header("Content-Security-Policy", std::string(kPagePolicy));
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cache-Control", "no-cache");
}

void SetJsonError(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  const nlohmann::json error = {{"error", message}};
  res.set_content(error.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                  std::string(kJson));
}

const status::TargetStatus* FindTarget(const status::StatusSnapshot& snapshot,
                                       std::string_view name) {
  for (const auto& t : snapshot.targets) {
    if (t->name == name) return t.get();
  }
  return nullptr;
}

void SetText(httplib::Response& res, int status, std::string body) {
  res.status = status;
  if (!body.empty() && body.back() != '\n') body += '\n';
  res.set_content(std::move(body), std::string(kText));
}

// Streams a large body in chunks (so memory stays bounded); `produce` writes through a sink
// that reports whether the client is still there.
template <typename Produce>
void Stream(httplib::Response& res, std::string_view content_type, Produce produce) {
  res.status = 200;
  res.set_chunked_content_provider(
      std::string(content_type),
      [produce = std::move(produce)](std::size_t, httplib::DataSink& sink) {
        try {
          const Sink write = [&sink](std::string_view chunk) {
            return sink.write(chunk.data(), chunk.size());
          };
          if (!produce(write)) return false;
          sink.done();
          return true;
        } catch (const std::exception& e) {
          spdlog::error("http: rendering a response failed: {}", e.what());
          return false;
        }
      });
}

}  // namespace

Readiness ReadinessOf(const status::StatusSnapshot& snapshot) {
  Readiness r;
  r.loaded = true;
  r.ready = snapshot.agent.ready;
  r.targets = snapshot.targets.size();
  for (const auto& t : snapshot.targets) r.waiting += t->last ? 0 : 1;
  return r;
}

struct HttpApi::Impl {
  explicit Impl(HttpApiOptions o) : options(std::move(o)) {}

  std::shared_ptr<const status::StatusSnapshot> Snapshot() const {
    return options.snapshot ? options.snapshot() : nullptr;
  }

  void Route(const std::string& path, std::string_view method,
             std::function<void(const httplib::Request&, httplib::Response&)> handler);
  void Routes();

  void Metrics(const httplib::Request&, httplib::Response& res) const;
  void Healthz(const httplib::Request&, httplib::Response& res) const;
  void Readyz(const httplib::Request&, httplib::Response& res) const;
  void Targets(const httplib::Request& req, httplib::Response& res) const;
  void Alerts(const httplib::Request& req, httplib::Response& res) const;
  void Page(const httplib::Request&, httplib::Response& res) const;
  void TargetPage(const httplib::Request& req, httplib::Response& res) const;
  void History(const httplib::Request& req, httplib::Response& res) const;
  void Reload(const httplib::Request& req, httplib::Response& res) const;

  HttpApiOptions options;
  httplib::Server server;
  std::thread thread;
  std::atomic<bool> finished{false};
  std::vector<std::pair<std::string, std::string_view>> routes;  // path, allowed method
};

void HttpApi::Impl::Route(
    const std::string& path, std::string_view method,
    std::function<void(const httplib::Request&, httplib::Response&)> handler) {
  routes.emplace_back(path, method);
  // Registered for every method cpp-httplib routes, so a wrong one gets 405 (not 404) after
  // its body was read and the connection can stay alive.
  const auto dispatch = [method, handler = std::move(handler)](const httplib::Request& req,
                                                               httplib::Response& res) {
    if (req.method == method || (method == "GET" && req.method == "HEAD")) {
      handler(req, res);
      return;
    }
    res.set_header("Allow", method == "GET" ? "GET, HEAD" : std::string(method));
    SetText(res, 405, "method not allowed");
  };
  server.Get(path, dispatch);
  server.Post(path, dispatch);
  server.Put(path, dispatch);
  server.Patch(path, dispatch);
  server.Delete(path, dispatch);
  server.Options(path, dispatch);
}

void HttpApi::Impl::Routes() {
  Route("/", "GET", [this](const auto& req, auto& res) { Page(req, res); });
  Route("/metrics", "GET", [this](const auto& req, auto& res) { Metrics(req, res); });
  Route("/healthz", "GET", [this](const auto& req, auto& res) { Healthz(req, res); });
  Route("/readyz", "GET", [this](const auto& req, auto& res) { Readyz(req, res); });
  Route("/api/v1/targets", "GET", [this](const auto& req, auto& res) { Targets(req, res); });
  Route("/api/v1/alerts", "GET", [this](const auto& req, auto& res) { Alerts(req, res); });
  Route("/-/reload", "POST", [this](const auto& req, auto& res) { Reload(req, res); });
  Route("/target/([^/]+)", "GET", [this](const auto& req, auto& res) { TargetPage(req, res); });
  Route("/api/v1/targets/([^/]+)/history", "GET",
        [this](const auto& req, auto& res) { History(req, res); });
  const auto asset = [](std::string_view type, std::string_view body) {
    return [type, body](const httplib::Request&, httplib::Response& res) {
      // The pages link assets by a content-hash URL, so a cached copy is never stale.
      res.set_header("Cache-Control", "public, max-age=31536000, immutable");
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_content(std::string(body), std::string(type));
    };
  };
  Route(std::string(kStatusCssPath), "GET", asset("text/css; charset=utf-8", StatusCss()));
  Route(std::string(kStatusJsPath), "GET", asset("text/javascript; charset=utf-8", StatusJs()));

  // Methods cpp-httplib never routes (TRACE, CONNECT, ...) would otherwise answer 404.
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    static constexpr std::string_view kRoutable[] = {"GET",   "HEAD",   "POST",   "PUT",
                                                     "PATCH", "DELETE", "OPTIONS"};
    for (const auto m : kRoutable) {
      if (req.method == m) return httplib::Server::HandlerResponse::Unhandled;
    }
    for (const auto& [path, method] : routes) {
      if (req.path != path) continue;
      res.set_header("Allow", method == "GET" ? "GET, HEAD" : std::string(method));
      res.set_header("Connection", "close");
      SetText(res, 405, "method not allowed");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty() || res.is_chunked_content_provider_) return;
    if (res.status == 404) {
      SetText(res, 404, "not found");
    } else if (res.status == 413) {
      SetText(res, 413, "request body too large");
    } else if (res.status == 400) {
      SetText(res, 400, "bad request");
    }
  });

  server.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        spdlog::error("http: {} {} failed: {}", req.method, req.path, what);
        SetText(res, 500, "internal error");
      });
}

void HttpApi::Impl::Metrics(const httplib::Request&, httplib::Response& res) const {
  auto snapshot = Snapshot();
  if (!snapshot) {
    SetText(res, 503, "no metrics: the probe loop did not answer in time");
    return;
  }
  Stream(res, metrics::kContentType, [snapshot = std::move(snapshot)](const Sink& sink) {
    return metrics::RenderMetrics(*snapshot, sink);
  });
}

void HttpApi::Impl::Healthz(const httplib::Request&, httplib::Response& res) const {
  if (!options.alive || options.alive()) {
    SetText(res, 200, "ok");
  } else {
    SetText(res, 503, "unhealthy: the probe loop is not running");
  }
}

void HttpApi::Impl::Readyz(const httplib::Request&, httplib::Response& res) const {
  Readiness readiness;
  if (options.readiness) {
    readiness = options.readiness();
  } else if (const auto snapshot = Snapshot()) {
    readiness = ReadinessOf(*snapshot);
  }
  if (!readiness.loaded) {
    SetText(res, 503, "not ready: the agent is starting");
    return;
  }
  if (readiness.ready) {
    SetText(res, 200, "ready");
    return;
  }
  if (readiness.waiting == 0) {
    SetText(res, 503, "not ready");
    return;
  }
  SetText(res, 503,
          "not ready: waiting for the first probe of " + std::to_string(readiness.waiting) +
              " of " + std::to_string(readiness.targets) + " targets");
}

void HttpApi::Impl::Targets(const httplib::Request& req, httplib::Response& res) const {
  auto snapshot = Snapshot();
  if (!snapshot) {
    res.status = 503;
    res.set_content(R"({"error":"no snapshot: the probe loop did not answer in time"})"
                    "\n",
                    std::string(kJson));
    return;
  }
  std::string only = req.get_param_value("target");
  if (!only.empty()) {
    const bool known = std::any_of(snapshot->targets.begin(), snapshot->targets.end(),
                                   [&](const auto& t) { return t->name == only; });
    if (!known) {
      res.status = 404;
      const nlohmann::json error = {{"error", "no target named \"" + only + "\""}};
      res.set_content(error.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                      std::string(kJson));
      return;
    }
  }
  Stream(res, kJson, [snapshot = std::move(snapshot), only = std::move(only)](const Sink& sink) {
    return RenderTargetsJson(*snapshot, only, sink);
  });
}

void HttpApi::Impl::Alerts(const httplib::Request&, httplib::Response& res) const {
  auto snapshot = Snapshot();
  if (!snapshot) {
    res.status = 503;
    res.set_content(R"({"error":"no snapshot: the probe loop did not answer in time"})"
                    "\n",
                    std::string(kJson));
    return;
  }
  res.set_content(RenderAlertsJson(*snapshot), std::string(kJson));
}

void HttpApi::Impl::Page(const httplib::Request&, httplib::Response& res) const {
  auto snapshot = Snapshot();
  if (!snapshot) {
    res.status = 503;
    res.set_header("Retry-After", "1");
    res.set_content(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"refresh\" content=\"2\"><title>gatewatch</title></head>"
        "<body><p>gatewatch: the probe loop did not answer in time&hellip;</p></body></html>\n",
        std::string(kHtml));
    return;
  }
  SetPageHeaders(res);
  Stream(res, kHtml, [snapshot = std::move(snapshot)](const Sink& sink) {
    return RenderStatusPage(*snapshot, sink);
  });
}

void HttpApi::Impl::TargetPage(const httplib::Request& req, httplib::Response& res) const {
  const std::string name = req.matches.size() > 1 ? req.matches[1].str() : std::string();
  const auto snapshot = Snapshot();
  if (!snapshot) {
    Page(req, res);
    return;
  }
  SetPageHeaders(res);
  const status::TargetStatus* target = FindTarget(*snapshot, name);
  if (target == nullptr) {
    res.status = 404;
    res.set_content(RenderUnknownTargetPage(name), std::string(kHtml));
    return;
  }
  const std::optional<HistoryReply> history =
      options.history ? options.history(name) : std::nullopt;
  res.set_content(RenderTargetPage(*snapshot, *target, history ? &history->recent : nullptr,
                                   history ? history->as_of : snapshot->generated),
                  std::string(kHtml));
}

void HttpApi::Impl::History(const httplib::Request& req, httplib::Response& res) const {
  const std::string name = req.matches.size() > 1 ? req.matches[1].str() : std::string();
  const auto snapshot = Snapshot();
  if (!snapshot) {
    SetJsonError(res, 503, "no snapshot: the probe loop did not answer in time");
    return;
  }
  if (FindTarget(*snapshot, name) == nullptr) {
    SetJsonError(res, 404, "no target named \"" + name + "\"");
    return;
  }
  const std::optional<HistoryReply> history =
      options.history ? options.history(name) : std::nullopt;
  if (!history) {
    res.set_header("Retry-After", "1");
    SetJsonError(res, 503, "recent results unavailable: the probe loop did not answer in time");
    return;
  }
  res.set_content(RenderHistoryJson(name, history->recent, history->as_of), std::string(kJson));
}

void HttpApi::Impl::Reload(const httplib::Request& req, httplib::Response& res) const {
  if (options.api_token.empty()) {
    SetText(res, 403, "reload endpoint disabled: set agent.api_token");
    return;
  }
  if (!ConstantTimeEquals(BearerToken(req), options.api_token.Reveal())) {
    res.set_header("WWW-Authenticate", "Bearer");
    SetText(res, 401, "missing or wrong bearer token");
    return;
  }
  if (!options.reload) {
    SetText(res, 503, "reload is not available");
    return;
  }
  spdlog::info("http: reload requested by {}", req.remote_addr);
  const ReloadOutcome outcome = options.reload();
  SetText(res, outcome.ok ? 200 : 400, outcome.message);
}

HttpApi::HttpApi(HttpApiOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpApi::~HttpApi() { Stop(); }

void HttpApi::Start() {
  if (impl_->thread.joinable()) throw std::logic_error("HttpApi::Start called twice");
  const HostPort where = ParseListen(impl_->options.listen);
  httplib::Server& server = impl_->server;
  server.new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  server.set_socket_options(ListenSocketOptions);
  server.set_payload_max_length(kMaxBodyBytes);
  server.set_read_timeout(kIoTimeout);
  server.set_write_timeout(kIoTimeout);
  server.set_keep_alive_max_count(kKeepAliveMaxCount);
  server.set_keep_alive_timeout(kFirstByteSeconds);
  impl_->Routes();

  const int port = where.port == 0
                       ? server.bind_to_any_port(where.host)
                       : (server.bind_to_port(where.host, where.port) ? where.port : -1);
  if (port <= 0) {
    throw std::runtime_error("cannot listen on " + impl_->options.listen + ": " +
                             BindFailureReason(where));
  }
  port_ = port;
  Impl* impl = impl_.get();
  // Logged before the server threads exist: the first log call creates spdlog's registry,
  // and creating it here, ahead of pthread_create, orders it before every handler's logging.
  const std::string shown =
      where.host.find(':') == std::string::npos ? where.host : "[" + where.host + "]";
  spdlog::info("http: listening on {}:{}", shown, port_);
  impl->thread = std::thread([impl] {
    try {
      if (!impl->server.listen_after_bind()) spdlog::error("http: the listener failed");
    } catch (const std::exception& e) {
      spdlog::error("http: the listener failed: {}", e.what());
    }
    impl->finished = true;
  });
  // stop() is a no-op until the listener runs, so Stop() right after Start() must not race it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server.is_running() && !impl->finished && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void HttpApi::Stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->server.stop();
  impl_->thread.join();
}

}  // namespace gatewatch::server
