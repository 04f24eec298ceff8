#!/usr/bin/env bash
# Benchmark: gatewatch vs a bare libcurl-multi loop, side by side, against a local nginx.
#
#   bench/run.sh                      # default matrix: 1,000 and 10,000 targets at 2,000/s and 10,000/s
#   bench/run.sh 1000:500 10000:10000 # targets:rate pairs
#   SECONDS_PER_RUN=20 bench/run.sh
#
# For each row: achieved probes/s, CPU-ms per probe (user+sys from /proc, not wall time),
# schedule-lag p99 (gatewatch), RSS, and the same for the bare loop; then the ratio.
# Every probe is a fresh TCP connection to nginx on 127.0.0.1 (half answer 200, half a real 502).
# All traffic stays on loopback; each run is bounded by SECONDS_PER_RUN.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
measure=${SECONDS_PER_RUN:-15}
warmup=${WARMUP_SECONDS:-5}
pairs=("$@")
[[ ${#pairs[@]} -eq 0 ]] && pairs=(1000:2000 1000:10000 10000:2000 10000:10000)

"$root/scripts/deps.sh" bench
command -v curl >/dev/null || { echo "bench needs curl (apt-get install curl)" >&2; exit 1; }
BUILD_DIR="$build" BUILD_TYPE=Release "$root/scripts/build.sh" -DGATEWATCH_BUILD_TESTS=OFF \
  -DGATEWATCH_BUILD_BENCH=ON >/dev/null

work=$(mktemp -d /tmp/gatewatch-bench-XXXXXX)
cleanup() {
  if [[ -f $work/nginx.pid ]]; then kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; fi
  if [[ -n ${gw_pid:-} ]]; then kill -9 "$gw_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])' 2>/dev/null ||
  echo $((20000 + RANDOM % 20000)); }
nginx_port=$(free_port); dead_port=$(free_port); agent_port=$(free_port)
mkdir -p "$work/logs"
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
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
mkdir -p "$work/tmp"
/usr/sbin/nginx -p "$work" -c "$work/nginx.conf"
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$nginx_port/health" >/dev/null 2>&1 && break; sleep 0.1; done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
tick_hz=$(getconf CLK_TCK)
metric_sum() { awk -v m="$1" '$1 ~ "^"m"(\\{|$)" {s += $NF} END {printf "%.0f", s}'; }

# p99 from the cumulative le buckets of gatewatch_schedule_lag_seconds (difference of two scrapes).
lag_p99() {
  awk '/^gatewatch_schedule_lag_seconds_bucket/ {
         match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5); print le, $NF }' "$1" >"$work/a"
  awk '/^gatewatch_schedule_lag_seconds_bucket/ {
         match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5); print le, $NF }' "$2" >"$work/b"
  paste "$work/a" "$work/b" | awk '{ le[NR] = $1; d[NR] = $4 - $2 } END {
    total = d[NR]; if (total <= 0) { print "n/a"; exit }
    for (i = 1; i <= NR; i++) if (d[i] >= 0.99 * total) { print (le[i] == "+Inf" ? ">5s" : "<=" le[i] * 1000 "ms"); exit } }'
}

printf '%-8s %-7s | %-28s | %-30s | %s\n' "" "" "gatewatch" "bare libcurl loop" "ratio"
printf '%-8s %-7s | %9s %8s %9s %7s | %9s %8s %8s | %s\n' targets rate "probes/s" "cpu-ms/p" "lag p99" "RSS MB" \
  "probes/s" "cpu-ms/p" "RSS MB" "cpu gw/bare"
for pair in "${pairs[@]}"; do
  targets=${pair%%:*}; rate=${pair##*:}
  interval_ms=$(( targets * 1000 / rate ))
  (( interval_ms < 100 )) && { echo "skip $pair: interval would be under 100ms" >&2; continue; }
  timeout_ms=$(( interval_ms < 2000 ? interval_ms : 2000 ))
  conf="$work/gatewatch.toml"
  {
    printf '[agent]\nlisten = "127.0.0.1:%s"\nlog_level = "warn"\n\n[defaults]\ninterval = "%sms"\ntimeout = "%sms"\n\n' \
      "$agent_port" "$interval_ms" "$timeout_ms"
    for ((i = 0; i < targets; i++)); do
      if ((i % 2 == 0)); then path=health; else path=bad; fi
      printf '[[target]]\nname = "t%s"\nurl = "http://127.0.0.1:%s/%s?t=%s"\n' "$i" "$nginx_port" "$path" "$i"
    done
  } >"$conf"
  "$build/gatewatch" --config "$conf" 2>"$work/gw.log" &
  gw_pid=$!
  sleep "$warmup"
  # Probes are counted between the two scrapes' midpoints and CPU over [t0, t1]; the rate
  # uses the scrape interval so that scrape time does not inflate it.
  s0=$(date +%s.%N); curl -fsS "http://127.0.0.1:$agent_port/metrics" >"$work/m0"; s0e=$(date +%s.%N)
  t0=$(date +%s.%N); c0=$(cpu_ticks $gw_pid)
  sleep "$measure"
  c1=$(cpu_ticks $gw_pid); t1=$(date +%s.%N)
  s1=$(date +%s.%N); curl -fsS "http://127.0.0.1:$agent_port/metrics" >"$work/m1"; s1e=$(date +%s.%N)
  rss=$(rss_kb $gw_pid)
  kill -TERM $gw_pid; wait $gw_pid || true; gw_pid=
  p0=$(metric_sum gatewatch_probes_total <"$work/m0"); p1=$(metric_sum gatewatch_probes_total <"$work/m1")
  gw_rate=$(awk -v p="$((p1 - p0))" -v a0="$s0" -v a1="$s0e" -v b0="$s1" -v b1="$s1e" \
    'BEGIN {printf "%.0f", p / ((b0 + b1) / 2 - (a0 + a1) / 2)}')
  gw_cpu=$(awk -v c="$((c1 - c0))" -v hz="$tick_hz" -v r="$gw_rate" -v a="$t0" -v b="$t1" \
    'BEGIN {printf "%.4f", (c / hz) * 1000 / (r * (b - a))}')
  lag=$(lag_p99 "$work/m0" "$work/m1")

  bare=$("$build/bare_curl_loop" --url-prefix "http://127.0.0.1:$nginx_port/health?t=" \
    --targets "$targets" --rate "$rate" --seconds "$measure")
  b_rate=$(sed -E 's/.*probes_per_s=([0-9.]+).*/\1/' <<<"$bare")
  b_cpu=$(sed -E 's/.*cpu_ms_per_probe=([0-9.]+).*/\1/' <<<"$bare")
  b_rss=$(sed -E 's/.*max_rss_kb=([0-9]+).*/\1/' <<<"$bare")
  printf '%-8s %-7s | %9s %8s %9s %7.1f | %9s %8s %8.1f | %.2fx\n' "$targets" "$rate" "$gw_rate" "$gw_cpu" "$lag" \
    "$(awk -v k="$rss" 'BEGIN{print k/1024}')" "$b_rate" "$b_cpu" "$(awk -v k="$b_rss" 'BEGIN{print k/1024}')" \
    "$(awk -v a="$gw_cpu" -v b="$b_cpu" 'BEGIN{print (b > 0 ? a / b : 0)}')"
done
