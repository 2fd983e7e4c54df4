#!/usr/bin/env bash
# The Quick start's first command: installs, builds, and runs schoolmail's
# main job on a local sandbox. A private Dovecot and SMTP server start on
# 127.0.0.1 in a temporary folder; the sample school is imported; the config
# is checked; everything is stopped and removed at the end (pass --keep to
# leave the sandbox running and print how to reach it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
keep=0
[ "${1:-}" = "--keep" ] && keep=1

bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
bin="$root/build/daemon/schoolmail"
stack="$root/tests/mailstack/mailstack.py"
sandbox="$(mktemp -d /tmp/schoolmail-demo-XXXXXX)"
chmod 755 "$sandbox"  # Dovecot's mail processes (user mail) must reach it

cleanup() {
  if [ "$keep" -eq 0 ]; then
    /usr/bin/python3 "$stack" stop "$sandbox/mail" >/dev/null 2>&1 || true
    rm -rf "$sandbox"
  fi
}
trap cleanup EXIT

echo "== sandbox mail servers in $sandbox/mail"
users=(--user robot:robot-pw --user petrova:petrova-pw --user sidorov:sidorov-pw
       --user ivanov.petya:pupil-pw --user alena.smirnova:pupil-pw
       --user alena2010:pupil-pw)
/usr/bin/python3 "$stack" start "$sandbox/mail" "${users[@]}" >/dev/null
# shellcheck disable=SC1091
. "$sandbox/mail/stack.env"

for name in robot petrova sidorov; do
  printf '%s-pw\n' "$name" >"$sandbox/$name.password"
  chmod 600 "$sandbox/$name.password"
done
cat >"$sandbox/schoolmail.ini" <<INI
[school]
name = МБОУ «Средняя школа № 1» (песочница)
timezone = Europe/Moscow
deadline = 18:00
hotline = +7 (495) 000-00-00
site = https://school.test
language = ru

[storage]
data_dir = $sandbox/data

[tls]
ca_file = $CA_FILE

[smtp]
url = smtp://127.0.0.1:$SMTP_PORT
sender = robot@school.test

[school_mailbox]
url = imaps://127.0.0.1:$IMAPS_PORT
user = robot
password_file = $sandbox/robot.password
address = robot@school.test

[mailbox petrova]
url = imaps://127.0.0.1:$IMAPS_PORT
user = petrova
password_file = $sandbox/petrova.password
address = petrova@school.test

[mailbox sidorov]
url = imap://127.0.0.1:$IMAP_PORT
user = sidorov
password_file = $sandbox/sidorov.password
address = sidorov@school.test
INI

echo "== schoolmail check-config"
"$bin" check-config "$sandbox/schoolmail.ini"
export SCHOOLMAIL_CONFIG="$sandbox/schoolmail.ini"
echo "== schoolmail import roster"
"$bin" import roster "$root/scripts/sample-school/roster.csv"
echo "== schoolmail roster"
"$bin" roster

echo "== an assignment due yesterday at 18:00, and pupils' mail"
yesterday="$(TZ=Europe/Moscow date -d yesterday +%F)"
imapday="$(TZ=Europe/Moscow LC_ALL=C date -d yesterday +%d-%b-%Y)"
"$bin" assign --class 7А --subject Алгебра --teacher t-petrova \
  --title "§12 №1-5" --due "$yesterday" --code ДЗ-1
mail() {  # FROM SUBJECT EXTRA-HEADER FILE
  printf 'From: %s\r\nTo: petrova@school.test\r\nSubject: %s\r\nMessage-ID: <%s@demo>\r\n%sMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nРешение во вложении.\r\n' \
    "$1" "$2" "$RANDOM$RANDOM" "$3" >"$4"
}
mail "Пётр Иванов <ivanov.petya@pupils.test>" "ДЗ-1 решение" "" "$sandbox/m1.eml"
mail "alena.smirnova@pupils.test" "Re: ДЗ-1" "" "$sandbox/m2.eml"
mail "Пётр Иванов <someone@elsewhere.test>" "ДЗ-1" "" "$sandbox/m3.eml"
mail "ivanov.petya@pupils.test" "Автоответ: меня нет" "Auto-Submitted: auto-replied\r\n" "$sandbox/m4.eml"
append() {  # FILE TIME
  /usr/bin/python3 "$stack" append "$sandbox/mail" --user petrova \
    --password petrova-pw --date "$imapday $2 +0300" "$1" >/dev/null
}
append "$sandbox/m1.eml" 17:59:59   # on time
append "$sandbox/m2.eml" 18:00:01   # one second late
append "$sandbox/m3.eml" 12:00:00   # a look-alike name on an unknown address
append "$sandbox/m4.eml" 12:30:00   # an auto-reply
echo "   on time 17:59:59, late 18:00:01, unknown sender, auto-reply"

echo "== schoolmail once"
"$bin" once 2>/dev/null
echo "== schoolmail submissions"
"$bin" submissions
echo "== schoolmail status"
"$bin" status
echo "== what schoolmail mailed (schoolmail outbox --all, first lines)"
"$bin" outbox --all | grep -E '^#|^  [^ ]+@' | head -20

if [ "$keep" -eq 1 ]; then
  echo "== sandbox kept: SCHOOLMAIL_CONFIG=$sandbox/schoolmail.ini"
  echo "   stop it with: /usr/bin/python3 $stack stop $sandbox/mail"
fi
