#pragma once
#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gatewatch::testing {

// A plain-socket server on 127.0.0.1 that misbehaves below HTTP in one scripted way, for
// transport-failure tests that a well-behaved HTTP library cannot produce.
//
//   RawTcpServer server(RawTcpServer::Behavior::kResetMidBody);
//   server.Start();
//   ... probe server.Url("/") ...
//
// Every accepted connection gets the same behaviour; except for kHang and
// kCloseImmediately, the request head is read (up to its blank line) before answering.
// Each connection is served by its own thread, which waits only in poll() on its socket and
// a stop pipe, so Stop() (or the destructor) ends them all promptly, whatever they are doing.
class RawTcpServer {
 public:
  enum class Behavior {
    kHang,              // accept, then read nothing and send nothing until stopped
    kCloseImmediately,  // close right after accept, without reading the request
    kGarbageStatus,     // answer "this is not http\r\n\r\n", then close
    kResetMidBody,      // 200 with Content-Length 100000, 1000 body bytes, a pause of
                        // 50 ms (so the client has read the head), then RST (SO_LINGER 0)
    kBrokenChunked,     // 200 chunked: one valid chunk, then a chunk size that is not hex
    kLargeBody,         // 200 with Content-Length body_bytes, streamed in 16 KiB writes
                        // for as long as the client reads (or until stopped); the body is
                        // generated as it goes, so 1 GB costs the server no memory
    kSlowHeaders,       // slowloris: a valid response head, one byte every 100 ms, for as
                        // long as the client stays (or until stopped)
  };

  explicit RawTcpServer(Behavior behavior, std::size_t body_bytes = 50u << 20);
  ~RawTcpServer();
  RawTcpServer(const RawTcpServer&) = delete;
  RawTcpServer& operator=(const RawTcpServer&) = delete;

  void Start();  // binds 127.0.0.1:0 and starts accepting; throws std::runtime_error
  void Stop();   // idempotent; joins every thread

  int port() const { return port_; }
  std::string Url(const std::string& path) const;  // "http://127.0.0.1:<port><path>"

  std::size_t connections() const { return connections_.load(); }
  // Bytes written to clients so far, headers included; bounded by what they read.
  std::size_t bytes_sent() const { return bytes_sent_.load(); }

 private:
  void AcceptLoop();
  void Serve(int fd);
  bool ReadRequestHead(int fd);
  bool SendAll(int fd, const char* data, std::size_t size);
  bool WaitFor(int fd, short events, std::chrono::milliseconds limit);

  const Behavior behavior_;
  const std::size_t body_bytes_;
  int listen_fd_ = -1;
  int stop_fds_[2] = {-1, -1};  // a pipe; its read end turns readable on Stop()
  int port_ = 0;
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> workers_;
  std::atomic<std::size_t> connections_{0};
  std::atomic<std::size_t> bytes_sent_{0};
  std::atomic<bool> stopped_{false};
};

}  // namespace gatewatch::testing
