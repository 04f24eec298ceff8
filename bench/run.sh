#!/usr/bin/env bash
# Benchmark, side by side in one run: gatewatch, Debian's prometheus-blackbox-exporter (driven
# the way Prometheus drives it) and a bare libcurl-multi loop (the floor), doing the same
# probes against one local nginx: half the targets answer 200, half a real 502 from a dead
# upstream; a fresh connection per probe; only loopback traffic.
#
#   bench/run.sh                      # the full matrix (about 10-12 min on 2 cores)
#   bench/run.sh --quick              # 1,000 targets only, short runs (under 3 min)
#   bench/run.sh 1000:500 10000:max   # chosen rows: TARGETS:RATE or TARGETS:max
#   SECONDS_PER_RUN=20 WARMUP_SECONDS=5 bench/run.sh
#
# Rows (default 1000:500 1000:2000 1000:max 10000:500 10000:2000 10000:max): each prober in
# turn, alone on the machine, probes TARGETS targets at RATE probes/s aggregate, for
# WARMUP_SECONDS (not counted; gatewatch: at least one whole interval + 1 s, as a failing
# target's first round adds a confirm probe) then SECONDS_PER_RUN (counted). A "max" row
# finds each prober's highest sustained rate (below): its figures are those of the best
# passing step. Then an accuracy row (each prober against a backend that answers in exactly
# 200 ms, 10 targets at 10 probes/s: the latency it reports minus 200 ms is what it adds)
# and an idle row (gatewatch's RSS with one target after warm-up).
#
# Per prober and row: achieved probes/s; CPU-ms per probe (user+sys from /proc/<pid>/stat
# over the counted window, divided by the probes in it: equal to CPU-seconds per 1,000
# probes); RSS (VmRSS) at the end of the window; schedule-lag p99; and the CPU ratios
# gatewatch/blackbox and gatewatch/bare. A figure marked * did not sustain its asked rate.
#  - gatewatch: probes = requests nginx served in the window (stub_status: the same exact
#    count for every prober, taken at the window's edges); lag p99 = the bucket bound of
#    gatewatch_schedule_lag_seconds between two /metrics scrapes taken around the window.
#  - blackbox: bench/blackbox_driver sends `GET /probe?module=http_2xx&target=...` over
#    kept-alive connections with Prometheus's headers (scrape timeout, Accept-Encoding gzip),
#    open loop; a probe is a scrape that came back with a probe result. The exporter's CPU
#    and RSS are read from /proc by the driver at the window's edges; the driver's own CPU
#    is shown apart, not charged to blackbox.
#  - bare: bench/bare_curl_loop measures itself (lag = how late it started each probe).
# Every prober gets the same probe timeout, min(interval, 2 s), where interval = TARGETS /
# RATE (blackbox through the scrape-timeout header, as Prometheus sends it).
#
# Max search, per prober, bounded by MAX_STEPS runs of SEARCH_WARMUP_SECONDS +
# SEARCH_SECONDS: a step passes when achieved >= 95% of the asked rate, at most 1% of
# probes failed for another reason than the expected 502, and (gatewatch, bare) schedule-lag
# p99 <= 50 ms. It starts at MAX_START (gatewatch, bare; 4,000/s) or MAX_START_BLACKBOX
# (1,000/s) and doubles while steps pass; after a failing step it tries just under what that
# step achieved (a prober that sheds load achieves about its capacity) or, if that is out of
# range, bisects; it stops when the bracket is within 10%. Asked rates never exceed MAX_RATE
# (20,000/s), nor 10 probes/s per target for gatewatch (its minimum interval is 100 ms).
#
# Environment: SECONDS_PER_RUN (15; quick 5), WARMUP_SECONDS (5; quick 2), SEARCH_SECONDS
# (8; quick 4), SEARCH_WARMUP_SECONDS (3; quick 2), MAX_STEPS (5; quick 3), MAX_RATE,
# MAX_START, MAX_START_BLACKBOX, BUILD_DIR (build-bench), SKIP_BUILD=1 (use BUILD_DIR as
# is), RESULTS_DIR (bench/results: latest.md, latest.tsv).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
command_line="bench/run.sh $*"

quick=0
rows=()
for arg in "$@"; do
  case $arg in
    --quick) quick=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *:*) rows+=("$arg") ;;
    *) echo "bench/run.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done
if ((quick)); then
  measure=${SECONDS_PER_RUN:-5} warmup=${WARMUP_SECONDS:-2}
  search_s=${SEARCH_SECONDS:-4} search_warmup=${SEARCH_WARMUP_SECONDS:-2} max_steps=${MAX_STEPS:-3}
  [[ ${#rows[@]} -eq 0 ]] && rows=(1000:500 1000:2000 1000:max)
else
  measure=${SECONDS_PER_RUN:-15} warmup=${WARMUP_SECONDS:-5}
  search_s=${SEARCH_SECONDS:-8} search_warmup=${SEARCH_WARMUP_SECONDS:-3} max_steps=${MAX_STEPS:-5}
  [[ ${#rows[@]} -eq 0 ]] && rows=(1000:500 1000:2000 1000:max 10000:500 10000:2000 10000:max)
fi
max_rate=${MAX_RATE:-20000}
max_start=${MAX_START:-4000}
max_start_blackbox=${MAX_START_BLACKBOX:-1000}
build=${BUILD_DIR:-$root/build-bench}
results_dir=${RESULTS_DIR:-$root/bench/results}
accuracy_delay_ms=200 accuracy_targets=10 accuracy_rate=10
for row in "${rows[@]}"; do
  [[ $row =~ ^[0-9]+:([0-9]+|max)$ ]] || { echo "bench/run.sh: bad row $row (TARGETS:RATE|max)" >&2; exit 2; }
done

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  "$root/scripts/deps.sh" bench
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  build_log=$(mktemp /tmp/gatewatch-bench-build-XXXXXX.log)
  echo "building (Release) into $build ..." >&2
  BUILD_DIR="$build" BUILD_TYPE=Release "$root/scripts/build.sh" -DGATEWATCH_BUILD_TESTS=OFF \
    -DGATEWATCH_BUILD_BENCH=ON "${launcher[@]}" >"$build_log" 2>&1 ||
    { tail -30 "$build_log" >&2; echo "bench/run.sh: build failed, see $build_log" >&2; exit 1; }
  rm -f "$build_log"
fi
for tool in gatewatch bare_curl_loop blackbox_driver slow_backend; do
  [[ -x $build/$tool ]] || { echo "bench/run.sh: $build/$tool is missing (build first)" >&2; exit 1; }
done
blackbox=/usr/bin/prometheus-blackbox-exporter
for tool in "$blackbox" /usr/sbin/nginx curl; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh: needs $tool (scripts/deps.sh bench)" >&2; exit 1; }
done
# Each in-flight probe holds a socket in the prober and in nginx.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(( $(ulimit -n) >= 16384 )) || echo "bench/run.sh: warning: only $(ulimit -n) fds" >&2

work=$(mktemp -d /tmp/gatewatch-bench-XXXXXX)
pids=()  # every process this script started and has not reaped yet
stop_pid() {  # TERM, up to 2 s, then KILL
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
forget_pid() { local keep=() p; for p in "${pids[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done; pids=("${keep[@]}"); }
cleanup() {
  local p
  for p in "${pids[@]}"; do stop_pid "$p"; done
  [[ -f $work/nginx.pid ]] && stop_pid "$(cat "$work/nginx.pid")"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}
wait_http() {  # URL: until it answers, at most 10 s
  for _ in $(seq 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "bench/run.sh: $1 did not come up" >&2; return 1
}
# Sleeps in the background: a foreground sleep would hold off the INT/TERM traps until it ends.
pause() { sleep "$1" & wait "$!"; }
# Runs a bounded tool in the background (so the trap can stop it); its stdout goes to $1.
run_tool() {
  local out=$1; shift
  "$@" >"$out" &
  local pid=$!; pids+=("$pid")
  wait "$pid" || { forget_pid "$pid"; echo "bench/run.sh: $* failed" >&2; return 1; }
  forget_pid "$pid"
}
# Requests nginx has served so far (stub_status): counts the probes that reached it, exactly
# and now, whereas gatewatch's /metrics reflects a snapshot up to a second old.
nginx_requests() { curl -fsS "http://127.0.0.1:$nginx_port/nginx_status" | awk 'NR == 3 { print $3 }'; }
kv() { sed -nE "s/.*(^| )$1=([^ ]+).*/\2/p" <<<"$2"; }
per_probe() {  # OUTPUT KEY: the per-probe figure, n/a when no probe completed
  if [[ $(kv probes "$1") == 0 ]]; then echo n/a; else kv "$2" "$1"; fi
}
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# The agent's and blackbox's ports are picked again before each start (fresh_listen_ports):
# after a run at thousands of fresh connections per second, a port picked at the start may
# have become some connection's local port, and the listener could not bind it.
nginx_port=$(free_port); dead_port=$(free_port)
fresh_listen_ports() { agent_port=$(free_port); bb_port=$(free_port); }
fresh_listen_ports
mkdir -p "$work/logs" "$work/tmp"
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
worker_rlimit_nofile 65536;
error_log $work/logs/error.log crit;
pid $work/nginx.pid;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  server {
    listen 127.0.0.1:$nginx_port backlog=4096;
    location /health { return 200 "ok\n"; }
    location /bad { proxy_pass http://127.0.0.1:$dead_port; }
    location = /nginx_status { stub_status; }
  }
}
NGINX
/usr/sbin/nginx -p "$work" -c "$work/nginx.conf"
wait_http "http://127.0.0.1:$nginx_port/health"
nginx_prefix="http://127.0.0.1:$nginx_port/"

"$build/slow_backend" --delay-ms "$accuracy_delay_ms" >"$work/slow.out" &
pids+=("$!")
for _ in $(seq 50); do grep -q port= "$work/slow.out" 2>/dev/null && break; sleep 0.1; done
slow_prefix="http://127.0.0.1:$(sed -n 's/^port=//p' "$work/slow.out")/"
wait_http "${slow_prefix}slow"

# Blackbox's module: a full HTTP GET; like gatewatch's default expect_status (2xx), a 502
# is a failed probe (probe_success 0) that still ran end to end.
cat >"$work/blackbox.yml" <<'YAML'
modules:
  http_2xx:
    prober: http
    timeout: 10s
    http:
      method: GET
      valid_status_codes: [200]
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
      follow_redirects: false
YAML
"$blackbox" --config.file="$work/blackbox.yml" --config.check >/dev/null 2>&1 ||
  { echo "bench/run.sh: blackbox rejects its config" >&2; exit 1; }

# --- the three probers; each sets REC (key=value figures) -------------------------------

# gatewatch: TARGETS RATE WARMUP SECONDS [PREFIX PATHS]. Sets REC with asked (the rate the
# whole-millisecond interval gives), rate, cpu_ms, rss_kb, lag_p99_ms (bucket bound; 1e9
# past the last bucket), errors (failures other than the expected 502 status), latency.
run_gatewatch() {
  local targets=$1 rate=$2 wu=$3 secs=$4 prefix=${5:-$nginx_prefix} paths=${6:-health,bad}
  local interval_ms timeout_ms conf=$work/gatewatch.toml
  interval_ms=$(calc "%d" "int($targets * 1000 / $rate + 0.5)")
  ((interval_ms < 100)) && interval_ms=100
  timeout_ms=$((interval_ms < 2000 ? interval_ms : 2000))
  fresh_listen_ports
  {
    printf '[agent]\nlisten = "127.0.0.1:%s"\nlog_level = "warn"\nstate_dir = ""\n\n' "$agent_port"
    printf '[defaults]\ninterval = "%sms"\ntimeout = "%sms"\n\n' "$interval_ms" "$timeout_ms"
    awk -v n="$targets" -v prefix="$prefix" -v paths="$paths" 'BEGIN {
      k = split(paths, p, ",")
      for (i = 0; i < n; i++) printf "[[target]]\nname = \"t%d\"\nurl = \"%s%s?t=%d\"\n", i, prefix, p[i % k + 1], i }'
  } >"$conf"
  "$build/gatewatch" --config "$conf" 2>"$work/gw.log" &
  local pid=$!; pids+=("$pid")
  wait_http "http://127.0.0.1:$agent_port/healthz" || { tail -5 "$work/gw.log" >&2; return 1; }
  # Warm up for at least one whole interval: the first round of a failing target adds a
  # confirm probe (config default confirm = 1) that steady state does not have.
  pause "$(calc "%.1f" "($wu > $interval_ms / 1000 + 1) ? $wu : $interval_ms / 1000 + 1")"
  # Probes and CPU are counted over [t0, t1]: probes by nginx (for targets behind it), CPU
  # from /proc. The /metrics scrapes around the window give the lag histogram, the errors
  # and the latency, and keep their own cost out of the CPU figure.
  local t0 t1 c0 c1 n0 n1 rss
  curl -fsS "http://127.0.0.1:$agent_port/metrics" >"$work/m0"
  t0=$(date +%s.%N); n0=$(nginx_requests); c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  pause "$secs"
  kill -0 "$pid" 2>/dev/null || { echo "bench/run.sh: gatewatch exited:" >&2; tail -5 "$work/gw.log" >&2; exit 1; }
  c1=$(awk '{print $14 + $15}' "/proc/$pid/stat"); n1=$(nginx_requests); t1=$(date +%s.%N)
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  curl -fsS "http://127.0.0.1:$agent_port/metrics" >"$work/m1"
  stop_pid "$pid"; forget_pid "$pid"
  local sums0 sums1
  sums0=$(gw_sums <"$work/m0"); sums1=$(gw_sums <"$work/m1")
  [[ $prefix == "$nginx_prefix" ]] || n1=$n0  # not behind nginx: count from /metrics
  REC=$(awk -v a="$sums0" -v b="$sums1" -v hz="$(getconf CLK_TCK)" -v c="$((c1 - c0))" \
    -v n="$((n1 - n0 - 1))" -v t0="$t0" -v t1="$t1" -v rss="$rss" \
    -v asked="$(calc "%.1f" "$targets * 1000 / $interval_ms")" \
    -v lag="$(lag_p99_ms "$work/m0" "$work/m1")" -v p50="$(window_p50_ms <"$work/m1")" 'BEGIN {
      split(a, x, " "); split(b, y, " ")
      scraped = y[1] - x[1]; errors = y[2] - x[2]; dsum = y[3] - x[3]; dcount = y[4] - x[4]
      probes = n > 0 ? n : scraped
      rate = probes / (t1 - t0)
      cpu_ms = probes > 0 ? sprintf("%.4f", (c / hz) * 1000 / probes) : "n/a"
      printf "asked=%s rate=%.1f probes=%d cpu_ms=%s rss_kb=%d lag_p99_ms=%s", asked, rate, probes, cpu_ms, rss, lag
      printf " errors=%d scraped=%d", errors, scraped
      printf " latency_mean_ms=%.3f latency_p50_ms=%s\n", (dcount > 0 ? dsum / dcount * 1000 : 0), p50 }')
}
# "probes errors duration_sum duration_count" summed over targets, from a /metrics scrape.
gw_sums() {
  awk '/^gatewatch_probes_total[{ ]/ { p += $NF }
       /^gatewatch_probe_failures_total[{ ]/ && !/reason="status"/ { e += $NF }
       /^gatewatch_probe_duration_seconds_sum[{ ]/ { s += $NF }
       /^gatewatch_probe_duration_seconds_count[{ ]/ { n += $NF }
       END { printf "%.0f %.0f %.9f %.0f", p, e, s, n }'
}
# Mean over targets of the 1m window's p50, in ms (the window's own estimate).
window_p50_ms() {
  awk '/^gatewatch_window_latency_seconds[{]/ && /window="1m"/ && /quantile="0.5"/ { s += $NF; n++ }
       END { printf "%.3f", n ? s / n * 1000 : 0 }'
}
# p99 of gatewatch_schedule_lag_seconds between two scrapes: the upper bound (ms) of the
# first bucket holding 99% of the probes started in between; 1e9 for +Inf, -1 if none.
lag_p99_ms() {
  paste <(lag_buckets <"$1") <(lag_buckets <"$2") | awk '{ le[NR] = $1; d[NR] = $4 - $2 } END {
    total = d[NR]; if (total <= 0) { print -1; exit }
    for (i = 1; i <= NR; i++) if (d[i] >= 0.99 * total) { print (le[i] == "+Inf" ? 1e9 : le[i] * 1000); exit } }'
}
lag_buckets() {
  awk '/^gatewatch_schedule_lag_seconds_bucket/ {
         match($0, /le="[^"]*"/); print substr($0, RSTART + 4, RLENGTH - 5), $NF }'
}

# blackbox: TARGETS RATE WARMUP SECONDS [PREFIX PATHS]; a fresh exporter per run.
run_blackbox() {
  local targets=$1 rate=$2 wu=$3 secs=$4 prefix=${5:-$nginx_prefix} paths=${6:-health,bad}
  local interval_ms timeout_ms
  interval_ms=$(calc "%d" "int($targets * 1000 / $rate + 0.5)")
  timeout_ms=$((interval_ms < 2000 ? interval_ms : 2000))
  fresh_listen_ports
  "$blackbox" --config.file="$work/blackbox.yml" --web.listen-address="127.0.0.1:$bb_port" \
    --log.level=warn 2>"$work/bb.log" &
  local pid=$!; pids+=("$pid")
  wait_http "http://127.0.0.1:$bb_port/metrics" || { tail -5 "$work/bb.log" >&2; return 1; }
  # Prometheus announces its scrape timeout; blackbox probes for that minus 0.5 s. The
  # driver gives the scrape 1 s more than the probe before it calls it timed out.
  run_tool "$work/bb.out" "$build/blackbox_driver" --blackbox "http://127.0.0.1:$bb_port" \
    --module http_2xx --target-prefix "$prefix" --paths "$paths" --targets "$targets" \
    --rate "$rate" --warmup "$wu" --seconds "$secs" --timeout-ms "$((timeout_ms + 500))" \
    --watch-pid "$pid"
  stop_pid "$pid"; forget_pid "$pid"
  local o; o=$(cat "$work/bb.out")
  REC="asked=$(kv asked_per_s "$o") rate=$(kv probes_per_s "$o") probes=$(kv probes "$o")"
  REC+=" cpu_ms=$(per_probe "$o" blackbox_cpu_ms_per_probe) rss_kb=$(kv blackbox_rss_kb "$o")"
  REC+=" driver_cpu_ms=$(per_probe "$o" driver_cpu_ms_per_probe) driver_lag_p99_ms=$(kv lag_p99_ms "$o")"
  REC+=" errors=$(( $(kv scrape_failed "$o") + $(kv dropped "$o") + $(kv probe_errors "$o") ))"
  REC+=" scrapes=$(kv scrapes "$o") scrape_failed=$(kv scrape_failed "$o") timed_out=$(kv timed_out "$o")"
  REC+=" dropped=$(kv dropped "$o") probe_errors=$(kv probe_errors "$o")"
  REC+=" latency_mean_ms=$(kv latency_mean_ms "$o") latency_p50_ms=$(kv latency_p50_ms "$o")"
}

# bare loop: TARGETS RATE WARMUP SECONDS [PREFIX PATHS].
run_bare() {
  local targets=$1 rate=$2 wu=$3 secs=$4 prefix=${5:-$nginx_prefix} paths=${6:-health,bad}
  local interval_ms timeout_ms
  interval_ms=$(calc "%d" "int($targets * 1000 / $rate + 0.5)")
  timeout_ms=$((interval_ms < 2000 ? interval_ms : 2000))
  run_tool "$work/bare.out" "$build/bare_curl_loop" --target-prefix "$prefix" --paths "$paths" \
    --targets "$targets" --rate "$rate" --warmup "$wu" --seconds "$secs" --timeout-ms "$timeout_ms"
  local o; o=$(cat "$work/bare.out")
  REC="asked=$(kv asked_per_s "$o") rate=$(kv probes_per_s "$o") probes=$(kv probes "$o")"
  REC+=" cpu_ms=$(per_probe "$o" cpu_ms_per_probe) rss_kb=$(kv rss_kb "$o") lag_p99_ms=$(kv lag_p99_ms "$o")"
  REC+=" errors=$(( $(kv failed "$o") + $(kv dropped "$o") ))"
  REC+=" latency_mean_ms=$(kv latency_mean_ms "$o") latency_p50_ms=$(kv latency_p50_ms "$o")"
}

# Whether REC sustained its asked rate (see the max search above).
passes() {  # PROBER
  local rate asked errors probes lag
  rate=$(kv rate "$REC"); asked=$(kv asked "$REC"); errors=$(kv errors "$REC"); probes=$(kv probes "$REC")
  lag=$(kv lag_p99_ms "$REC"); [[ $1 == blackbox ]] && lag=0
  awk -v r="$rate" -v a="$asked" -v e="$errors" -v p="$probes" -v l="$lag" \
    'BEGIN { exit !(r >= 0.95 * a && e <= 0.01 * p && l >= 0 && l <= 50) }'
}

# Max search: PROBER TARGETS CAP START; sets REC to the best passing step (or the last one,
# with sustained=0, if none passed).
search_max() {
  local prober=$1 targets=$2 cap=$3 ask=$4 lo=0 hi=0 best="" last="" step asked rate next
  local verdict
  ((ask > cap)) && ask=$cap
  for ((step = 1; step <= max_steps; step++)); do
    "run_$prober" "$targets" "$ask" "$search_warmup" "$search_s"
    last=$REC asked=$(kv asked "$REC") rate=$(kv rate "$REC") verdict=fail
    passes "$prober" && verdict=pass
    printf '    max search %-9s %6s targets: asked %8s/s -> %8s/s, lag p99 %s ms, errors %s: %s\n' \
      "$prober" "$targets" "$asked" "$rate" "$(kv lag_p99_ms "$REC")" "$(kv errors "$REC")" "$verdict" >&2
    if [[ $verdict == pass ]]; then
      lo=$ask best="$REC sustained=1"
    else
      hi=$ask
    fi
    if ((hi == 0)); then  # no failure yet: double
      ((ask >= cap)) && break
      ask=$((ask * 2 > cap ? cap : ask * 2))
      continue
    fi
    # A prober that sheds load (skips slots) achieves about its capacity: try just under it;
    # one that collapses under overload achieves little: bisect instead.
    next=$(calc "%d" "int($rate * 0.95 / 100) * 100")
    ((next > lo && next < hi)) || next=$(calc "%d" "int(($lo + $hi) / 200) * 100")
    ((hi - lo <= hi / 10 || next <= lo || next >= hi)) && break
    ask=$next
  done
  REC=${best:-"$last sustained=0"}
}

# --- output -------------------------------------------------------------------------------

mb() { calc "%.1f" "${1:-0} / 1024"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {
  if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2fx", a / b; else print "n/a" }'; }
thousands() { awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); o = ""
  while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
  print s o }'; }
mark() { [[ $(kv sustained "$1") == 1 ]] || printf '*'; }  # a run that missed its asked rate
lag_text() { awk -v l="$1" 'BEGIN { if (l < 0) print "n/a"; else if (l >= 1e9) print "> 5 s";
  else printf "<= %g ms", l }'; }

mkdir -p "$results_dir"
md_rows=() tsv_rows=()
tsv_header="targets	mode	gw_asked	gw_probes_per_s	gw_cpu_ms	gw_lag_p99_ms	gw_rss_kb	gw_errors	gw_sustained"
tsv_header+="	bb_asked	bb_probes_per_s	bb_cpu_ms	bb_rss_kb	bb_errors	bb_timed_out	bb_dropped	driver_cpu_ms	bb_sustained"
tsv_header+="	bare_asked	bare_probes_per_s	bare_cpu_ms	bare_lag_p99_ms	bare_rss_kb	bare_errors	bare_sustained"
tsv_header+="	cpu_gw_over_bb	cpu_gw_over_bare"
started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo "gatewatch bench: ${#rows[@]} rows, ${measure}s per run after ${warmup}s warm-up" \
  "(max search: ${search_s}s after ${search_warmup}s, <= $max_steps steps); load $load_at_start"
line() { printf '%-7s %-6s | %8s %7s %9s %6s | %8s %7s %6s %7s | %8s %7s %6s | %7s %7s\n' "$@"; }
line "" "" "gatewatch" "" "" "" "blackbox" "" "" "driver" "bare" "" "" "CPU" "CPU"
line targets rate "probes/s" "cpu-ms" "lag p99" "RSS MB" "probes/s" "cpu-ms" "RSS MB" "cpu-ms" \
  "probes/s" "cpu-ms" "RSS MB" "gw/bb" "gw/bare"

for row in "${rows[@]}"; do
  targets=${row%%:*} mode=${row##*:}
  if [[ $mode == max ]]; then
    gw_cap=$((targets * 10 < max_rate ? targets * 10 : max_rate))
    search_max gatewatch "$targets" "$gw_cap" "$max_start"; gw=$REC
    search_max blackbox "$targets" "$max_rate" "$max_start_blackbox"; bb=$REC
    search_max bare "$targets" "$max_rate" "$max_start"; bare=$REC
    rate_text=max
  else
    if ((targets * 1000 / mode < 100)); then
      echo "skip $row: gatewatch's interval would be under 100 ms" >&2; continue
    fi
    run_gatewatch "$targets" "$mode" "$warmup" "$measure"; gw="$REC sustained=1"
    passes gatewatch || gw="$REC sustained=0"
    run_blackbox "$targets" "$mode" "$warmup" "$measure"; bb="$REC sustained=1"
    passes blackbox || bb="$REC sustained=0"
    run_bare "$targets" "$mode" "$warmup" "$measure"; bare="$REC sustained=1"
    passes bare || bare="$REC sustained=0"
    rate_text=$mode
  fi
  gw_cpu=$(kv cpu_ms "$gw") bb_cpu=$(kv cpu_ms "$bb") bare_cpu=$(kv cpu_ms "$bare")
  r_bb=$(ratio "$gw_cpu" "$bb_cpu") r_bare=$(ratio "$gw_cpu" "$bare_cpu")
  line "$targets" "$rate_text" "$(calc "%.0f" "$(kv rate "$gw")")$(mark "$gw")" "$gw_cpu" \
    "$(lag_text "$(kv lag_p99_ms "$gw")")" "$(mb "$(kv rss_kb "$gw")")" \
    "$(calc "%.0f" "$(kv rate "$bb")")$(mark "$bb")" "$bb_cpu" "$(mb "$(kv rss_kb "$bb")")" \
    "$(kv driver_cpu_ms "$bb")" "$(calc "%.0f" "$(kv rate "$bare")")$(mark "$bare")" "$bare_cpu" \
    "$(mb "$(kv rss_kb "$bare")")" "$r_bb" "$r_bare"
  asked_text=$(thousands "$rate_text" 2>/dev/null)
  [[ $rate_text == max ]] && asked_text="max (asked $(thousands "$(kv asked "$gw")") / $(thousands "$(kv asked "$bb")") / $(thousands "$(kv asked "$bare")"))"
  md_rows+=("| $(thousands "$targets") | $asked_text | $(thousands "$(kv rate "$gw")")$(mark "$gw") | $gw_cpu | $(lag_text "$(kv lag_p99_ms "$gw")") | $(mb "$(kv rss_kb "$gw")") MB | $(thousands "$(kv rate "$bb")")$(mark "$bb") | $bb_cpu | $(mb "$(kv rss_kb "$bb")") MB | $(kv driver_cpu_ms "$bb") | $(thousands "$(kv rate "$bare")")$(mark "$bare") | $bare_cpu | $(mb "$(kv rss_kb "$bare")") MB | $r_bb | $r_bare |")
  tsv_rows+=("$(printf '%s\t' "$targets" "$mode" \
    "$(kv asked "$gw")" "$(kv rate "$gw")" "$gw_cpu" "$(kv lag_p99_ms "$gw")" "$(kv rss_kb "$gw")" "$(kv errors "$gw")" "$(kv sustained "$gw")" \
    "$(kv asked "$bb")" "$(kv rate "$bb")" "$bb_cpu" "$(kv rss_kb "$bb")" "$(kv errors "$bb")" "$(kv timed_out "$bb")" "$(kv dropped "$bb")" "$(kv driver_cpu_ms "$bb")" "$(kv sustained "$bb")" \
    "$(kv asked "$bare")" "$(kv rate "$bare")" "$bare_cpu" "$(kv lag_p99_ms "$bare")" "$(kv rss_kb "$bare")" "$(kv errors "$bare")" "$(kv sustained "$bare")" \
    "${r_bb%x}")${r_bare%x}")
done

# Accuracy: every prober against the 200 ms backend, alone, at a low rate.
echo
echo "accuracy: a backend answering in ${accuracy_delay_ms} ms, ${accuracy_targets} targets at ${accuracy_rate}/s"
run_gatewatch "$accuracy_targets" "$accuracy_rate" "$warmup" "$measure" "$slow_prefix" slow; acc_gw=$REC
run_blackbox "$accuracy_targets" "$accuracy_rate" "$warmup" "$measure" "$slow_prefix" slow; acc_bb=$REC
run_bare "$accuracy_targets" "$accuracy_rate" "$warmup" "$measure" "$slow_prefix" slow; acc_bare=$REC
bare_added=$(calc "%.3f" "$(kv latency_mean_ms "$acc_bare") - $accuracy_delay_ms")
acc_md=() acc_tsv=()
printf '%-10s %7s %10s %10s %14s %12s\n' prober probes "mean ms" "p50 ms" "added (mean)" "vs bare"
for p in gatewatch blackbox bare; do
  case $p in gatewatch) r=$acc_gw ;; blackbox) r=$acc_bb ;; bare) r=$acc_bare ;; esac
  added=$(calc "%.3f" "$(kv latency_mean_ms "$r") - $accuracy_delay_ms")
  vs=$(calc "%+.3f" "$added - $bare_added")
  printf '%-10s %7s %10s %10s %14s %12s\n' "$p" "$(kv probes "$r")" "$(kv latency_mean_ms "$r")" \
    "$(kv latency_p50_ms "$r")" "$added" "$vs"
  acc_md+=("| $p | $(kv probes "$r") | $(kv latency_mean_ms "$r") | $(kv latency_p50_ms "$r") | $added | $vs |")
  acc_tsv+=("$p	$(kv probes "$r")	$(kv latency_mean_ms "$r")	$(kv latency_p50_ms "$r")	$added	$vs")
done

# Idle: one target probed every second, after warm-up.
conf=$work/idle.toml
fresh_listen_ports
printf '[agent]\nlisten = "127.0.0.1:%s"\nlog_level = "warn"\nstate_dir = ""\n\n[[target]]\nname = "one"\nurl = "%shealth"\ninterval = "1s"\ntimeout = "1s"\n' \
  "$agent_port" "$nginx_prefix" >"$conf"
"$build/gatewatch" --config "$conf" 2>"$work/gw.log" &
idle_pid=$!; pids+=("$idle_pid")
wait_http "http://127.0.0.1:$agent_port/healthz" || { tail -5 "$work/gw.log" >&2; exit 1; }
pause "$((warmup + 5))"
idle_rss=$(awk '/^VmRSS/ {print $2}' "/proc/$idle_pid/status" 2>/dev/null) ||
  { echo "bench/run.sh: gatewatch (idle) exited:" >&2; tail -5 "$work/gw.log" >&2; exit 1; }
stop_pid "$idle_pid"; forget_pid "$idle_pid"
echo
echo "idle: gatewatch with 1 target (1 s interval), after $((warmup + 5)) s: RSS $(mb "$idle_rss") MB"

# --- results files ---------------------------------------------------------------------------
versions="gatewatch $("$build/gatewatch" --version 2>&1 | head -1 | awk '{print $NF}'),"
versions+=" blackbox_exporter $("$blackbox" --version 2>&1 | head -1 | awk '{print $3}'),"
versions+=" $(/usr/sbin/nginx -v 2>&1 | sed 's/.*: //'), $(curl --version | head -1 | cut -d' ' -f1-2)"
{
  echo "# gatewatch benchmark, $started_at"
  echo
  echo "Command: \`${SECONDS_PER_RUN:+SECONDS_PER_RUN=$SECONDS_PER_RUN }${WARMUP_SECONDS:+WARMUP_SECONDS=$WARMUP_SECONDS }$command_line\`"
  echo "(${measure} s counted per run after ${warmup} s warm-up; max search steps ${search_s} s after ${search_warmup} s)."
  echo "Machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), kernel $(uname -r);"
  echo "load average at start: $load_at_start. Versions: $versions."
  echo
  echo "| targets | rate/s | gatewatch probes/s | gatewatch CPU-ms/probe | schedule lag p99 | gatewatch RSS | blackbox probes/s | blackbox CPU-ms/probe | blackbox RSS | driver CPU-ms/scrape (not charged) | bare probes/s | bare CPU-ms/probe | bare RSS | CPU gatewatch/blackbox | CPU gatewatch/bare |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${md_rows[@]}"
  echo
  echo "\\* did not sustain the asked rate (achieved < 95 %, > 1 % errors, or lag p99 > 50 ms)."
  echo "A max row shows each prober's best passing step; asked rates are gatewatch / blackbox / bare."
  echo
  echo "Accuracy: a backend answering in ${accuracy_delay_ms} ms, ${accuracy_targets} targets at ${accuracy_rate} probes/s, ${measure} s each."
  echo "gatewatch's mean is exact (probe_duration_seconds sum/count), its p50 the 1m window's estimate;"
  echo "blackbox's figures are its probe_duration_seconds; bare measures itself."
  echo
  echo "| prober | probes | mean ms | p50 ms | added over ${accuracy_delay_ms} ms (mean) | added vs bare |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${acc_md[@]}"
  echo
  echo "Idle: gatewatch with 1 target (1 s interval) after $((warmup + 5)) s: RSS $(mb "$idle_rss") MB."
} >"$results_dir/latest.md"
{
  echo "$tsv_header"
  printf '%s\n' "${tsv_rows[@]}"
  echo
  echo "prober	probes	latency_mean_ms	latency_p50_ms	added_mean_ms	added_vs_bare_ms"
  printf '%s\n' "${acc_tsv[@]}"
  echo
  echo "idle_gatewatch_rss_kb	$idle_rss"
} >"$results_dir/latest.tsv"
echo
echo "wrote $results_dir/latest.md and latest.tsv"
