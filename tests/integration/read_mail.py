#!/usr/bin/python3
"""Reads every message of one IMAP mailbox over IMAPS and prints, as JSON,
what an independent reader (Python's email package, policy=default) makes
of each: decoded headers, text and HTML bodies, attachments, defects.

Usage: read_mail.py HOST PORT CA_FILE USER PASSWORD [MAILBOX]
"""
import email
import email.policy
import hashlib
import imaplib
import json
import ssl
import sys

HEADERS = ["subject", "from", "to", "reply-to", "message-id", "in-reply-to",
           "references", "auto-submitted", "x-schoolmail-kind", "date",
           "content-type"]


def describe(uid, raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = {"uid": uid, "size": len(raw)}
    for name in HEADERS:
        value = msg.get(name)
        out[name] = None if value is None else str(value)
    out["to_addresses"] = [a.addr_spec for a in msg["to"].addresses] if msg["to"] else []
    out["from_name"] = msg["from"].addresses[0].display_name if msg["from"] else None
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    out["text"] = plain.get_content() if plain is not None else None
    out["html"] = html.get_content() if html is not None else None
    out["attachments"] = [
        {"name": part.get_filename(),
         "sha256": hashlib.sha256(part.get_content() if isinstance(part.get_content(), bytes)
                                  else part.get_content().encode()).hexdigest()}
        for part in msg.iter_attachments()]
    defects = [type(d).__name__ for part in msg.walk() for d in part.defects]
    out["defects"] = defects
    out["longest_line"] = max(len(line) for line in raw.split(b"\r\n"))
    out["bare_lf"] = raw.replace(b"\r\n", b"").count(b"\n")
    return out


def main():
    host, port, ca, user, password = sys.argv[1:6]
    mailbox = sys.argv[6] if len(sys.argv) > 6 else "INBOX"
    context = ssl.create_default_context(cafile=ca)
    with imaplib.IMAP4_SSL(host, int(port), ssl_context=context) as imap:
        imap.login(user, password)
        typ, _ = imap.select('"%s"' % mailbox, readonly=True)
        if typ != "OK":
            print("[]")
            return
        typ, data = imap.uid("SEARCH", None, "ALL")
        uids = data[0].split()
        result = []
        for uid in uids:
            typ, fetched = imap.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = fetched[0][1]
            result.append(describe(int(uid), raw))
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
