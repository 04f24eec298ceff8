// A bare libcurl-multi prober: the cheapest way to do what gatewatch's probe loop does
// (fresh connection per probe, GET, read the status), with none of its bookkeeping. The
// benchmark runs it beside gatewatch so "CPU per probe" has a floor to compare against.
//
//   bare_curl_loop --target-prefix http://127.0.0.1:8080/ --paths health,bad --targets 1000
//       --rate 2000 --warmup 5 --seconds 15
// Target i is PREFIX + paths[i % n] + "?t=" + i, probed in turn at the aggregate rate
// (open loop, see open_loop.h). Prints one line of key=value figures for the measured
// window: probes (completed, any outcome), failed (libcurl error or no status), CPU of this
// process, its RSS, how late probes started (lag) and the latency it measured.
#include <curl/curl.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "open_loop.h"

namespace {

namespace gb = gatewatch::bench;

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

struct Args {
  std::string target_prefix;
  std::vector<std::string> paths{"health"};
  long targets = 1000;
  long timeout_ms = 5000;
  gb::LoopOptions loop;
};

[[noreturn]] void Usage() {
  std::fprintf(stderr,
               "usage: bare_curl_loop --target-prefix URL [--paths a,b] --targets N --rate R\n"
               "         --seconds S [--warmup S] [--timeout-ms MS] [--max-in-flight N]\n");
  std::exit(2);
}

Args Parse(int argc, char** argv) {
  Args a;
  if (argc % 2 != 1) Usage();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--target-prefix")
      a.target_prefix = v;
    else if (k == "--paths")
      a.paths = gb::SplitComma(v);
    else if (k == "--targets")
      a.targets = std::atol(v);
    else if (k == "--rate")
      a.loop.rate = std::atof(v);
    else if (k == "--seconds")
      a.loop.window_s = std::atof(v);
    else if (k == "--warmup")
      a.loop.warmup_s = std::atof(v);
    else if (k == "--timeout-ms")
      a.timeout_ms = std::atol(v);
    else if (k == "--max-in-flight")
      a.loop.max_in_flight = std::atol(v);
    else
      Usage();
  }
  if (a.target_prefix.empty() || a.targets <= 0 || a.loop.rate <= 0 || a.loop.window_s <= 0 ||
      a.loop.warmup_s < 0 || a.timeout_ms <= 0 || a.loop.max_in_flight <= 0) {
    Usage();
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = Parse(argc, argv);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  const std::vector<std::string> urls =
      gb::TargetUrls(args.target_prefix, args.paths, args.targets);
  long no_status = 0;
  long rss_kb = -1;  // sampled as the window closes, before the handles are freed
  const gb::LoopResult r = gb::RunOpenLoop(
      multi, args.loop,
      [&](CURL* e, long, long slot) {
        curl_easy_setopt(e, CURLOPT_URL, urls[static_cast<size_t>(slot % args.targets)].c_str());
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, Discard);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, args.timeout_ms);
        curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
      },
      [&](CURL* e, long, CURLcode result, bool in_window) {
        if (!in_window || result != CURLE_OK) return;
        long code = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
        if (code == 0) ++no_status;
      },
      [&](bool opening) {
        if (!opening) rss_kb = gb::ProcStatusKb(0, "VmRSS");
      });
  std::printf(
      "probes=%ld failed=%ld timed_out=%ld dropped=%ld in_flight_at_end=%ld window_s=%.2f "
      "asked_per_s=%.0f probes_per_s=%.1f cpu_s=%.3f cpu_ms_per_probe=%.4f rss_kb=%ld "
      "max_rss_kb=%ld lag_p99_ms=%.3f latency_mean_ms=%.3f latency_p50_ms=%.3f "
      "latency_p99_ms=%.3f\n",
      r.completed, r.curl_failed + no_status, r.timed_out, r.dropped, r.in_flight_at_end,
      r.window_s, args.loop.rate, static_cast<double>(r.completed) / r.window_s, r.cpu_s,
      r.completed ? r.cpu_s * 1000 / static_cast<double>(r.completed) : 0.0, rss_kb,
      gb::ProcStatusKb(0, "VmHWM"), r.lag.Quantile(0.99) * 1000, r.total.Mean() * 1000,
      r.total.Quantile(0.5) * 1000, r.total.Quantile(0.99) * 1000);
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  return 0;
}
