#!/usr/bin/env python3
"""Writes the committed seeds and hostile regressions of the operator-file fuzz targets.

    python3 fuzz/make_file_seeds.py   # rewrite fuzz/{seeds,regressions}/{parse_line,private_key_file,differential}/
                                      # (regressions: only the hand-made files named below)

parse_line: authorized_keys and known_hosts lines (options, quoting, markers, hashed and plain
hosts, negations, wildcards, [host]:port, comment and blank lines) around a few keys of
tests/data/keys/, and whole small files of such lines.

private_key_file: every file of tests/data/private/ as it is (byte 0 = 0), the OpenSSH keys'
binary under byte 1 (also with the bcrypt rounds set to 1 and to 4096), the PEM files' DER
under bytes 2 (PKCS#1), 3 (SEC1) and 4 (PKCS#8).

differential: separator and trimming variants of a few keys (TAB, runs of blanks, leading and
trailing whitespace, a trailing Unicode space in the comment); the target also reads
seeds/parse_public_key/ (tests/library/fuzz_corpus.rs replays both).
"""

import base64
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "tests", "data")


def key(name):
    with open(os.path.join(DATA, "keys", name), "rb") as f:
        t, b64 = f.read().split()[:2]
    return t + b" " + b64


def write(kind, target, name, data):
    d = os.path.join(HERE, kind, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def pem_body(text):
    return base64.b64decode(b"".join(l for l in text.splitlines() if not l.startswith(b"-----")))


def set_rounds(blob, rounds):
    at = 15
    for _ in range(2):
        (n,) = struct.unpack(">I", blob[at : at + 4])
        at += 4 + n
    at += 4
    (n,) = struct.unpack(">I", blob[at : at + 4])
    at += 4 + n
    return blob[:at] + struct.pack(">I", rounds) + blob[at + 4 :]


def main():
    ed, ec, rsa = key("ed25519.pub"), key("ecdsa256.pub"), key("rsa1024.pub")
    cert = key("ed25519-by-ed25519-cert.pub")
    lines = {
        "bare": ed + b" me@host",
        "options": b'command="echo \\"a b\\"",no-pty,from="10.0.0.0/8" ' + ed + b" k",
        "options-restrict": b"restrict,pty,permitopen=\"h:22\",environment=\"A=b\" " + ec,
        "options-negated": b"NO-port-forwarding,no-agent-forwarding,cert-authority " + rsa,
        "options-bad": b"bogus,command=\"x " + ed,
        "options-unterminated": b'command="x ' + ed,
        "known-plain": b"host1,10.0.0.2 " + ec + b" c",
        "known-port": b"[host2]:2222,[*.lan]:* " + ed,
        "known-negated": b"*.example.com,!bad.example.com,h?st " + ed,
        "known-hashed": b"|1|xLLqT8AHeRYV5aSX8DUk6Nb2C3Q=|hYH9jBJRphL4ToB5nQ9uu4AnkLg= " + ed,
        "known-hashed-bad": b"|1|AAAA|x " + ed,
        "marker-revoked": b"@revoked * " + ec,
        "marker-ca": b"@cert-authority *.example.com " + cert,
        "marker-unknown": b"@trusted * " + ed,
        "marker-twice": b"@revoked @revoked * " + ed,
        "comment-line": b"# " + ed + b" disabled",
        "indented-comment": b" \t#" + ed,
        "tab-separated": b"h\t" + ed.replace(b" ", b"\t") + b"\tc",
        "crlf": b"restrict " + ed + b" c\r",
        "file": b"# authorized_keys\n\n" + ed + b" a\nno-pty " + ec + b"\n  # off\nbogus " + rsa + b"\n",
        "file-known": b"@revoked h " + ed + b"\n|1|AAAAAAAAAAAAAAAAAAAAAAAAAAA=|x " + ec + b"\nh,,a, " + rsa + b"\n",
    }
    for name, data in lines.items():
        write("seeds", "parse_line", name, data)
    # Hostile: a pattern with many stars against a long name (OpenSSH's recursion is
    # exponential), a long option list, a long hashed salt.
    write("regressions", "parse_line", "many-star-pattern",
          b"*a" * 200 + b"b " + ed + b" " + b"a" * 400)
    write("regressions", "parse_line", "long-option-list",
          b",".join([b"no-pty"] * 1500) + b" " + ed)
    write("regressions", "parse_line", "long-hashed-salt",
          b"|1|" + b"A" * 2000 + b"=|x " + ed)

    priv = os.path.join(DATA, "private")
    for name in sorted(os.listdir(priv)):
        with open(os.path.join(priv, name), "rb") as f:
            data = f.read()
        write("seeds", "private_key_file", "file-" + name, b"\0" + data)
        label = re.match(rb"\s*-----BEGIN ([A-Z ]+)-----", data)
        if not label:
            continue
        body = pem_body(data)
        mode = {b"OPENSSH PRIVATE KEY": 1, b"RSA PRIVATE KEY": 2, b"EC PRIVATE KEY": 3,
                b"PRIVATE KEY": 4}.get(label.group(1))
        if mode is None:
            continue
        write("seeds", "private_key_file", "binary-" + name, bytes([mode]) + body)
        if mode == 1 and b"bcrypt" in body[:64]:
            for rounds in (1, 4096):
                write("seeds", "private_key_file", f"binary-{name}-rounds-{rounds}",
                      b"\1" + set_rounds(body, rounds))
            for rounds in (0, 4097, 0xFFFFFFFF):
                write("regressions", "private_key_file", f"kdf-rounds-{rounds}",
                      b"\1" + set_rounds(body, rounds))
            write("regressions", "private_key_file", "encrypted-truncated",
                  b"\1" + body[: len(body) // 2])

    variants = {
        "tab": ed.replace(b" ", b"\t") + b"\tme",
        "two-spaces": ed.replace(b" ", b"  ") + b"  me",
        "leading-space": b"  " + ed,
        "trailing-crlf": ed + b" me\r\n",
        "comment-unicode-space": ed + " me\u3000".encode(),
        "comment-inner-tab": ed + b" a\tb",
        "cert": cert + b" c",
        "unknown-at-type": b"foo@example.com AAAAD2Zvb0BleGFtcGxlLmNvbQAAAAEA",
    }
    for name, data in variants.items():
        write("seeds", "differential", name, data)
    write("regressions", "differential", "comment-with-control",
          ed + b" a\x01b")


if __name__ == "__main__":
    main()
