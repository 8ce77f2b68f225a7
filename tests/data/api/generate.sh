#!/bin/sh
# Records how the x509 vectors in this folder were made (shouldn't need to be run again).
# nova-x509.pem: Nova's own test certificate (nova/tests/unit/fake_crypto.py, 1147 bytes), copied
#   from shared/vectors/nova_vectors.json; SHA-1 a1:6f:6d:ea:a6:36:d0:3a:c6:eb:b6:ee:07:94:3e:2a:90:98:2b:c9.
# ec-p256.pem: a small self-signed certificate that fits the 1024-byte limit.
set -eu
cd "$(dirname "$0")"
openssl req -x509 -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout /dev/null \
  -subj /CN=keypairs-test -days 36500 -out ec-p256.pem
openssl x509 -in ec-p256.pem -noout -fingerprint -sha1 | sed 's/^.*=//' | tr 'A-F' 'a-f' > ec-p256.sha1
# schema_vectors.json: Nova's validation outcome for many bodies, computed by nova_oracle.py
# (python3 with jsonschema 4.23+; an independent mirror of Nova's schema and error wrapping).
python3 nova_oracle.py > schema_vectors.json
# nova_keys.txt: Nova's crypto.generate_fingerprint, verbatim, with pyca/cryptography (48) on
#   the keys of ../keys and ../rejected and variants of a few (python3 with cryptography).
python3 nova_keys.py > nova_keys.txt
