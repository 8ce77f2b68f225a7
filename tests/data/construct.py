#!/usr/bin/env python3
"""Builds the public keys ssh-keygen 9.2 cannot make (called by generate.sh; see README.md).

Writes into keys/ (all accepted by the crate) and rejected/ (accepted by OpenSSH, refused by the
import policy):
  keys/sk_ed25519.pub, keys/sk_ed25519_emptyapp.pub     sk-ssh-ed25519@openssh.com ("ssh:" / "")
  keys/sk_ecdsa.pub, keys/sk_ecdsa_emptyapp.pub         sk-ecdsa-sha2-nistp256@openssh.com
  keys/ed25519_zero.pub                                  an all-zero Ed25519 key (OpenSSH keeps it opaque)
  keys/rsa2048_e3.pub, keys/rsa2048_e8589934591.pub      RSA with e = 3 and e = 2^33 - 1
  keys/rsa16384_constructed.pub                          16384-bit modulus (random odd number)
  keys/mldsa44_ed25519.pub                               ssh-mldsa44-ed25519@openssh.com, 1344 random bytes
  keys/ed25519-by-sk_ed25519-cert.pub                    certificate signed by a security-key CA
  rejected/rsa512.pub, rsa768.pub, rsa1023.pub           RSA moduli below the policy's 1024 bits
  rejected/rsa16385_constructed.pub                      one bit above 16384 (random odd modulus)
  rejected/dsa_p1024_q256.pub, dsa_p768_q160.pub,
  rejected/dsa_p2048_q256.pub                            DSA of sizes other than p 1024 / q 160
  private/putty_ed25519.ppk                              a PuTTY (PPK v3) private key, throwaway
The key halves behind the security keys are plain Ed25519 / P-256 keys made here and discarded.
"""

import hashlib
import hmac
import os
import random
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519

from sshwire import (
    Cert,
    b64,
    line,
    mpint,
    principals,
    public_blob_of,
    read_line,
    rsa_modulus,
    string,
    u32,
    u64,
)

os.chdir(os.path.dirname(os.path.abspath(__file__)))


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")


def ed25519_point():
    return public_blob_of(ed25519.Ed25519PrivateKey.generate())[-32:]


def p256_point():
    return public_blob_of(ec.generate_private_key(ec.SECP256R1()))[-65:]


SK_ED = "sk-ssh-ed25519@openssh.com"
SK_EC = "sk-ecdsa-sha2-nistp256@openssh.com"

write("keys/sk_ed25519.pub", line(SK_ED, string(SK_ED) + string(ed25519_point()) + string("ssh:"), "sk ed25519 (constructed)"))
write("keys/sk_ed25519_emptyapp.pub", line(SK_ED, string(SK_ED) + string(ed25519_point()) + string(""), "sk ed25519 empty application (constructed)"))
write("keys/sk_ecdsa.pub", line(SK_EC, string(SK_EC) + string("nistp256") + string(p256_point()) + string("ssh:"), "sk ecdsa (constructed)"))
write("keys/sk_ecdsa_emptyapp.pub", line(SK_EC, string(SK_EC) + string("nistp256") + string(p256_point()) + string(""), "sk ecdsa empty application (constructed)"))
write("keys/ed25519_zero.pub", line("ssh-ed25519", string("ssh-ed25519") + string(bytes(32)), "all-zero ed25519 (constructed)"))

for e, name in ((3, "rsa2048_e3"), (2**33 - 1, "rsa2048_e8589934591")):
    n = rsa_modulus(2048, e)
    write(f"keys/{name}.pub", line("ssh-rsa", string("ssh-rsa") + mpint(e) + mpint(n), f"rsa e={e} (constructed)"))

# 16384 bits is the policy's (and OpenSSH's) upper bound. Two 8192-bit primes take many minutes
# in Python, and the parser cannot tell a product of primes from any odd number: this modulus is a
# random odd number with the top bit set.
n16k = random.SystemRandom().getrandbits(16384) | (1 << 16383) | 1
write("keys/rsa16384_constructed.pub", line("ssh-rsa", string("ssh-rsa") + mpint(65537) + mpint(n16k), "rsa 16384 random odd modulus (constructed)"))

# ML-DSA-44 + Ed25519 hybrid: one string of 1312 + 32 bytes. ssh-keygen 9.2 does not know the
# type; the bytes are random (the crate keeps the key opaque, as OpenSSH does with Ed25519).
MLDSA = "ssh-mldsa44-ed25519@openssh.com"
write("keys/mldsa44_ed25519.pub", line(MLDSA, string(MLDSA) + string(os.urandom(1344)), "mldsa44 hybrid (constructed)"))

# A certificate signed by a security-key CA (sk-ssh-ed25519), with a real signature in the format
# of PROTOCOL.u2f: Ed25519 over sha256(application) || flags || counter || sha256(message).
ca_secret = ed25519.Ed25519PrivateKey.generate()
app = b"ssh:"
ca_blob = string(SK_ED) + string(public_blob_of(ca_secret)[-32:]) + string(app)
subject_type, subject_blob, _ = read_line("keys/ed25519.pub")
cert_type = "ssh-ed25519-cert-v01@openssh.com"
tbs = (
    string(cert_type)
    + string(os.urandom(32))
    + subject_blob[len(string(subject_type)) :]
    + u64(1)
    + u32(1)
    + string("sk-ca")
    + string(principals("alice"))
    + u64(0)
    + u64(2**64 - 1)
    + string(b"")
    + string(b"")
    + string(b"")
    + string(ca_blob)
)
flags, counter = 0x01, 7
signed = hashlib.sha256(app).digest() + bytes([flags]) + u32(counter) + hashlib.sha256(tbs).digest()
sig = string(SK_ED) + string(ca_secret.sign(signed)) + bytes([flags]) + u32(counter)
blob = tbs + string(sig)
Cert(blob)  # parses back
write("keys/ed25519-by-sk_ed25519-cert.pub", f"{cert_type} {b64(blob)} signed by an sk-ssh-ed25519 CA (constructed)")
# RSA moduli below the minimum (real products of two primes; ssh-keygen 9.2 refuses them too).
for bits in (512, 768, 1023):
    n = rsa_modulus(bits)
    write(f"rejected/rsa{bits}.pub", line("ssh-rsa", string("ssh-rsa") + mpint(65537) + mpint(n), f"rsa {bits} bits (constructed)"))
n = random.SystemRandom().getrandbits(16385) | (1 << 16384) | 1
write("rejected/rsa16385_constructed.pub", line("ssh-rsa", string("ssh-rsa") + mpint(65537) + mpint(n), "rsa 16385 random odd modulus (constructed)"))


# DSA keys of other sizes: parameters from OpenSSL (which refuses to make keys of 768 bits, so y =
# g^x mod p is computed here with a random x < q).
def dsa_line(p, q, g, y, comment):
    return line("ssh-dss", string("ssh-dss") + mpint(p) + mpint(q) + mpint(g) + mpint(y), comment)


def openssl_dsa_params(pbits, qbits):
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["openssl", "genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", f"dsa_paramgen_bits:{pbits}",
                        "-pkeyopt", f"dsa_paramgen_q_bits:{qbits}", "-out", f"{tmp}/p.pem"], check=True, capture_output=True)
        text = subprocess.run(["openssl", "pkeyparam", "-in", f"{tmp}/p.pem", "-text", "-noout"], check=True,
                              capture_output=True, text=True).stdout
    values, cur = {}, None
    for l in text.splitlines():
        head = l.strip().rstrip(":")
        if head in ("P", "Q", "G"):
            cur, values[head] = head, ""
        elif cur and l.startswith("    ") and ":" in l:
            values[cur] += l.strip().replace(":", "")
        else:
            cur = None
    return int(values["P"], 16), int(values["Q"], 16), int(values["G"], 16)


for pbits, qbits in ((1024, 256), (768, 160)):
    p, q, g = openssl_dsa_params(pbits, qbits)
    assert (p.bit_length(), q.bit_length()) == (pbits, qbits) and (p - 1) % q == 0 and pow(g, q, p) == 1
    y = pow(g, random.SystemRandom().randrange(2, q), p)
    write(f"rejected/dsa_p{pbits}_q{qbits}.pub", dsa_line(p, q, g, y, f"dsa p {pbits} q {qbits} (constructed)"))
nums = dsa.generate_private_key(2048).public_key().public_numbers()
pn = nums.parameter_numbers
write("rejected/dsa_p2048_q256.pub", dsa_line(pn.p, pn.q, pn.g, nums.y, "dsa p 2048 q 256 (pyca)"))

# A PuTTY private key (PPK v3, unencrypted, Ed25519): the MAC key of an unencrypted v3 file is empty.
secret = ed25519.Ed25519PrivateKey.generate()
pub = public_blob_of(secret)
priv = string(secret.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()))
mac = hmac.new(b"", string("ssh-ed25519") + string("none") + string("throwaway") + string(pub) + string(priv), hashlib.sha256).hexdigest()
pub64, priv64 = b64(pub), b64(priv)
pub_lines = [pub64[i : i + 64] for i in range(0, len(pub64), 64)]
priv_lines = [priv64[i : i + 64] for i in range(0, len(priv64), 64)]
with open("private/putty_ed25519.ppk", "w") as f:
    f.write("PuTTY-User-Key-File-3: ssh-ed25519\r\nEncryption: none\r\nComment: throwaway\r\n")
    f.write(f"Public-Lines: {len(pub_lines)}\r\n" + "".join(l + "\r\n" for l in pub_lines))
    f.write(f"Private-Lines: {len(priv_lines)}\r\n" + "".join(l + "\r\n" for l in priv_lines))
    f.write(f"Private-MAC: {mac}\r\n")

print("construct.py: done", file=sys.stderr)
