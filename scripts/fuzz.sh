#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang-14 and runs each for a bounded time, starting
# from a fresh copy of its seed corpus (fuzz/corpus/<target>/) and its dictionary.
#   scripts/fuzz.sh                  every target, FUZZ_SECONDS (default 30) each
#   scripts/fuzz.sh config duration  only these (names without _fuzzer)
# Environment: BUILD_DIR (default build-fuzz), BUILD_TYPE (default RelWithDebInfo),
# FUZZ_SECONDS, FUZZ_JOBS (targets run side by side; default: number of cores).
# Any crash, sanitizer report, broken invariant, timeout (>5 s per input) or memory blow-up
# (>2 GB) fails the run; the input is kept in $BUILD_DIR/artifacts/<target>/ and the log in
# $BUILD_DIR/logs/<target>.log. Replay one: $BUILD_DIR/fuzz/<target>_fuzzer <artifact>.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-30}
jobs=${FUZZ_JOBS:-$(nproc)}

"$root/scripts/deps.sh" test

CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build_dir" \
  -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" -DGATEWATCH_BUILD_FUZZERS=ON \
  -DGATEWATCH_BUILD_TESTS=OFF -DGATEWATCH_BUILD_BENCH=OFF >/dev/null
cmake --build "$build_dir" -j2 --target gatewatch_fuzzers

if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  targets=()
  for source in "$root"/fuzz/*_fuzzer.cpp; do
    name=$(basename "$source" .cpp)
    targets+=("${name%_fuzzer}")
  done
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$build_dir/artifacts" "$build_dir/logs"

# Runs one target; its exit status is libFuzzer's (0 = nothing found).
run_one() {
  local target=$1
  local corpus="$work/$target"
  mkdir -p "$corpus" "$build_dir/artifacts/$target"
  if [[ -d "$root/fuzz/corpus/$target" ]]; then cp -r "$root/fuzz/corpus/$target/." "$corpus/"; fi
  local args=(-max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$build_dir/artifacts/$target/")
  if [[ -f "$root/fuzz/$target.dict" ]]; then args+=(-dict="$root/fuzz/$target.dict"); fi
  UBSAN_OPTIONS=print_stacktrace=1 \
    "$build_dir/fuzz/${target}_fuzzer" "${args[@]}" "$corpus" >"$build_dir/logs/$target.log" 2>&1
}

# One line per target: executions, speed, and coverage (cov: = edges, ft: = features).
summarize() {
  local target=$1 status=$2 log="$build_dir/logs/$1.log"
  local last execs speed
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  printf '%-14s %-5s execs %-9s exec/s %-7s %s\n' "$target" "$status" "${execs:-?}" \
    "${speed:-?}" "$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' <<<"$last" || true)"
}

echo "=== fuzzing ${targets[*]} for ${seconds}s each, $jobs at a time ==="
failed=()
pids=()
names=()
wait_for_oldest() {
  local status=0
  wait "${pids[0]}" || status=$?
  if [[ $status -eq 0 ]]; then
    summarize "${names[0]}" ok
  else
    summarize "${names[0]}" FAIL
    failed+=("${names[0]}")
  fi
  pids=("${pids[@]:1}")
  names=("${names[@]:1}")
}
for target in "${targets[@]}"; do
  if [[ ! -x "$build_dir/fuzz/${target}_fuzzer" ]]; then
    echo "no such fuzzer: $target" >&2
    exit 2
  fi
  if [[ ${#pids[@]} -ge $jobs ]]; then wait_for_oldest; fi
  run_one "$target" &
  pids+=($!)
  names+=("$target")
done
while [[ ${#pids[@]} -gt 0 ]]; do wait_for_oldest; done

if [[ ${#failed[@]} -gt 0 ]]; then
  for target in "${failed[@]}"; do
    echo "=== $target: finding (log $build_dir/logs/$target.log) ==="
    grep -E 'ERROR|runtime error|fuzz invariant|SUMMARY|Test unit written' \
      "$build_dir/logs/$target.log" | head -n 20 || true
  done
  echo "fuzzing found problems in: ${failed[*]}; inputs in $build_dir/artifacts/" >&2
  exit 1
fi
echo "fuzzing: nothing found"
