#!/usr/bin/env bash
# The whole test suite, from nothing: installs dependencies, builds, and runs
# every unit and integration test under ctest (the integration tests start
# their own Dovecot and SMTP server on 127.0.0.1 and stop them afterwards).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
bash "$root/scripts/install-deps.sh"
BUILD_DIR="$build" bash "$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure -j "$(nproc)" "$@"
# A short fuzzing run of the MIME reader (clang, ASan, UBSan): any crash
# fails the suite. Longer runs by hand: bash scripts/fuzz.sh 600
bash "$root/scripts/fuzz.sh" "${FUZZ_SECONDS:-60}"
