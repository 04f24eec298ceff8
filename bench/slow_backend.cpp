// The benchmark's accuracy backend: answers every GET with 200 "ok" after a fixed delay, so
// the latency a prober reports minus the delay is what the prober adds.
//
//   slow_backend --delay-ms 200
// Listens on 127.0.0.1 on a free port, prints "port=N" on stdout, serves until killed.
// One request per connection (Connection: close), as the probers open a fresh connection
// per probe and a lingering keep-alive connection would hold a worker thread.
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  long delay_ms = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--delay-ms") delay_ms = std::atol(argv[i + 1]);
  }
  if (argc % 2 != 1 || delay_ms < 0) {
    std::fprintf(stderr, "usage: slow_backend [--delay-ms MS]\n");
    return 2;
  }
  httplib::Server server;
  // Enough workers that requests never queue at the benchmark's accuracy rate (a few
  // concurrent), which would show up as latency that no prober added.
  server.new_task_queue = [] { return new httplib::ThreadPool(32); };
  server.set_keep_alive_max_count(1);
  const auto delay = std::chrono::milliseconds(delay_ms);
  server.Get(".*", [delay](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(delay);
    res.set_content("ok\n", "text/plain");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    std::fprintf(stderr, "slow_backend: cannot bind 127.0.0.1\n");
    return 1;
  }
  std::printf("port=%d\n", port);
  std::fflush(stdout);
  return server.listen_after_bind() ? 0 : 1;
}
