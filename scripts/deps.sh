#!/usr/bin/env bash
# Installs the Debian packages gatewatch needs, only those missing.
#   scripts/deps.sh build   compiler, CMake and the libraries
#   scripts/deps.sh test    the above plus the real peers the tests start (nginx, promtool, ...)
#   scripts/deps.sh bench   the above plus blackbox_exporter, the peer the benchmark compares with
set -euo pipefail

build_pkgs=(g++ cmake make pkg-config ca-certificates
  libcpp-httplib-dev libcurl4-openssl-dev prometheus-cpp-dev libtomlplusplus-dev
  libspdlog-dev nlohmann-json3-dev libre2-dev libssl-dev libsystemd-dev libjemalloc-dev)
test_pkgs=(libgtest-dev libgmock-dev nginx-light haproxy lighttpd squid apache2 varnish
  prometheus prometheus-alertmanager openssl procps
  libyaml-cpp-dev systemd dpkg-dev file chromium clang libclang-rt-14-dev)

bench_pkgs=(prometheus-blackbox-exporter curl python3)

want=("${build_pkgs[@]}")
case "${1:-build}" in
  build) ;;
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: scripts/deps.sh [build|test|bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "gatewatch: installing ${missing[*]}" >&2
if [[ $(id -u) -eq 0 ]]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
  echo "gatewatch: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
# nginx and prometheus must not start as system services: the tests start their own.
policy_added=0
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${sudo[@]}" chmod +x /usr/sbin/policy-rc.d
  policy_added=1
fi
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if [[ $policy_added -eq 1 ]]; then "${sudo[@]}" rm -f /usr/sbin/policy-rc.d; fi
