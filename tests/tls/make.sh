#!/usr/bin/env bash
# Regenerates the test CA and the two server certificates used by tests/tests/tls_custom_ca.rs.
# Nothing here is secret: the keys only ever sign for 127.0.0.1 in a test. The certificates are
# valid for 100 years so that the committed files do not expire under the tests.
#
#   ca.pem                            "capmonster test CA" (CA:TRUE, keyCertSign); its key is
#                                     thrown away, so nothing else can ever be signed by it
#   server.pem / server.key           signed by the CA, subjectAltName IP:127.0.0.1
#   wrong-name.pem / wrong-name.key   signed by the CA, subjectAltName DNS:wrong-name.invalid only
#
# Run from this directory: bash make.sh (needs the openssl command; made with OpenSSL 3).
set -euo pipefail
cd "$(dirname "$0")"
days=36500
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/ca.ec"
openssl pkcs8 -topk8 -nocrypt -in "$tmp/ca.ec" -out "$tmp/ca.key"
openssl req -x509 -new -key "$tmp/ca.key" -sha256 -days "$days" -subj "/CN=capmonster test CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out ca.pem

leaf() { # name, subjectAltName
  openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/$1.ec"
  openssl pkcs8 -topk8 -nocrypt -in "$tmp/$1.ec" -out "$1.key"
  openssl req -new -key "$1.key" -subj "/CN=capmonster test server" -out "$tmp/$1.csr"
  printf '%s\n' "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=serverAuth" \
    "subjectAltName=$2" >"$tmp/$1.ext"
  openssl x509 -req -in "$tmp/$1.csr" -CA ca.pem -CAkey "$tmp/ca.key" -CAcreateserial \
    -CAserial "$tmp/ca.srl" -sha256 -days "$days" -extfile "$tmp/$1.ext" -out "$1.pem"
}
leaf server "IP:127.0.0.1"
leaf wrong-name "DNS:wrong-name.invalid"
