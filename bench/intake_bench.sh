#!/usr/bin/env bash
# Intake side by side with mbsync (isync) on the same real Dovecot mailbox.
# Usage: bench/intake_bench.sh FOLDER_OF_EML_FILES [ROUNDS (default 3)]
# Each round starts a fresh mail stack, delivers the folder into INBOX over
# LMTP and then times, on that same mailbox:
#   null:       bench/null_imap_fetch.py, one UID FETCH of every body over
#               IMAPS, bytes thrown away: the server's ceiling;
#   mbsync:     pulls INBOX into a local Maildir (fsync per message);
#   schoolmail: `schoolmail once`: fetches, parses, classifies, archives
#               (syncfs), stores (one SQLite transaction a group) and files
#               every message (UID MOVE). Last, as it changes the mailbox.
# Prints every round, then the medians and the ratios of the medians.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mails="$1"
rounds="${2:-3}"
bin="$root/build/daemon/schoolmail"
stack="$root/tests/mailstack/mailstack.py"
work="$(mktemp -d /tmp/intake-bench-XXXXXX)"
chmod 755 "$work"
trap '/usr/bin/python3 "$stack" stop "$work/mail" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
command -v mbsync >/dev/null || apt-get install -y -qq isync >/dev/null
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

count=$(ls "$mails"/*.eml | wc -l)
size=$(du -sb "$mails" | cut -f1)
echo "messages: $count, $(echo "$size / 1000000" | bc) MB; $rounds round(s)"
printf 'bench-pw\n' >"$work/pw"; chmod 600 "$work/pw"
# The school: the sample roster's classes and teachers, and every sender of
# the generated set (expected.jsonl) a pupil of 7А, so that each message is
# work for petrova's one open assignment: stored, filed into its folder and
# answered with a receipt (queued; SMTP points at a closed port, so the
# cycle only tries the first batch once: mbsync sends nothing either).
/usr/bin/python3 - "$root/scripts/sample-school/roster.csv" "$mails/expected.jsonl" >"$work/roster.csv" <<'PY'
import json, os, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
print("\n".join(l for l in lines if not l.startswith(("pupil;", "parent;"))))
seen = set()
if os.path.exists(sys.argv[2]):
    for row in open(sys.argv[2], encoding="utf-8"):
        for sender in json.loads(row).get("from", []):
            address = sender["address"].lower()
            if address in seen:
                continue
            seen.add(address)
            words = (sender.get("name") or "Ученик Бенч").split() + ["Бенч"]
            print(f"pupil;b-{len(seen):04d};{words[1]};{words[0]};;7А;{address};;;;")
PY
: >"$work/null.txt"; : >"$work/mbsync.txt"; : >"$work/ours.txt"
for round in $(seq 1 "$rounds"); do
  /usr/bin/python3 "$stack" stop "$work/mail" >/dev/null 2>&1 || true
  rm -rf "$work/mail" "$work/maildir" "$work/data"
  /usr/bin/python3 "$stack" start "$work/mail" --user petrova:bench-pw >/dev/null 2>&1
  . "$work/mail/stack.env"
  /usr/bin/python3 "$root/bench/lmtp_fill.py" 127.0.0.1 "$LMTP_PORT" petrova "$mails" >/dev/null
  # The mail was delivered seconds ago and is still in the page cache,
  # dirty. On a real server it has been on disk for a while; without this
  # the first syncfs of schoolmail's archive (which covers the whole file
  # system) would write Dovecot's copy out, and mbsync's per-file fsync
  # would not.
  sync

  null_s=$(/usr/bin/python3 "$root/bench/null_imap_fetch.py" "$IMAPS_PORT" "$CA_FILE" petrova bench-pw | cut -d' ' -f1)

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
  start=$(now)
  mbsync -q -c "$work/mbsyncrc" inbox
  mbsync_s=$(echo "$(now) - $start" | bc)

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
url = smtp://127.0.0.1:1
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
  "$bin" import roster "$work/roster.csv" >/dev/null
  "$bin" assign --class 7А --subject Алгебра --teacher t-petrova \
    --title "§12 №1-5" --due "$(TZ=Europe/Moscow date -d tomorrow +%F)" \
    --code ДЗ-1 >/dev/null 2>&1
  start=$(now)
  summary=$("$bin" once 2>/dev/null || true)
  ours_s=$(echo "$(now) - $start" | bc)
  start=$(now)
  "$bin" once >/dev/null 2>&1 || true
  again_s=$(echo "$(now) - $start" | bc)
  [ "$round" = 1 ] && echo "$summary" | head -1
  printf 'round %s: null %.2f s, mbsync %.2f s, schoolmail %.2f s (%.2fx mbsync); unchanged cycle after it %.3f s\n' \
    "$round" "$null_s" "$mbsync_s" "$ours_s" "$(echo "scale=3; $ours_s / $mbsync_s" | bc)" "$again_s"
  echo "$null_s" >>"$work/null.txt"; echo "$mbsync_s" >>"$work/mbsync.txt"; echo "$ours_s" >>"$work/ours.txt"
done
null_m=$(median <"$work/null.txt"); mbsync_m=$(median <"$work/mbsync.txt"); ours_m=$(median <"$work/ours.txt")
echo "median: null $null_m s, mbsync $mbsync_m s, schoolmail $ours_m s"
echo "schoolmail: $(echo "scale=2; $ours_m / $mbsync_m" | bc)x mbsync, $(echo "scale=2; $ours_m / $null_m" | bc)x null; mbsync: $(echo "scale=2; $mbsync_m / $null_m" | bc)x null"
