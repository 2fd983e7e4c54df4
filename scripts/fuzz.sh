#!/usr/bin/env bash
# Builds the libFuzzer target with clang (ASan + UBSan) into build-fuzz/ and
# runs it for SECONDS (default 60) on the corpus and the regression inputs.
# Crashes are written to build-fuzz/crashes/; copy each into
# tests/fuzz/regressions/ (it then runs in every CI fuzz run).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
build="$root/build-fuzz"
if ! command -v clang++ >/dev/null || ! dpkg-query -W libclang-rt-14-dev >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
fi
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DSCHOOLMAIL_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" >"$build/build.log" 2>&1 || { cat "$build/build.log"; exit 1; }
mkdir -p "$build/work" "$build/crashes"
seeds=("$root/tests/corpus")
[ -d "$root/tests/fuzz/regressions" ] && seeds+=("$root/tests/fuzz/regressions")
# Regression inputs first: each must pass on its own.
if compgen -G "$root/tests/fuzz/regressions/*" >/dev/null; then
  "$build/parse_message_fuzz" -runs=0 "$root"/tests/fuzz/regressions/*
fi
cd "$build/crashes"
"$build/parse_message_fuzz" -max_total_time="$seconds" -max_len=262144 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  "$build/work" "${seeds[@]}" 2>&1 | tail -25
