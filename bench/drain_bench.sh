#!/usr/bin/env bash
# Outbox drain side by side with a plain SMTP client (issue 5), run by hand.
#
# Usage: bench/drain_bench.sh [--messages N] [--rounds R] [--parents P]
#                             [--transport] [--nosync]
#
# Starts the test mail stack (Dovecot + aiosmtpd, SMTP AUTH required after
# STARTTLS), creates the robot and P parent users (default 200), warms every
# mailbox with one small mail, then for each of R rounds (default 2):
# writes N digests (default 2000, seed = round), and sends them
#   * with schoolmail: drain_bench queues them in a fresh SQLite store and
#     times DrainOutbox alone;
#   * with bench/raw_smtp_client over one connection, from the files;
#   * (--transport) with SmtpTransport::Send in a loop, no store: where the
#     drain's time goes;
#   * (--nosync) the schoolmail drain again with fsync and fdatasync made
#     no-ops (an LD_PRELOAD shim, as eatmydata): what the per-mail durable
#     commits cost. Investigation only: never run the daemon like that.
# The order of the senders rotates every round, so neither always meets a
# warmer (or fuller) server. Every sender must deliver all N (checked in
# the server's journal), and each pair must deliver byte-identical messages
# (same SHA-256 set). Prints each time and the ratio
# schoolmail throughput / raw throughput (= raw seconds / schoolmail
# seconds); the issue's target is >= 0.9. Timing is reported, never
# asserted.
#
# BUILD_DIR (default: build) is built for the two targets first, unless
# SKIP_BUILD=1.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
messages=2000
rounds=2
parents=200
transport=0
nosync=0
while [ $# -gt 0 ]; do
  case "$1" in
    --messages) messages="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --parents) parents="$2"; shift 2 ;;
    --transport) transport=1; shift ;;
    --nosync) nosync=1; shift ;;
    *) echo "usage: $0 [--messages N] [--rounds R] [--parents P] [--transport] [--nosync]" >&2
       exit 2 ;;
  esac
done

build="${BUILD_DIR:-$root/build}"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cmake --build "$build" -j2 --target drain_bench raw_smtp_client >/dev/null
fi
drain="$build/bench/drain_bench"
raw="$build/bench/raw_smtp_client"
stack="$root/tests/mailstack/mailstack.py"
py=/usr/bin/python3

work="$(mktemp -d /tmp/drain-bench-XXXXXX)"
chmod 755 "$work"
cleanup() {
  "$py" "$stack" stop "$work/mail" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Users: the school's robot (SMTP AUTH) and the parents (mailboxes).
robot_pw=bench-robot-pw
users=(--user "robot:$robot_pw")
: >"$work/recipients.txt"
for i in $(seq 1 "$parents"); do
  name=$(printf 'parent%03d' "$i")
  users+=(--user "$name:pw-$name")
  echo "$name@school.test" >>"$work/recipients.txt"
done
if ! "$py" "$stack" start "$work/mail" "${users[@]}" --smtp-require-auth \
    >/dev/null 2>"$work/start.log"; then
  cat "$work/start.log" >&2
  exit 1
fi
. "$work/mail/stack.env"
journal="$work/mail/smtp-journal.jsonl"
auth=(--user robot --password "$robot_pw")

# Warm-up, not timed: one small mail to every parent, so that creating the
# 200 Maildirs and indexes (and starting Dovecot's LMTP processes) is not
# charged to whoever sends first.
mkdir "$work/warmup"
printf 'From: robot@school.test\r\nSubject: warm-up\r\nMessage-ID: <warm-up@school.test>\r\n\r\nwarm-up\r\n' \
  >"$work/warmup/w.eml"
sed 's/^/w.eml robot@school.test /' "$work/recipients.txt" >"$work/warmup/envelopes.txt"
"$raw" --port "$SMTP_PORT" --ca-file "$CA_FILE" "${auth[@]}" "$work/warmup" >/dev/null

lines() { if [ -f "$journal" ]; then wc -l <"$journal"; else echo 0; fi; }

# run_phase NAME ROUND: runs one sender, checks the journal, appends
# "NAME ROUND SECONDS BYTES FIRST_LINE LAST_LINE" to $work/results.
run_phase() {
  local name="$1" round="$2" dir="$work/round$2" before after out cmd
  local common=(--url "smtp://127.0.0.1:$SMTP_PORT" "${auth[@]}" --ca-file "$CA_FILE"
    --recipients "$work/recipients.txt" --messages "$messages" --seed "$round")
  case "$name" in
    schoolmail) cmd=("$drain" "${common[@]}" --db "$dir.db") ;;
    transport) cmd=("$drain" "${common[@]}" --db "$dir-transport.db" --transport-only) ;;
    nosync) cmd=(env LD_PRELOAD="$work/nosync.so" "$drain" "${common[@]}" --db "$dir-nosync.db") ;;
    raw) cmd=("$raw" --port "$SMTP_PORT" --ca-file "$CA_FILE" "${auth[@]}" "$dir") ;;
  esac
  before=$(lines)
  if ! out=$("${cmd[@]}"); then
    echo "$out"
    echo "$name failed in round $round" >&2
    exit 1
  fi
  echo "$out" | grep -v '^RESULT' | sed "s/^/  [$name] /"
  after=$(lines)
  if [ $((after - before)) -ne "$messages" ]; then
    echo "$name delivered $((after - before)) of $messages messages" >&2
    exit 1
  fi
  echo "$out" | sed -n 's/^RESULT [a-z]* messages=[0-9]* bytes=\([0-9]*\) seconds=\([0-9.]*\)$/'"$name $round"' \2 \1 '"$((before + 1)) $after"'/p' \
    >>"$work/results"
}

phases=(schoolmail raw)
[ "$transport" = 1 ] && phases+=(transport)
if [ "$nosync" = 1 ]; then
  phases+=(nosync)
  printf '#include <unistd.h>\nint fsync(int fd) { (void)fd; return 0; }\n%s\n' \
    'int fdatasync(int fd) { (void)fd; return 0; }' >"$work/nosync.c"
  gcc -O2 -shared -fPIC -o "$work/nosync.so" "$work/nosync.c"
fi
echo "drain_bench: $messages digests a round, $rounds rounds, $parents parents;" \
  "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  mkdir "$work/round$round"
  "$drain" --write-only --out "$work/round$round" --recipients "$work/recipients.txt" \
    --messages "$messages" --seed "$round" | sed 's/^/  /'
  n=${#phases[@]}
  order=()
  for k in $(seq 0 $((n - 1))); do order+=("${phases[$(((k + round - 1) % n))]}"); done
  echo "round $round: ${order[*]}"
  for phase in "${order[@]}"; do run_phase "$phase" "$round"; done
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

"$py" - "$work/results" "$journal" <<'PY'
import json, statistics, sys
results, journal = sys.argv[1], sys.argv[2]
entries = [json.loads(l) for l in open(journal)]
rows = [l.split() for l in open(results)]
runs = {}  # (name, round) -> (seconds, bytes, sha256 list)
for name, rnd, sec, size, first, last in rows:
    digests = sorted(e["sha256"] for e in entries[int(first) - 1:int(last)])
    runs[(name, int(rnd))] = (float(sec), int(size), digests)
ok = True
ratios = []
names = sorted({n for n, _ in runs}, key=["schoolmail", "raw", "transport", "nosync"].index)
print("\n%-6s %-12s %9s %9s %8s" % ("round", "sender", "seconds", "msgs/s", "MB/s"))
for rnd in sorted({r for _, r in runs}):
    raw_digests = runs[("raw", rnd)][2]
    for name in names:
        sec, size, digests = runs[(name, rnd)]
        n = len(digests)
        same = "" if digests == raw_digests else "  DIFFERENT BYTES FROM raw"
        ok = ok and not same
        print("%-6d %-12s %9.3f %9.1f %8.2f%s" % (rnd, name, sec, n / sec, size / 1e6 / sec, same))
    ratio = runs[("raw", rnd)][0] / runs[("schoolmail", rnd)][0]
    ratios.append(ratio)
    extra = ""
    for name, label in (("transport", "SmtpTransport alone"), ("nosync", "drain without fsync")):
        if (name, rnd) in runs:
            extra += ", %s %.2fx raw" % (label, runs[("raw", rnd)][0] / runs[(name, rnd)][0])
    print("round %d: schoolmail throughput = %.2fx raw%s" % (rnd, ratio, extra))
tot = {n: sum(v[0] for k, v in runs.items() if k[0] == n) for n in names}
print("all rounds: schoolmail %.2fx raw (total times %.3f s / %.3f s); median of rounds %.2fx; target >= 0.90"
      % (tot["raw"] / tot["schoolmail"], tot["schoolmail"], tot["raw"], statistics.median(ratios)))
for name, label in (("transport", "SmtpTransport alone"), ("nosync", "drain without fsync")):
    if name in tot:
        print("all rounds: %s %.2fx raw" % (label, tot["raw"] / tot[name]))
print("same bytes delivered by every sender: %s" % ("yes" if ok else "NO"))
sys.exit(0 if ok else 1)
PY
