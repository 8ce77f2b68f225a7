#!/usr/bin/env bash
# Records how the key vectors in tests/data were made, and re-creates them.
#
# The tests never run this: they read the committed outputs. Re-running it makes NEW random keys,
# so every fingerprint and case file changes with it (fingerprints.txt, invalid.txt,
# valid_variants.txt, nova/valid.txt are rewritten at the end). Needs OpenSSH's ssh-keygen (the
# committed vectors come from OpenSSH_9.2p1 Debian-2+deb12u6), openssl, python3 with pyca/cryptography
# (48.0), and Nova's vectors file (NOVA_VECTORS, default /work/shared/vectors/nova_vectors.json).
#
# Every private key made here is a throwaway made for the test data: the CA keys in ca/ (kept so
# that make_invalid.py can re-sign mutated certificates) and the keys in private/ (the inputs of
# the "private key pasted by mistake" cases). No key here protects anything.
set -euo pipefail
cd "$(dirname "$0")"
export LC_ALL=C.UTF-8
KEYGEN=${SSH_KEYGEN:-ssh-keygen}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rm -rf keys ca private rejected formats
mkdir -p keys ca private rejected formats

# key NAME TYPE BITS COMMENT: a key pair by ssh-keygen; the public half goes to keys/.
key() {
    local name=$1 type=$2 bits=$3 comment=$4
    "$KEYGEN" -q -t "$type" ${bits:+-b "$bits"} -N '' -C "$comment" -f "$tmp/$name"
    cp "$tmp/$name.pub" "keys/$name.pub"
}

# ---- plain keys ------------------------------------------------------------------------------
key rsa1024 rsa 1024 'rsa-1024@example.com'
key rsa2046 rsa 2046 'odd size 2046 bits'
key rsa2048 rsa 2048 'alice@example.com'
key rsa3072 rsa 3072 'rsa 3072'
key rsa4096 rsa 4096 'rsa-4096'
key rsa8192 rsa 8192 'rsa-8192 line longer than 1024 bytes'
key dsa1024 dsa 1024 'dsa-1024 deprecated'
key ecdsa256 ecdsa 256 'ecdsa p256'
key ecdsa384 ecdsa 384 'ecdsa-p384@example.com'
key ecdsa521 ecdsa 521 'ecdsa p521'
key ed25519 ed25519 '' 'ed25519 key with spaces in the comment'
key ed25519_tab ed25519 '' $'tab\tinside  and two spaces'
key ed25519_utf8 ed25519 '' 'héllo wörld 日本語 ключ'
key ed25519_nocomment ed25519 ''  ''
# ssh-keygen writes "TYPE BASE64 " (a trailing blank) for an empty comment: keep the bare line.
sed -i 's/ *$//' keys/ed25519_nocomment.pub
key ecdsa256_nocomment ecdsa 256 ''
sed -i 's/ *$//' keys/ecdsa256_nocomment.pub

# ---- keys ssh-keygen 9.2 cannot make: sk keys, odd RSA exponents, ML-DSA hybrid, ... ----------
python3 construct.py

# ---- certificate authorities (throwaway) -----------------------------------------------------
ca() { "$KEYGEN" -q -t "$1" ${2:+-b "$2"} -N '' -C "$3" -f "ca/$3"; }
ca ed25519 '' ca_ed25519
ca ecdsa 256 ca_ecdsa256
ca ecdsa 384 ca_ecdsa384
ca ecdsa 521 ca_ecdsa521
ca rsa 1024 ca_rsa1024  # small, so that certificates it signs stay below the API's 1024 bytes
ca rsa 3072 ca_rsa3072
ca rsa 8192 ca_rsa8192   # exercises the 8192-bit path of the stack RSA verifier (certificate over 1024 bytes)
ca rsa 9216 ca_rsa9216   # over 8192 bits: the verifier's 16384-bit path (OpenSSH's limit is 16384)
ca dsa 1024 ca_dsa      # OpenSSH signs with a DSA CA (legacy, flagged like ssh-rsa)

# cert OUT SUBJECT CA ARGS...: ssh-keygen -s CA ARGS on keys/SUBJECT.pub -> OUT-cert.pub
VALIDITY=(-V 20250101000000:20350101000000)
cert() {
    local out=$1 subject=$2 ca=$3
    shift 3
    cp "keys/$subject.pub" "$tmp/$out.pub"
    "$KEYGEN" -q -s "ca/$ca" -I "$out" "$@" "$tmp/$out.pub"
    cp "$tmp/$out-cert.pub" "keys/$out-cert.pub"
}

# Every CA signature algorithm, on an Ed25519 subject; user (-n) and host (-h) certificates.
cert ed25519-by-ed25519 ed25519 ca_ed25519 -n alice,bob -z 1 "${VALIDITY[@]}"
cert ed25519-by-ecdsa256 ed25519 ca_ecdsa256 -h -n host.example.com,10.0.0.1 -z 2
cert ed25519-by-ecdsa384 ed25519 ca_ecdsa384 -n alice -O clear -z 3
cert ed25519-by-ecdsa521 ed25519 ca_ecdsa521 -n alice -O clear -O force-command=/bin/true \
    -O source-address=10.0.0.0/8 -z 4 "${VALIDITY[@]}"
cert ed25519-by-rsa-sha256 ed25519 ca_rsa1024 -t rsa-sha2-256 -n alice -O clear -z 5
cert ed25519-by-rsa-sha512 ed25519 ca_rsa1024 -t rsa-sha2-512 -h -n host.example.com -z 6
cert ed25519-by-rsa-sha1 ed25519 ca_rsa1024 -t ssh-rsa -n alice -O clear -z 7
# Other subject key types.
cert rsa1024-by-ed25519 rsa1024 ca_ed25519 -h -n host.example.com -z 8
cert rsa2048-by-rsa3072-sha512 rsa2048 ca_rsa3072 -t rsa-sha2-512 -n alice -z 9 "${VALIDITY[@]}"
cert rsa2048-by-rsa3072-sha1 rsa2048 ca_rsa3072 -t ssh-rsa -h -n host.example.com -z 10
cert ed25519-by-rsa8192-sha512 ed25519 ca_rsa8192 -t rsa-sha2-512 -n alice
cert ed25519-by-rsa9216-sha512 ed25519 ca_rsa9216 -t rsa-sha2-512 -n alice -z 22
cert dsa1024-by-ed25519 dsa1024 ca_ed25519 -n alice -O clear -z 11
cert ecdsa256-by-ecdsa256 ecdsa256 ca_ecdsa256 -n alice -z 12
cert ecdsa384-by-ed25519 ecdsa384 ca_ed25519 -h -n host.example.com -z 13
cert ecdsa521-by-ecdsa521 ecdsa521 ca_ecdsa521 -n alice -O clear -z 14
cert sk_ed25519-by-ed25519 sk_ed25519 ca_ed25519 -n alice -z 15
cert sk_ecdsa-by-ecdsa256 sk_ecdsa ca_ecdsa256 -n alice -O clear -z 16
cert sk_ed25519_emptyapp-by-rsa-sha256 sk_ed25519_emptyapp ca_rsa1024 -t rsa-sha2-256 -n alice -O clear -z 17
cert ed25519_nocomment-by-ed25519 ed25519_nocomment ca_ed25519 -n alice -O clear -z 18
# ssh-keygen -s names a key without comment by its file name in the certificate's comment: drop it.
sed -i 's/^\([^ ]* [^ ]*\) .*$/\1/' keys/ed25519_nocomment-by-ed25519-cert.pub
# 256 principals: OpenSSH's maximum (SSHKEY_CERT_MAX_PRINCIPALS); the line is over 1024 bytes.
cert ed25519-256-principals ed25519 ca_ed25519 -n "$(seq -f 'p%03g' -s , 1 256)" -O clear -z 19
# A CA key that is itself a certificate: ca_ed25519 certified by itself, kept small (make_invalid.py
# puts this blob where a certificate's signature key belongs).
"$KEYGEN" -q -s ca/ca_ed25519 -I c -n ca -O clear -z 20 ca/ca_ed25519.pub

# A DSA CA (signature ssh-dss): legacy, accepted and flagged as ssh-rsa (SHA-1) is.
cp keys/ed25519.pub "$tmp/ed25519-by-dsa.pub"
"$KEYGEN" -q -s ca/ca_dsa -I ed25519-by-dsa -n alice -O clear -z 21 "$tmp/ed25519-by-dsa.pub"
cp "$tmp/ed25519-by-dsa-cert.pub" keys/

# ---- other formats of public keys (each must be refused with its own error) -----------------
"$KEYGEN" -e -f keys/ed25519.pub >formats/ed25519.rfc4716
"$KEYGEN" -e -m PKCS8 -f keys/ecdsa256.pub >formats/ecdsa256.pkcs8.pem
"$KEYGEN" -e -m PEM -f keys/rsa1024.pub >formats/rsa1024.pkcs1.pem
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/x509.key" \
    -subj /CN=keypairs-test -days 3650 -out formats/x509.pem 2>/dev/null
openssl req -new -key "$tmp/x509.key" -subj /CN=keypairs-test -out formats/csr.pem
openssl dsaparam -out formats/dsa1024.params.pem 1024 2>/dev/null

# ---- throwaway private keys (the "private key pasted by mistake" cases) ---------------------
"$KEYGEN" -q -t ed25519 -N '' -C throwaway -f private/openssh_ed25519
"$KEYGEN" -q -t ecdsa -b 256 -N '' -C throwaway -f private/openssh_ecdsa256
"$KEYGEN" -q -t ed25519 -N 'throwaway passphrase' -C throwaway -f private/openssh_ed25519_encrypted
"$KEYGEN" -q -t rsa -b 2048 -N '' -C throwaway -f private/openssh_rsa2048  # over 1024 bytes
openssl genrsa -traditional -out private/rsa1024.pkcs1.pem 1024 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out private/ec256.sec1.pem
openssl genpkey -algorithm ed25519 -out private/ed25519.pkcs8.pem
openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:throwaway -in private/ec256.sec1.pem \
    -out private/ec256.pkcs8.encrypted.pem
openssl dsaparam -genkey -noout -out private/dsa1024.pem 1024 2>/dev/null
# PuTTY PPK v2 (puttygen from Debian's putty-tools; the v3 key is construct.py's).
if command -v puttygen >/dev/null; then
    puttygen -t rsa -b 1024 -C throwaway -O private -o private/putty_rsa1024_v2.ppk \
        --ppk-param version=2 --new-passphrase /dev/null 2>/dev/null
fi
rm -f private/*.pub

# ---- the oracle: ssh-keygen -l for every key file ----------------------------------------------
{
    echo "# FILE<TAB>ssh-keygen -l -E md5|sha256 -f FILE (OpenSSH_9.2p1), made by generate.sh"
    for f in keys/*.pub; do
        case $f in
        keys/mldsa44_ed25519.pub)
            # ssh-keygen 9.2 does not know the type: written in its shape by python, bits 256 and
            # label MLDSA44-ED25519 are this crate's choice (not from ssh-keygen).
            python3 - "$f" <<'EOF'
import sys
from sshwire import read_line, md5_fp, sha256_fp
t, blob, comment = read_line(sys.argv[1])
print(f"{sys.argv[1]}\t256 MD5:{md5_fp(blob)} {comment or 'no comment'} (MLDSA44-ED25519)")
print(f"{sys.argv[1]}\t256 {sha256_fp(blob)} {comment or 'no comment'} (MLDSA44-ED25519)")
EOF
            ;;
        *)
            for h in md5 sha256; do
                printf '%s\t%s\n' "$f" "$("$KEYGEN" -l -E "$h" -f "$f")"
            done
            ;;
        esac
    done
} >fingerprints.txt

# ---- the case files ------------------------------------------------------------------------------
python3 make_invalid.py
python3 make_ca_signatures.py
