#!/usr/bin/env python3
"""Nova's verdict on SSH public keys, as test vectors (nova_keys.txt).

Runs Nova's own validation, `nova/crypto.py` `generate_fingerprint`, verbatim (pyca/cryptography's
`load_ssh_public_key`, then the MD5 of `base64.b64decode(public_key.split(' ')[1])`), on every
key in ../keys/ and ../rejected/ and on variants of a few of them (leading blanks, TAB or
space+TAB separators, a trailing CRLF, ...). Each line: `NOVA<TAB>ESCAPED-INPUT<TAB># note`,
where NOVA is the colon-hex MD5 Nova answers or `refused`. Needs python3 with cryptography
(48 was used).
"""
import base64
import hashlib
import importlib.metadata
import os
import sys

from cryptography.hazmat.primitives import serialization

HERE = os.path.dirname(os.path.abspath(__file__))


def generate_fingerprint(public_key):
    """nova/crypto.py, master: any exception is InvalidKeypair."""
    try:
        pub_bytes = public_key.encode('utf-8')
        serialization.load_ssh_public_key(pub_bytes)
        pub_data = base64.b64decode(public_key.split(' ')[1])
        raw_fp = hashlib.md5(pub_data, usedforsecurity=False).hexdigest()
        return ':'.join(a + b for a, b in zip(raw_fp[::2], raw_fp[1::2]))
    except Exception:
        return "refused"


def escape(s):
    out = []
    for c in s:
        if c == "\\":
            out.append("\\\\")
        elif c == "\t":
            out.append("\\t")
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        else:
            out.append(c)
    return "".join(out)


def variants(line):
    typ, rest = line.split(" ", 1)
    b64, _, comment = rest.partition(" ")
    yield "as is", line
    yield "leading space", " " + line
    yield "leading newline", "\n" + line
    yield "leading TAB", "\t" + line
    yield "TAB after the type", typ + "\t" + rest
    yield "TAB TAB after the type", typ + "\t\t" + rest
    yield "space TAB after the type", typ + " \t" + rest
    yield "TAB space after the type", typ + "\t " + rest
    yield "trailing CRLF", line + "\r\n"
    yield "trailing spaces", line + "  "
    if comment:
        yield "TAB before the comment", typ + " " + b64 + "\t" + comment
        yield "no comment", typ + " " + b64


def main():
    print("# Nova's verdict (nova/crypto.py generate_fingerprint with cryptography %s) on keys"
          % importlib.metadata.version("cryptography"))
    print("# made by nova_keys.py: NOVA<TAB>ESCAPED-INPUT<TAB># note (NOVA: MD5 or refused)")
    varied = {"ed25519.pub", "rsa2048.pub", "sk_ed25519.pub", "sk_ecdsa.pub",
              "ed25519-by-ed25519-cert.pub"}
    for folder in ("keys", "rejected"):
        for name in sorted(os.listdir(os.path.join(HERE, "..", folder))):
            if not name.endswith(".pub"):
                continue
            line = open(os.path.join(HERE, "..", folder, name)).read().rstrip("\n")
            if name in varied:
                cases = list(variants(line))
            else:
                cases = [("as is", line)]
            for note, text in cases:
                print("%s\t%s\t# %s/%s %s" % (generate_fingerprint(text), escape(text), folder,
                                              name, note))


if __name__ == "__main__":
    sys.exit(main())
