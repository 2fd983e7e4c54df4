#!/usr/bin/python3
"""Fault-injecting TCP proxy for integration tests, on 127.0.0.1.

Sits in front of a REAL server (the mail stack's Dovecot IMAP/IMAPS port or
its SMTP/SMTPS port, see mailstack.py) and forwards bytes both ways, untouched:
TLS is not terminated, so certificates still verify against the stack's
ca.pem (the server certificate has IP SAN 127.0.0.1). It never invents
protocol replies; a rule can only delay, cut, stall or close the stream.

Run with /usr/bin/python3 (standard library only):

  faultproxy.py start DIR --target HOST:PORT [--name NAME] [--port N]
  faultproxy.py stop DIR [--name NAME]
  faultproxy.py rules DIR [--name NAME] JSON      (validate + atomic write;
                                                   "" removes the rules)
  faultproxy.py check FILE                        (validate a rules file)

`start` binds a free port on 127.0.0.1 (or --port N), starts the proxy
detached (own session), waits until it serves, prints `PORT=<n>` and writes
DIR/NAME.env (PORT, PID, TARGET, RULES, EVENTS, LOG). NAME defaults to
"faultproxy"; several proxies can share DIR under different names (not
smtp, stack, dovecot, dovecot-start, mailstack: mailstack.py's files). `start`
empties DIR/NAME.events.jsonl but leaves an existing rules file in place.
`stop` sends SIGTERM, then SIGKILL after 3 s; it is idempotent.

Files in DIR: NAME.pid, NAME.log (connections and faults, human readable),
NAME.events.jsonl (one JSON object per fired fault), NAME.rules.json, NAME.env.

Rules: DIR/NAME.rules.json, re-read (stat, then content if it changed) when a
connection is accepted and before every chunk forwarded. Missing, empty, {} or
[] = pass-through. It holds one rule object, or a list of rule objects that
take turns by their "connections" windows. Keys of a rule (all combinable):

  "refuse": true                   accept, then close at once (server gone)
  "drop_after_server_bytes": N     forward server->client until N bytes of the
                                   connection have passed, then close both sides
  "drop_after_client_bytes": N     the same, client->server
  "drop_when_server_sends": "txt"  close both sides as soon as the
                                   server->client stream contains txt (UTF-8;
                                   found across chunk boundaries), after
                                   forwarding the bytes up to and including it
  "drop_when_client_sends": "txt"  the same, client->server
  "forward_match": false           ... forward only the bytes before txt
  "reset": true                    close with TCP RST (SO_LINGER 0) instead of
                                   a FIN, on drops and refuse
  "delay_ms": N                    wait N ms before forwarding each
                                   server->client chunk (slow network)
  "client_delay_ms": N             the same, client->server
  "chunk_bytes": N                 split server->client data into writes of at
                                   most N bytes (each one delayed by delay_ms)
  "stall_after_server_bytes": N    after N server->client bytes, forward
                                   nothing more either way and keep the
                                   connection open (hung server; client bytes
                                   are read and discarded). 0 = no greeting.
  "stall_after_client_bytes": N    the same, triggered by client->server bytes
  "connections": K                 the rule applies to the next K connections
                                   only (counted from when the rules file was
                                   written), then the next rule in the list,
                                   then pass-through. Without it: all of them.
  "hide_server_word": "STARTTLS"   overwrite that word with as many X's in
                                   server->client data (a server, or a man in
                                   the middle, that offers no STARTTLS)
  "comment": "..."                 ignored

Byte counts are per connection, from its start, and exact (a chunk is cut at
the limit). On TLS ports they count TLS record bytes and the *_sends rules
cannot match (the stream is encrypted): use the plain ports for those.

The "connections" counter is keyed by the rules file's mtime, inode and
content: every write of the file (also of the same text) starts a new count.
A connection that is already open when the file changes switches to the new
rules the next time it carries data, and then counts as one of the K (so
"drop the next FETCH on the live connection once, then work" is possible);
"refuse" then closes it. A stalled or dropped connection stays so.
An invalid rules file fails closed: connections are closed (fault "bad_rules").

Events (DIR/NAME.events.jsonl), written before the fault takes effect:
  {"t": 1700000000.123, "proxy": NAME, "conn": 3, "fault": "drop_when_server_sends",
   "direction": "s2c", "client_bytes": 120, "server_bytes": 532,
   "forwarded_now": 10, "text": " FETCH (", "rule_index": 0, "rule": {...}}
client_bytes / server_bytes: bytes forwarded before the chunk that fired;
forwarded_now: bytes of that chunk still forwarded; "limit" or "text" echo the
rule; "live": true when an already open connection picked up new rules.
fault is one of refuse, drop_after_server_bytes, drop_after_client_bytes,
drop_when_server_sends, drop_when_client_sends, stall_after_server_bytes,
stall_after_client_bytes, delay (once per connection, on its first delayed
chunk), bad_rules.
"""

import argparse
import hashlib
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time

asyncio = None  # imported by `_serve` only: it is slow to import, the CLI needs none

HOST = "127.0.0.1"
START_TIMEOUT = 10.0
KILL_AFTER = 3.0
CONNECT_TIMEOUT = 10.0
READ_SIZE = 65536
DEFAULT_NAME = "faultproxy"
NAME_RE = re.compile(r"^[A-Za-z0-9._-]+$")
# Names whose NAME.pid / NAME.log / NAME.env would be mailstack.py's own files.
RESERVED_NAMES = ("smtp", "stack", "dovecot", "dovecot-start", "mailstack")

INT_KEYS = ("drop_after_server_bytes", "drop_after_client_bytes", "delay_ms",
            "client_delay_ms", "chunk_bytes", "stall_after_server_bytes",
            "stall_after_client_bytes", "connections")
BOOL_KEYS = ("refuse", "forward_match", "reset")
STR_KEYS = ("drop_when_server_sends", "drop_when_client_sends", "hide_server_word",
            "comment")


class ProxyError(Exception):
    pass


# --------------------------------------------------------------------------
# small helpers


def log_cli(msg):
    print("faultproxy: " + msg, file=sys.stderr, flush=True)


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


def unlink_quiet(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def paths(d, name):
    base = os.path.join(d, name)
    return {
        "pid": base + ".pid", "log": base + ".log", "env": base + ".env",
        "rules": base + ".rules.json", "events": base + ".events.jsonl",
    }


def check_name(name):
    if not NAME_RE.match(name) or name in (".", ".."):
        raise ProxyError("bad --name %r (letters, digits, . _ - only)" % name)
    if name.lower() in RESERVED_NAMES:
        raise ProxyError("--name %r would clash with mailstack.py's files (%s.pid/.log/"
                         ".env); use e.g. %s-proxy" % (name, name, name))
    return name


def parse_target(text):
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise ProxyError("--target wants HOST:PORT, got %r" % text)
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        p = int(port)
    except ValueError:
        p = 0
    if not 0 < p < 65536:
        raise ProxyError("bad port in --target %r" % text)
    return host, p


# --------------------------------------------------------------------------
# /proc process handling (as in mailstack.py)


def proc_stat_fields(pid):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read()
        return data[data.rindex(b")") + 2:].split()
    except (OSError, ValueError):
        return None


def alive(pid):
    f = proc_stat_fields(pid)
    return bool(f) and f[0] not in (b"Z", b"X")


def proc_cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return [a.decode("utf-8", "replace") for a in f.read().split(b"\0")]
    except OSError:
        return []


def is_our_server(pid, d, name):
    """True when pid is `faultproxy.py _serve d --name name`."""
    cmd = proc_cmdline(pid)
    if not any(a.endswith("faultproxy.py") for a in cmd) or "_serve" not in cmd:
        return False
    try:
        i = cmd.index("_serve")
        n = cmd.index("--name")
    except ValueError:
        return False
    return i + 1 < len(cmd) and cmd[i + 1] == d and n + 1 < len(cmd) and cmd[n + 1] == name


def server_pids(d, name):
    pids = set()
    try:
        pid = int((read_text(paths(d, name)["pid"], "") or "").split()[0])
        if alive(pid) and is_our_server(pid, d, name):
            pids.add(pid)
    except (ValueError, IndexError):
        pass
    me = os.getpid()
    for p in os.listdir("/proc"):
        if p.isdigit() and int(p) != me and alive(int(p)) and is_our_server(int(p), d, name):
            pids.add(int(p))
    return pids


def terminate(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + KILL_AFTER
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.01)
    for pid in pids:
        if alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.01)


# --------------------------------------------------------------------------
# rules


def validate_rules(obj):
    """Returns the rules as a list of dicts, or raises ProxyError."""
    if obj is None:
        return []
    rules = [obj] if isinstance(obj, dict) else obj
    if not isinstance(rules, list):
        raise ProxyError("rules must be an object or a list of objects")
    for i, r in enumerate(rules):
        if not isinstance(r, dict):
            raise ProxyError("rule %d is not an object" % i)
        for k, v in r.items():
            if k in INT_KEYS:
                if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                    raise ProxyError("rule %d: %s must be an integer >= 0" % (i, k))
            elif k in BOOL_KEYS:
                if not isinstance(v, bool):
                    raise ProxyError("rule %d: %s must be true or false" % (i, k))
            elif k in STR_KEYS:
                if not isinstance(v, str) or (k != "comment" and not v):
                    raise ProxyError("rule %d: %s must be a non-empty string" % (i, k))
            else:
                raise ProxyError("rule %d: unknown key %r (known: %s)" % (
                    i, k, ", ".join(INT_KEYS + BOOL_KEYS + STR_KEYS)))
    return rules


def parse_rules_text(text):
    if not text.strip():
        return []
    try:
        obj = json.loads(text)
    except ValueError as e:
        raise ProxyError("rules are not valid JSON: %s" % e)
    return validate_rules(obj)


class RulesStore:
    """The rules file, cached by stat; counts connections per file version."""

    def __init__(self, path):
        self.path = path
        self.stat_key = ("init",)
        self.version = None   # (mtime_ns, ino, sha256) or None when no file
        self.rules = []
        self.error = None
        self.counts = {}

    def current(self):
        """(version, rules, error) for the file as it is now."""
        for attempt in range(4):
            try:
                st = os.stat(self.path)
                skey = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
            except FileNotFoundError:
                skey = None
            if skey == self.stat_key:
                return self.version, self.rules, self.error
            if skey is None:
                self.stat_key, self.version, self.rules, self.error = None, None, [], None
                return self.version, self.rules, self.error
            try:
                with open(self.path, "rb") as f:
                    data = f.read()
            except FileNotFoundError:
                continue
            try:
                rules, error = parse_rules_text(data.decode("utf-8")), None
            except (ProxyError, UnicodeDecodeError) as e:
                rules, error = [], str(e)
                if attempt < 3:   # maybe caught a non-atomic write half way
                    time.sleep(0.02)
                    continue
            self.stat_key = skey
            self.version = (skey[2], skey[1], hashlib.sha256(data).hexdigest())
            self.rules, self.error = rules, error
            return self.version, self.rules, self.error
        return self.version, self.rules, self.error

    def enroll(self, version, rules):
        """Gives a connection its ordinal for this file version and returns
        (rule_index, rule); (-1, {}) = pass-through."""
        n = self.counts.get(version, 0)
        self.counts[version] = n + 1
        for i, r in enumerate(rules):
            k = r.get("connections")
            if k is None:
                return i, r
            if n < k:
                return i, r
            n -= k
        return -1, {}


# --------------------------------------------------------------------------
# the proxy server


class Proxy:
    def __init__(self, d, name, target):
        self.d = d
        self.name = name
        self.files = paths(d, name)
        self.target = target
        self.store = RulesStore(self.files["rules"])
        self.next_id = 1
        self.conns = set()

    def log(self, msg):
        t = time.time()
        stamp = time.strftime("%H:%M:%S", time.localtime(t)) + ".%03d" % int(t % 1 * 1000)
        sys.stderr.write("%s %s\n" % (stamp, msg))
        sys.stderr.flush()

    def event(self, conn, fault, **extra):
        ev = {"t": round(time.time(), 3), "proxy": self.name, "conn": conn.cid,
              "fault": fault, "client_bytes": conn.count["c2s"],
              "server_bytes": conn.count["s2c"], "rule_index": conn.rule_index,
              "rule": conn.rule}
        ev.update(extra)
        line = (json.dumps(ev, sort_keys=True) + "\n").encode()
        fd = os.open(self.files["events"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
        self.log("conn %d: FAULT %s %s" % (conn.cid, fault, json.dumps(extra, sort_keys=True)))

    async def handle(self, reader, writer):
        conn = Conn(self, self.next_id, reader, writer)
        self.next_id += 1
        task = asyncio.current_task()
        self.conns.add(task)
        try:
            await conn.run()
        except asyncio.CancelledError:
            conn.abort_all()
            conn.reason = "proxy stopping"
            conn.finish()
            raise
        except Exception as e:  # keep serving other connections
            self.log("conn %d: internal error %s: %s" % (conn.cid, type(e).__name__, e))
            conn.abort_all()
        finally:
            self.conns.discard(task)


def set_nodelay(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


class Conn:
    def __init__(self, proxy, cid, creader, cwriter):
        self.p = proxy
        self.cid = cid
        self.readers = {"c2s": creader, "s2c": None}
        self.writers = {"c2s": None, "s2c": cwriter}   # by direction: destination
        self.cwriter = cwriter
        self.uwriter = None
        self.count = {"c2s": 0, "s2c": 0}
        self.tail = {"c2s": b"", "s2c": b""}
        self.eof = {"c2s": False, "s2c": False}
        self.version = ("unset",)
        self.rule_index = -1
        self.rule = {}
        self.rules_error = None
        self.delayed_logged = False
        self.stalled = False
        self.closing = False
        self.reason = None
        self.tasks = []
        self.t0 = time.monotonic()

    # -- rules

    def refresh(self, why):
        version, rules, error = self.p.store.current()
        if version == self.version and self.version != ("unset",):
            return False
        first = self.version == ("unset",)
        self.version = version
        self.rules_error = error
        if error:
            self.rule_index, self.rule = -1, {}
        else:
            self.rule_index, self.rule = self.p.store.enroll(version, rules)
        self.p.log("conn %d: %s: rules %s -> %s" % (
            self.cid, why, "ERROR " + error if error else
            ("v" + version[2][:8] if version else "none"),
            "closing (fails closed)" if error else
            "pass-through" if self.rule_index < 0 else
            "rule %d %s" % (self.rule_index, json.dumps(self.rule, sort_keys=True))))
        return not first

    # -- closing

    def _linger0(self, writer):
        sock = writer.get_extra_info("socket") if writer else None
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass

    def abort_all(self):
        self.closing = True
        for w in (self.cwriter, self.uwriter):
            if w is not None:
                w.transport.abort()

    async def close_all(self, reason, reset=False):
        """Closes both sides (FIN after pending bytes, or RST) and stops the pumps."""
        if self.closing:
            return
        self.closing = True
        self.reason = reason
        me = asyncio.current_task()
        for t in self.tasks:
            if t is not me:
                t.cancel()
        for w in (self.cwriter, self.uwriter):
            if w is None:
                continue
            if reset:
                self._linger0(w)
                w.transport.abort()
            else:
                w.close()
        for w in (self.cwriter, self.uwriter):
            if w is not None and not reset:
                try:
                    await asyncio.wait_for(w.wait_closed(), 2.0)
                except (OSError, asyncio.TimeoutError):
                    w.transport.abort()
                except asyncio.CancelledError:
                    w.transport.abort()
                    raise

    # -- main

    async def run(self):
        peer = self.cwriter.get_extra_info("peername")
        set_nodelay(self.cwriter)
        self.refresh("connection from %s:%s" % (peer[0], peer[1]) if peer else "connection")
        if self.rules_error:
            self.p.event(self, "bad_rules", error=self.rules_error)
            await self.close_all("bad rules", reset=False)
            self.finish()
            return
        if self.rule.get("refuse"):
            self.p.event(self, "refuse")
            await self.close_all("refused", reset=bool(self.rule.get("reset")))
            self.finish()
            return
        host, port = self.p.target
        try:
            ureader, uwriter = await asyncio.wait_for(
                asyncio.open_connection(host, port), CONNECT_TIMEOUT)
        except (OSError, asyncio.TimeoutError) as e:
            self.p.log("conn %d: cannot connect to %s:%d: %s" % (
                self.cid, host, port, e or type(e).__name__))
            await self.close_all("upstream unreachable")
            self.finish()
            return
        set_nodelay(uwriter)
        self.uwriter = uwriter
        self.readers["s2c"] = ureader
        self.writers["c2s"] = uwriter
        self.tasks = [asyncio.ensure_future(self.pump("c2s")),
                      asyncio.ensure_future(self.pump("s2c"))]
        try:
            await asyncio.gather(*self.tasks, return_exceptions=True)
        finally:
            for t in self.tasks:
                t.cancel()
        if not self.closing:
            await self.close_all(self.reason or "closed")
        self.finish()

    def finish(self):
        self.p.log("conn %d: closed (%s): client->server %d bytes, server->client %d "
                   "bytes, %.3f s" % (self.cid, self.reason, self.count["c2s"],
                                      self.count["s2c"], time.monotonic() - self.t0))

    def plan(self, d, data):
        """Decides what to do with a chunk: (bytes_to_forward, action, fault, extra);
        action None, "drop" or "stall"."""
        side = "server" if d == "s2c" else "client"
        r = self.rule
        cands = []   # (cut, priority, action, fault, extra)
        k = "drop_after_%s_bytes" % side
        if k in r:
            cut = max(0, r[k] - self.count[d])
            if cut <= len(data):
                cands.append((cut, 0, "drop", k, {"limit": r[k]}))
        k = "drop_when_%s_sends" % side
        if k in r:
            text = r[k].encode("utf-8")
            buf = self.tail[d] + data
            start = max(0, len(self.tail[d]) - len(text) + 1)
            i = buf.find(text, start)
            if i >= 0:
                end = i + len(text) - len(self.tail[d])
                cut = end if r.get("forward_match", True) else max(0, i - len(self.tail[d]))
                cands.append((cut, 0, "drop", k, {"text": r[k]}))
        k = "stall_after_%s_bytes" % side
        if k in r:
            cut = max(0, r[k] - self.count[d])
            if cut <= len(data):
                cands.append((cut, 1, "stall", k, {"limit": r[k]}))
        if not cands:
            return data, None, None, None
        cut, _, action, fault, extra = min(cands, key=lambda c: (c[0], c[1]))
        return data[:cut], action, fault, extra

    async def pump(self, d):
        src, dst = self.readers[d], self.writers[d]
        delay_key = "delay_ms" if d == "s2c" else "client_delay_ms"
        while True:
            if self.stalled and d == "s2c":
                await asyncio.Event().wait()   # read nothing more from the server
            try:
                data = await src.read(READ_SIZE)
            except (OSError, asyncio.IncompleteReadError) as e:
                data = b""
                self.reason = self.reason or "%s reset (%s)" % (
                    "client" if d == "c2s" else "server", type(e).__name__)
            if self.closing:
                return
            if self.stalled:
                if d == "s2c":
                    continue   # discard; the loop then waits forever
                if not data:
                    await self.close_all("client closed the stalled connection")
                    return
                continue   # discard client bytes
            if not data:
                self.eof[d] = True
                self.reason = self.reason or "%s closed" % (
                    "client" if d == "c2s" else "server")
                if all(self.eof.values()):
                    await self.close_all(self.reason)
                    return
                try:
                    if dst.can_write_eof():
                        dst.write_eof()
                except OSError:
                    await self.close_all(self.reason)
                return
            if self.refresh("rules changed"):
                if self.rules_error:
                    self.p.event(self, "bad_rules", error=self.rules_error, live=True)
                    await self.close_all("bad rules")
                    return
                if self.rule.get("refuse"):
                    self.p.event(self, "refuse", live=True)
                    await self.close_all("refused (live)", reset=bool(self.rule.get("reset")))
                    return
            fwd, action, fault, extra = self.plan(d, data)
            hidden = self.rule.get("hide_server_word")
            if hidden and d == "s2c" and hidden.encode() in fwd:
                word = hidden.encode()
                fwd = fwd.replace(word, b"X" * len(word))
                self.p.event(self, "hide_server_word", direction=d, word=hidden)
            if action:
                self.p.event(self, fault, direction=d, forwarded_now=len(fwd), **extra)
            self.tail[d] = (self.tail[d] + fwd)[-4096:]
            delay = self.rule.get(delay_key, 0)
            size = self.rule.get("chunk_bytes", 0) if d == "s2c" else 0
            pieces = [fwd[i:i + size] for i in range(0, len(fwd), size)] if size else [fwd]
            for piece in pieces:
                if not piece:
                    continue
                if delay:
                    if not self.delayed_logged:
                        self.delayed_logged = True
                        self.p.event(self, "delay", direction=d, delay_ms=delay)
                    await asyncio.sleep(delay / 1000.0)
                    if self.closing:
                        return
                dst.write(piece)
                self.count[d] += len(piece)
                try:
                    await dst.drain()
                except OSError:
                    await self.close_all("%s gone" % ("server" if d == "c2s" else "client"))
                    return
            if action == "drop":
                await self.close_all("dropped: " + fault, reset=bool(self.rule.get("reset")))
                return
            if action == "stall":
                self.stalled = True
                self.reason = "stalled: " + fault


def serve(a):
    global asyncio
    import asyncio
    d = os.path.abspath(a.dir)
    name = check_name(a.name)
    files = paths(d, name)
    proxy = Proxy(d, name, parse_target(a.target))
    sock = socket.socket(fileno=a.fd)

    async def main():
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        server = await asyncio.start_server(proxy.handle, sock=sock, backlog=128)
        port = sock.getsockname()[1]
        write_atomic(files["pid"], "%d\n" % os.getpid())
        proxy.log("faultproxy %s: listening on %s:%d -> %s:%d (pid %d)" % (
            name, HOST, port, proxy.target[0], proxy.target[1], os.getpid()))
        await stop.wait()
        proxy.log("faultproxy %s: stopping" % name)
        server.close()
        for t in list(proxy.conns):
            t.cancel()
        if proxy.conns:
            await asyncio.wait(list(proxy.conns), timeout=1.0)

    try:
        asyncio.run(main())
    finally:
        if (read_text(files["pid"], "") or "").strip() == str(os.getpid()):
            unlink_quiet(files["pid"])
    return 0


# --------------------------------------------------------------------------
# subcommands


def cmd_start(a):
    t0 = time.monotonic()
    d = os.path.abspath(a.dir)
    name = check_name(a.name)
    host, port = parse_target(a.target)
    os.makedirs(d, exist_ok=True)
    files = paths(d, name)
    if server_pids(d, name):
        raise ProxyError("proxy %s is already running in %s (run `stop` first)" % (name, d))
    try:
        other = int((read_text(files["pid"], "") or "").split()[0])
    except (ValueError, IndexError):
        other = None
    if other is not None and alive(other):
        raise ProxyError("%s names live process %d, which is not this proxy: choose "
                         "another --name" % (files["pid"], other))
    for k in ("pid", "env"):
        unlink_quiet(files[k])
    open(files["events"], "wb").close()

    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            lsock.bind((HOST, a.port or 0))
        except OSError as e:
            raise ProxyError("cannot bind %s:%d: %s" % (HOST, a.port or 0, e))
        lsock.listen(128)
        my_port = lsock.getsockname()[1]
        logf = open(files["log"], "ab")
        try:
            proc = subprocess.Popen(
                [sys.executable, "-I", os.path.abspath(__file__), "_serve", d,
                 "--name", name, "--target", "%s:%d" % (host, port),
                 "--fd", str(lsock.fileno())],
                stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, cwd="/",
                start_new_session=True, close_fds=True, pass_fds=(lsock.fileno(),))
        finally:
            logf.close()
    finally:
        lsock.close()

    deadline = time.monotonic() + START_TIMEOUT
    while True:
        rc = proc.poll()
        if rc is not None:
            raise ProxyError("proxy exited with status %s during start; %s:\n%s" % (
                rc, files["log"], tail(files["log"])))
        if (read_text(files["pid"], "") or "").strip() == str(proc.pid):
            break
        if time.monotonic() > deadline:
            terminate({proc.pid})
            raise ProxyError("proxy did not come up within %.0f s; %s:\n%s" % (
                START_TIMEOUT, files["log"], tail(files["log"])))
        time.sleep(0.005)
    env = ("PORT=%d\nPID=%d\nHOST=%s\nTARGET=%s:%d\nRULES=%s\nEVENTS=%s\nLOG=%s\n" % (
        my_port, proc.pid, HOST, host, port, files["rules"], files["events"], files["log"]))
    write_atomic(files["env"], env)
    print("PORT=%d" % my_port, flush=True)
    log_cli("%s on %s:%d -> %s:%d (pid %d) started in %.2f s" % (
        name, HOST, my_port, host, port, proc.pid, time.monotonic() - t0))
    return 0


def tail(path, n=60):
    lines = (read_text(path, "") or "").splitlines()
    return "\n".join(lines[-n:])


def cmd_stop(a):
    d = os.path.abspath(a.dir)
    name = check_name(a.name)
    files = paths(d, name)
    pids = server_pids(d, name)
    if pids:
        terminate(pids)
        left = [p for p in pids if alive(p)]
        if left:
            raise ProxyError("could not stop pid(s) %s" % left)
    for k in ("pid", "env"):
        unlink_quiet(files[k])
    return 0


def cmd_rules(a):
    d = os.path.abspath(a.dir)
    files = paths(d, check_name(a.name))
    if not a.json.strip():
        unlink_quiet(files["rules"])
        return 0
    parse_rules_text(a.json)
    write_atomic(files["rules"], a.json)
    return 0


def cmd_check(a):
    try:
        with open(a.file, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ProxyError("cannot read %s: %s" % (a.file, e))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ProxyError("%s is not UTF-8" % a.file)
    parse_rules_text(text)
    return 0


def main(argv):
    ap = argparse.ArgumentParser(prog="faultproxy.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("start", help="start a proxy to HOST:PORT; prints PORT=<n>")
    p.add_argument("dir")
    p.add_argument("--target", required=True, metavar="HOST:PORT")
    p.add_argument("--name", default=DEFAULT_NAME)
    p.add_argument("--port", type=int, default=0, help="listen port (default: a free one)")
    p.set_defaults(fn=cmd_start)
    p = sub.add_parser("stop", help="stop the proxy NAME in DIR (idempotent)")
    p.add_argument("dir")
    p.add_argument("--name", default=DEFAULT_NAME)
    p.set_defaults(fn=cmd_stop)
    p = sub.add_parser("rules", help='validate and atomically write rules ("" removes)')
    p.add_argument("dir")
    p.add_argument("--name", default=DEFAULT_NAME)
    p.add_argument("json")
    p.set_defaults(fn=cmd_rules)
    p = sub.add_parser("check", help="validate a rules file")
    p.add_argument("file")
    p.set_defaults(fn=cmd_check)
    p = sub.add_parser("_serve")
    p.add_argument("dir")
    p.add_argument("--name", default=DEFAULT_NAME)
    p.add_argument("--target", required=True)
    p.add_argument("--fd", type=int, required=True)
    p.set_defaults(fn=serve)
    a = ap.parse_args(argv)
    try:
        return a.fn(a)
    except ProxyError as e:
        log_cli(str(e))
        return 1
    except OSError as e:
        log_cli("%s: %s" % (type(e).__name__, e))
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
