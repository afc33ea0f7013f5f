#!/usr/bin/env bash
# Installs the third-party clients that tests/peers/run.sh and tests/bench/run.sh drive, at the
# pinned versions, into WORK (a venv in WORK/venv, the Node client in WORK/js/node_modules).
# From PyPI and npm; reused by the next run. Not part of CI.
#
#   bash tests/peers/install.sh WORK
set -euo pipefail

WORK="${1:?usage: install.sh WORK}"
PY_CLIENTS=(capmonstercloudclient==4.3.1 anticaptchaofficial==1.0.72 2captcha-python==2.1.2)
NODE_CLIENT=@zennolab_com/capmonstercloud-client@2.6.1

mkdir -p "$WORK/js"
if [ ! -x "$WORK/venv/bin/python" ]; then python3 -m venv "$WORK/venv"; fi
"$WORK/venv/bin/pip" install -q --disable-pip-version-check "${PY_CLIENTS[@]}"
( cd "$WORK/js" && { [ -f package.json ] || npm init -y >/dev/null; } \
  && npm install --silent --no-audit --no-fund "$NODE_CLIENT" >/dev/null )
