#!/usr/bin/python3
"""Compare a reader's JSON lines with a generated set's ground truth.

    compare_expected.py OUTDIR/expected.jsonl READER.jsonl [--show N]

READER.jsonl is the output of `gmime_reader --json OUTDIR/*.eml` (or of any other
reader printing the same JSON shape). Files are matched by base name. Text is
compared with CRLF turned into LF. Prints one line per differing field (up to
--show per field kind) and a summary; exits 1 when anything differs.
"""
import argparse
import collections
import json
import os
import sys


def norm_text(t):
    return None if t is None else t.replace("\r\n", "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("expected")
    ap.add_argument("actual")
    ap.add_argument("--show", type=int, default=5, help="examples to print per kind (default 5)")
    a = ap.parse_args()
    exp = {}
    with open(a.expected, encoding="utf-8") as f:
        for line in f:
            e = json.loads(line)
            exp[os.path.basename(e["file"])] = e
    diffs = collections.defaultdict(list)
    seen = 0
    with open(a.actual, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            name = os.path.basename(r["file"])
            e = exp.get(name)
            if e is None:
                continue
            seen += 1
            if "error" in r:
                diffs["error"].append((name, r["error"], None))
                continue
            if r["subject"] != e["subject"]:
                diffs["subject"].append((name, r["subject"], e["subject"]))
            if r["from"] != e["from"]:
                diffs["from"].append((name, r["from"], e["from"]))
            if norm_text(r["text"]) != norm_text(e["text"]) or r["text_is_html"] != e["text_is_html"]:
                diffs["text"].append((name, (r["text"] or "")[:80], (e["text"] or "")[:80]))
            ra, ea = r["attachments"], e["attachments"]
            if len(ra) != len(ea):
                diffs["attachment count"].append((name, len(ra), len(ea)))
            for x, y in zip(ra, ea):
                if x["name"] != y["name"]:
                    diffs["attachment name"].append((name, x["name"], y["name"]))
                if x["type"] != y["type"]:
                    diffs["attachment type"].append((name, x["type"], y["type"]))
                if x["size"] != y["size"] or x["sha256"] != y["sha256"]:
                    diffs["attachment content"].append((name, (x["size"], x["sha256"][:12]), (y["size"], y["sha256"][:12])))
    print(f"compared {seen} of {len(exp)} messages")
    for kind, lst in sorted(diffs.items()):
        print(f"{kind}: {len(lst)} differences")
        for name, got, want in lst[:a.show]:
            print(f"  {name}: got {json.dumps(got, ensure_ascii=False)}")
            print(f"  {' ' * len(name)}  want {json.dumps(want, ensure_ascii=False)}")
    if not diffs:
        print("all fields equal")
    sys.exit(1 if diffs or seen != len(exp) else 0)


if __name__ == "__main__":
    main()
