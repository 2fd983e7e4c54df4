#!/usr/bin/env bash
# Intake side by side with mbsync (isync) on the same real Dovecot mailbox.
# Usage: bench/intake_bench.sh FOLDER_OF_EML_FILES
# Both read the whole INBOX: mbsync pulls it into a local Maildir;
# `schoolmail once` fetches, parses, classifies, archives (fsync), stores
# (one SQLite transaction each) and files every message (UID MOVE). mbsync
# runs first, as it leaves the server unchanged.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mails="$1"
bin="$root/build/daemon/schoolmail"
stack="$root/tests/mailstack/mailstack.py"
work="$(mktemp -d /tmp/intake-bench-XXXXXX)"
chmod 755 "$work"
trap '/usr/bin/python3 "$stack" stop "$work/mail" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
command -v mbsync >/dev/null || apt-get install -y -qq isync >/dev/null

/usr/bin/python3 "$stack" start "$work/mail" --user petrova:bench-pw >/dev/null
. "$work/mail/stack.env"
/usr/bin/python3 "$root/bench/lmtp_fill.py" 127.0.0.1 "$LMTP_PORT" petrova "$mails"
# The mail was delivered seconds ago and is still in the page cache, dirty.
# On a real server it has been on disk for a while; without this the first
# syncfs of schoolmail's archive (which covers the whole file system) would
# write Dovecot's 700 MB out, and mbsync's per-file fsync would not.
sync
size=$(du -sb "$mails" | cut -f1)

printf 'bench-pw\n' >"$work/pw"; chmod 600 "$work/pw"
mkdir -p "$work/maildir"
cat >"$work/mbsyncrc" <<RC
IMAPAccount bench
Host localhost
Port $IMAPS_PORT
User petrova
PassCmd "cat $work/pw"
SSLType IMAPS
CertificateFile $CA_FILE

IMAPStore remote
Account bench

MaildirStore local
Path $work/maildir/
Inbox $work/maildir/INBOX

Channel inbox
Far :remote:INBOX
Near :local:INBOX
Sync Pull
Create Near
SyncState *
RC
start=$(date +%s.%N)
mbsync -q -c "$work/mbsyncrc" inbox
end=$(date +%s.%N)
mbsync_s=$(echo "$end - $start" | bc)

cat >"$work/school.ini" <<INI
[school]
name = Bench
timezone = Europe/Moscow
hotline = 1
site = https://school.test
[storage]
data_dir = $work/data
[tls]
ca_file = $CA_FILE
[smtp]
url = smtp://127.0.0.1:$SMTP_PORT
sender = robot@school.test
[school_mailbox]
url = imaps://127.0.0.1:$IMAPS_PORT
user = petrova
password_file = $work/pw
address = robot@school.test
[mailbox petrova]
url = imaps://127.0.0.1:$IMAPS_PORT
user = petrova
password_file = $work/pw
address = petrova@school.test
INI
export SCHOOLMAIL_CONFIG="$work/school.ini"
"$bin" import roster "$root/scripts/sample-school/roster.csv" >/dev/null
start=$(date +%s.%N)
"$bin" once 2>/dev/null | head -1
end=$(date +%s.%N)
ours_s=$(echo "$end - $start" | bc)
start=$(date +%s.%N)
"$bin" once 2>/dev/null >/dev/null
end=$(date +%s.%N)
again_s=$(echo "$end - $start" | bc)
count=$(ls "$mails"/*.eml | wc -l)
echo "messages: $count, $(echo "$size / 1000000" | bc) MB"
echo "mbsync:     $mbsync_s s"
echo "schoolmail: $ours_s s (ratio $(echo "scale=2; $ours_s / $mbsync_s" | bc)x mbsync)"
echo "schoolmail, second cycle over the unchanged mailbox: $again_s s"
