#pragma once
// The fixed-rate, open-loop request scheduler shared by the benchmark's libcurl tools
// (bare_curl_loop, blackbox_driver): slot k of the run is due at start + k / rate, whether or
// not earlier requests have finished, the way a prober's schedule (or Prometheus's scrape
// loop) keeps time. A run is a warm-up, then a measured window; only the window is counted.
//
// Bounded: the run ends at warm-up + window seconds (requests still in flight then are
// abandoned and reported, not waited for), at most max_in_flight requests run at once (a
// slot that comes due at the cap is dropped and counted), and every request has a timeout.
// Not thread-safe; one run per process at a time.
#include <curl/curl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace gatewatch::bench {

// Seconds from 1 us to 100 s in log buckets 0.23% wide (1,000 per decade): quantiles within
// 0.12%, the mean exact, in 32 KB however many samples, so that a tool's RSS does not grow
// with the length of its run.
class Histogram {
 public:
  void Record(double seconds) {
    ++count_;
    sum_ += seconds;
    const double decades = seconds > kMin ? std::log10(seconds / kMin) : 0;
    ++counts_[std::min(counts_.size() - 1, static_cast<size_t>(decades * kPerDecade))];
  }
  // The nearest-rank q-quantile, as its bucket's geometric middle; 0 when empty.
  double Quantile(double q) const {
    if (count_ == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_ - 1));
    std::uint64_t seen = 0;
    size_t i = 0;
    for (; i + 1 < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen > rank) break;
    }
    return kMin * std::pow(10.0, (static_cast<double>(i) + 0.5) / kPerDecade);
  }
  double Mean() const { return count_ == 0 ? 0 : sum_ / static_cast<double>(count_); }

 private:
  static constexpr double kMin = 1e-6;
  static constexpr int kPerDecade = 1000;
  static constexpr int kDecades = 8;
  std::vector<std::uint32_t> counts_ = std::vector<std::uint32_t>(kPerDecade * kDecades);
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

struct LoopOptions {
  double rate = 1000;         // requests started per second, aggregate
  double warmup_s = 0;        // run, but do not count, this long first
  double window_s = 10;       // then count this long
  long max_in_flight = 8192;  // slots due while this many run are dropped
};

struct LoopResult {
  double window_s = 0;        // measured window, wall seconds
  double cpu_s = 0;           // this process's user+sys CPU within the window
  long completed = 0;         // requests that finished within the window (any outcome)
  long curl_failed = 0;       // ... of them, with a libcurl error (timeouts included)
  long timed_out = 0;         // ... of them, CURLE_OPERATION_TIMEDOUT
  long dropped = 0;           // slots due within the window but not started (at the cap)
  long in_flight_at_end = 0;  // abandoned when the window closed
  Histogram lag;              // per start within the window: how late it started (seconds)
  Histogram total;            // per completion within the window: CURLINFO_TOTAL_TIME
};

// This process's user+sys CPU seconds.
inline double SelfCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// A field of /proc/<pid>/status in kB (VmRSS, VmHWM); -1 if unreadable. pid 0 = self.
inline long ProcStatusKb(long pid, const std::string& field) {
  std::ifstream in(pid == 0 ? std::string("/proc/self/status")
                            : "/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

// utime+stime of another process (all its threads), in seconds; -1 if unreadable.
inline double ProcCpuSeconds(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  // The command name (field 2) may hold spaces; fields are counted after its closing ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  const char* p = stat.c_str() + close + 2;
  unsigned long long ticks = 0;
  for (int field = 3; field <= 15; ++field) {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(p, &end, 10);
    if (field == 14 || field == 15) ticks += v;
    // Field 3 (state) is a letter: skip it as a word.
    if (end == p) {
      while (*p != ' ' && *p != '\0') ++p;
    } else {
      p = end;
    }
    while (*p == ' ') ++p;
  }
  return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Runs the schedule on `multi`. For each slot, setup(easy, handle_index, slot) sets the
// request's options on a reset (or new) easy handle; handle_index < max_in_flight names the
// handle while it runs (for per-request buffers). done(easy, handle_index, result,
// in_window) sees every completion. on_edge(true) and on_edge(false) are called as the
// window opens and closes (e.g. to sample another process's CPU at the same instants).
template <typename Setup, typename Done>
LoopResult RunOpenLoop(CURLM* multi, const LoopOptions& o, Setup setup, Done done,
                       const std::function<void(bool)>& on_edge) {
  using Clock = std::chrono::steady_clock;
  LoopResult r;
  std::vector<CURL*> handles(static_cast<size_t>(o.max_in_flight), nullptr);
  std::vector<long> free_index;
  free_index.reserve(handles.size());
  for (long i = o.max_in_flight - 1; i >= 0; --i) free_index.push_back(i);

  const auto start = Clock::now();
  const auto window_start = start + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(o.warmup_s));
  const auto end = window_start + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(o.window_s));
  const std::chrono::duration<double> period(1.0 / o.rate);
  const auto slot_time = [&](long k) {
    return start + std::chrono::duration_cast<Clock::duration>(period * k);
  };
  bool in_window = false;
  double cpu_at_open = 0;
  long slot = 0, running = 0;
  while (true) {
    const auto now = Clock::now();
    if (!in_window && now >= window_start) {
      in_window = true;
      on_edge(true);
      cpu_at_open = SelfCpuSeconds();
    }
    if (now >= end) break;
    while (slot_time(slot) <= now) {
      const auto due = slot_time(slot);
      ++slot;
      if (running >= o.max_in_flight) {
        if (in_window) ++r.dropped;
        continue;
      }
      const long index = free_index.back();
      free_index.pop_back();
      CURL*& e = handles[static_cast<size_t>(index)];
      if (e == nullptr) {
        e = curl_easy_init();
      } else {
        curl_easy_reset(e);
      }
      setup(e, index, slot - 1);
      curl_easy_setopt(e, CURLOPT_PRIVATE, reinterpret_cast<void*>(index));
      curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
      curl_multi_add_handle(multi, e);
      ++running;
      if (in_window) r.lag.Record(std::chrono::duration<double>(now - due).count());
    }
    // Sleep until the next slot, rounded up to curl_multi_poll's millisecond: rounding down
    // would spin on sub-millisecond gaps and bill the loop for CPU it need not burn.
    const auto next_slot = std::min(slot_time(slot), end);
    int wait_ms = static_cast<int>(
        std::chrono::ceil<std::chrono::milliseconds>(next_slot - Clock::now()).count());
    wait_ms = std::clamp(wait_ms, 0, 100);
    int still = 0;
    curl_multi_perform(multi, &still);
    CURLMsg* msg;
    int left = 0;
    while ((msg = curl_multi_info_read(multi, &left)) != nullptr) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* e = msg->easy_handle;
      const CURLcode result = msg->data.result;
      void* priv = nullptr;
      curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
      const long index = reinterpret_cast<long>(priv);
      if (in_window) {
        ++r.completed;
        if (result != CURLE_OK) ++r.curl_failed;
        if (result == CURLE_OPERATION_TIMEDOUT) ++r.timed_out;
        curl_off_t total = 0;
        curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total);
        r.total.Record(static_cast<double>(total) / 1e6);
      }
      done(e, index, result, in_window);
      curl_multi_remove_handle(multi, e);
      free_index.push_back(index);
      --running;
    }
    curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
  }
  r.cpu_s = SelfCpuSeconds() - cpu_at_open;
  r.window_s = std::chrono::duration<double>(Clock::now() - window_start).count();
  on_edge(false);
  r.in_flight_at_end = running;
  for (CURL* e : handles) {
    if (e == nullptr) continue;
    curl_multi_remove_handle(multi, e);  // a no-op for a handle that is not running
    curl_easy_cleanup(e);
  }
  return r;
}

// The benchmark's targets: target i is prefix + paths[i % paths.size()] + "?t=" + i, so
// with paths {"health", "bad"} half answer 200 and half 502, as in gatewatch's config.
inline std::vector<std::string> TargetUrls(const std::string& prefix,
                                           const std::vector<std::string>& paths, long n) {
  std::vector<std::string> urls;
  urls.reserve(static_cast<size_t>(n));
  for (long i = 0; i < n; ++i) {
    urls.push_back(prefix + paths[static_cast<size_t>(i) % paths.size()] +
                   "?t=" + std::to_string(i));
  }
  return urls;
}

// "a,b,c" -> {"a", "b", "c"}.
inline std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t from = 0;
  while (true) {
    const size_t comma = s.find(',', from);
    out.push_back(s.substr(from, comma - from));
    if (comma == std::string::npos) return out;
    from = comma + 1;
  }
}

}  // namespace gatewatch::bench
