#!/usr/bin/env bash
# The one test command: installs what is missing, builds, runs every test (unit + integration).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh" test
"$root/scripts/build.sh"
cd "${BUILD_DIR:-$root/build}"
ctest --output-on-failure --timeout 300 -j"$(nproc)" "$@"
