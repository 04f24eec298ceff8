#pragma once
#include <string>
#include <string_view>
#include <thread>

namespace httplib {
class Server;
}  // namespace httplib

// What the cpp-httplib fakes (FakeUpstream, FakeWebhook) share: starting a server on
// 127.0.0.1 on its own thread. Plain functions; call them from the thread that owns the
// server.
namespace gatewatch::testing {

struct LoopbackOptions {
  int port = 0;     // 0 = an ephemeral port
  int backlog = 0;  // > 0: listen() again with this backlog (cpp-httplib's own is 5)
};

// Binds `server` (its handlers already registered) to 127.0.0.1 with SO_REUSEADDR, runs
// listen_after_bind() on a new thread stored in `*thread`, and returns the bound port once
// the server is running. Throws std::runtime_error "<owner>: cannot bind 127.0.0.1" (with
// ":<port>" for a fixed port), or "<owner>: server did not start" after 5s (the server is
// then stopped and the thread joined). Replaces the server's socket options.
int StartLoopbackServer(httplib::Server& server, std::thread* thread, std::string_view owner,
                        LoopbackOptions options = {});

// `s` with ASCII letters lower-cased (header names).
std::string LowerAscii(std::string s);

}  // namespace gatewatch::testing
