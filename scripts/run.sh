#!/usr/bin/env bash
# Installs what is missing, builds, and runs the agent on config/example.toml (which probes
# the agent's own endpoints on 127.0.0.1:9502, so it needs no network). Ctrl-C stops it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh" build
"$root/scripts/build.sh" -DGATEWATCH_BUILD_TESTS=OFF
exec "${BUILD_DIR:-$root/build}/gatewatch" --config "$root/config/example.toml" "$@"
