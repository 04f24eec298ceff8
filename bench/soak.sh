#!/usr/bin/env bash
# Bounded soak (not in CI): gatewatch probing 1,000 targets every second for SOAK_MINUTES
# against a local nginx (Debian nginx-light) and a backend that never answers, while its
# RSS and open file descriptors are sampled once a minute. After warm-up both must stay
# flat: every later sample within +-5% of the first sample after warm-up. Prints a table and
# PASS or FAIL (exit 0 or 1).
#
#   bench/soak.sh                        # 30 minutes (about 32 with the build)
#   SOAK_MINUTES=6 bench/soak.sh         # a short check: warm-up 3 min, 3 judged samples
#
# Targets (a fresh connection per probe, interval 1s, timeout 500ms):
#   half    GET nginx /health             -> 200
#   quarter GET nginx /bad                -> nginx's own 502 (its upstream port is dead)
#   quarter GET a raw backend that accepts, reads the request and never answers -> timeout
# plus one alert rule over all of them (the 502 quarter fires and stays firing), so the
# windows, the alert engine and the snapshot publisher all run for the whole soak.
#
# A sample is taken each SAMPLE_SECONDS (60): RSS (VmRSS of /proc/<pid>/status) and open
# fds (entries of /proc/<pid>/fd), the fds as the mean of 10 readings 100 ms apart, because
# the sockets of in-flight probes rise and fall within each 1 s cycle; plus probes/s, CPU
# and schedule-lag p99 over the minute, to show the load was really there. Samples before
# WARMUP_MINUTES (3 below 10 soak minutes, else 5) are shown, not judged.
#
# Environment: SOAK_MINUTES (30), WARMUP_MINUTES, SAMPLE_SECONDS (60), TARGETS (1000),
# TOLERANCE_PERCENT (5), BUILD_DIR (build-soak; Release), SKIP_BUILD=1 (use BUILD_DIR as
# is), RESULTS_DIR (bench/results: soak-latest.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
case ${1:-} in
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "bench/soak.sh: no arguments (see --help)" >&2; exit 2 ;;
esac

minutes=${SOAK_MINUTES:-30}
if ((minutes < 10)); then warmup=${WARMUP_MINUTES:-3}; else warmup=${WARMUP_MINUTES:-5}; fi
sample_s=${SAMPLE_SECONDS:-60}
targets=${TARGETS:-1000}
tolerance=${TOLERANCE_PERCENT:-5}
build=${BUILD_DIR:-$root/build-soak}
results_dir=${RESULTS_DIR:-$root/bench/results}
samples=$((minutes * 60 / sample_s))
# The sample index (1-based) of the baseline; WARMUP_MINUTES may be fractional ("0.5").
judged_from=$(awk -v w="$warmup" -v s="$sample_s" 'BEGIN { printf "%d", w * 60 / s }')
if ((judged_from < 1 || judged_from >= samples)); then
  echo "bench/soak.sh: warm-up ($warmup min) must end before the last sample ($minutes min)" >&2
  exit 2
fi

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  "$root/scripts/deps.sh" bench
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  build_log=$(mktemp /tmp/gatewatch-soak-build-XXXXXX.log)
  echo "building (Release) into $build ..." >&2
  BUILD_DIR="$build" BUILD_TYPE=Release "$root/scripts/build.sh" -DGATEWATCH_BUILD_TESTS=OFF \
    -DGATEWATCH_BUILD_BENCH=OFF "${launcher[@]}" >"$build_log" 2>&1 ||
    { tail -30 "$build_log" >&2; echo "bench/soak.sh: build failed, see $build_log" >&2; exit 1; }
  rm -f "$build_log"
fi
[[ -x $build/gatewatch ]] || { echo "bench/soak.sh: $build/gatewatch is missing" >&2; exit 1; }
for tool in /usr/sbin/nginx curl python3; do
  command -v "$tool" >/dev/null || { echo "bench/soak.sh: needs $tool (scripts/deps.sh bench)" >&2; exit 1; }
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

work=$(mktemp -d /tmp/gatewatch-soak-XXXXXX)
pids=()  # every process this script started
stop_pid() {  # TERM, up to 2 s, then KILL
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
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
  echo "bench/soak.sh: $1 did not come up" >&2; return 1
}

nginx_port=$(free_port); dead_port=$(free_port); agent_port=$(free_port)
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
  }
}
NGINX
/usr/sbin/nginx -p "$work" -c "$work/nginx.conf"
wait_http "http://127.0.0.1:$nginx_port/health"

# The hanging backend: accepts, reads and discards the request, never answers, and closes
# its side only when the prober gives up, so it holds nothing the prober does not.
cat >"$work/hang.py" <<'PY'
import selectors, socket
sel = selectors.DefaultSelector()
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(4096)
srv.setblocking(False)
sel.register(srv, selectors.EVENT_READ)
print(f"port={srv.getsockname()[1]}", flush=True)
while True:
    for key, _ in sel.select():
        if key.fileobj is srv:
            try:
                conn, _ = srv.accept()
            except BlockingIOError:
                continue
            conn.setblocking(False)
            sel.register(conn, selectors.EVENT_READ)
            continue
        conn = key.fileobj
        try:
            data = conn.recv(65536)
        except BlockingIOError:
            continue
        except OSError:
            data = b""
        if not data:
            sel.unregister(conn)
            conn.close()
PY
python3 "$work/hang.py" >"$work/hang.out" &
pids+=("$!")
for _ in $(seq 50); do grep -q port= "$work/hang.out" 2>/dev/null && break; sleep 0.1; done
hang_port=$(sed -n 's/^port=//p' "$work/hang.out")
[[ -n $hang_port ]] || { echo "bench/soak.sh: the hanging backend did not start" >&2; exit 1; }

conf=$work/gatewatch.toml
{
  printf '[agent]\nlisten = "127.0.0.1:%s"\nlog_level = "warn"\nstate_dir = ""\n\n' "$agent_port"
  printf '[defaults]\ninterval = "1s"\ntimeout = "500ms"\n\n'
  awk -v n="$targets" -v nginx="http://127.0.0.1:$nginx_port" -v hang="http://127.0.0.1:$hang_port" 'BEGIN {
    for (i = 0; i < n; i++) {
      kind = i % 4
      url = kind < 2 ? nginx "/health" : kind == 2 ? nginx "/bad" : hang "/never"
      printf "[[target]]\nname = \"t%d\"\nurl = \"%s?t=%d\"\n", i, url, i
    } }'
  printf '\n[[alert]]\nname = "soak-502"\nsignal = "502_ratio"\nwindow = "1m"\nabove = 0.5\n'
  printf 'min_samples = 10\n'
} >"$conf"
"$build/gatewatch" check-config "$conf" >/dev/null
"$build/gatewatch" --config "$conf" 2>"$work/gatewatch.log" &
agent=$!
pids+=("$agent")
# Ready: every target probed once, and /metrics has its first snapshot.
wait_http "http://127.0.0.1:$agent_port/readyz" || { tail -5 "$work/gatewatch.log" >&2; exit 1; }

# Summed gatewatch_probes_total, and the schedule-lag histogram as "le count" lines.
metrics() { curl -fsS "http://127.0.0.1:$agent_port/metrics"; }
probes_total() { awk '/^gatewatch_probes_total[{ ]/ { p += $NF } END { printf "%.0f", p }' "$1"; }
lag_p99_ms() {  # two scrapes: the bound (ms) of the bucket holding 99% of the probes between
  paste <(grep '^gatewatch_schedule_lag_seconds_bucket' "$1" | sed -E 's/.*le="([^"]+)"} /\1 /') \
        <(grep '^gatewatch_schedule_lag_seconds_bucket' "$2" | sed -E 's/.*le="([^"]+)"} /\1 /') |
    awk '{ le[NR] = $1; d[NR] = $4 - $2 } END {
      total = d[NR]; if (total <= 0) { print "-"; exit }
      for (i = 1; i <= NR; i++) if (d[i] >= 0.99 * total) {
        print (le[i] == "+Inf" ? "inf" : le[i] * 1000); exit } }'
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$agent/stat"; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$agent/status"; }
fds_mean() {  # 10 readings 100 ms apart, over one probe interval
  local sum=0 n
  for _ in $(seq 10); do
    n=$(find "/proc/$agent/fd" -mindepth 1 -maxdepth 1 | wc -l)
    sum=$((sum + n))
    sleep 0.1
  done
  awk -v s="$sum" 'BEGIN { printf "%.1f", s / 10 }'
}

hz=$(getconf CLK_TCK)
echo "soak: $targets targets at 1s for $minutes min (warm-up $warmup min), agent pid $agent" >&2
metrics >"$work/m.prev"
prev_probes=$(probes_total "$work/m.prev") prev_cpu=$(cpu_ticks) prev_t=$(date +%s.%N)
rows=()
start=$(date +%s)
for ((i = 1; i <= samples; i++)); do
  # Sleep to the i-th mark, so the samples do not drift by their own duration.
  wait_s=$((start + i * sample_s - $(date +%s)))
  ((wait_s > 0)) && sleep "$wait_s"
  kill -0 "$agent" 2>/dev/null || { echo "bench/soak.sh: the agent died" >&2; tail -20 "$work/gatewatch.log" >&2; exit 1; }
  fds=$(fds_mean)
  rss=$(rss_kb)
  metrics >"$work/m.now"
  now_t=$(date +%s.%N) now_cpu=$(cpu_ticks) now_probes=$(probes_total "$work/m.now")
  lag=$(lag_p99_ms "$work/m.prev" "$work/m.now")
  row=$(awk -v i="$i" -v s="$sample_s" -v rss="$rss" -v fds="$fds" -v p0="$prev_probes" \
    -v p1="$now_probes" -v c0="$prev_cpu" -v c1="$now_cpu" -v t0="$prev_t" -v t1="$now_t" \
    -v hz="$hz" -v lag="$lag" 'BEGIN {
      dt = t1 - t0
      m = i * s / 60
      printf (m == int(m) ? "%d" : "%.2f"), m
      printf " %.1f %.1f %.1f %.1f %s", rss / 1024, fds, (p1 - p0) / dt,
        (c1 - c0) / hz / dt * 100, lag }')
  rows+=("$row")
  echo "  sample $i/$samples: $row" >&2
  mv "$work/m.now" "$work/m.prev"
  prev_probes=$now_probes prev_cpu=$now_cpu prev_t=$now_t
done

# Judge: every sample after the baseline within +-tolerance% of the baseline.
verdict=$(printf '%s\n' "${rows[@]}" | awk -v from="$judged_from" -v tol="$tolerance" '
  { rss[NR] = $2; fds[NR] = $3 }
  END {
    worst_rss = 0; worst_fds = 0
    for (i = from + 1; i <= NR; i++) {
      r = (rss[i] - rss[from]) / rss[from] * 100; f = (fds[i] - fds[from]) / fds[from] * 100
      if (r < 0) r = -r; if (f < 0) f = -f
      if (r > worst_rss) worst_rss = r; if (f > worst_fds) worst_fds = f
    }
    printf "%s %.1f %.1f", (worst_rss <= tol && worst_fds <= tol) ? "PASS" : "FAIL", worst_rss, worst_fds
  }')
read -r result worst_rss worst_fds <<<"$verdict"

report=$(
  echo "Soak: \`SOAK_MINUTES=$minutes bench/soak.sh\`, $targets targets at 1 s (half 200, a quarter 502, a quarter hanging), $(date -u +%Y-%m-%d), $(nproc) cores."
  echo
  echo "| minute | RSS MB | open fds | probes/s | CPU % | lag p99 ms | |"
  echo "|---|---|---|---|---|---|---|"
  n=0
  for row in "${rows[@]}"; do
    n=$((n + 1))
    read -r minute rss fds rate cpu lag <<<"$row"
    note=""
    ((n < judged_from)) && note="warm-up"
    ((n == judged_from)) && note="baseline"
    echo "| $minute | $rss | $fds | $rate | $cpu | $lag | $note |"
  done
  echo
  echo "$result: after warm-up, RSS stayed within ${worst_rss}% and open fds within ${worst_fds}% of the baseline (limit ${tolerance}%)."
)
mkdir -p "$results_dir"
echo "$report" >"$results_dir/soak-latest.md"
echo "$report"
[[ $result == PASS ]]
