#!/usr/bin/env bash
# Installs everything schoolmail needs to build, test and run its sandbox on
# Debian 12, from Debian's packages. Idempotent: does nothing when all are
# present. Run as root (or with sudo available).
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config
  # libraries
  libcurl4-openssl-dev libmimetic-dev libsqlite3-dev libspdlog-dev
  libinih-dev libcli11-dev libkainjow-mustache-dev nlohmann-json3-dev
  libhowardhinnant-date-dev libssl-dev libgumbo-dev tzdata
  # tests: unit tests, the real mail servers, independent readers
  doctest-dev libgmime-3.0-dev
  dovecot-imapd dovecot-lmtpd python3 python3-aiosmtpd openssl ca-certificates
  swaks procps
  # fuzzing: clang with libFuzzer, ASan and UBSan
  clang libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# The Dovecot packages try to start a system service; nothing here needs it.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
