#!/usr/bin/python3
"""The least an IMAP client can do: log in over IMAPS, ask for every body of
INBOX in one UID FETCH and throw the bytes away. Its time is the mail
server's ceiling for intake_bench.sh (no parsing, no disk).
Usage: null_imap_fetch.py PORT CA_FILE USER PASSWORD"""
import re
import socket
import ssl
import sys
import time

port, ca, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
context = ssl.create_default_context(cafile=ca)
start = time.monotonic()
with context.wrap_socket(socket.create_connection(("127.0.0.1", port)),
                         server_hostname="localhost") as tls:
    tls.sendall(f"a LOGIN {user} {password}\r\nb EXAMINE INBOX\r\n"
                "c UID FETCH 1:* (BODY.PEEK[])\r\nd LOGOUT\r\n".encode())
    buffer = bytearray(1 << 20)
    tail = b""
    total = 0
    while True:
        n = tls.recv_into(buffer)
        if n == 0:
            break
        total += n
        tail = (tail + bytes(buffer[max(0, n - 256):n]))[-512:]
        if re.search(rb"\r\nc (OK|NO|BAD) ", tail):  # the FETCH's tagged reply
            break
print(f"{time.monotonic() - start:.3f} {total}")
