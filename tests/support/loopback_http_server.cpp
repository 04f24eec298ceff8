#include "support/loopback_http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>

namespace gatewatch::testing {

int StartLoopbackServer(httplib::Server& server, std::thread* thread, std::string_view owner,
                        LoopbackOptions options) {
  const std::string who(owner);
  int listen_fd = -1;
  // cpp-httplib applies socket options only to the socket it binds here, so capturing a
  // local is safe.
  server.set_socket_options([&listen_fd](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_fd = sock;
  });
  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port("127.0.0.1");
    if (port <= 0) throw std::runtime_error(who + ": cannot bind 127.0.0.1");
  } else if (!server.bind_to_port("127.0.0.1", port)) {
    throw std::runtime_error(who + ": cannot bind 127.0.0.1:" + std::to_string(port));
  }
  if (options.backlog > 0 && listen_fd >= 0) ::listen(listen_fd, options.backlog);
  *thread = std::thread([&server] { server.listen_after_bind(); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server.is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      server.stop();
      thread->join();
      throw std::runtime_error(who + ": server did not start");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return port;
}

std::string LowerAscii(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace gatewatch::testing
