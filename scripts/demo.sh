#!/usr/bin/env bash
# Installs what is missing, builds, and runs `gatewatch demo`: the agent watching a built-in
# gateway and a backend that crashes and heals, on loopback (no config, no network).
# Extra arguments go to the demo (e.g. --speed 4). Ctrl-C stops it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh" build
"$root/scripts/build.sh" -DGATEWATCH_BUILD_TESTS=OFF -DGATEWATCH_BUILD_BENCH=OFF
exec "${BUILD_DIR:-$root/build}/gatewatch" demo "$@"
