#include "net/curl_multi.h"

#include <curl/curl.h>
#include <strings.h>

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/curl_outcome.h"

namespace gatewatch::net {
namespace {

constexpr std::size_t kMaxResponseHeaders = 64;
constexpr char kAllowedProtocols[] = "http,https";
constexpr long kMaxRedirects = 10;

// One slot of the pool. Slots are never freed while the CurlMulti lives, so a Transfer*
// handed to curl (CURLOPT_PRIVATE, callback data) stays valid; the easy handle inside is
// reset and reused.
struct Transfer {
  CURL* easy = nullptr;
  std::uint32_t slot = 0;
  std::uint32_t generation = 0;
  bool active = false;
  CurlMulti::Callback callback;
  HttpResponse response;
  std::size_t max_body_bytes = 0;
  // Request headers as a curl_slist built over our own storage: curl only reads the list,
  // and reusing the strings' capacity avoids curl_slist_append's malloc per line.
  std::vector<std::string> header_lines;
  std::vector<curl_slist> header_nodes;
  std::string request_body;  // CURLOPT_POSTFIELDS points into it; curl does not copy
  std::string connect_to_line;
  curl_slist connect_to_node{};
  char error[CURL_ERROR_SIZE] = {};

  CurlMulti::RequestId id() const {
    return (static_cast<CurlMulti::RequestId>(generation) << 32) | slot;
  }
};

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && strncasecmp(s.data(), prefix.data(), prefix.size()) == 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const size_t length = size * count;
  // Obsolete line folding (a line starting with whitespace) is dropped rather than guessed at.
  if (length == 0 || data[0] == ' ' || data[0] == '\t') return length;
  const std::string_view line = Trim(std::string_view(data, length));
  if (StartsWithNoCase(line, "HTTP/")) {
    // A new response (after a redirect or a 1xx) replaces everything of the previous one.
    t.response.headers.clear();
    t.response.body.clear();
    t.response.body_truncated = false;
    return length;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0 ||
      t.response.headers.size() >= kMaxResponseHeaders) {
    return length;
  }
  if (t.response.headers.empty()) t.response.headers.reserve(16);  // one allocation, typically
  std::string name(line.substr(0, colon));
  for (char& c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  t.response.headers.emplace_back(std::move(name), std::string(Trim(line.substr(colon + 1))));
  return length;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const size_t length = size * count;
  std::string& body = t.response.body;
  if (body.empty()) {
    curl_off_t announced = -1;
    if (curl_easy_getinfo(t.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced) == CURLE_OK &&
        announced > 0) {
      body.reserve(std::min<std::size_t>(static_cast<std::size_t>(announced), t.max_body_bytes));
    }
  }
  const size_t room = t.max_body_bytes - body.size();
  if (length <= room) {
    body.append(data, length);
    return length;
  }
  // A short count makes curl stop the transfer (CURLE_WRITE_ERROR) without reading more.
  body.append(data, room);
  t.response.body_truncated = true;
  return room;
}

std::string Bracketed(const std::string& address) {
  if (address.find(':') != std::string::npos && address.front() != '[') {
    return "[" + address + "]";
  }
  return address;
}

// "host:port:address:" for CURLOPT_CONNECT_TO, or "" when the URL does not parse (curl
// will then report the bad URL itself). CONNECT_TO, unlike CURLOPT_RESOLVE, leaves the
// multi's shared DNS cache untouched, so the pin cannot leak into other transfers.
std::string ConnectToLine(const std::string& url, const std::string& address) {
  CURLU* u = curl_url();
  if (u == nullptr) return {};
  std::string line;
  char* host = nullptr;
  char* port = nullptr;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
    line = std::string(host) + ":" + port + ":" + Bracketed(address) + ":";
  }
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(u);
  return line;
}

bool IsHttps(CURL* easy) {
  const char* scheme = nullptr;
  return curl_easy_getinfo(easy, CURLINFO_SCHEME, &scheme) == CURLE_OK && scheme != nullptr &&
         strcasecmp(scheme, "https") == 0;
}

std::optional<std::int64_t> LeafCertExpiry(CURL* easy) {
  curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_CERTINFO, &info) != CURLE_OK || info == nullptr ||
      info->num_of_certs < 1) {
    return std::nullopt;
  }
  constexpr std::string_view kKey = "Expire date:";
  for (const curl_slist* item = info->certinfo[0]; item != nullptr; item = item->next) {
    const std::string_view entry(item->data);
    if (entry.substr(0, kKey.size()) == kKey) {
      return ParseCertExpireDate(Trim(entry.substr(kKey.size())));
    }
  }
  return std::nullopt;
}

std::int64_t TimeInfo(CURL* easy, CURLINFO what) {
  curl_off_t value = 0;
  return curl_easy_getinfo(easy, what, &value) == CURLE_OK ? value : 0;
}

}  // namespace

struct CurlMulti::Impl {
  struct Deferred {
    RequestId id;
    Callback callback;
    HttpResponse response;
  };

  CURLM* multi = nullptr;
  std::vector<std::unique_ptr<Transfer>> slots;
  // Free slots, in two lists so a slot whose handle was freed is never taken while an idle
  // handle waits (at the cap, every probe would otherwise make and free a handle, about
  // 6 KB and curl's setup each). idle_slots is LIFO, so the warmest handle is reused first.
  std::vector<std::uint32_t> idle_slots;  // with an easy handle
  std::vector<std::uint32_t> bare_slots;  // without
  std::size_t max_idle_handles = CurlMulti::kDefaultMaxIdleHandles;
  std::size_t idle_low_water = 0;  // fewest idle handles since the last TrimIdle()
  std::uint64_t handles_made = 0;
  std::size_t active = 0;
  // Requests that failed before reaching curl (or were started during destruction); their
  // callbacks run from the next Poll(), never inside Start().
  std::vector<Deferred> deferred;
  bool closing = false;
  bool polling = false;

  Transfer& Acquire() {
    if (!idle_slots.empty()) {
      Transfer& t = *slots[idle_slots.back()];
      idle_slots.pop_back();
      idle_low_water = std::min(idle_low_water, idle_slots.size());
      return t;
    }
    if (!bare_slots.empty()) {
      Transfer& t = *slots[bare_slots.back()];
      bare_slots.pop_back();
      return t;
    }
    slots.push_back(std::make_unique<Transfer>());
    Transfer& t = *slots.back();
    t.slot = static_cast<std::uint32_t>(slots.size() - 1);
    return t;
  }

  void Release(Transfer& t) {
    t.active = false;
    t.callback = nullptr;
    t.response = HttpResponse{};
    if (t.easy != nullptr && idle_slots.size() >= max_idle_handles) {
      curl_easy_cleanup(t.easy);
      t.easy = nullptr;
    }
    (t.easy != nullptr ? idle_slots : bare_slots).push_back(t.slot);
  }

  void SetHeaders(Transfer& t, const HttpRequest& request, bool sends_body) {
    bool has_expect = false;
    std::size_t n = 0;
    const auto line = [&](std::size_t i) -> std::string& {
      if (t.header_lines.size() <= i) t.header_lines.resize(i + 1);
      return t.header_lines[i];
    };
    for (const auto& [name, value] : request.headers) {
      has_expect = has_expect || strcasecmp(name.c_str(), "expect") == 0;
      std::string& l = line(n++);
      l.assign(name);
      // "Name;" is curl's way to send a header with an empty value ("Name:" deletes it).
      if (value.empty()) {
        l.append(";");
      } else {
        l.append(": ");
        l.append(value);
      }
    }
    // A probe must not wait a second for "100 Continue" before sending its body.
    if (sends_body && !has_expect) line(n++).assign("Expect:");
    if (n == 0) return;
    t.header_nodes.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      t.header_nodes[i].data = t.header_lines[i].data();
      t.header_nodes[i].next = i + 1 < n ? &t.header_nodes[i + 1] : nullptr;
    }
    curl_easy_setopt(t.easy, CURLOPT_HTTPHEADER, t.header_nodes.data());
  }

  void Configure(Transfer& t, const HttpRequest& request) {
    CURL* e = t.easy;
    t.error[0] = '\0';
    t.max_body_bytes = request.max_body_bytes;
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    // Without this, finishing a transfer whose name lookup is still running joins the
    // resolver thread, blocking the whole probe loop on a hung DNS server.
    curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
    curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, kAllowedProtocols);
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, kAllowedProtocols);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    // 0 would mean "no timeout" to curl.
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                     std::max<long>(1, static_cast<long>(request.timeout.count())));
    curl_easy_setopt(e, CURLOPT_CERTINFO, 1L);
    // Debian's libcurl trusts its CA bundle plus CApath=/etc/ssl/certs (the same roots,
    // hashed), and curl keeps the parsed trust store in the multi handle for reuse
    // (CURLOPT_CA_CACHE_TIMEOUT, 24 h) only when it comes from the bundle alone. With the
    // CApath every handshake re-read all the roots: 21 CPU-ms per https probe, against
    // 1 CPU-ms without (measured on loopback, EC P-256).
    curl_easy_setopt(e, CURLOPT_CAPATH, nullptr);
    if (request.follow_redirects) {
      curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
      curl_easy_setopt(e, CURLOPT_MAXREDIRS, kMaxRedirects);
    }
    if (request.fresh_connection) {
      curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
      curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    }
    if (request.tls_insecure) {
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }

    const std::string& method = request.method;
    const bool sends_body =
        !request.body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
    if (method == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (sends_body) {
      t.request_body.assign(request.body);
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(t.request_body.size()));
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, t.request_body.data());
      if (method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method.c_str());
    } else if (method != "GET") {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    SetHeaders(t, request, sends_body && method != "HEAD");

    if (!request.resolve_to.empty()) {
      t.connect_to_line = ConnectToLine(request.url, request.resolve_to);
      if (!t.connect_to_line.empty()) {
        t.connect_to_node.data = t.connect_to_line.data();
        t.connect_to_node.next = nullptr;
        curl_easy_setopt(e, CURLOPT_CONNECT_TO, &t.connect_to_node);
      }
    }
  }

  void Defer(RequestId id, Callback callback, TransportError error, std::string text) {
    HttpResponse response;
    response.error = error;
    response.error_text = std::move(text);
    deferred.push_back({id, std::move(callback), std::move(response)});
  }

  // Fills the response from curl's info, detaches the handle and runs the callback. The slot
  // is released before the callback so the callback may Start() into it.
  void Complete(Transfer& t, CURLcode code) {
    CURL* e = t.easy;
    HttpResponse& r = t.response;
    const CurlTimes times{
        TimeInfo(e, CURLINFO_NAMELOOKUP_TIME_T),    TimeInfo(e, CURLINFO_CONNECT_TIME_T),
        TimeInfo(e, CURLINFO_APPCONNECT_TIME_T),    TimeInfo(e, CURLINFO_PRETRANSFER_TIME_T),
        TimeInfo(e, CURLINFO_STARTTRANSFER_TIME_T), TimeInfo(e, CURLINFO_TOTAL_TIME_T)};
    const bool https = IsHttps(e);
    r.timings = ComputePhases(times, https);
    long os_errno = 0;
    curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &os_errno);
    const char* ip = nullptr;
    if (curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip != nullptr) {
      r.remote_ip = ip;
    }
    const CurlOutcome outcome{code,  os_errno,         t.error,
                              times, r.body_truncated, !r.remote_ip.empty()};
    r.error = MapCurlOutcome(outcome);
    if (r.error != TransportError::kNone) {
      long verify_result = 0;
      if (r.error == TransportError::kTls) {
        curl_easy_getinfo(e, CURLINFO_SSL_VERIFYRESULT, &verify_result);
      }
      r.error_text = ErrorText(code, t.error, verify_result);
      if (TlsHandshakeTimedOut(outcome, https)) {
        r.error_text = "TLS handshake timed out (" + r.error_text + ")";
      }
    }
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    r.http_status = static_cast<int>(status);
    long redirects = 0;
    curl_easy_getinfo(e, CURLINFO_REDIRECT_COUNT, &redirects);
    r.redirects = static_cast<int>(redirects);
    if (https && r.timings.tls && r.error != TransportError::kTls) {
      r.cert_not_after = LeafCertExpiry(e);
    }
    curl_multi_remove_handle(multi, e);
    Finish(t);
  }

  void Cancel(Transfer& t) {
    curl_multi_remove_handle(multi, t.easy);
    t.response = HttpResponse{};
    t.response.error = TransportError::kCancelled;
    t.response.error_text = "cancelled";
    Finish(t);
  }

  void Finish(Transfer& t) {
    Callback callback = std::move(t.callback);
    HttpResponse response = std::move(t.response);
    Release(t);
    --active;
    if (callback) callback(std::move(response));
  }

  std::size_t RunDeferred(bool cancel) {
    std::size_t ran = 0;
    // Callbacks may Start() and so append to `deferred`; those wait for the next round.
    std::vector<Deferred> batch;
    batch.swap(deferred);
    for (auto& d : batch) {
      if (cancel) {
        d.response.error = TransportError::kCancelled;
        d.response.error_text = "cancelled";
      }
      if (d.callback) d.callback(std::move(d.response));
      ++ran;
    }
    return ran;
  }

  std::size_t DrainDone() {
    std::size_t ran = 0;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      const CURLcode code = msg->data.result;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      Complete(*t, code);
      ++ran;
    }
    return ran;
  }
};

CurlMulti::CurlMulti(std::size_t max_idle_handles) : impl_(std::make_unique<Impl>()) {
  impl_->max_idle_handles = max_idle_handles;
  impl_->multi = curl_multi_init();
  if (impl_->multi == nullptr) throw std::runtime_error("curl_multi_init failed");
}

CurlMulti::~CurlMulti() {
  impl_->closing = true;
  // Callbacks of cancelled requests may start new ones; those are cancelled in turn.
  while (InFlight() > 0) {
    CancelAll();
    impl_->RunDeferred(/*cancel=*/true);
  }
  for (auto& t : impl_->slots) {
    if (t->easy != nullptr) curl_easy_cleanup(t->easy);
  }
  curl_multi_cleanup(impl_->multi);
}

CurlMulti::RequestId CurlMulti::Start(const HttpRequest& request, Callback on_done) {
  Impl& m = *impl_;
  Transfer& t = m.Acquire();
  if (++t.generation == 0) t.generation = 1;
  const RequestId id = t.id();
  if (m.closing) {
    m.Release(t);
    m.Defer(id, std::move(on_done), TransportError::kCancelled, "cancelled");
    return id;
  }
  if (t.easy == nullptr) {
    t.easy = curl_easy_init();
    ++m.handles_made;
  } else {
    curl_easy_reset(t.easy);
  }
  if (t.easy == nullptr) {
    m.Release(t);
    m.Defer(id, std::move(on_done), TransportError::kOther, "curl_easy_init failed");
    return id;
  }
  m.Configure(t, request);
  const CURLMcode added = curl_multi_add_handle(m.multi, t.easy);
  if (added != CURLM_OK) {
    m.Release(t);
    m.Defer(id, std::move(on_done), TransportError::kOther, curl_multi_strerror(added));
    return id;
  }
  t.callback = std::move(on_done);
  t.active = true;
  ++m.active;
  return id;
}

void CurlMulti::Cancel(RequestId id) {
  Impl& m = *impl_;
  const auto slot = static_cast<std::uint32_t>(id & 0xffffffffu);
  const auto generation = static_cast<std::uint32_t>(id >> 32);
  if (slot < m.slots.size()) {
    Transfer& t = *m.slots[slot];
    if (t.active && t.generation == generation) {
      m.Cancel(t);
      return;
    }
  }
  const auto it = std::find_if(m.deferred.begin(), m.deferred.end(),
                               [id](const Impl::Deferred& d) { return d.id == id; });
  if (it == m.deferred.end()) return;
  Impl::Deferred d = std::move(*it);
  m.deferred.erase(it);
  d.response = HttpResponse{};
  d.response.error = TransportError::kCancelled;
  d.response.error_text = "cancelled";
  if (d.callback) d.callback(std::move(d.response));
}

void CurlMulti::CancelAll() {
  Impl& m = *impl_;
  std::vector<RequestId> ids;
  ids.reserve(m.active + m.deferred.size());
  for (const auto& t : m.slots) {
    if (t->active) ids.push_back(t->id());
  }
  for (const auto& d : m.deferred) ids.push_back(d.id);
  for (const RequestId id : ids) Cancel(id);
}

std::size_t CurlMulti::Poll(std::chrono::milliseconds max_wait) {
  Impl& m = *impl_;
  if (m.polling) return 0;
  m.polling = true;
  struct PollingGuard {
    bool& flag;
    ~PollingGuard() { flag = false; }
  } guard{m.polling};
  std::size_t ran = m.RunDeferred(/*cancel=*/false);
  const long long wait =
      ran > 0 || !m.deferred.empty() ? 0 : std::clamp<long long>(max_wait.count(), 0, INT_MAX);
  curl_multi_poll(m.multi, nullptr, 0, static_cast<int>(wait), nullptr);
  int running = 0;
  curl_multi_perform(m.multi, &running);
  return ran + m.DrainDone();
}

void CurlMulti::Wakeup() { curl_multi_wakeup(impl_->multi); }

std::size_t CurlMulti::InFlight() const { return impl_->active + impl_->deferred.size(); }

std::size_t CurlMulti::TrimIdle() {
  Impl& m = *impl_;
  // idle_slots is LIFO: its front holds the handles that have waited longest.
  const std::size_t freed = std::min(m.idle_low_water, m.idle_slots.size());
  for (std::size_t i = 0; i < freed; ++i) {
    Transfer& t = *m.slots[m.idle_slots[i]];
    curl_easy_cleanup(t.easy);
    t.easy = nullptr;
    m.bare_slots.push_back(t.slot);
  }
  m.idle_slots.erase(m.idle_slots.begin(), m.idle_slots.begin() + static_cast<std::ptrdiff_t>(freed));
  m.idle_low_water = m.idle_slots.size();
  return freed;
}

std::size_t CurlMulti::IdleHandles() const { return impl_->idle_slots.size(); }

std::uint64_t CurlMulti::HandlesMade() const { return impl_->handles_made; }

}  // namespace gatewatch::net
