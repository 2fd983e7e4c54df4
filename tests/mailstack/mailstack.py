#!/usr/bin/python3
"""Real mail servers for integration tests, on 127.0.0.1.

Starts a private Dovecot (IMAP, IMAPS, LMTP) and an aiosmtpd SMTP server that
delivers into that Dovecot over LMTP, everything inside one folder DIR.

Run with /usr/bin/python3 (the Debian python that has aiosmtpd):

  mailstack.py start DIR --user NAME:PASSWORD [--user ...] [--smtp-require-auth]
  mailstack.py stop DIR
  mailstack.py smtp-stop DIR
  mailstack.py smtp-start DIR
  mailstack.py append DIR --user U --password P [--mailbox INBOX]
                      [--date "28-Nov-2026 17:59:59 +0300"] [--flags "\\Seen"]
                      [--create] FILE
  mailstack.py deliver DIR --to USER [--from ADDR] FILE

Files in DIR: ca.pem (test CA), server.pem/server.key, dovecot.conf,
dovecot.log, users (passwd-file), home/USER/Maildir, run/ (base_dir),
state/, mailstack.json (settings used by the SMTP server), smtp.log, smtp.pid,
smtp-rules.json (optional fault injection), smtp-journal.jsonl, stack.env.

Only the standard library and aiosmtpd (imported lazily, by the SMTP server
process only) are used.
"""

import argparse
import hashlib
import imaplib
import json
import os
import re
import signal
import smtplib
import socket
import subprocess
import sys
import time

HOST = "127.0.0.1"
START_TIMEOUT = 10.0
SMTP_KILL_AFTER = 3.0
DOVECOT_KILL_AFTER = 5.0
SAFE_DIR_RE = re.compile(r"^/[A-Za-z0-9._/+-]*$")
USER_RE = re.compile(r"^[A-Za-z0-9._-]+$")
DOVECOT_EXE_PREFIXES = ("/usr/sbin/dovecot", "/usr/lib/dovecot/", "/usr/bin/doveadm")
DOVECOT_LOG_EXE = "/usr/lib/dovecot/log"


class StackError(Exception):
    pass


# --------------------------------------------------------------------------
# small helpers


def log(msg):
    print("mailstack: " + msg, file=sys.stderr, flush=True)


def write_atomic(path, data, mode=0o644):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def read_text(path, default=None):
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return default


def read_pid(path):
    text = read_text(path)
    if text is None:
        return None
    try:
        return int(text.split()[0])
    except (ValueError, IndexError):
        return None


def load_settings(d):
    text = read_text(os.path.join(d, "mailstack.json"))
    if text is None:
        raise StackError("%s has no mailstack.json: was `start` run on it?" % d)
    return json.loads(text)


def read_users(d):
    """name -> password, from the Dovecot passwd-file DIR/users."""
    users = {}
    for line in (read_text(os.path.join(d, "users"), "") or "").splitlines():
        parts = line.split(":")
        if len(parts) >= 2 and parts[0]:
            pw = parts[1]
            if pw.startswith("{PLAIN}"):
                pw = pw[len("{PLAIN}"):]
            users[parts[0]] = pw
    return users


def local_part(address):
    """Dovecot-style %Ln of an address, without a +detail."""
    a = address.strip()
    if a.startswith("<") and a.endswith(">"):
        a = a[1:-1]
    local = a.rsplit("@", 1)[0] if "@" in a else a
    if len(local) >= 2 and local[0] == '"' and local[-1] == '"':
        local = local[1:-1]
    local = local.split("+", 1)[0]
    return local.lower()


def pick_free_ports(n):
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((HOST, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def port_open(port, timeout=0.2):
    """True when something listens on HOST:port. Reads /proc/net/tcp (no
    connection, so no log noise and no Dovecot process spawned for a probe);
    falls back to connecting."""
    want = "0100007F:%04X" % port  # 127.0.0.1 in /proc/net/tcp's little-endian hex
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                fields = line.split()
                if fields[1] == want and fields[3] == "0A":  # 0A = LISTEN
                    return True
        return False
    except (OSError, StopIteration, IndexError):
        pass
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


# --------------------------------------------------------------------------
# /proc process handling


def proc_start_time(pid):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read()
        # fields after the ")" of comm; starttime is field 22 (index 19 after split)
        rest = data[data.rindex(b")") + 2:].split()
        return int(rest[19])
    except (OSError, ValueError, IndexError):
        return None


def proc_state(pid):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read()
        return data[data.rindex(b")") + 2:].split()[0].decode()
    except (OSError, ValueError, IndexError):
        return None


def proc_ppid(pid):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read()
        return int(data[data.rindex(b")") + 2:].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def proc_cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def proc_link(pid, name):
    try:
        return os.readlink("/proc/%d/%s" % (pid, name))
    except OSError:
        return ""


def all_pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def alive(pid, start_time=None):
    """True while pid exists, is not a zombie, and (if given) is the same process."""
    st = proc_state(pid)
    if st is None or st in ("Z", "X"):
        return False
    if start_time is not None and proc_start_time(pid) != start_time:
        return False
    return True


def descendants(root):
    children = {}
    for pid in all_pids():
        pp = proc_ppid(pid)
        if pp is not None:
            children.setdefault(pp, []).append(pid)
    out, todo = [], [root]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def my_ancestors():
    out, pid = set(), os.getpid()
    while pid and pid not in out:
        out.add(pid)
        pid = proc_ppid(pid) or 0
    return out


def under(path, d):
    return path == d or path.startswith(d + "/")


def stack_processes(d):
    """Processes that belong to the stack in DIR d: Dovecot processes (by exe)
    whose command line, cwd or root is inside d, and our SMTP server."""
    mine = my_ancestors()
    found = []
    for pid in all_pids():
        if pid in mine or not alive(pid):
            continue
        cmd = proc_cmdline(pid)
        exe = proc_link(pid, "exe")
        is_dovecot = exe.startswith(DOVECOT_EXE_PREFIXES)
        is_smtp = "mailstack.py" in cmd and "_smtp-serve" in cmd
        if not (is_dovecot or is_smtp):
            continue
        if (d in cmd.split() or (d + "/") in cmd or under(proc_link(pid, "cwd"), d)
                or under(proc_link(pid, "root"), d)):
            found.append(pid)
    return found


def terminate(pids, kill_after):
    """SIGTERM pids, wait, SIGKILL the rest. pids: {pid: start_time}."""
    for pid, st in pids.items():
        if alive(pid, st):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + kill_after
    while time.monotonic() < deadline:
        if not any(alive(p, st) for p, st in pids.items()):
            return
        time.sleep(0.02)
    for pid, st in pids.items():
        if alive(pid, st):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline and any(alive(p, st) for p, st in pids.items()):
        time.sleep(0.02)


# --------------------------------------------------------------------------
# certificates


OPENSSL_CNF = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def run_checked(argv, what, **kw):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if r.returncode != 0:
        raise StackError("%s failed (exit %d): %s\n%s" % (
            what, r.returncode, " ".join(argv),
            (r.stdout + r.stderr).decode("utf-8", "replace")))
    return r


def make_certs(d):
    cnf = os.path.join(d, "openssl.cnf")
    with open(cnf, "w") as f:
        f.write(OPENSSL_CNF)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    env = dict(os.environ, OPENSSL_CONF=cnf)
    run_checked(["openssl", "req", "-x509", "-config", cnf] + ec + [
        "-keyout", os.path.join(d, "ca.key"), "-out", os.path.join(d, "ca.pem"),
        "-days", "3650", "-subj", "/O=schoolmail tests/CN=schoolmail mailstack test CA",
        "-extensions", "ca_ext"], "openssl (CA)", env=env)
    run_checked(["openssl", "req", "-new", "-config", cnf] + ec + [
        "-keyout", os.path.join(d, "server.key"), "-out", os.path.join(d, "server.csr"),
        "-subj", "/O=schoolmail tests/CN=localhost"], "openssl (server key)", env=env)
    run_checked(["openssl", "x509", "-req", "-in", os.path.join(d, "server.csr"),
                 "-CA", os.path.join(d, "ca.pem"), "-CAkey", os.path.join(d, "ca.key"),
                 "-set_serial", str(int.from_bytes(os.urandom(8), "big")),
                 "-days", "825", "-extfile", cnf, "-extensions", "server_ext",
                 "-out", os.path.join(d, "server.pem")], "openssl (server cert)", env=env)
    for k in ("ca.key", "server.key"):
        os.chmod(os.path.join(d, k), 0o600)


# --------------------------------------------------------------------------
# Dovecot


def dovecot_conf(d, s):
    if os.geteuid() == 0:
        mail_user = mail_group = "mail"
        internal_user, internal_group, login_user = "dovecot", "dovecot", "dovenull"
        chroot_lines = ""
    else:
        # Not root: everything runs as the calling user, no chroot.
        import grp
        import pwd
        me = pwd.getpwuid(os.geteuid()).pw_name
        my_group = grp.getgrgid(os.getegid()).gr_name
        mail_user = internal_user = login_user = me
        mail_group = internal_group = my_group
        chroot_lines = "  chroot =\n"
    return """\
# Generated by tests/mailstack/mailstack.py -- a private Dovecot for tests.
# No !include of /etc/dovecot: nothing here depends on system paths.
base_dir = {d}/run
state_dir = {d}/state
instance_name = mailstack
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
debug_log_path = {d}/dovecot.log
hostname = localhost
protocols = imap lmtp
listen = {host}
shutdown_clients = yes
verbose_proctitle = yes
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}

ssl = yes
ssl_cert = <{d}/server.pem
ssl_key = <{d}/server.key
ssl_min_protocol = TLSv1.2

disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_format = %Ln
auth_failure_delay = 0
auth_verbose = yes
recipient_delimiter = +
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/users
}}
userdb {{
  driver = passwd-file
  args = {d}/users
  default_fields = home={d}/home/%n
}}

mail_location = maildir:~/Maildir
mail_uid = {mail_user}
mail_gid = {mail_group}
first_valid_uid = 1
first_valid_gid = 1
mail_fsync = never
mailbox_idle_check_interval = 1 secs

namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
  mailbox Trash {{
    special_use = \\Trash
    auto = subscribe
  }}
  mailbox Junk {{
    special_use = \\Junk
    auto = no
  }}
}}

protocol imap {{
  mail_max_userip_connections = 1000
}}
protocol lmtp {{
  lmtp_save_to_detail_mailbox = no
}}

service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {imap}
  }}
  inet_listener imaps {{
    address = {host}
    port = {imaps}
    ssl = yes
  }}
{chroot_lines}}}
service lmtp {{
  inet_listener lmtp {{
    address = {host}
    port = {lmtp}
  }}
}}
service anvil {{
{chroot_lines}}}
""".format(d=d, host=HOST, imap=s["imap_port"], imaps=s["imaps_port"],
           lmtp=s["lmtp_port"], mail_user=mail_user, mail_group=mail_group,
           internal_user=internal_user, internal_group=internal_group,
           login_user=login_user, chroot_lines=chroot_lines)


def master_pid_file(d):
    return os.path.join(d, "run", "master.pid")


def dovecot_master(d):
    """(pid, start_time) of this DIR's Dovecot master, or None."""
    pid = read_pid(master_pid_file(d))
    if pid is None or not alive(pid):
        return None
    if not proc_link(pid, "exe").startswith(DOVECOT_EXE_PREFIXES):
        return None
    if os.path.join(d, "dovecot.conf") not in proc_cmdline(pid):
        return None
    return pid, proc_start_time(pid)


def stop_dovecot(d, graceful=False):
    m = dovecot_master(d)
    if m is not None:
        pid, st = m
        pids = {pid: st}
        for c in descendants(pid):
            c_st = proc_start_time(c)
            if c_st is not None:
                pids[c] = c_st
        log_pids = {c for c in pids if proc_link(c, "exe") == DOVECOT_LOG_EXE}
        # SIGTERM to the master alone: it stops its children itself
        # (shutdown_clients = yes); whatever remains gets killed below.
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + DOVECOT_KILL_AFTER
        while time.monotonic() < deadline and any(alive(p, s) for p, s in pids.items()):
            if not graceful and not any(proc_start_time(p) == s for p, s in pids.items()
                                        if p != pid and p not in log_pids):
                # Only the master and its log process are left (the other
                # children are not just dead but reaped by the master, so no
                # orphaned zombies). The master now sleeps a hard-coded 1 s
                # "for the log process" before exiting; nothing of value
                # happens after that, so skip it. The log process (already
                # sent SIGQUIT) exits by itself once the master is gone.
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)
        terminate({p: s for p, s in pids.items() if alive(p, s)}, 1.0)
    # Stragglers (e.g. from a master that crashed or was SIGKILLed).
    rest = {p: proc_start_time(p) for p in stack_processes(d)
            if proc_link(p, "exe").startswith(DOVECOT_EXE_PREFIXES)}
    if rest:
        terminate(rest, 2.0)
    try:
        os.unlink(master_pid_file(d))
    except OSError:
        pass


# --------------------------------------------------------------------------
# SMTP server process control


def smtp_pid_file(d):
    return os.path.join(d, "smtp.pid")


def smtp_process(d):
    pid = read_pid(smtp_pid_file(d))
    if pid is None or not alive(pid):
        return None
    cmd = proc_cmdline(pid)
    if "_smtp-serve" not in cmd or d not in cmd:
        return None
    return pid, proc_start_time(pid)


def spawn_smtp(d):
    try:
        os.unlink(smtp_pid_file(d))
    except OSError:
        pass
    logf = open(os.path.join(d, "smtp.log"), "ab")
    try:
        p = subprocess.Popen(
            [sys.executable, "-I", os.path.abspath(__file__), "_smtp-serve", d],
            stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, cwd="/",
            start_new_session=True, close_fds=True)
    finally:
        logf.close()
    return p


def wait_smtp(d, proc, s, deadline):
    """Wait until the server wrote its pid file and both ports answer."""
    while True:
        rc = proc.poll()
        if rc is not None:
            raise StackError("SMTP server exited with status %s during start" % rc)
        if read_pid(smtp_pid_file(d)) == proc.pid and \
                port_open(s["smtp_port"]) and port_open(s["smtps_port"]):
            return proc.pid
        if time.monotonic() > deadline:
            raise StackError("SMTP server did not come up within %.0f s" % START_TIMEOUT)
        time.sleep(0.02)


def stop_smtp(d):
    p = smtp_process(d)
    pids = {}
    if p is not None:
        pids[p[0]] = p[1]
    for pid in stack_processes(d):
        if "_smtp-serve" in proc_cmdline(pid):
            pids[pid] = proc_start_time(pid)
    if pids:
        terminate(pids, SMTP_KILL_AFTER)
    try:
        os.unlink(smtp_pid_file(d))
    except OSError:
        pass


# --------------------------------------------------------------------------
# stack.env


ENV_KEYS = ["DIR", "HOST", "IMAP_PORT", "IMAPS_PORT", "LMTP_PORT", "SMTP_PORT",
            "SMTPS_PORT", "CA_FILE", "DOVECOT_PID", "SMTP_PID"]


def env_lines(d, s, dovecot_pid, smtp_pid):
    vals = {
        "DIR": d, "HOST": HOST,
        "IMAP_PORT": s["imap_port"], "IMAPS_PORT": s["imaps_port"],
        "LMTP_PORT": s["lmtp_port"], "SMTP_PORT": s["smtp_port"],
        "SMTPS_PORT": s["smtps_port"], "CA_FILE": os.path.join(d, "ca.pem"),
        "DOVECOT_PID": dovecot_pid, "SMTP_PID": smtp_pid,
    }
    return "".join("%s=%s\n" % (k, vals[k]) for k in ENV_KEYS)


def write_env(d, s, dovecot_pid, smtp_pid):
    text = env_lines(d, s, dovecot_pid, smtp_pid)
    write_atomic(os.path.join(d, "stack.env"), text)
    return text


# --------------------------------------------------------------------------
# subcommands


def check_traversable(d):
    """Dovecot's imap/lmtp processes run as `mail` and must reach DIR/home."""
    if os.geteuid() != 0:
        return
    p = os.path.dirname(d)
    while True:
        mode = os.stat(p).st_mode
        if not mode & 0o001:
            raise StackError(
                "%s is not searchable by other users (mode %o); Dovecot's mail "
                "processes (user `mail`) could not reach %s. Use a DIR under /tmp "
                "(or set TMPDIR)." % (p, mode & 0o7777, d))
        if p == "/":
            return
        p = os.path.dirname(p)


def parse_users(specs):
    users = []
    for spec in specs:
        if ":" not in spec:
            raise StackError("--user wants NAME:PASSWORD, got %r" % spec)
        name, pw = spec.split(":", 1)
        if not USER_RE.match(name):
            raise StackError("bad user name %r (letters, digits, . _ - only)" % name)
        if not pw or any(c in pw for c in ":\r\n\0"):
            raise StackError("bad password for %r (empty, or contains ':' / newline)" % name)
        users.append((name.lower(), pw))
    if not users:
        raise StackError("at least one --user NAME:PASSWORD is needed")
    return users


def cmd_start(a):
    t0 = time.monotonic()
    d = os.path.abspath(a.dir)
    if not SAFE_DIR_RE.match(d):
        raise StackError("DIR %r: only letters, digits and . _ / + - are supported "
                         "(the path is written into dovecot.conf)" % d)
    # Dovecot puts UNIX sockets in DIR/run (e.g. run/login/imap-urlauth); their
    # paths must fit in sun_path (108 bytes).
    if len(d) + len("/run/token-login/replication-notify-fifo") >= 108:
        raise StackError("DIR %r is too long for Dovecot's UNIX socket paths; use a "
                         "shorter one (e.g. under /tmp)" % d)
    users = parse_users(a.user)
    os.makedirs(d, exist_ok=True)
    if dovecot_master(d) or smtp_process(d):
        raise StackError("a stack is already running in %s (run `stop` first)" % d)
    os.chmod(d, 0o755)
    check_traversable(d)
    for sub in ("run", "state"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    for f in ("stack.env", "smtp-journal.jsonl", "smtp-rules.json"):
        try:
            os.unlink(os.path.join(d, f))
        except OSError:
            pass

    make_certs(d)
    write_atomic(os.path.join(d, "users"),
                 "".join("%s:{PLAIN}%s::::::\n" % (n, p) for n, p in users), 0o644)

    # Homes belong to the mail user.
    home = os.path.join(d, "home")
    os.makedirs(home, exist_ok=True)
    if os.geteuid() == 0:
        import pwd
        mail = pwd.getpwnam("mail")
        uid, gid = mail.pw_uid, mail.pw_gid
    else:
        uid, gid = os.geteuid(), os.getegid()
    os.chown(home, uid, gid)
    os.chmod(home, 0o755)
    for n, _ in users:
        h = os.path.join(home, n)
        os.makedirs(h, exist_ok=True)
        os.chown(h, uid, gid)
        os.chmod(h, 0o700)

    # Free ports are picked by binding port 0 and closing; another process
    # may grab one before we bind it again: then retry with new ports.
    attempts = 3
    for attempt in range(1, attempts + 1):
        ports = pick_free_ports(5)
        s = {
            "dir": d,
            "imap_port": ports[0], "imaps_port": ports[1], "lmtp_port": ports[2],
            "smtp_port": ports[3], "smtps_port": ports[4],
            "smtp_require_auth": bool(a.smtp_require_auth),
            "cert": os.path.join(d, "server.pem"), "key": os.path.join(d, "server.key"),
            "ca": os.path.join(d, "ca.pem"),
        }
        write_atomic(os.path.join(d, "mailstack.json"), json.dumps(s, indent=2) + "\n")
        write_atomic(os.path.join(d, "dovecot.conf"), dovecot_conf(d, s))
        logs = {name: os.path.join(d, name) for name in ("dovecot.log", "smtp.log")}
        marks = {name: (os.path.getsize(p) if os.path.exists(p) else 0)
                 for name, p in logs.items()}
        try:
            dovecot_pid, smtp_pid = launch(d, s)
        except BaseException as e:
            new_logs = ""
            for name, p in logs.items():
                with open(p, "ab+") as f:
                    f.seek(marks[name])
                    new_logs += f.read().decode("utf-8", "replace")
            clash = "already in use" in (str(e) + new_logs).lower()
            if clash and attempt < attempts and not isinstance(e, KeyboardInterrupt):
                log("port clash (%s), retrying with other ports" % str(e).splitlines()[0])
                continue
            log("start failed: %s" % e)
            for name, p in logs.items():
                text = read_text(p)
                if text:
                    sys.stderr.write("----- %s -----\n%s" % (name, text))
            sys.stderr.flush()
            return 1
        sys.stdout.write(write_env(d, s, dovecot_pid, smtp_pid))
        log("started in %.3f s" % (time.monotonic() - t0))
        return 0
    return 1


def launch(d, s):
    """Start SMTP and Dovecot with settings s; on any failure stop both and raise."""
    smtp_proc = None
    try:
        # SMTP first (its Python start-up is the slowest part), Dovecot in parallel.
        smtp_proc = spawn_smtp(d)
        # Not pipes: the daemonized master would inherit them and keep them open.
        out_path = os.path.join(d, "dovecot-start.log")
        with open(out_path, "wb") as out:
            rc = subprocess.call(["dovecot", "-c", os.path.join(d, "dovecot.conf")],
                                 stdout=out, stderr=out, stdin=subprocess.DEVNULL, cwd=d)
        if rc != 0:
            raise StackError("dovecot failed to start (exit %d):\n%s" % (
                rc, read_text(out_path, "")))
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            m = dovecot_master(d)
            if m and all(port_open(s[k]) for k in ("imap_port", "imaps_port", "lmtp_port")):
                break
            if time.monotonic() > deadline:
                raise StackError("Dovecot did not come up within %.0f s" % START_TIMEOUT)
            time.sleep(0.02)
        smtp_pid = wait_smtp(d, smtp_proc, s, deadline)
    except BaseException:
        stop_smtp(d)
        if smtp_proc is not None:
            try:
                smtp_proc.kill()
            except OSError:
                pass
            smtp_proc.wait()
        stop_dovecot(d)
        raise
    # The server runs in its own session; forget about it without waiting.
    smtp_proc.returncode = 0
    return m[0], smtp_pid


def cmd_stop(a):
    d = os.path.abspath(a.dir)
    if not os.path.isdir(d):
        return 0
    t0 = time.monotonic()
    stop_smtp(d)
    stop_dovecot(d, graceful=a.graceful)
    left = stack_processes(d)
    if left:
        log("processes still alive after stop: %s" % left)
        return 1
    log("stopped in %.3f s" % (time.monotonic() - t0))
    return 0


def cmd_smtp_stop(a):
    d = os.path.abspath(a.dir)
    stop_smtp(d)
    return 0


def cmd_smtp_start(a):
    d = os.path.abspath(a.dir)
    s = load_settings(d)
    if smtp_process(d):
        raise StackError("SMTP server already running in %s" % d)
    t0 = time.monotonic()
    proc = spawn_smtp(d)
    try:
        pid = wait_smtp(d, proc, s, t0 + START_TIMEOUT)
    except StackError as e:
        log(str(e))
        sys.stderr.write("----- smtp.log -----\n%s" % (read_text(os.path.join(d, "smtp.log")) or ""))
        stop_smtp(d)
        try:
            proc.kill()
        except OSError:
            pass
        proc.wait()
        return 1
    proc.returncode = 0
    m = dovecot_master(d)
    write_env(d, s, m[0] if m else 0, pid)
    print("SMTP_PID=%d" % pid)
    return 0


def imap_utf7(name):
    """Mailbox name -> IMAP modified UTF-7 (RFC 3501 5.1.3)."""
    out, buf = [], []

    def flush():
        if buf:
            import base64
            b = base64.b64encode("".join(buf).encode("utf-16-be")).decode().rstrip("=")
            out.append("&" + b.replace("/", ",") + "-")
            buf.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            buf.append(ch)
    flush()
    return "".join(out)


def imap_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cmd_append(a):
    d = os.path.abspath(a.dir)
    s = load_settings(d)
    with open(a.file, "rb") as f:
        data = f.read()
    mailbox = imap_quote(imap_utf7(a.mailbox))
    flags = a.flags.strip() if a.flags else None
    if flags and not flags.startswith("("):
        flags = "(" + flags + ")"
    date = None
    if a.date:
        date = a.date if a.date.startswith('"') else '"' + a.date + '"'
    m = imaplib.IMAP4(HOST, s["imap_port"], timeout=30)
    try:
        m.login(a.user, a.password)

        def do_append():
            # Like IMAP4.append, but sends the file's bytes exactly
            # (imaplib.append would rewrite bare LF to CRLF).
            m.literal = data
            args = [mailbox] + ([flags] if flags else []) + ([date] if date else [])
            return m._simple_command("APPEND", *args)

        def text_of(resp):
            return b" ".join(x for x in resp if isinstance(x, bytes)).decode("utf-8", "replace")

        typ, resp = do_append()
        if typ != "OK" and a.create and "TRYCREATE" in text_of(resp):
            typ2, resp2 = m._simple_command("CREATE", mailbox)
            if typ2 != "OK":
                raise StackError("CREATE %s failed: %s" % (a.mailbox, text_of(resp2)))
            typ, resp = do_append()
        text = text_of(resp)
        if typ != "OK":
            raise StackError("APPEND to %s failed: %s %s" % (a.mailbox, typ, text))
        uid_info = m.untagged_responses.pop("APPENDUID", None)
        match = re.search(r"APPENDUID (\d+) (\d+)", text)
        if match:
            print(match.group(2))
        elif uid_info:
            print(uid_info[-1].decode().split()[-1])
        else:
            raise StackError("APPEND answered without APPENDUID: %s %s" % (typ, text))
        m.logout()
    finally:
        try:
            m.shutdown()
        except OSError:
            pass
    return 0


def cmd_deliver(a):
    d = os.path.abspath(a.dir)
    s = load_settings(d)
    with open(a.file, "rb") as f:
        data = f.read()
    rcpt = a.to if "@" in a.to else a.to + "@localhost"
    with smtplib.LMTP(HOST, s["lmtp_port"], timeout=30) as l:
        l.sendmail(getattr(a, "from"), [rcpt], data)
    return 0


# --------------------------------------------------------------------------
# the SMTP server (runs in its own process: `_smtp-serve DIR`)


def smtp_serve(d):
    import asyncio
    import logging
    import ssl
    import warnings
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("mail.log").setLevel(logging.INFO)
    s = load_settings(d)
    rules_path = os.path.join(d, "smtp-rules.json")
    journal_path = os.path.join(d, "smtp-journal.jsonl")
    require_auth = s["smtp_require_auth"]

    def load_rules():
        try:
            with open(rules_path, "rb") as f:
                raw = f.read()
        except FileNotFoundError:
            return {}, None
        try:
            rules = json.loads(raw.decode("utf-8")) if raw.strip() else {}
            if not isinstance(rules, dict):
                raise ValueError("top level is not an object")
            return rules, None
        except ValueError as e:
            logging.error("bad %s: %s", rules_path, e)
            return {}, "451 4.3.0 mailstack: invalid smtp-rules.json (%s)" % e

    def reply(rule):
        if isinstance(rule, str):
            return rule
        code, text = rule[0], (rule[1] if len(rule) > 1 else "")
        return ("%s %s" % (int(code), text)).rstrip()

    def rcpt_rule(rules, address):
        table = rules.get("rcpt") or {}
        addr = address.strip("<>").lower()
        for k, v in table.items():
            if k.strip("<>").lower() == addr:
                return v
        return table.get("*")

    def lmtp_deliver(mail_from, rcpt, data, options):
        try:
            with smtplib.LMTP(HOST, s["lmtp_port"], timeout=60) as l:
                l.ehlo_or_helo_if_needed()
                opts = [o for o in options if o.upper().startswith("BODY=")
                        and l.has_extn("8bitmime")]
                if any(o.upper() == "SMTPUTF8" for o in options):
                    if l.has_extn("smtputf8"):
                        opts.append("SMTPUTF8")
                    else:
                        # Dovecot 2.3's LMTP does not announce SMTPUTF8 but
                        # takes UTF-8 addresses; send them as they came.
                        l.command_encoding = "utf-8"
                l.sendmail(mail_from, [rcpt], data, mail_options=opts)
            return None
        except smtplib.SMTPRecipientsRefused as e:
            code, msg = list(e.recipients.values())[0]
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError,
                smtplib.SMTPResponseException) as e:
            code, msg = e.smtp_code, e.smtp_error
        except Exception as e:  # connection refused, encoding errors, ...
            code, msg = 451, ("4.3.0 mailstack: LMTP delivery failed: %s: %s" % (
                type(e).__name__, e)).encode()
        if isinstance(msg, bytes):
            msg = msg.decode("utf-8", "replace")
        msg = " ".join(msg.split())
        logging.warning("LMTP delivery to %s failed: %s %s", rcpt, code, msg)
        return "%d %s" % (code, msg)

    class Handler:
        def __init__(self, listener):
            self.listener = listener

        async def handle_MAIL(self, server, session, envelope, address, mail_options):
            rules, bad = load_rules()
            if bad:
                return bad
            if rules.get("mail"):
                return reply(rules["mail"])
            envelope.mail_from = address
            envelope.mail_options.extend(mail_options)
            return "250 2.1.0 OK"

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            rules, bad = load_rules()
            if bad:
                return bad
            rule = rcpt_rule(rules, address)
            if rule:
                return reply(rule)
            if local_part(address) not in read_users(d):
                return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(rcpt_options)
            return "250 2.1.5 OK"

        async def handle_DATA(self, server, session, envelope):
            rules, bad = load_rules()
            if bad:
                return bad
            if rules.get("data"):
                return reply(rules["data"])
            data = envelope.original_content
            mail_from = envelope.mail_from or ""
            if mail_from == "<>":
                mail_from = ""
            loop = asyncio.get_running_loop()
            for rcpt in envelope.rcpt_tos:
                err = await loop.run_in_executor(
                    None, lmtp_deliver, mail_from, rcpt, data, list(envelope.mail_options))
                if err:
                    return err
            digest = hashlib.sha256(data).hexdigest()
            entry = {
                "time": time.time(),
                "listener": self.listener,
                "tls": server._tls_protocol is not None or self.listener == "smtps",
                "auth": (session.auth_data.login.decode("utf-8", "replace")
                         if isinstance(session.auth_data, LoginPassword) else None),
                "helo": session.host_name,
                "mail_from": envelope.mail_from,
                "rcpt": list(envelope.rcpt_tos),
                "size": len(data),
                "sha256": digest,
            }
            with open(journal_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")
            return "250 2.0.0 OK: delivered as %s" % digest[:12]

    def authenticator(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        ok = read_users(d).get(local_part(login)) == password
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(s["cert"], s["key"])

    def factory(listener):
        implicit = listener == "smtps"

        def make():
            return SMTP(Handler(listener),
                        hostname="localhost",
                        ident="schoolmail mailstack (aiosmtpd)",
                        tls_context=None if implicit else ctx,
                        require_starttls=False,
                        auth_required=require_auth,
                        # aiosmtpd only knows STARTTLS as "TLS"; on the
                        # implicit-TLS port the connection is TLS already.
                        auth_require_tls=require_auth and not implicit,
                        authenticator=authenticator,
                        enable_SMTPUTF8=True,
                        decode_data=False)
        return make

    async def main():
        loop = asyncio.get_running_loop()
        srv1 = await loop.create_server(factory("smtp"), HOST, s["smtp_port"],
                                        reuse_address=True)
        srv2 = await loop.create_server(factory("smtps"), HOST, s["smtps_port"],
                                        ssl=ctx, reuse_address=True)
        stop = loop.create_future()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
        write_atomic(smtp_pid_file(d), "%d\n" % os.getpid())
        logging.info("listening on %s:%d (STARTTLS) and %s:%d (TLS), require_auth=%s",
                     HOST, s["smtp_port"], HOST, s["smtps_port"], require_auth)
        await stop
        srv1.close()
        srv2.close()
        logging.info("stopping")

    asyncio.run(main())
    return 0


# --------------------------------------------------------------------------


def main(argv):
    ap = argparse.ArgumentParser(prog="mailstack.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("start", help="start Dovecot + SMTP in DIR")
    p.add_argument("dir")
    p.add_argument("--user", action="append", default=[], metavar="NAME:PASSWORD")
    p.add_argument("--smtp-require-auth", action="store_true",
                   help="SMTP AUTH required (and only allowed over TLS)")
    p.set_defaults(fn=cmd_start)
    p = sub.add_parser("stop", help="stop everything started in DIR (DIR is kept)")
    p.add_argument("dir")
    p.add_argument("--graceful", action="store_true",
                   help="let the Dovecot master exit by itself (about 1 s slower)")
    p.set_defaults(fn=cmd_stop)
    for name, fn in (("smtp-stop", cmd_smtp_stop), ("smtp-start", cmd_smtp_start)):
        p = sub.add_parser(name)
        p.add_argument("dir")
        p.set_defaults(fn=fn)
    p = sub.add_parser("append", help="IMAP APPEND a file's bytes; prints the UID")
    p.add_argument("dir")
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--mailbox", default="INBOX")
    p.add_argument("--date", help='INTERNALDATE, e.g. "28-Nov-2026 17:59:59 +0300"')
    p.add_argument("--flags", help='e.g. "\\Seen \\Flagged"')
    p.add_argument("--create", action="store_true",
                   help="create the mailbox if it does not exist")
    p.add_argument("file")
    p.set_defaults(fn=cmd_append)
    p = sub.add_parser("deliver", help="deliver a file over LMTP")
    p.add_argument("dir")
    p.add_argument("--to", required=True, help="user name or address")
    p.add_argument("--from", default="mailstack@localhost")
    p.add_argument("file")
    p.set_defaults(fn=cmd_deliver)
    p = sub.add_parser("_smtp-serve")
    p.add_argument("dir")
    p.set_defaults(fn=lambda a: smtp_serve(os.path.abspath(a.dir)))
    a = ap.parse_args(argv)
    try:
        return a.fn(a)
    except StackError as e:
        log(str(e))
        return 1
    except (imaplib.IMAP4.error, smtplib.SMTPException, OSError) as e:
        log("%s: %s" % (type(e).__name__, e))
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
