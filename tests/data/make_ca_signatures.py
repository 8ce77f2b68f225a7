#!/usr/bin/env python3
"""Certificates signed by the CA key types beyond RSA/ECDSA/Ed25519: ssh-dss (made by ssh-keygen -s),
sk-ssh-ed25519 and sk-ecdsa-sha2-nistp256 (no FIDO token here: the security key's half is a plain
Ed25519 / P-256 key made by pyca/cryptography, signing what a token signs, PROTOCOL.u2f), a
small-order Ed25519 CA, and broken variants of each.

Writes ca_signatures/*.pub and ca_signatures.txt (one case per line):

    EXPECT<TAB>OPENSSH<TAB>FILE<TAB># note

EXPECT is `ok:SIGNATURE-ALGORITHM` (the crate accepts it, signed with that algorithm) or an
`Error::kind()` name, under `Policy::inspect()`; `A,min0:B` adds B, the result with no smallest
RSA size (`with_min_rsa_bits(0)`, for the tiny RSA CAs). OPENSSH is what `ssh-keygen -L -f FILE`
(OpenSSH 9.2, which verifies the CA signature when it parses a certificate) does with it:
`accepts` or `refuses`. tests/library/certificates.rs checks both columns, the second against the
installed ssh-keygen. Run from anywhere:
`python3 tests/data/make_ca_signatures.py` (new random keys and nonces every time).
"""

import hashlib
import os
import shutil
import subprocess
import tempfile

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, utils
from cryptography.hazmat.primitives import hashes

from sshwire import Cert, Reader, b64, mpint, principals, public_blob_of, random_prime, read_line, string, u32, u64

os.chdir(os.path.dirname(os.path.abspath(__file__)))
OUT = "ca_signatures"
shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT)
CASES = []

SK_ED = "sk-ssh-ed25519@openssh.com"
SK_EC = "sk-ecdsa-sha2-nistp256@openssh.com"
CERT = "ssh-ed25519-cert-v01@openssh.com"
SUBJECT_TYPE, SUBJECT_BLOB, _ = read_line("keys/ed25519.pub")


def case(expect, openssh, name, blob, note):
    Cert(blob)  # parses back
    path = f"{OUT}/{name}-cert.pub"
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{CERT} {b64(blob)} {name}\n")
    CASES.append(f"{expect}\t{openssh}\t{path}\t# {note}")


def tbs(ca_blob, key_id):
    return (
        string(CERT)
        + string(os.urandom(32))
        + SUBJECT_BLOB[len(string(SUBJECT_TYPE)) :]
        + u64(1)
        + u32(1)
        + string(key_id)
        + string(principals("alice"))
        + u64(0)
        + u64(2**64 - 1)
        + string(b"")
        + string(b"")
        + string(b"")
        + string(ca_blob)
    )


def sk_message(app, flags, counter, data):
    return hashlib.sha256(app).digest() + bytes([flags]) + u32(counter) + hashlib.sha256(data).digest()


def sk_ed25519(app=b"ssh:", flags=0x01, counter=7, mutate=None, key_id="sk-ed25519-ca", alg=SK_ED, extra=b""):
    ca = ed25519.Ed25519PrivateKey.generate()
    ca_blob = string(SK_ED) + string(public_blob_of(ca)[-32:]) + string(app)
    t = tbs(ca_blob, key_id)
    raw = ca.sign(sk_message(app, flags, counter, t))
    if mutate:
        flags, counter = mutate(flags, counter)
    tail = bytes([flags]) + u32(counter) if alg == SK_ED else b""
    return t + string(string(alg) + string(raw) + tail + extra)


def sk_ed25519_no_counter():
    ca = ed25519.Ed25519PrivateKey.generate()
    ca_blob = string(SK_ED) + string(public_blob_of(ca)[-32:]) + string(b"ssh:")
    t = tbs(ca_blob, "sk-ed25519-ca")
    raw = ca.sign(sk_message(b"ssh:", 1, 0, t))
    return t + string(string(SK_ED) + string(raw) + b"\x01")


def sk_ecdsa(app=b"ssh:", flags=0x05, counter=1, mutate=None, key_id="sk-ecdsa-ca", extra=b"", pad_r=False):
    ca = ec.generate_private_key(ec.SECP256R1())
    ca_blob = string(SK_EC) + string("nistp256") + string(public_blob_of(ca)[-65:]) + string(app)
    t = tbs(ca_blob, key_id)
    r, s = utils.decode_dss_signature(ca.sign(sk_message(app, flags, counter, t), ec.ECDSA(hashes.SHA256())))
    r_enc = mpint(r)
    if pad_r:  # a redundant leading zero byte in r
        body = r_enc[4:]
        r_enc = u32(len(body) + 1) + b"\x00" + body
    if mutate:
        flags, counter = mutate(flags, counter)
    return t + string(string(SK_EC) + string(r_enc + mpint(s)) + bytes([flags]) + u32(counter) + extra)


# ---- security-key CAs ----------------------------------------------------------------------------
case("ok:sk-ssh-ed25519@openssh.com", "accepts", "sk_ed25519-up", sk_ed25519(), "sk-ssh-ed25519 CA, flags 0x01 (user present), counter 7")
case("ok:sk-ssh-ed25519@openssh.com", "accepts", "sk_ed25519-no-flags", sk_ed25519(flags=0x00, counter=0), "sk-ssh-ed25519 CA, flags 0x00: OpenSSH does not look at a CA signature's flags")
case("ok:sk-ssh-ed25519@openssh.com", "accepts", "sk_ed25519-emptyapp", sk_ed25519(app=b""), "sk-ssh-ed25519 CA with an empty application")
case("ok:sk-ecdsa-sha2-nistp256@openssh.com", "accepts", "sk_ecdsa-up-uv", sk_ecdsa(), "sk-ecdsa CA, flags 0x05 (present, verified), counter 1")
case("ok:sk-ecdsa-sha2-nistp256@openssh.com", "accepts", "sk_ecdsa-counter-max", sk_ecdsa(flags=0x01, counter=0xFFFFFFFF), "sk-ecdsa CA, counter 2^32-1")
case("certificate_signature_invalid", "refuses", "sk_ed25519-flags-changed", sk_ed25519(mutate=lambda f, c: (f ^ 0x04, c)), "sk-ed25519: flags byte changed after signing")
case("certificate_signature_invalid", "refuses", "sk_ed25519-counter-changed", sk_ed25519(mutate=lambda f, c: (f, c + 1)), "sk-ed25519: counter changed after signing")
case("certificate_signature_invalid", "refuses", "sk_ecdsa-counter-changed", sk_ecdsa(mutate=lambda f, c: (f, c + 1)), "sk-ecdsa: counter changed after signing")
case("certificate_signature_algorithm", "refuses", "sk_ed25519-plain-alg", sk_ed25519(alg="ssh-ed25519"), "sk-ed25519 CA key, signature named ssh-ed25519")
case("trailing_data", "refuses", "sk_ecdsa-trailing", sk_ecdsa(extra=b"\x00"), "sk-ecdsa: a byte after the counter")
case("truncated", "refuses", "sk_ed25519-no-counter", sk_ed25519_no_counter(), "sk-ed25519: the signature ends after the flags byte")
case("non_canonical_integer", "accepts", "sk_ecdsa-r-leading-zero", sk_ecdsa(pad_r=True), "sk-ecdsa: r with a redundant leading zero: OpenSSH trims it, the crate wants canonical mpints")

# ---- DSA CA (ssh-keygen -s ca/ca_dsa) ------------------------------------------------------------
tmp = tempfile.mkdtemp()
try:
    shutil.copy("ca/ca_dsa", f"{tmp}/ca_dsa")
    os.chmod(f"{tmp}/ca_dsa", 0o600)
    for i in range(4):
        k = f"{tmp}/k{i}"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"dsa-ca-{i}", "-f", k], check=True)
        subprocess.run(["ssh-keygen", "-q", "-s", f"{tmp}/ca_dsa", "-I", f"by-dsa-{i}", "-n", "alice", "-z", str(100 + i), f"{k}.pub"], check=True)
        t, blob, _ = read_line(f"{k}-cert.pub")
        name = f"dsa-{i}"
        with open(f"{OUT}/{name}-cert.pub", "w", encoding="utf-8") as f:
            f.write(f"{t} {b64(blob)} {name}\n")
        CASES.append(f"ok:ssh-dss\taccepts\t{OUT}/{name}-cert.pub\t# ssh-keygen -s with a DSA CA ({i})")
        if i == 0:
            c = Cert(blob)
            sig = bytearray(c.signature)
            sig[-1] ^= 0x01
            c.signature = bytes(sig)
            case("certificate_signature_invalid", "refuses", "dsa-s-changed", c.blob(), "ssh-dss: last byte of s changed")
            c = Cert(blob)
            c.signature = string("ssh-dss") + string(c.signature[-40:] + b"\x00")
            case("certificate_signature_invalid", "refuses", "dsa-41-bytes", c.blob(), "ssh-dss: 41-byte signature body")
            c = Cert(blob)
            c.signature = string("ssh-dss") + string(bytes(20) + c.signature[-20:])
            case("certificate_signature_invalid", "refuses", "dsa-r-zero", c.blob(), "ssh-dss: r = 0")
            # With s = 0 (or s = q, which is 0 mod q), w = s^-1 = 0 and v = g^0 y^0 = 1: r = 1
            # "verifies" for every message unless 0 < s < q is checked.
            ca_reader = Reader(c.ca_key)
            ca_reader.string()
            ca_reader.string()
            q = int.from_bytes(ca_reader.string(), "big")
            c.signature = string("ssh-dss") + string((1).to_bytes(20, "big") + bytes(20))
            case("certificate_signature_invalid", "refuses", "dsa-r-one-s-zero", c.blob(), "ssh-dss: r = 1, s = 0 (v = 1 for every message)")
            c.signature = string("ssh-dss") + string((1).to_bytes(20, "big") + q.to_bytes(20, "big"))
            case("certificate_signature_invalid", "refuses", "dsa-r-one-s-q", c.blob(), "ssh-dss: r = 1, s = q (0 mod q)")
finally:
    shutil.rmtree(tmp)

# ---- ECDSA CA: r or s longer than the curve's order ------------------------------------------------
def ecdsa_long(which):
    ca = ec.generate_private_key(ec.SECP256R1())
    ca_blob = string("ecdsa-sha2-nistp256") + string("nistp256") + string(public_blob_of(ca)[-65:])
    t = tbs(ca_blob, f"ecdsa-long-{which}")
    r, s = utils.decode_dss_signature(ca.sign(t, ec.ECDSA(hashes.SHA256())))
    long = 2**256 + 1  # 33 significant bytes
    r, s = (long, s) if which == "r" else (r, long)
    return t + string(string("ecdsa-sha2-nistp256") + string(mpint(r) + mpint(s)))


for which in ("r", "s"):
    case("certificate_signature_invalid", "refuses", f"ecdsa256-{which}-33-bytes", ecdsa_long(which), f"ecdsa-sha2-nistp256: {which} of 33 bytes (over the order)")

# ---- RSA CA signature one byte longer than the modulus (a leading zero) ----------------------------
_, blob, _ = read_line("keys/ed25519-by-rsa-sha256-cert.pub")
c = Cert(blob)
r = Reader(c.signature)
alg = r.string()
c.signature = string(alg) + string(b"\x00" + r.string())
case("certificate_signature_invalid", "refuses", "rsa-sig-leading-zero", c.blob(), "rsa-sha2-256: signature with a leading zero byte, longer than the modulus (OpenSSH: key bits mismatch)")

# ---- RSA CA signatures with the encoded message made by hand: s = EM^d mod n ------------------------
SHA256_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def rsa_ca(bits, e=65537):
    """(n, e, d) of a fresh `bits`-bit RSA key, primes by sshwire's Miller-Rabin."""
    while True:
        p = random_prime(bits // 2, coprime_to=e)
        q = random_prime(bits - bits // 2, coprime_to=e)
        if p != q and (p * q).bit_length() == bits:
            return p * q, e, pow(e, -1, (p - 1) * (q - 1))


def rsa_em_cert(ca, key_id, ps_len=None, tweak=None):
    """A certificate whose rsa-sha2-256 signature is EM^d: EM = 00 01 ff.. 00 DigestInfo || H,
    PS of `ps_len` bytes (k - 3 - len(T) by default), `tweak(em)` applied before signing."""
    n, e, d = ca
    k = (n.bit_length() + 7) // 8
    t = tbs(string("ssh-rsa") + mpint(e) + mpint(n), key_id)
    tail = SHA256_INFO + hashlib.sha256(t).digest()
    ps = k - 3 - len(tail) if ps_len is None else ps_len
    em = bytearray(b"\x00\x01" + b"\xff" * ps + b"\x00" + tail)
    em = bytes(k - len(em)) + em if len(em) < k else em
    if tweak:
        tweak(em)
    sig = pow(int.from_bytes(em, "big"), d, n).to_bytes(k, "big")
    return t, sig


def rsa_sig(t, sig):
    return t + string(string("rsa-sha2-256") + string(sig))


CA1024 = rsa_ca(1024)
t, sig = rsa_em_cert(CA1024, "rsa-em-control")
case("ok:rsa-sha2-256", "accepts", "rsa-em-control", rsa_sig(t, sig), "rsa-sha2-256: the encoded message made by hand (the control of the rsa-em-* cases)")


def set_at(i, v):
    def tweak(em):
        em[i] = v

    return tweak


PS_1024 = 128 - 3 - 51
for name, tweak, note in [
    ("rsa-em-first-byte-1", set_at(0, 0x01), "EM starts 01 01 (not 00 01)"),
    ("rsa-em-second-byte-2", set_at(1, 0x02), "EM starts 00 02 (PKCS#1 encryption padding)"),
    ("rsa-em-ps-fe", set_at(2 + PS_1024 // 2, 0xFE), "one byte of the ff padding is fe"),
    ("rsa-em-separator-1", set_at(2 + PS_1024, 0x01), "the 00 after the padding is 01"),
    ("rsa-em-digest-info", set_at(3 + PS_1024 + 14, 0x03), "the DigestInfo names SHA-512 (OID arc 3) over a SHA-256 hash"),
]:
    t, sig = rsa_em_cert(CA1024, name, tweak=tweak)
    case("certificate_signature_invalid", "refuses", name, rsa_sig(t, sig), f"rsa-sha2-256 signed over a broken encoded message: {note}")

# A signature shorter than the modulus (its first byte was 00): OpenSSH pads it back to k bytes.
for i in range(4096):
    t, sig = rsa_em_cert(CA1024, "rsa-sig-short")
    if sig[0] == 0:
        case("ok:rsa-sha2-256", "accepts", "rsa-sig-short", rsa_sig(t, sig[1:]), "rsa-sha2-256: a signature one byte shorter than the modulus (its leading 00 left out): OpenSSH pads it")
        break
else:
    raise SystemExit("no signature with a leading zero byte")

# CA keys too small for a PKCS#1 v1.5 SHA-256 signature (k >= len(T) + 11 = 62 bytes): refused
# under any policy that takes their size (OpenSSH refuses RSA keys under 1024 bits), read with
# `Policy::inspect().with_min_rsa_bits(0)` in the second EXPECT (after `,min0:`).
t, sig = rsa_em_cert(rsa_ca(496), "rsa-496-ca")
case("rsa_key_size,min0:ok:rsa-sha2-256", "refuses", "rsa-496-ca", rsa_sig(t, sig), "a 496-bit RSA CA (k = 62 bytes, PS of 8, the least PKCS#1 allows)")
t, sig = rsa_em_cert(rsa_ca(488), "rsa-488-ca-ps-7", ps_len=7)
case("rsa_key_size,min0:certificate_signature_invalid", "refuses", "rsa-488-ca-ps-7", rsa_sig(t, sig), "a 488-bit RSA CA (k = 61 bytes): PS of 7 bytes, under PKCS#1's 8")
n400 = rsa_ca(400)
t = tbs(string("ssh-rsa") + mpint(n400[1]) + mpint(n400[0]), "rsa-400-ca")
case("rsa_key_size,min0:certificate_signature_invalid", "refuses", "rsa-400-ca", rsa_sig(t, (2).to_bytes(50, "big")), "a 400-bit RSA CA (k = 50 bytes, shorter than the 51-byte DigestInfo || H)")

# ---- small-order Ed25519 CA: R = identity, S = 0 "verifies" for every message ------------------------
IDENTITY = b"\x01" + bytes(31)
t = tbs(string("ssh-ed25519") + string(IDENTITY), "small-order-ca")
case("certificate_ca_key_small_order", "accepts", "ed25519-identity-ca", t + string(string("ssh-ed25519") + string(IDENTITY + bytes(32))), "Ed25519 CA key = identity point, signature R = identity, S = 0: OpenSSH accepts it")
t = tbs(string(SK_ED) + string(IDENTITY) + string("ssh:"), "small-order-sk-ca")
case("certificate_ca_key_small_order", "accepts", "sk_ed25519-identity-ca", t + string(string(SK_ED) + string(IDENTITY + bytes(32)) + b"\x01" + u32(1)), "sk-ed25519 CA key = identity point, R = identity, S = 0")

# ---- Ed25519 CA signature with S not reduced (S + L): OpenSSH 9.2 only checks the top 3 bits -------
L = 2**252 + 27742317777372353535851937790883648493
for _ in range(64):
    ca = ed25519.Ed25519PrivateKey.generate()
    t = tbs(string("ssh-ed25519") + string(public_blob_of(ca)[-32:]), "s-not-reduced")
    sig = ca.sign(t)
    s = int.from_bytes(sig[32:], "little") + L
    if s < 2**253:
        case("certificate_signature_invalid", "accepts", "ed25519-s-plus-l", t + string(string("ssh-ed25519") + string(sig[:32] + s.to_bytes(32, "little"))), "Ed25519 CA signature with S + L: the crate wants S reduced")
        break

with open("ca_signatures.txt", "w", encoding="utf-8") as f:
    f.write("# EXPECT<TAB>OPENSSH<TAB>FILE<TAB># note: made by make_ca_signatures.py; see its docstring.\n")
    f.write("\n".join(CASES) + "\n")
