#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Every address a host name resolves to, for probing each one (resolve_all). Lookups run on
// one background thread, so the probe loop never waits on DNS.
namespace gatewatch::net {

// At most this many addresses are kept per name (the first ones the system resolver gives).
inline constexpr std::size_t kMaxAddresses = 16;

// The host of an http:// or https:// URL as a resolver takes it: "api.example.com",
// "10.0.0.7", "::1" (no brackets). "" when the URL does not parse. Pure; thread-safe.
std::string UrlHost(std::string_view url);

// Addresses known without asking DNS: an IP literal is itself; "localhost" and names ending
// in ".localhost" are 127.0.0.1 and, where this host can open IPv6 sockets, ::1 (RFC 6761
// 6.3, and what libcurl itself connects to for those names). nullopt for any other name.
// Thread-safe.
std::optional<std::vector<std::string>> FixedAddresses(std::string_view host);

// Looks names up with getaddrinfo (A and AAAA; AAAA only where IPv6 sockets work, as libcurl
// does) on its own thread, and caches the latest answer per name.
//
//   AddressResolver resolver;
//   resolver.Refresh("api.example.com");      // returns at once
//   ... later rounds ...
//   std::vector<std::string> addresses;
//   if (resolver.Latest("api.example.com", addresses) == Status::kResolved) ...
//
// Lookups of one name never queue twice; at most kMaxPending distinct names wait, and the
// cache holds at most kMaxNames (beyond that it starts over). Thread-safety: every method
// may be called from any thread. The destructor does not wait for a lookup in progress
// (a hung DNS server must not hold up a shutdown): the thread finishes it on its own and
// exits; it only touches state it shares with no one else by then.
class AddressResolver {
 public:
  static constexpr std::size_t kMaxPending = 256;
  static constexpr std::size_t kMaxNames = 4096;

  enum class Status {
    kUnknown,   // no answer yet
    kResolved,  // `out` holds 1..kMaxAddresses addresses
    kFailed,    // the latest lookup failed (NXDOMAIN, no addresses, resolver error)
  };

  AddressResolver();  // starts the thread on the first Refresh
  ~AddressResolver();
  AddressResolver(const AddressResolver&) = delete;
  AddressResolver& operator=(const AddressResolver&) = delete;

  // Queues a lookup of `host` unless one is queued or running; false when the queue is full.
  bool Refresh(const std::string& host);
  // The latest answer for `host`; on kResolved the addresses are copied into `out` (its
  // capacity reused), otherwise `out` is cleared.
  Status Latest(const std::string& host, std::vector<std::string>& out) const;

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
};

}  // namespace gatewatch::net
