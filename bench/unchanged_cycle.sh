#!/usr/bin/env bash
# Issue 4 ("Speed"): one cycle over an UNCHANGED mailbox should cost the same
# at 100 and at 50,000 messages.
#
# Usage: bench/unchanged_cycle.sh [--sizes "100 50000"] [--cycles 7]
#                                 [--settle-max C] [--imap-max-line SIZE] [--keep]
#
# For every N in --sizes, on a fresh mail stack and a fresh data folder:
#   1. fills the teacher's INBOX with N small pupil-like messages (generated
#      in memory, with the trace headers an LMTP delivery adds) by IMAP
#      MULTIAPPEND, 500 a command (LMTP takes ~4 ms a message here, so
#      50,000 would take 3-4 minutes; this takes seconds), and puts N/50 of
#      the teacher's replies into Sent. Mix: 78% pupils' work with the code
#      in the subject, 7% pupils' mail without a code, 8% unknown senders,
#      7% auto-replies (stay in INBOX); 60% of pupils' mail has a 1-4 KB
#      "photo";
#   2. writes a config (as scripts/demo.sh does), imports the sample roster
#      and sets two assignments (ДЗ-1 for 7А due tomorrow, ДЗ-2 for 7Б due
#      yesterday, so that part of the work is late);
#   3. times the first `schoolmail once` (reads and files everything);
#   4. "settles": runs `schoolmail once` until a cycle does nothing at all
#      (no new mail in any mailbox, no receipt queued or suppressed, nothing
#      sent, deferred or failed, no assignment or morning mail); the receipt
#      backlog drains [outbox] batch (100) submissions a cycle, so this takes
#      about N/100 cycles, which are timed and summarised too;
#   5. times K (--cycles) more `schoolmail once` on the unchanged mailbox,
#      each checked to be idle like the settle criterion, and counts the
#      IMAP commands the server ran in them (Dovecot's stats: a metric on
#      the imap_command_finished event, count and server time per command);
#   6. one more unchanged cycle under strace, counting the bytes read from
#      the SQLite database (pread64), and ListUnfiled's query timed alone
#      with the sqlite3 shell (best of 3), when strace and sqlite3 exist.
# Prints a table: N, fill time, first cycle, settle cycles, messages left in
# INBOX, unchanged median/min (wall), daemon CPU, IMAP commands a cycle,
# Dovecot's time for them, database MB read a cycle, ListUnfiled alone;
# then the ratios (last N over first N).
#
# --imap-max-line SIZE sets Dovecot's imap_max_line_length (default 64k) in
# the sandbox. Before 08edcb6 schoolmail filed each destination folder with
# ONE UID STORE and ONE UID MOVE over all its UIDs, which Dovecot refused
# ("Too long argument") above 64 KB of UID set, leaving 42,500 of 50,000 in
# INBOX; now UID sets go 500 UIDs a command and the default 64k files
# everything (2026-11-28 run in bench/README.md).
#
# Pupils' addresses are mailbox users, so receipts and assignment mail are
# delivered (nothing is left deferred). The script stops its mail stacks and
# removes its temporary folders on any exit unless --keep.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${SCHOOLMAIL_BIN:-$root/build/daemon/schoolmail}"
stack="$root/tests/mailstack/mailstack.py"
py=/usr/bin/python3

sizes="100 50000"
cycles=7
max_line=""
settle_max=""
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --cycles) cycles="$2"; shift 2 ;;
    --settle-max) settle_max="$2"; shift 2 ;;
    --imap-max-line) max_line="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || { echo "no $bin: cmake --build build --target schoolmail" >&2; exit 2; }
# A copy of the binary is measured, so that a rebuild during the run (the
# build folder is shared) can neither change it nor make it unrunnable.
snap="$(mktemp -d /tmp/unchanged-bin-XXXXXX)"
cp "$bin" "$snap/schoolmail"
echo "binary: $bin, built $(date -r "$bin" '+%F %T'), sha256 $(sha256sum "$bin" | cut -c1-12);" \
  "HEAD $(git -C "$root" log -1 --format=%h 2>/dev/null || echo ?)$(git -C "$root" status --porcelain \
  -- daemon storage parsers config 2>/dev/null | grep -q . && echo ' + uncommitted changes in daemon/ storage/ parsers/ config/')"
bin="$snap/schoolmail"

works=()
cleanup() {
  rm -rf "$snap"
  for w in "${works[@]}"; do
    $py "$stack" stop "$w/mail" >/dev/null 2>&1 || true
    [ "$keep" -eq 1 ] || rm -rf "$w"
  done
}
trap cleanup EXIT

# Milliseconds since the epoch.
now_ms() { date +%s%3N; }

# Runs `schoolmail once`, output in $1.out, stderr in $1.err; sets
# wall_ms (monotonic clock around the process), cpu_ms (its user+sys from
# getrusage, microsecond resolution) and rc.
run_once() {
  local base="$1" r
  r=$($py -c '
import resource, subprocess, sys, time
before = resource.getrusage(resource.RUSAGE_CHILDREN)
t0 = time.monotonic()
with open(sys.argv[2] + ".out", "wb") as out, open(sys.argv[2] + ".err", "wb") as err:
    rc = subprocess.call([sys.argv[1], "once"], stdout=out, stderr=err)
wall = time.monotonic() - t0
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
print("%.1f %.1f %d" % (wall * 1000, cpu * 1000, rc))' "$bin" "$base")
  read -r wall_ms cpu_ms rc <<<"$r"
}

# True when the cycle's summary ($1) shows no work at all.
idle_cycle() {
  local out="$1"
  grep -Eq '^petrova: 0 new; .* 0 filed, 0 left in INBOX; 0 sent, 0 replies linked$' "$out" &&
    grep -Eq '^school mailbox: 0 new;' "$out" &&
    grep -Eq '^outbox: 0 receipts queued, 0 suppressed; 0 sent, 0 deferred, 0 failed$' "$out" &&
    ! grep -Eq '^(assignments|morning):|FAILED' "$out"
}

# Dovecot's per-command stats since the last reset: prints
# "commands server_ms CMD:count ..." and resets them.
imap_stats() {
  doveadm -c "$1/dovecot.conf" stats dump -r -f "count sum" 2>/dev/null |
    awk -F'\t' '$1 == "imap_cmd" { total = $3; sum = $4 }
                $1 ~ /^imap_cmd_/ && $3 > 0 { sub(/^imap_cmd_/, "", $1); list = list " " $1 ":" $3 }
                END { printf "%d %.1f%s\n", total, sum / 1000, list }'
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

results=()
for n in $sizes; do
  work="$(mktemp -d /tmp/unchanged-XXXXXX)"
  works+=("$work")
  chmod 755 "$work"
  echo "== N=$n in $work"
  users=(--user petrova:petrova-pw --user robot:robot-pw
         --user ivanov.petya:pupil-pw --user alena.smirnova:pupil-pw
         --user alena2010:pupil-pw --user kuznetsov.d:pupil-pw
         --user popova.masha:pupil-pw)
  $py "$stack" start "$work/mail" "${users[@]}" >/dev/null 2>&1
  # shellcheck disable=SC1091
  . "$work/mail/stack.env"
  # Count IMAP commands server-side: a stats metric per command name, and a
  # debug line per command (with its arguments) in dovecot.log.
  cat >>"$work/mail/dovecot.conf" <<'CONF'
# added by bench/unchanged_cycle.sh
log_debug = event=imap_command_finished
metric imap_cmd {
  filter = event=imap_command_finished
  group_by = cmd_name
}
CONF
  [ -z "$max_line" ] || echo "imap_max_line_length = $max_line" >>"$work/mail/dovecot.conf"
  doveadm -c "$work/mail/dovecot.conf" reload
  sleep 0.5

  # 1. Fill.
  t0=$(now_ms)
  $py - "$n" "$IMAP_PORT" <<'PY'
import base64, random, socket, sys, time

n, imap_port = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(4)
pupils = [("Пётр Иванов", "ivanov.petya@pupils.test", "ДЗ-1"),
          ("Алёна Смирнова", "alena.smirnova@pupils.test", "ДЗ-1"),
          ("Алёна", "alena2010@pupils.test", "ДЗ-1"),
          ("Дмитрий Кузнецов", "kuznetsov.d@pupils.test", "ДЗ-2"),
          ("Маша Попова", "popova.masha@pupils.test", "ДЗ-2")]
pool = base64.b64encode(rng.randbytes(6000)).decode()

def word(s):
    return "=?UTF-8?B?" + base64.b64encode(s.encode()).decode() + "?="

def message(i):
    """(envelope sender, bytes, Message-ID, pupil address or None)."""
    kind = i % 100
    mid = "uc%d-%d@pupils.test" % (n, i)
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0300")
    extra = ""
    pupil = pupils[rng.randrange(len(pupils))]
    name, addr, code = pupil
    if kind < 78:                      # work with the code in the subject
        subject = rng.choice(["%s решение", "%s", "Re: [%s] алгебра", "%s фото тетради"]) % code
    elif kind < 85:                    # a pupil's mail without a code
        subject = rng.choice(["Вопрос по домашке", "Задание", "Сделал"])
    elif kind < 93:                    # somebody the roster does not know
        name, addr = "Друг %d" % rng.randrange(1000), "friend%d@elsewhere.test" % rng.randrange(5000)
        subject = "%s решение" % code
    else:                              # auto-replies: stay in INBOX
        subject = "Автоответ: меня нет до понедельника"
        extra = "Auto-Submitted: auto-replied\r\n"
    text = ("Здравствуйте, Анна Сергеевна!\r\nВысылаю домашнее задание, номера %d-%d.\r\n"
            "С уважением, %s\r\n" % (rng.randrange(1, 10), rng.randrange(10, 20), name))
    head = ("From: %s <%s>\r\nTo: petrova@school.test\r\nSubject: %s\r\nDate: %s\r\n"
            "Message-ID: <%s>\r\n%sMIME-Version: 1.0\r\n" % (word(name), addr, word(subject), date, mid, extra))
    if kind < 85 and rng.random() < 0.6:   # a small "photo"
        size = rng.randrange(1000, 4000)
        start = rng.randrange(len(pool) - size)
        b64 = pool[start:start + size]
        b64 = b64[:len(b64) // 4 * 4]
        lines = "\r\n".join(b64[j:j + 76] for j in range(0, len(b64), 76))
        fname = "%E2%84%96%20" + str(rng.randrange(1, 30)) + ".jpg"   # "№ 5.jpg"
        body = ("Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n"
                "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n"
                "--b%d\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n"
                "Content-Disposition: attachment; filename*=UTF-8''%s\r\n\r\n%s\r\n--b%d--\r\n"
                % (i, i, text, i, fname, lines, i))
    else:
        body = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text
    known = addr if kind < 85 else None
    return addr, (head + body).encode(), mid, known

class Imap:
    """Plain IMAP for MULTIAPPEND with LITERAL+ (imaplib cannot send several
    messages in one APPEND)."""
    def __init__(self, user, password):
        self.sock = socket.create_connection(("127.0.0.1", imap_port))
        self.f = self.sock.makefile("rb")
        self.f.readline()
        self.n = 0
        self.command(b"LOGIN %s %s" % (user.encode(), password.encode()))

    def command(self, text):
        self.n += 1
        tag = b"x%d" % self.n
        self.sock.sendall(tag + b" " + text + b"\r\n")
        while True:
            line = self.f.readline()
            if not line:
                sys.exit("IMAP connection closed")
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    sys.exit("IMAP: " + line.decode(errors="replace"))
                return

    def append(self, folder, flags, messages):
        """One APPEND command with every message of `messages`."""
        parts = [b"APPEND " + folder.encode()]
        for data in messages:
            parts.append(b" (%s) {%d+}\r\n" % (flags.encode(), len(data)))
            parts.append(data)
        self.command(b"".join(parts))


t0 = time.monotonic()
known = []
total = 0
# Delivered in APPENDs of 500 (MULTIAPPEND), each message with the trace
# headers an LMTP delivery would have added.
imap = Imap("petrova", "petrova-pw")
batch = []
for i in range(n):
    sender, data, mid, pupil = message(i)
    data = (("Return-Path: <%s>\r\nDelivered-To: petrova@school.test\r\n"
             "Received: from mx.pupils.test ([192.0.2.%d])\r\n\tby localhost with LMTP id %08x\r\n"
             "\tfor <petrova@school.test>; %s\r\n")
            % (sender, i % 250 + 1, i, time.strftime("%a, %d %b %Y %H:%M:%S +0300"))).encode() + data
    total += len(data)
    batch.append(data)
    if len(batch) == 500:
        imap.append("INBOX", "", batch)
        batch = []
    if pupil:
        known.append((mid, pupil))
if batch:
    imap.append("INBOX", "", batch)
t1 = time.monotonic()
# The teacher's replies in Sent (one for every 50 messages, at least 2).
replies = []
for j in range(max(2, n // 50)):
    mid, pupil = known[rng.randrange(len(known))]
    replies.append(("From: =?UTF-8?B?%s?= <petrova@school.test>\r\nTo: %s\r\nSubject: Re: ДЗ\r\n"
           "Date: %s\r\nMessage-ID: <reply%d-%d@school.test>\r\nIn-Reply-To: <%s>\r\n"
           "References: <%s>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
           "Content-Transfer-Encoding: 8bit\r\n\r\nПроверила, 5.\r\n"
           % (base64.b64encode("Анна Петрова".encode()).decode(), pupil,
              time.strftime("%a, %d %b %Y %H:%M:%S +0300"), n, j, mid, mid)).encode())
imap.append("Sent", "\\Seen", replies)
imap.command(b"LOGOUT")
print("   filled: %d messages, %.1f MB by IMAP MULTIAPPEND in %.1f s (%.0f/s); %d replies in Sent in %.1f s"
      % (n, total / 1e6, t1 - t0, n / (t1 - t0), len(replies), time.monotonic() - t1))
PY
  t1=$(now_ms)
  fill_s=$(awk "BEGIN{printf \"%.1f\", ($t1 - $t0) / 1000}")
  imap_stats "$work/mail" >/dev/null  # reset: the fill's APPENDs are not counted

  # 2. Config, roster, assignments.
  for name in robot petrova; do
    printf '%s-pw\n' "$name" >"$work/$name.password"
    chmod 600 "$work/$name.password"
  done
  cat >"$work/schoolmail.ini" <<INI
[school]
name = Bench school
timezone = Europe/Moscow
deadline = 18:00
hotline = +7 (495) 000-00-00
site = https://school.test
language = ru

[storage]
data_dir = $work/data

[tls]
ca_file = $CA_FILE

[smtp]
url = smtp://127.0.0.1:$SMTP_PORT
sender = robot@school.test

[school_mailbox]
url = imaps://127.0.0.1:$IMAPS_PORT
user = robot
password_file = $work/robot.password
address = robot@school.test

[mailbox petrova]
url = imaps://127.0.0.1:$IMAPS_PORT
user = petrova
password_file = $work/petrova.password
address = petrova@school.test
INI
  export SCHOOLMAIL_CONFIG="$work/schoolmail.ini"
  "$bin" import roster "$root/scripts/sample-school/roster.csv" >/dev/null
  tomorrow="$(TZ=Europe/Moscow date -d tomorrow +%F)"
  yesterday="$(TZ=Europe/Moscow date -d yesterday +%F)"
  "$bin" assign --class 7А --subject Алгебра --teacher t-petrova \
    --title "§12 №1-5" --due "$tomorrow" --code ДЗ-1 >/dev/null
  "$bin" assign --class 7Б --subject Алгебра --teacher t-petrova \
    --title "§12 №6-9" --due "$yesterday" --code ДЗ-2 >/dev/null

  # 3. The first cycle.
  run_once "$work/first"
  first_ms=$wall_ms
  first_stats=$(imap_stats "$work/mail")
  echo "   first cycle: $(awk "BEGIN{printf \"%.2f\", $first_ms/1000}") s wall, daemon CPU $(awk "BEGIN{printf \"%.1f\", $cpu_ms/1000}") s, exit $rc; IMAP: ${first_stats%% *} commands"
  sed 's/^/     /' "$work/first.out"

  # 4. Settle: until a cycle does nothing.
  max=${settle_max:-$((n / 100 + 20))}
  settle=0
  : >"$work/settle.ms"
  run_once "$work/settle"
  failed=0
  while ! idle_cycle "$work/settle.out"; do
    settle=$((settle + 1))
    echo "$wall_ms" >>"$work/settle.ms"
    if [ "$rc" -ne 0 ]; then
      failed=$((failed + 1))
      { echo "--- settle cycle $settle: exit $rc, $wall_ms ms"; cat "$work/settle.out" "$work/settle.err"; } >>"$work/settle-failures.txt"
      [ "$failed" -gt 1 ] || { echo "   settle cycle $settle failed (exit $rc):"; tail -3 "$work/settle.err" | cut -c1-300 | sed 's/^/     /'; }
    fi
    if [ "$settle" -le 2 ] || [ $((settle % 100)) -eq 0 ]; then
      echo "   settle cycle $settle: $wall_ms ms: $(tr '\n' ' ' <"$work/settle.out" | cut -c1-400)"
    fi
    if [ "$settle" -ge "$max" ]; then
      echo "   still not idle after $settle cycles; stopping the settle phase" >&2
      break
    fi
    run_once "$work/settle"
  done
  settle_sum=$(awk '{s += $1} END {printf "%.1f", s / 1000}' "$work/settle.ms")
  settle_ms=$wall_ms
  settle_med=$(median <"$work/settle.ms" | awk '{printf "%d", $1}')
  [ -s "$work/settle.ms" ] || settle_med=0
  echo "   settled after $settle busy cycle(s) ($settle_sum s, median ${settle_med} ms; $failed of them exited non-zero); the next one was idle ($settle_ms ms)"
  imap_stats "$work/mail" >/dev/null

  # 5. Unchanged cycles.
  : >"$work/unchanged.ms"
  : >"$work/unchanged.cpu"
  : >"$work/unchanged.cmds"
  : >"$work/unchanged.srv"
  busy=0
  for k in $(seq 1 "$cycles"); do
    run_once "$work/unchanged-$k"
    stats=$(imap_stats "$work/mail")
    idle_cycle "$work/unchanged-$k.out" || busy=$((busy + 1))
    echo "$wall_ms" >>"$work/unchanged.ms"
    echo "$cpu_ms" >>"$work/unchanged.cpu"
    echo "$stats" | awk '{print $1}' >>"$work/unchanged.cmds"
    echo "$stats" | awk '{print $2}' >>"$work/unchanged.srv"
    echo "   unchanged cycle $k: $wall_ms ms wall, daemon CPU $cpu_ms ms, exit $rc; IMAP $stats (server ms)"
  done
  [ "$busy" -eq 0 ] || echo "   WARNING: $busy of the unchanged cycles did some work" >&2
  echo "   last unchanged cycle said:"
  sed 's/^/     /' "$work/unchanged-$cycles.out"
  echo "   status:"
  "$bin" status | sed 's/^/     /'
  not_sent=$("$bin" outbox | grep -c '^#' || true)
  echo "   schoolmail outbox (not delivered to everyone): $not_sent entries"
  inbox=$(doveadm -c "$work/mail/dovecot.conf" -f flow mailbox status -u petrova messages INBOX |
    sed 's/.*messages=//')
  echo "   messages in petrova's INBOX: $inbox"
  # 6. Where an unchanged cycle reads the database, and ListUnfiled alone.
  db="$work/data/schoolmail.db"
  db_mb=-; unfiled_ms=-
  if command -v strace >/dev/null; then
    strace -f -e trace=pread64 -o "$work/strace.txt" "$bin" once >/dev/null 2>&1 || true
    db_mb=$(awk -F'= ' '/^[0-9]+ +pread64\(/ && $NF + 0 > 0 { s += $NF } END { printf "%.1f", s / 1e6 }' "$work/strace.txt")
    echo "   one more unchanged cycle read $db_mb MB from the database ($(du -m "$db" | cut -f1) MB file; $(grep -c 'pread64(' "$work/strace.txt") pread64 calls)"
  fi
  if command -v sqlite3 >/dev/null; then
    q="SELECT s.id, pm.uidvalidity, pm.uid, s.file_to, s.status FROM submissions s
       JOIN processed_messages pm ON pm.key = s.message_key WHERE s.mailbox = 'petrova'
       AND s.file_to IS NOT NULL AND s.filed_at IS NULL ORDER BY s.id;"
    # "Run Time: real R user U sys S": best of 5 by CPU (user + sys), which
    # the machine's other load disturbs less than the real time.
    unfiled=$(for _ in 1 2 3 4 5; do printf '.timer on\n%s\n' "$q" | sqlite3 "$db"; done |
      awk '/Run Time/ { cpu = ($6 + $8) * 1000; if (best == "" || cpu < best) { best = cpu; real = $4 * 1000 } }
           END { printf "%.1f %.1f", best, real }')
    unfiled_ms=${unfiled%% *}
    echo "   ListUnfiled's query alone (new sqlite3 process, best of 5): CPU $unfiled_ms ms, real ${unfiled##* } ms;" \
      "$(sqlite3 "$db" 'SELECT count(*) FROM submissions') submissions;" \
      "plan: $(sqlite3 "$db" "EXPLAIN QUERY PLAN $q" | grep -o 'SCAN s\|SEARCH s[^|]*' | head -1)"
  fi
  med=$(median <"$work/unchanged.ms")
  min=$(sort -g "$work/unchanged.ms" | head -1)
  cpu_med=$(median <"$work/unchanged.cpu")
  cmds=$(median <"$work/unchanged.cmds")
  srv=$(awk '{print $1 * 10}' "$work/unchanged.srv" | median | awk '{printf "%.1f", $1 / 10}')
  results+=("$n $fill_s $first_ms $settle $settle_sum $inbox $med $min $cpu_med $cmds $srv $db_mb $unfiled_ms $busy")
  $py "$stack" stop "$work/mail" >/dev/null 2>&1 || true
done

echo
echo "== unchanged cycle: K=$cycles runs of \`schoolmail once\` after settling (ms; CPU = the daemon's user+sys)"
printf '%6s %6s %8s %14s %6s | %7s %7s %7s %5s %8s %6s %8s %4s\n' N "fill s" "first s" "settle: cyc, s" INBOX \
  "median" "min" "CPU" "IMAP" "Dovecot" "DB MB" "Unfiled" "busy"
for r in "${results[@]}"; do
  set -- $r
  printf '%6s %6s %8.1f %14s %6s | %7.0f %7.0f %7.1f %5s %8s %6s %8s %4s\n' "$1" "$2" \
    "$(echo "$3 / 1000" | bc -l)" "$4, $5" "$6" "$7" "$8" "$9" "${10}" "${11}" "${12}" "${13}" "${14}"
done
echo "(median, min: wall of the unchanged cycles; CPU: their median; IMAP: commands a cycle; Dovecot: its"
echo " time for them; DB MB: read from schoolmail.db by one cycle; Unfiled: ListUnfiled's query alone, CPU)"
if [ "${#results[@]}" -ge 2 ]; then
  set -- ${results[0]}
  a_n=$1 a_med=$7 a_min=$8 a_cpu=$9
  set -- ${results[${#results[@]} - 1]}
  awk -v n1="$a_n" -v n2="$1" -v m1="$a_med" -v m2="$7" -v i1="$a_min" -v i2="$8" \
      -v c1="$a_cpu" -v c2="$9" 'BEGIN {
    printf "ratio N=%s / N=%s: median %.2fx (%+.0f ms), min %.2fx (%+.0f ms), daemon CPU %.2fx (%+.1f ms)\n",
      n2, n1, m2 / m1, m2 - m1, i2 / i1, i2 - i1, c2 / c1, c2 - c1 }'
fi
