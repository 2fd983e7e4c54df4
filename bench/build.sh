#!/bin/sh
# Builds bench/build/gmime_reader (plain gcc, GMime 3 + OpenSSL libcrypto via pkg-config).
# Needs: gcc pkg-config libgmime-3.0-dev libssl-dev (installed with apt-get when missing and root).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if ! pkg-config --exists gmime-3.0 libcrypto 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get install -y --no-install-recommends gcc pkg-config libgmime-3.0-dev libssl-dev
    else
        echo "build.sh: need gcc pkg-config libgmime-3.0-dev libssl-dev (apt-get install ...)" >&2
        exit 1
    fi
fi
mkdir -p "$here/build"
# shellcheck disable=SC2046
gcc -std=gnu11 -O2 -g -Wall -Wextra -o "$here/build/gmime_reader" "$here/gmime_reader.c" \
    $(pkg-config --cflags --libs gmime-3.0 libcrypto)
echo "built $here/build/gmime_reader"
