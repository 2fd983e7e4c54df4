"""Reads a message written by schoolmail's message writer with Python's email
package (an independent reader) and prints what it decoded as JSON.

Usage: message_writer_check.py FILE

Output (one JSON object on stdout, ASCII):
  headers   top-level fields in order: [name, decoded value]
  addresses {field: [[display_name, addr_spec], ...]} for address fields
  defects   every defect the parser noted, in any header or part
  parts     every entity from walk(): content_type, headers (names), cte,
            charset, disposition, filename (get_filename()), name (the
            Content-Type name= parameter), text (decoded str, text/* only),
            size and sha256 (decoded bytes, leaves only)
  plain     get_body(('plain',)).get_content(), or null
  html      get_body(('html',)).get_content(), or null
"""

import email
import email.policy
import hashlib
import json
import sys


def note_defects(where, defects, out):
    for d in defects:
        out.append(f"{where}: {type(d).__name__}: {d}")


def main():
    # From bytes, not from a binary file: the file reader goes through a
    # text wrapper with universal newlines and would turn CRLF into LF.
    with open(sys.argv[1], "rb") as f:
        msg = email.message_from_bytes(f.read(), policy=email.policy.default)

    defects = []
    headers = []
    addresses = {}
    for name, value in msg.items():
        headers.append([name, str(value)])
        note_defects(name, getattr(value, "defects", ()), defects)
        if hasattr(value, "addresses"):
            addresses.setdefault(name, []).extend(
                [a.display_name, a.addr_spec] for a in value.addresses)

    parts = []
    for index, part in enumerate(msg.walk()):
        where = f"part {index}"
        note_defects(where, part.defects, defects)
        info = {
            "content_type": part.get_content_type(),
            "headers": list(part.keys()),
            "cte": part.get("Content-Transfer-Encoding"),
            "charset": part.get_content_charset(),
            "disposition": part.get_content_disposition(),
            "filename": part.get_filename(),
            "name": None,
        }
        content_type = part.get("Content-Type")
        if content_type is not None:
            note_defects(where + " Content-Type", content_type.defects,
                         defects)
            info["name"] = content_type.params.get("name")
        if not part.is_multipart():
            data = part.get_payload(decode=True)
            info["size"] = len(data)
            info["sha256"] = hashlib.sha256(data).hexdigest()
            if part.get_content_maintype() == "text":
                info["text"] = part.get_content()
        parts.append(info)

    def body(kind):
        part = msg.get_body((kind,))
        return part.get_content() if part is not None else None

    json.dump({
        "headers": headers,
        "addresses": addresses,
        "defects": defects,
        "parts": parts,
        "plain": body("plain"),
        "html": body("html"),
    }, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
