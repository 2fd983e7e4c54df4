#!/usr/bin/python3
"""Delivers every .eml file of a folder into a Dovecot user's INBOX over
LMTP, in one connection (the fastest way to fill a test mailbox).
Usage: lmtp_fill.py HOST PORT USER FOLDER"""
import glob
import os
import smtplib
import sys

host, port, user, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
files = sorted(glob.glob(os.path.join(folder, "*.eml")))
with smtplib.LMTP(host, port) as lmtp:
    for path in files:
        with open(path, "rb") as f:
            data = f.read()
        lmtp.sendmail("bench@localhost", [user], data)
print(f"delivered {len(files)} messages")
