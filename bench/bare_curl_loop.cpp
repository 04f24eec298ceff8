// A bare libcurl-multi prober: the cheapest way to do what gatewatch's probe loop does
// (fresh connection per probe, GET, read the status), with none of its bookkeeping. The
// benchmark runs it beside gatewatch so "CPU per probe" has a floor to compare against.
//
//   bare_curl_loop --url-prefix http://127.0.0.1:8080/health?t= --targets 1000
//       --rate 2000 --seconds 20
// Prints one line of key=value figures.
#include <curl/curl.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

struct Args {
  std::string url_prefix;
  long targets = 1000;
  double rate = 1000;
  double seconds = 10;
};

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--url-prefix") a.url_prefix = argv[i + 1];
    else if (k == "--targets") a.targets = std::atol(argv[i + 1]);
    else if (k == "--rate") a.rate = std::atof(argv[i + 1]);
    else if (k == "--seconds") a.seconds = std::atof(argv[i + 1]);
  }
  if (a.url_prefix.empty() || a.targets <= 0 || a.rate <= 0 || a.seconds <= 0) {
    std::fprintf(stderr, "usage: bare_curl_loop --url-prefix URL --targets N --rate R --seconds S\n");
    std::exit(2);
  }
  return a;
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = Parse(argc, argv);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  std::vector<std::string> urls;
  urls.reserve(args.targets);
  for (long i = 0; i < args.targets; ++i) urls.push_back(args.url_prefix + std::to_string(i));
  std::vector<CURL*> pool;
  std::vector<double> latencies;
  latencies.reserve(static_cast<size_t>(args.rate * args.seconds) + 16);

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(args.seconds);
  const double cpu_start = CpuSeconds();
  long started = 0, completed = 0, failed = 0, running = 0;
  const auto period = std::chrono::duration<double>(1.0 / args.rate);
  while (true) {
    const auto now = Clock::now();
    if (now >= end && running == 0) break;
    // Start every probe whose slot has come (a fixed aggregate rate, like a scheduler).
    while (now < end && start + period * started <= now) {
      CURL* e;
      if (pool.empty()) {
        e = curl_easy_init();
      } else {
        e = pool.back();
        pool.pop_back();
        curl_easy_reset(e);
      }
      curl_easy_setopt(e, CURLOPT_URL, urls[started % args.targets].c_str());
      curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, Discard);
      curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
      curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
      curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
      curl_multi_add_handle(multi, e);
      ++started;
      ++running;
    }
    // Sleep until the next slot, rounded up to curl_multi_poll's millisecond: rounding down
    // would spin on sub-millisecond gaps and bill the floor for CPU it need not burn.
    const auto next_slot = start + period * started;
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
      long code = 0;
      curl_off_t total = 0;
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
      curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total);
      if (msg->data.result != CURLE_OK || code == 0) ++failed;
      latencies.push_back(static_cast<double>(total) / 1e6);
      curl_multi_remove_handle(multi, e);
      pool.push_back(e);
      ++completed;
      --running;
    }
    curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
  }
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = CpuSeconds() - cpu_start;
  std::sort(latencies.begin(), latencies.end());
  const auto q = [&](double p) {
    return latencies.empty() ? 0.0 : latencies[static_cast<size_t>(p * (latencies.size() - 1))];
  };
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  std::printf(
      "probes=%ld failed=%ld wall_s=%.2f probes_per_s=%.0f cpu_s=%.3f cpu_ms_per_probe=%.4f "
      "latency_p50_ms=%.3f latency_p99_ms=%.3f max_rss_kb=%ld\n",
      completed, failed, wall, completed / wall, cpu, completed ? cpu * 1000 / completed : 0.0,
      q(0.5) * 1000, q(0.99) * 1000, u.ru_maxrss);
  for (CURL* e : pool) curl_easy_cleanup(e);
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  return 0;
}
