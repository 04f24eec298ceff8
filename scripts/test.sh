#!/usr/bin/env bash
# The one test command: installs what is missing, builds, runs every test (unit + integration).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh" test
# Tests ON explicitly: demo.sh and the benchmark configure the same build dir without them.
"$root/scripts/build.sh" -DGATEWATCH_BUILD_TESTS=ON
cd "${BUILD_DIR:-$root/build}"
# --no-tests=error: a build that lost its tests must fail, not pass quietly.
ctest --output-on-failure --no-tests=error --timeout 300 -j"$(nproc)" "$@"
