#!/usr/bin/env bash
# Renders every HTML mail with sample data (tests/tools/render_samples.cc)
# and takes a screenshot of each with headless Chromium, phone-sized
# (390x844) and desktop-sized (1280x900), so a person can look at them.
# Usage: scripts/screenshot-mails.sh [OUTDIR]   (default /tmp/schoolmail-mails)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-/tmp/schoolmail-mails}"
command -v chromium >/dev/null || apt-get install -y -qq chromium >/dev/null
cmake -S "$root" -B "$root/build" >/dev/null
cmake --build "$root/build" --target render_samples -j2 >/dev/null
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
for html in $("$root/build/tests/render_samples" "$root/templates" "$out"); do
  for size in 390,844 1280,900; do
    png="${html%.html}-${size%,*}.png"
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --user-data-dir="$profile" --hide-scrollbars --window-size="$size" \
      --screenshot="$png" "file://$html" >/dev/null 2>&1
    echo "$png"
  done
done
