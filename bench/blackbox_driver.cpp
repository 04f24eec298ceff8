// Drives prometheus-blackbox-exporter the way Prometheus does, for the benchmark: one
// `GET /probe?module=M&target=URL` per probe, over kept-alive connections, with Prometheus's
// scrape headers (timeout, gzip), at a fixed aggregate rate across N targets (open loop,
// see open_loop.h).
//
//   blackbox_driver --blackbox http://127.0.0.1:9115 --module http_2xx
//       --target-prefix http://127.0.0.1:8080/ --paths health,bad --targets 1000
//       --rate 500 --warmup 5 --seconds 15 --watch-pid 1234
// Target i is PREFIX + paths[i % n] + "?t=" + i. Prints one line of key=value figures for
// the measured window: scrapes, how many failed or timed out, the probes blackbox ran (a
// scrape answered 200 with a probe_http_status_code), their status split and the
// probe_duration_seconds blackbox reported, this driver's own CPU and RSS, and (with
// --watch-pid) the CPU and RSS of the exporter over the same window, read from /proc.
#include <curl/curl.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "open_loop.h"

namespace {

namespace gb = gatewatch::bench;

constexpr size_t kMaxBody = 256 * 1024;  // a /probe answer is ~2 KB; never buffer more

size_t Append(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  const size_t bytes = size * n;
  if (body->size() + bytes <= kMaxBody) body->append(data, bytes);
  return bytes;
}

// The value of the unlabelled sample `name` in Prometheus text; -1 if absent.
double Sample(const std::string& body, const char* name) {
  const std::string key = std::string("\n") + name + " ";
  const size_t at = body.find(key);
  if (at == std::string::npos) return -1;
  return std::strtod(body.c_str() + at + key.size(), nullptr);
}

struct Args {
  std::string blackbox;
  std::string module = "http_2xx";
  std::string target_prefix;
  std::vector<std::string> paths{"health"};
  long targets = 1000;
  long timeout_ms = 5500;
  long watch_pid = 0;
  bool gzip = true;
  gb::LoopOptions loop;
};

[[noreturn]] void Usage() {
  std::fprintf(stderr,
               "usage: blackbox_driver --blackbox URL [--module M] --target-prefix URL\n"
               "         [--paths a,b] --targets N --rate R --seconds S [--warmup S]\n"
               "         [--timeout-ms MS] [--max-in-flight N] [--watch-pid PID] [--gzip 0|1]\n");
  std::exit(2);
}

Args Parse(int argc, char** argv) {
  Args a;
  a.loop.max_in_flight = 4096;
  if (argc % 2 != 1) Usage();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--blackbox")
      a.blackbox = v;
    else if (k == "--module")
      a.module = v;
    else if (k == "--target-prefix")
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
    else if (k == "--watch-pid")
      a.watch_pid = std::atol(v);
    else if (k == "--gzip")
      a.gzip = std::atoi(v) != 0;
    else
      Usage();
  }
  if (a.blackbox.empty() || a.target_prefix.empty() || a.targets <= 0 || a.loop.rate <= 0 ||
      a.loop.window_s <= 0 || a.loop.warmup_s < 0 || a.timeout_ms <= 0 ||
      a.loop.max_in_flight <= 0 || a.watch_pid < 0) {
    Usage();
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = Parse(argc, argv);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  // Keep one connection per concurrent scrape, as Prometheus keeps one per scrape loop.
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, args.loop.max_in_flight);

  std::vector<std::string> scrape_urls;
  {
    CURL* escaper = curl_easy_init();
    for (const std::string& target : gb::TargetUrls(args.target_prefix, args.paths, args.targets)) {
      char* escaped = curl_easy_escape(escaper, target.c_str(), static_cast<int>(target.size()));
      scrape_urls.push_back(args.blackbox + "/probe?module=" + args.module + "&target=" + escaped);
      curl_free(escaped);
    }
    curl_easy_cleanup(escaper);
  }
  // Prometheus tells the exporter its scrape timeout; blackbox probes for that minus
  // --timeout-offset (0.5 s), capped by the module's timeout.
  const std::string timeout_header =
      "X-Prometheus-Scrape-Timeout-Seconds: " + std::to_string(args.timeout_ms / 1000.0);
  curl_slist* headers = curl_slist_append(nullptr, timeout_header.c_str());
  headers = curl_slist_append(headers,
                              "Accept: application/openmetrics-text;version=1.0.0;q=0.5,"
                              "text/plain;version=0.0.4;q=0.4,*/*;q=0.1");

  std::vector<std::string> bodies(static_cast<size_t>(args.loop.max_in_flight));
  long scrape_not_200 = 0, probes = 0, status_200 = 0, status_502 = 0, probe_errors = 0;
  gb::Histogram probe_durations;
  double watched_cpu_open = 0, watched_cpu_s = -1;
  long watched_rss_kb = -1, driver_rss_kb = -1;

  const gb::LoopResult r = gb::RunOpenLoop(
      multi, args.loop,
      [&](CURL* e, long index, long slot) {
        std::string& body = bodies[static_cast<size_t>(index)];
        body.clear();
        curl_easy_setopt(e, CURLOPT_URL,
                         scrape_urls[static_cast<size_t>(slot % args.targets)].c_str());
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(e, CURLOPT_USERAGENT, "Prometheus/2.42.0");
        if (args.gzip) curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip");
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, Append);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, args.timeout_ms);
      },
      [&](CURL* e, long index, CURLcode result, bool in_window) {
        if (!in_window || result != CURLE_OK) return;
        long code = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
        const std::string& body = bodies[static_cast<size_t>(index)];
        const double status = Sample(body, "probe_http_status_code");
        if (code != 200 || status < 0) {
          ++scrape_not_200;
          return;
        }
        ++probes;
        if (status == 200) {
          ++status_200;
        } else if (status == 502) {
          ++status_502;
        } else {
          ++probe_errors;
        }
        const double duration = Sample(body, "probe_duration_seconds");
        if (duration >= 0) probe_durations.Record(duration);
      },
      [&](bool opening) {
        if (opening) {
          if (args.watch_pid != 0) watched_cpu_open = gb::ProcCpuSeconds(args.watch_pid);
          return;
        }
        driver_rss_kb = gb::ProcStatusKb(0, "VmRSS");
        if (args.watch_pid != 0) {
          watched_cpu_s = gb::ProcCpuSeconds(args.watch_pid) - watched_cpu_open;
          watched_rss_kb = gb::ProcStatusKb(args.watch_pid, "VmRSS");
        }
      });
  const double per_probe = probes ? 1000.0 / static_cast<double>(probes) : 0.0;
  std::printf(
      "scrapes=%ld scrape_failed=%ld timed_out=%ld dropped=%ld in_flight_at_end=%ld "
      "window_s=%.2f asked_per_s=%.0f probes=%ld probes_per_s=%.1f status_200=%ld "
      "status_502=%ld probe_errors=%ld blackbox_cpu_s=%.3f blackbox_cpu_ms_per_probe=%.4f "
      "blackbox_rss_kb=%ld blackbox_max_rss_kb=%ld driver_cpu_s=%.3f "
      "driver_cpu_ms_per_probe=%.4f driver_rss_kb=%ld lag_p99_ms=%.3f scrape_mean_ms=%.3f "
      "scrape_p99_ms=%.3f latency_mean_ms=%.3f latency_p50_ms=%.3f latency_p99_ms=%.3f\n",
      r.completed, r.curl_failed + scrape_not_200, r.timed_out, r.dropped, r.in_flight_at_end,
      r.window_s, args.loop.rate, probes, static_cast<double>(probes) / r.window_s, status_200,
      status_502, probe_errors, watched_cpu_s, watched_cpu_s * per_probe, watched_rss_kb,
      args.watch_pid != 0 ? gb::ProcStatusKb(args.watch_pid, "VmHWM") : -1, r.cpu_s,
      r.cpu_s * per_probe, driver_rss_kb, r.lag.Quantile(0.99) * 1000, r.total.Mean() * 1000,
      r.total.Quantile(0.99) * 1000, probe_durations.Mean() * 1000,
      probe_durations.Quantile(0.5) * 1000, probe_durations.Quantile(0.99) * 1000);
  curl_multi_cleanup(multi);
  curl_slist_free_all(headers);
  curl_global_cleanup();
  return 0;
}
