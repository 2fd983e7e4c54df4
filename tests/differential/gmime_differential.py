#!/usr/bin/python3
"""Differential test: schoolmail's MIME reader against GMime 3.

Over the whole corpus (tests/corpus/INDEX.tsv) and over generated
submissions (bench/gen_submissions.py), the subject, the senders, the text
and every attachment's name, type, size and SHA-256 must agree with GMime
(bench/gmime_reader.c), or the difference must be listed in
known_differences.tsv with the reason GMime is wrong. A listed difference
that no longer occurs is an error too, so the list stays true.

For generated messages the generator's ground truth decides: every
difference from GMime must be one where schoolmail equals the ground truth.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def run_gmime(gmime, files):
    out = subprocess.run([gmime, "--json", *files], capture_output=True,
                         text=True)
    result = {}
    for line in out.stdout.split("\n"):
        if not line:
            continue
        entry = json.loads(line)
        result[entry["file"]] = entry
    return result


def run_ours(schoolmail, path):
    env = dict(os.environ, SCHOOLMAIL_CONFIG="")
    out = subprocess.run([schoolmail, "parse-mail", path], capture_output=True,
                         text=True, env=env, check=True)
    return json.loads(out.stdout)


def view_gmime(entry):
    """The compared fields, from gmime_reader's JSON."""
    if "error" in entry:
        return {"error": entry["error"]}
    text = entry["text"]
    return {
        "subject": entry["subject"],
        "from": [((m["name"] or ""), (m["address"] or "").lower())
                 for m in entry["from"]],
        "text": None if entry.get("text_is_html") else
        (text or "").replace("\r\n", "\n"),
        "text_is_html": bool(entry.get("text_is_html")),
        "attachments": [((a["name"] or ""), a["type"], a["size"], a["sha256"])
                        for a in entry["attachments"]],
    }


def view_ours(entry):
    if entry.get("rejected"):
        return {"error": "rejected: " + entry["rejected"]["reason"]}
    return {
        "subject": entry["subject"],
        "from": [(m["name"], m["address"].lower()) for m in entry["from"]],
        "text": None if entry["text_from_html"] else entry["text"],
        "text_is_html": entry["text_from_html"],
        "attachments": [(a["name"], a["type"], a["size"], a["sha256"])
                        for a in entry["attachments"]],
    }


def differences(ours, gmime):
    if "error" in ours or "error" in gmime:
        return {"parse"} if ours.get("error") != gmime.get("error") else set()
    fields = set()
    for field in ("subject", "from", "attachments", "text_is_html"):
        if ours[field] != gmime[field]:
            fields.add(field)
    # HTML-only mail: we give readable text, GMime the raw HTML. Compared
    # when both chose a plain part.
    if ours["text"] is not None and gmime["text"] is not None and \
            ours["text"] != gmime["text"]:
        fields.add("text")
    return fields


def load_known(path):
    known = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3 or not parts[2].strip():
                sys.exit(f"{path}:{number}: want FILE<TAB>FIELD<TAB>REASON")
            known[(parts[0], parts[1])] = parts[2]
    return known


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--schoolmail", required=True)
    ap.add_argument("--gmime", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--generator", required=True)
    ap.add_argument("--known", required=True)
    args = ap.parse_args()
    failures = []

    # 1. The corpus.
    known = load_known(args.known)
    seen_known = set()
    index = os.path.join(args.corpus, "INDEX.tsv")
    with open(index, encoding="utf-8") as f:
        paths = [line.split("\t")[0] for line in f.read().splitlines()[1:]]
    gmime = run_gmime(args.gmime, [os.path.join(args.corpus, p) for p in paths])
    agreed = 0
    for path in paths:
        full = os.path.join(args.corpus, path)
        ours = view_ours(run_ours(args.schoolmail, full))
        theirs = view_gmime(gmime[full])
        diff = differences(ours, theirs)
        if not diff:
            agreed += 1
        for field in sorted(diff):
            if (path, field) in known:
                seen_known.add((path, field))
                continue
            failures.append(f"corpus {path}: {field} differs and is not in "
                            f"known_differences.tsv\n  schoolmail: "
                            f"{ours.get(field, ours)!r:.300}\n  gmime:      "
                            f"{theirs.get(field, theirs)!r:.300}")
    for key in sorted(set(known) - seen_known):
        failures.append(f"known_differences.tsv lists {key[0]} {key[1]}, "
                        "but the two now agree: remove the line")
    print(f"corpus: {len(paths)} messages, {agreed} agree in every field, "
          f"{len(seen_known)} listed differences")

    # 2. Generated submissions, against the ground truth.
    with tempfile.TemporaryDirectory() as work:
        generated = 0
        gmime_wrong = 0
        for mode in (["--count", "12", "--seed", "7"],
                     ["--text-only", "--count", "150", "--seed", "7"]):
            out = os.path.join(work, mode[0])
            subprocess.run([sys.executable, args.generator, out, *mode],
                           check=True, capture_output=True)
            with open(os.path.join(out, "expected.jsonl"),
                      encoding="utf-8") as f:
                truth = {e["file"]: view_gmime(e)
                         for e in map(json.loads, f)}
            files = sorted(os.path.join(out, n) for n in truth)
            gm = run_gmime(args.gmime, files)
            for full in files:
                name = os.path.basename(full)
                generated += 1
                ours = view_ours(run_ours(args.schoolmail, full))
                expected = truth[name]
                for field in sorted(differences(ours, expected)):
                    failures.append(f"generated {name}: {field} differs from "
                                    f"the ground truth\n  schoolmail: "
                                    f"{ours[field]!r:.300}\n  truth:      "
                                    f"{expected[field]!r:.300}")
                if differences(ours, view_gmime(gm[full])):
                    gmime_wrong += 1  # ours equals the truth, so GMime erred
        print(f"generated: {generated} messages equal the ground truth; "
              f"GMime differs from it on {gmime_wrong}")

    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
