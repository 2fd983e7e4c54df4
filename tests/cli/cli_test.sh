#!/usr/bin/env bash
# The command line as an operator uses it: exit codes, messages, and that a
# rejected roster leaves the store untouched.
# Usage: cli_test.sh SCHOOLMAIL_BINARY SOURCE_DIR
set -uo pipefail
bin="$1"
src="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect_rc() {  # expected actual what
  [ "$1" -eq "$2" ] || fail "$3: exit $2, expected $1"
}
expect_in() {  # needle file what
  grep -qF -- "$1" "$2" || { fail "$3: missing '$1' in:"; cat "$2"; }
}

printf 'pw\n' >"$work/pw"; chmod 600 "$work/pw"
cat >"$work/good.ini" <<INI
[school]
name = Школа
timezone = Europe/Moscow
hotline = 1
site = https://school.test
[storage]
data_dir = $work/data
[smtp]
url = smtps://127.0.0.1:465
sender = robot@school.test
[school_mailbox]
url = imaps://127.0.0.1:993
user = robot
password_file = $work/pw
address = robot@school.test
INI

"$bin" check-config "$work/good.ini" >"$work/out" 2>&1
expect_rc 0 $? "check-config on a good file"
expect_in "good.ini: OK" "$work/out" "check-config summary"
expect_in "Europe/Moscow, deadline 18:00" "$work/out" "check-config summary"

sed -e 's/Europe\/Moscow/Nowhere\/City/' -e 's/smtps:/http:/' "$work/good.ini" >"$work/bad.ini"
printf 'colour = red\n' >>"$work/bad.ini"
"$bin" check-config "$work/bad.ini" >"$work/out" 2>&1
expect_rc 1 $? "check-config on a bad file"
expect_in "bad.ini:3: [school] timezone: unknown time zone \"Nowhere/City\"" "$work/out" "timezone"
expect_in "bad.ini:9: [smtp] url: must start with smtp://" "$work/out" "url"
expect_in "bad.ini:16: [school_mailbox] colour: unknown key" "$work/out" "unknown key"
expect_in "bad.ini: 3 problem(s)" "$work/out" "count"

chmod 644 "$work/pw"
"$bin" check-config "$work/good.ini" >"$work/out" 2>&1
expect_rc 1 $? "check-config with a world-readable password file"
expect_in "is readable by group or others (mode 0644)" "$work/out" "password file mode"
chmod 600 "$work/pw"

export SCHOOLMAIL_CONFIG="$work/good.ini"
"$bin" import roster "$src/scripts/sample-school/roster.csv" >"$work/out" 2>&1
expect_rc 0 $? "import of the sample roster"
expect_in "9 new, 0 updated, 0 unchanged" "$work/out" "first import"
[ "$(stat -c %a "$work/data")" = "700" ] || fail "data folder is not private"

"$bin" import roster "$src/scripts/sample-school/roster.csv" >"$work/out" 2>&1
expect_rc 0 $? "re-import"
expect_in "0 new, 0 updated, 9 unchanged" "$work/out" "re-import never duplicates"

cat >"$work/bad.csv" <<'CSV'
type;id;last_name;first_name;class;emails
pupil;p-500;Новый;Ученик;7А;new.pupil@pupils.test
pupil;p-501;Плохой;Адрес;7А;nobody-at-all
pupil;p-502;;Безфамильный;7А;x502@pupils.test
pupil;p-503;Чужой;Адрес;7А;ivanov.petya@pupils.test
pupil;p-504;Неизвестный;Класс;9Я;x504@pupils.test
CSV
"$bin" import roster "$work/bad.csv" >"$work/out" 2>&1
expect_rc 1 $? "import of a bad roster"
expect_in "bad.csv:3: malformed address \"nobody-at-all\"" "$work/out" "malformed address"
expect_in "bad.csv:4: missing name" "$work/out" "missing name"
expect_in "bad.csv:5: address ivanov.petya@pupils.test already belongs to p-001" "$work/out" "address on two people"
expect_in "bad.csv:6: unknown class \"9Я\"" "$work/out" "unknown class"
expect_in "rejected, nothing imported (4 problem(s))" "$work/out" "all or nothing"

"$bin" roster >"$work/out" 2>&1
expect_rc 0 $? "roster"
expect_in "2 classes, 4 pupils, 3 parents, 2 teachers" "$work/out" "roster totals"
grep -q "p-500" "$work/out" && fail "a row of the rejected file was imported"
expect_in "p-002  Смирнова Алёна  <alena.smirnova@pupils.test>, <alena2010@pupils.test>" "$work/out" "roster lists addresses"

"$bin" import roster "$work/missing.csv" >"$work/out" 2>&1
expect_rc 1 $? "import of a missing file"
expect_in "missing.csv: cannot read the file" "$work/out" "missing file"

for cmd in check-config "import roster" roster parse-mail once run submissions status assign; do
  # shellcheck disable=SC2086
  "$bin" $cmd --help >"$work/out" 2>&1
  expect_rc 0 $? "$cmd --help"
done

# parse-mail: JSON on a parse, a named limit on a rejection, an error on an
# unreadable file.
"$bin" parse-mail "$src/tests/corpus/thunderbird-comm-central/sample05.eml" >"$work/out" 2>&1
expect_rc 0 $? "parse-mail on a corpus message"
expect_in '"subject": "Алфавит"' "$work/out" "parse-mail decodes the subject"
for key in from subject date message_id in_reply_to references kind text attachments auth_results rejected; do
  expect_in "\"$key\":" "$work/out" "parse-mail key $key"
done
head -c 70000000 /dev/zero | tr '\0' 'a' >"$work/huge.eml"
"$bin" parse-mail "$work/huge.eml" >"$work/out" 2>&1
expect_rc 0 $? "parse-mail on an oversized message"
expect_in '"limit": "message_bytes"' "$work/out" "parse-mail names the limit"
"$bin" parse-mail "$work/nope.eml" >"$work/out" 2>&1
expect_rc 1 $? "parse-mail on a missing file"
expect_in "nope.eml: cannot read: No such file or directory" "$work/out" "parse-mail error"

# Two daemons on one data folder: the second is refused (RELIABILITY 4).
flock "$work/data/lock" sleep 3 &
locker=$!
sleep 0.5
"$bin" once >"$work/out" 2>&1
expect_rc 2 $? "once while another schoolmail holds the lock"
expect_in "another schoolmail is already running" "$work/out" "lock message"
wait "$locker"

# The clock override is checked.
"$bin" --now "yesterday" once >"$work/out" 2>&1
expect_rc 2 $? "a bad clock override"
expect_in 'bad clock override "yesterday"' "$work/out" "clock override message"

mkdir -p "$work/data/archive/aa" && echo x >"$work/data/archive/aa/mail"
rm -f "$work/data/schoolmail.db"*
"$bin" roster >"$work/out" 2>&1
expect_rc 2 $? "a missing database next to an archive"
expect_in "refusing to start with an empty database" "$work/out" "database missing"

# The lesson plan, the timetable and distance mode, on a data folder of
# their own.
sed -e "s|$work/data|$work/plan-data|" "$work/good.ini" >"$work/plan.ini"
export SCHOOLMAIL_CONFIG="$work/plan.ini"
"$bin" import roster "$src/scripts/sample-school/roster.csv" >"$work/out" 2>&1
expect_rc 0 $? "roster for the plan checks"

cat >"$work/bad-plan.csv" <<'CSV'
date;class;subject;topic;task
2026-11-30;7А;Алгебра;Функции;§12
2026-11-30;9Я;Алгебра;Функции;§12
2026-11-30;7А;Химия;Кислоты;§3
31.02.2026;7А;Алгебра;Графики;§13
CSV
"$bin" import plan "$work/bad-plan.csv" >"$work/out" 2>&1
expect_rc 1 $? "import of a bad plan"
expect_in 'bad-plan.csv:3: unknown class "9Я": add it to the roster first' "$work/out" "plan: unknown class"
expect_in 'bad-plan.csv:4: no teacher in the roster teaches "Химия" in 7А' "$work/out" "plan: subject nobody teaches"
expect_in "bad-plan.csv:5: " "$work/out" "plan: a bad date"
expect_in "bad-plan.csv: rejected, nothing imported (3 problem(s))" "$work/out" "plan: all or nothing"

"$bin" --now "2026-11-20 12:00" import plan "$src/scripts/sample-school/plan.csv" >"$work/out" 2>&1
expect_rc 0 $? "import of the sample plan"
expect_in "imported 7 rows (7 new, 0 updated, 0 unchanged); 7 new assignment(s) ДЗ-1..ДЗ-7" "$work/out" "plan: first import"
"$bin" --now "2026-11-20 12:00" import plan "$src/scripts/sample-school/plan.csv" >"$work/out" 2>&1
expect_rc 0 $? "re-import of the sample plan"
expect_in "imported 7 rows (0 new, 0 updated, 7 unchanged); 0 new assignment(s)" "$work/out" "plan: re-import never duplicates"

"$bin" import timetable "$src/scripts/sample-school/timetable.csv" >"$work/out" 2>&1
expect_rc 0 $? "import of the sample timetable"
expect_in "14 lessons for 2 class(es) stored" "$work/out" "timetable summary"
printf 'day;class;start;subject\nпн;9Я;09:00;Алгебра\nвт;7А;25:00;Алгебра\n' >"$work/bad-timetable.csv"
"$bin" import timetable "$work/bad-timetable.csv" >"$work/out" 2>&1
expect_rc 1 $? "import of a bad timetable"
expect_in 'bad-timetable.csv:2: unknown class "9Я"' "$work/out" "timetable: unknown class"
expect_in "bad-timetable.csv: rejected, nothing imported (2 problem(s))" "$work/out" "timetable: all or nothing"

"$bin" --now "2026-11-27 12:00" distance start --classes 7А,7Б --from 2026-11-30 --order "Приказ № 45" >"$work/out" 2>&1
expect_rc 0 $? "distance start"
expect_in "7А, 7Б: distance mode from 2026-11-30 until stopped (Приказ № 45)" "$work/out" "distance start"
expect_in "welcome mail: 7 queued to pupils and parents, 2 teacher briefing(s)" "$work/out" "welcome mail and briefings on distance start"
"$bin" distance start --classes 7Б --from 2026-12-01 --to 2026-12-04 --order "Приказ № 46" >"$work/out" 2>&1
expect_rc 1 $? "an overlapping distance period"
expect_in "7Б is already in distance mode from 2026-11-30 until stopped (Приказ № 45)" "$work/out" "overlap message"
"$bin" distance stop --classes 7Б --from 2026-12-07 >"$work/out" 2>&1
expect_rc 0 $? "distance stop"
"$bin" --now "2026-12-04 12:00" distance list >"$work/out" 2>&1
expect_in "in distance mode today (2026-12-04): 7А, 7Б" "$work/out" "distance list before the stop"
"$bin" --now "2026-12-07 12:00" distance list >"$work/out" 2>&1
expect_in "in distance mode today (2026-12-07): 7А" "$work/out" "distance list after the stop"
expect_in "7Б  2026-11-30 .. 2026-12-06  Приказ № 45" "$work/out" "the stopped period"

"$bin" --now "2026-11-27 12:00" assign --class 7А --subject Алгебра --teacher t-petrova --title "§14" --due 2026-12-01 >"$work/out" 2>&1
expect_rc 0 $? "assign"
expect_in "ДЗ-8: 7А Алгебра, due 2026-12-01 18:00; mail to 2 pupil(s) queued" "$work/out" "assign takes the next free code"
"$bin" outbox >"$work/out" 2>&1
expect_in "#10 assignment queued" "$work/out" "assign queues the class's mail"
expect_in "#1 welcome queued" "$work/out" "the welcome mails come first"
"$bin" --now "2026-11-27 12:05" brief teachers --classes 7Б >"$work/out" 2>&1
expect_rc 0 $? "brief teachers"
expect_in "2 teacher briefing(s) queued" "$work/out" "briefings on demand"
"$bin" hotline >"$work/out" 2>&1
expect_in "0 question(s)" "$work/out" "no hotline questions yet"

for cmd in "import plan" "import timetable" "distance start" "distance stop" "distance list" "brief teachers" "hotline"; do
  # shellcheck disable=SC2086
  "$bin" $cmd --help >"$work/out" 2>&1
  expect_rc 0 $? "$cmd --help"
done
export SCHOOLMAIL_CONFIG="$work/good.ini"

# Illness records for the class teacher's list (issue 6), in a school of
# their own.
sed -e "s|^data_dir = .*|data_dir = $work/ill-data|" "$work/good.ini" >"$work/ill.ini"
export SCHOOLMAIL_CONFIG="$work/ill.ini"
"$bin" import roster "$src/scripts/sample-school/roster.csv" >"$work/out" 2>&1
expect_rc 0 $? "import the roster for ill"
"$bin" --now "2026-11-30 10:00" ill --class 7А --pupil "смирнова  алена" --to 2026-12-02 >"$work/out" 2>&1
expect_rc 0 $? "ill by name"
expect_in "illness 1: Смирнова Алёна (p-002, 7А) ill from 2026-11-30 to 2026-12-02" "$work/out" "ill by name"
"$bin" --now "2026-11-30 10:00" ill --pupil p-001 --from 01.12.2026 >"$work/out" 2>&1
expect_rc 0 $? "ill by roster id"
expect_in "(p-001, 7А) ill from 2026-12-01 to 2026-12-01" "$work/out" "ill for one day"
"$bin" --now "2026-11-30 10:00" ill --class 7Б --pupil "Иванов Пётр" >"$work/out" 2>&1
expect_rc 1 $? "ill: a pupil of another class"
expect_in 'unknown pupil "Иванов Пётр": no pupil of class 7Б has this roster id or name' "$work/out" "unknown pupil"
"$bin" --now "2026-11-30 10:00" ill --class 7Б --pupil p-001 >"$work/out" 2>&1
expect_rc 1 $? "ill: a roster id of another class"
expect_in "pupil p-001 (Иванов Пётр Андреевич) is in 7А, not in 7Б" "$work/out" "wrong class"
"$bin" --now "2026-11-30 10:00" ill --pupil p-001 --from 2026-12-40 >"$work/out" 2>&1
expect_rc 2 $? "ill: a bad date"
expect_in '--from: "2026-12-40" is not a date; write YYYY-MM-DD or DD.MM.YYYY' "$work/out" "bad date"
"$bin" --now "2026-11-30 10:00" ill --pupil p-001 --from 2026-12-03 --to 2026-12-01 >"$work/out" 2>&1
expect_rc 2 $? "ill: --to before --from"
expect_in "--to 2026-12-01 is before --from 2026-12-03" "$work/out" "backwards period"
"$bin" ill >"$work/out" 2>&1
expect_rc 2 $? "ill without --pupil or --list"
printf 'type;id;last_name;first_name;middle_name;class;emails;subjects;classes;children;duty_group\npupil;p-009;Иванов;Пётр;;7А;petya2@pupils.test;;;;\n' >"$work/twin.csv"
"$bin" import roster "$work/twin.csv" >"$work/out" 2>&1
expect_rc 0 $? "import a second Иванов Пётр"
"$bin" --now "2026-11-30 10:00" ill --pupil "Иванов Пётр" >"$work/out" 2>&1
expect_rc 1 $? "ill: an ambiguous name"
expect_in 'ambiguous pupil "Иванов Пётр": 2 pupils of the roster have this name: p-001 (7А) p-009 (7А); give the roster id' "$work/out" "ambiguous"
"$bin" --now "2026-12-01 10:00" ill --list >"$work/out" 2>&1
expect_rc 0 $? "ill --list"
expect_in "p-001 Иванов Пётр (7А)  ill 2026-12-01..2026-12-01  cli by the command line at 2026-11-30 10:00" "$work/out" "ill --list"
expect_in "p-002 Смирнова Алёна (7А)  ill 2026-11-30..2026-12-02  cli by the command line" "$work/out" "ill --list"
expect_in "2 illness record(s) from 2026-12-01 to 2026-12-01" "$work/out" "ill --list count"
"$bin" --now "2026-12-01 10:00" ill --list --class 7Б >"$work/out" 2>&1
expect_in "0 illness record(s)" "$work/out" "ill --list of another class"

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "cli_test: all checks passed"
