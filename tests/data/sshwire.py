"""Shared helpers for construct.py and make_invalid.py (test data only, never run by the tests).

RFC 4251 wire encoding, OpenSSH public key and certificate blobs (PROTOCOL.certkeys), CA
signatures made with pyca/cryptography, fingerprints as ssh-keygen prints them, and the escape
format of the case files (see README.md).
"""

import base64
import hashlib
import random
import struct
import unicodedata

# ----- wire encoding ---------------------------------------------------------------------------


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


def string(b):
    if isinstance(b, str):
        b = b.encode()
    return u32(len(b)) + b


def mpint(v):
    """Canonical RFC 4251 mpint of a non-negative int."""
    if v == 0:
        return u32(0)
    body = v.to_bytes((v.bit_length() + 7) // 8, "big")
    if body[0] & 0x80:
        body = b"\0" + body
    return string(body)


def int_of(b):
    return int.from_bytes(b, "big")


class Reader:
    def __init__(self, buf):
        self.buf = buf
        self.pos = 0

    def u32(self):
        v = struct.unpack(">I", self.buf[self.pos : self.pos + 4])[0]
        self.pos += 4
        return v

    def u64(self):
        v = struct.unpack(">Q", self.buf[self.pos : self.pos + 8])[0]
        self.pos += 8
        return v

    def string(self):
        n = self.u32()
        s = self.buf[self.pos : self.pos + n]
        assert len(s) == n, "truncated"
        self.pos += n
        return s

    def raw_string(self):
        """The whole encoded string, length prefix included."""
        start = self.pos
        self.string()
        return self.buf[start : self.pos]

    def rest(self):
        return self.buf[self.pos :]

    def done(self):
        return self.pos == len(self.buf)


def b64(b):
    return base64.b64encode(b).decode()


def unb64(s):
    return base64.b64decode(s, validate=True)


# ----- key blobs -------------------------------------------------------------------------------

CERT_SUFFIX = "-cert-v01@openssh.com"

# Number of wire fields after the type name, per plain type.
KEY_FIELD_COUNT = {
    "ssh-rsa": 2,
    "ssh-dss": 4,
    "ecdsa-sha2-nistp256": 2,
    "ecdsa-sha2-nistp384": 2,
    "ecdsa-sha2-nistp521": 2,
    "ssh-ed25519": 1,
    "sk-ecdsa-sha2-nistp256@openssh.com": 3,
    "sk-ssh-ed25519@openssh.com": 2,
    "ssh-mldsa44-ed25519@openssh.com": 1,
}


def cert_name(plain):
    """ssh-ed25519 -> ssh-ed25519-cert-v01@openssh.com, sk-ssh-ed25519@openssh.com -> sk-ssh-ed25519-cert-v01@openssh.com."""
    if plain.endswith("@openssh.com"):
        return plain[: -len("@openssh.com")] + CERT_SUFFIX
    return plain + CERT_SUFFIX


def plain_name(cert):
    base = cert[: -len(CERT_SUFFIX)]
    return base if base + CERT_SUFFIX == cert and base in KEY_FIELD_COUNT else base + "@openssh.com"


def is_cert(name):
    return name.endswith(CERT_SUFFIX)


def split_plain(blob):
    """Plain key blob -> (type, [raw encoded fields])."""
    r = Reader(blob)
    t = r.string().decode()
    fields = [r.raw_string() for _ in range(KEY_FIELD_COUNT[t])]
    assert r.done()
    return t, fields


def plain_blob(t, fields):
    return string(t) + b"".join(fields)


def read_line(path):
    """A .pub file -> (type token, blob, comment)."""
    text = open(path, "rb").read().decode().strip("\r\n\t ")
    parts = text.split(None, 2)
    return parts[0], unb64(parts[1]), parts[2] if len(parts) > 2 else ""


def line(t, blob, comment=""):
    return f"{t} {b64(blob)}" + (f" {comment}" if comment else "")


class Cert:
    """An OpenSSH certificate blob split into its fields (raw encoded where noted)."""

    def __init__(self, blob):
        r = Reader(blob)
        self.type = r.string().decode()
        self.plain_type = plain_name(self.type)
        self.nonce = r.string()
        self.key_fields = [r.raw_string() for _ in range(KEY_FIELD_COUNT[self.plain_type])]
        self.serial = r.u64()
        self.cert_type = r.u32()
        self.key_id = r.string()
        self.principals = r.string()  # the packed list (strings)
        self.valid_after = r.u64()
        self.valid_before = r.u64()
        self.critical = r.string()  # packed (name, data) pairs
        self.extensions = r.string()
        self.reserved = r.string()
        self.ca_key = r.string()  # a plain key blob
        self.signature = r.string()  # string alg, string sig
        assert r.done()

    def tbs(self):
        """Everything the CA signature covers."""
        return (
            string(self.type)
            + string(self.nonce)
            + b"".join(self.key_fields)
            + u64(self.serial)
            + u32(self.cert_type)
            + string(self.key_id)
            + string(self.principals)
            + u64(self.valid_after)
            + u64(self.valid_before)
            + string(self.critical)
            + string(self.extensions)
            + string(self.reserved)
            + string(self.ca_key)
        )

    def blob(self):
        return self.tbs() + string(self.signature)

    def plain_blob(self):
        return plain_blob(self.plain_type, self.key_fields)

    def sig_alg(self):
        return Reader(self.signature).string().decode()

    def resign(self, ca_private, alg=None):
        self.signature = sign(ca_private, alg or self.sig_alg(), self.tbs())
        return self


def principals(*names):
    return b"".join(string(n) for n in names)


# ----- signatures with pyca/cryptography ---------------------------------------------------------


def load_private(path):
    from cryptography.hazmat.primitives import serialization

    return serialization.load_ssh_private_key(open(path, "rb").read(), password=None)


def sign(key, alg, data):
    """An SSH signature blob (string alg, string sig) over data by a pyca private key."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, padding, rsa, utils

    if isinstance(key, ed25519.Ed25519PrivateKey):
        assert alg == "ssh-ed25519"
        return string(alg) + string(key.sign(data))
    if isinstance(key, ec.EllipticCurvePrivateKey):
        h = {256: hashes.SHA256(), 384: hashes.SHA384(), 521: hashes.SHA512()}[key.curve.key_size]
        r, s = utils.decode_dss_signature(key.sign(data, ec.ECDSA(h)))
        return string(alg) + string(mpint(r) + mpint(s))
    if isinstance(key, rsa.RSAPrivateKey):
        h = {"ssh-rsa": hashes.SHA1(), "rsa-sha2-256": hashes.SHA256(), "rsa-sha2-512": hashes.SHA512()}[alg]
        return string(alg) + string(key.sign(data, padding.PKCS1v15(), h))
    if isinstance(key, dsa.DSAPrivateKey):
        r, s = utils.decode_dss_signature(key.sign(data, hashes.SHA1()))
        return string(alg) + string(r.to_bytes(20, "big") + s.to_bytes(20, "big"))
    raise ValueError(f"cannot sign with {type(key)}")


def public_blob_of(key):
    """The OpenSSH public key blob of a pyca private key."""
    from cryptography.hazmat.primitives import serialization

    text = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return unb64(text.split()[1].decode())


# ----- fingerprints ------------------------------------------------------------------------------


def md5_fp(blob):
    return ":".join(f"{b:02x}" for b in hashlib.md5(blob).digest())


def sha256_fp(blob):
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


# ----- primes (small RSA moduli for the size cases) ------------------------------------------------


def is_probable_prime(n, rounds=40, rng=random.SystemRandom()):
    if n < 4:
        return n in (2, 3)
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(rounds):
        a = rng.randrange(2, n - 2)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def random_prime(bits, rng=random.SystemRandom(), coprime_to=None):
    while True:
        n = rng.getrandbits(bits) | (1 << (bits - 1)) | (3 << (bits - 2)) | 1
        if coprime_to is not None and (n - 1) % coprime_to == 0:
            continue
        if is_probable_prime(n):
            if coprime_to is None or gcd(n - 1, coprime_to) == 1:
                return n


def gcd(a, b):
    while b:
        a, b = b, a % b
    return a


def rsa_modulus(bits, e=65537):
    """n = p * q of exactly `bits` bits with gcd(e, (p-1)(q-1)) = 1."""
    while True:
        p = random_prime(bits // 2, coprime_to=e)
        q = random_prime(bits - bits // 2, coprime_to=e)
        n = p * q
        if n.bit_length() == bits and p != q:
            return n


# ----- the escape format of the case files ---------------------------------------------------------

SHORT = {0x5C: "\\\\", 0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r", 0x00: "\\0"}


def escape(data):
    """Bytes -> one line of the case format: printable ASCII and visible non-ASCII letters as
    they are; backslash, TAB, LF, CR, NUL and other controls escaped; Unicode spaces, format and
    control characters as \\u{HHHH}; bytes that are not UTF-8 as \\xHH."""
    if isinstance(data, str):
        data = data.encode()
    out = []
    i = 0
    while i < len(data):
        b = data[i]
        if b < 0x80:
            if b in SHORT:
                out.append(SHORT[b])
            elif b < 0x20 or b == 0x7F:
                out.append(f"\\x{b:02x}")
            else:
                out.append(chr(b))
            i += 1
            continue
        n = 2 if b >> 5 == 0b110 else 3 if b >> 4 == 0b1110 else 4 if b >> 3 == 0b11110 else 0
        try:
            ch = data[i : i + n].decode("utf-8") if n else None
        except UnicodeDecodeError:
            ch = None
        if ch is None or len(ch) != 1:
            out.append(f"\\x{b:02x}")
            i += 1
            continue
        if unicodedata.category(ch) in ("Zs", "Zl", "Zp", "Cc", "Cf", "Co", "Cn"):
            out.append(f"\\u{{{ord(ch):04x}}}")
        else:
            out.append(ch)
        i += n
    return "".join(out)


def unescape(s):
    """The inverse of escape (as tests/support/data.rs reads it)."""
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\" or i + 1 == len(s):
            out += c.encode()
            i += 1
            continue
        n = s[i + 1]
        if n in "\\tnr0":
            out += {"\\": b"\\", "t": b"\t", "n": b"\n", "r": b"\r", "0": b"\0"}[n]
            i += 2
        elif n == "x":
            out.append(int(s[i + 2 : i + 4], 16))
            i += 4
        elif n == "u":
            end = s.index("}", i)
            out += chr(int(s[i + 3 : end], 16)).encode()
            i = end + 1
        else:
            raise ValueError(f"unknown escape \\{n}")
    return bytes(out)
