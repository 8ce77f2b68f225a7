#!/usr/bin/env python3
"""Writes the committed fuzz seeds from the crate's test data (tests/data/, see its README.md).

    python3 fuzz/make_seeds.py          # rewrite fuzz/seeds/{parse_public_key,api_request}/
    python3 fuzz/make_seeds.py --check  # exit 1 if the committed seeds are not what it would write

parse_public_key: every key file (keys/, rejected/, ca/*.pub, ca_signatures/, nova/rsa_pub.txt), every non-key
format and private key (formats/, private/: the parser must name them), and every case of
valid_variants.txt and invalid.txt, unescaped, one file each. File names say where a seed came
from (`key-rsa2048.pub`, `invalid-L0123`, ...).

api_request: every distinct body of api/schema_vectors.json (Nova's schema, per microversion),
api/seed-import-req.json, an import body for every key file and for a few invalid keys, x509
imports of api/*.pem, every case of api/nova_keys.txt (Nova's own verdict on keys), a create body,
x509 create bodies (one for a user id over 64 characters) and bodies whose name is taken, each
behind byte 0x02 and a microversion byte; and 32 structured inputs (byte 0x01, then choice bytes:
the harness builds the body from them).

encode_generated seeds are hand-made (see README.md); this script leaves them alone.
"""

import base64
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "tests", "data")
SEEDS = os.path.join(HERE, "seeds")


def unescape(s):
    """Undoes the data files' escapes: \\\\ \\t \\n \\r \\0 \\xHH \\u{H..}."""
    out = bytearray()
    i = 0
    b = s.encode("utf-8")
    while i < len(b):
        if b[i : i + 1] != b"\\" or i + 1 == len(b):
            out.append(b[i])
            i += 1
            continue
        c = b[i + 1 : i + 2]
        simple = {b"\\": b"\\", b"t": b"\t", b"n": b"\n", b"r": b"\r", b"0": b"\0"}
        if c in simple:
            out += simple[c]
            i += 2
        elif c == b"x":
            out.append(int(b[i + 2 : i + 4], 16))
            i += 4
        elif c == b"u":
            end = b.index(b"}", i)
            out += chr(int(b[i + 3 : end], 16)).encode("utf-8")
            i = end + 1
        else:
            raise ValueError(f"unknown escape \\{c!r}")
    return bytes(out)


def cases(name):
    """(line number, input bytes) of a EXPECTED<TAB>ESCAPED-INPUT[<TAB># note] file."""
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) < 2:
                raise ValueError(f"{name}:{n}: no TAB")
            yield n, unescape(fields[1])


def files(sub, pattern=".*"):
    d = os.path.join(DATA, sub)
    for f in sorted(os.listdir(d)):
        p = os.path.join(d, f)
        if os.path.isfile(p) and re.fullmatch(pattern, f):
            with open(p, "rb") as fh:
                yield f, fh.read()


def parse_seeds():
    seeds = {}
    for prefix, sub, pattern in [
        ("key", "keys", r".*\.pub"),
        ("rejected", "rejected", r".*\.pub"),
        ("ca", "ca", r".*\.pub"),
        ("casig", "ca_signatures", r".*\.pub"),
        ("format", "formats", r".*"),
        ("private", "private", r".*"),
        ("nova", "nova", r"rsa_pub\.txt"),
    ]:
        for f, content in files(sub, pattern):
            seeds[f"{prefix}-{f}"] = content
    for name, prefix in [("valid_variants.txt", "valid"), ("invalid.txt", "invalid")]:
        for n, data in cases(name):
            seeds[f"{prefix}-L{n:04}"] = data
    return seeds


def body(keypair):
    return json.dumps({"keypair": keypair}).encode("utf-8")


def api_seeds():
    bodies = set()
    with open(os.path.join(DATA, "api", "schema_vectors.json"), encoding="utf-8") as f:
        for case in json.load(f):
            if "body" in case:
                bodies.add(case["body"].encode("utf-8"))
            else:
                bodies.add(base64.b64decode(case["body_base64"]))
    with open(os.path.join(DATA, "api", "seed-import-req.json"), "rb") as f:
        bodies.add(f.read())
    for _, content in files("keys", r".*\.pub"):
        bodies.add(body({"name": "k", "public_key": content.decode("utf-8")}))
    for n, data in list(cases("invalid.txt"))[::25]:
        bodies.add(body({"name": "k", "public_key": data.decode("utf-8", "replace")}))
    for _, content in files("api", r".*\.pem"):
        bodies.add(body({"name": "x", "type": "x509", "public_key": content.decode("utf-8")}))
    for _, data in cases(os.path.join("api", "nova_keys.txt")):
        bodies.add(body({"name": "k", "public_key": data.decode("utf-8", "replace")}))
    bodies.add(body({"name": "winrm", "type": "x509"}))
    bodies.add(body({"name": "taken\n", "type": "x509"}))
    bodies.add(body({"name": "w", "type": "x509", "user_id": "u" * 65}))
    bodies.add(body({"name": "created"}))
    bodies.add(body({"name": "taken"}))
    with open(os.path.join(DATA, "keys", "ed25519.pub"), encoding="utf-8") as f:
        ed = f.read().strip()
    bodies.add(body({"name": "taken", "public_key": ed}))
    bodies.add(body({"name": "other", "public_key": ed, "user_id": "someone", "type": "ssh"}))
    # Byte 0x02, then the microversion's index (see harness/api_request.rs), then the body: each
    # body at one microversion, picked from its hash (the replay test sends every seed at all six).
    seeds = {}
    for b in bodies:
        digest = hashlib.sha1(b).hexdigest()
        seeds[f"body-{digest[:16]}"] = bytes([2, int(digest[16:18], 16) % 6]) + b
    # Structured inputs (first byte 0x01, see harness/api_request.rs): deterministic choice bytes.
    for i in range(32):
        seeds[f"structured-{i:02d}"] = b"\x01" + hashlib.sha256(b"structured %d" % i).digest() * 2
    return seeds


def write_seeds(target, seeds, check):
    out = os.path.join(SEEDS, target)
    os.makedirs(out, exist_ok=True)
    present = set(os.listdir(out))
    stale = sorted(present - set(seeds))
    differing = []
    for name, content in seeds.items():
        p = os.path.join(out, name)
        old = None
        if name in present:
            with open(p, "rb") as f:
                old = f.read()
        if old != content:
            differing.append(name)
            if not check:
                with open(p, "wb") as f:
                    f.write(content)
    if not check:
        for name in stale:
            os.remove(os.path.join(out, name))
    print(f"{target}: {len(seeds)} seeds, {len(differing)} new or changed, {len(stale)} stale")
    return bool(differing or stale)


def main():
    check = "--check" in sys.argv[1:]
    changed = write_seeds("parse_public_key", parse_seeds(), check)
    changed |= write_seeds("api_request", api_seeds(), check)
    if check and changed:
        sys.exit(1)


if __name__ == "__main__":
    main()
