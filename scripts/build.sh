#!/usr/bin/env bash
# Configures and builds schoolmail into build/ (or $BUILD_DIR).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
cmake --build "$build" -j "$(nproc)" -- --no-print-directory >"$build/build.log" 2>&1 || { cat "$build/build.log"; exit 1; }
echo "build: $build/daemon/schoolmail"
