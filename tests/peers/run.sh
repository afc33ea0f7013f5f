#!/usr/bin/env bash
# Runs the official CapMonster Cloud clients (Python capmonstercloudclient 4.3.1 and Node
# @zennolab_com/capmonstercloud-client 2.6.1) against the emulator, in the peer harness's `demo`
# mode: getBalance, one ImageToText and one RecaptchaV2 solve each. Exits non-zero on any failure.
#
# Not part of CI: it installs from PyPI and npm. Everything runs on 127.0.0.1; the emulator stops
# by itself (--max-seconds) and is also stopped by PID on exit.
#
#   tests/peers/run.sh                 # drivers from ../shared/bench/peers/drivers
#   PEERS_DIR=/path/to/peers tests/peers/run.sh
#   PEERS_WORK=/tmp/somewhere tests/peers/run.sh   # where the venv and node_modules go (kept for reuse)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PEERS_DIR="${PEERS_DIR:-$ROOT/../shared/bench/peers}"
WORK="${PEERS_WORK:-/tmp/capmonster-peers}"
DRIVERS="$PEERS_DIR/drivers"

for f in drv_capmonster_py.py drv_capmonster_js.js common.py; do
  [ -f "$DRIVERS/$f" ] || { echo "missing $DRIVERS/$f (set PEERS_DIR)" >&2; exit 2; }
done

mkdir -p "$WORK/drivers" "$WORK/js" "$WORK/out"
# Remove the last run's files first: the background redirect below truncates its file
# asynchronously, and a stale URL must not be read in between.
rm -f "$WORK/out/"*
# The Node driver loads the client from drivers/../js/node_modules, so the drivers run from a copy
# next to our own install.
cp "$DRIVERS/drv_capmonster_py.py" "$DRIVERS/drv_capmonster_js.js" "$DRIVERS/common.py" "$WORK/drivers/"

echo "== installing the official clients into $WORK"
if [ ! -x "$WORK/venv/bin/python" ]; then python3 -m venv "$WORK/venv"; fi
"$WORK/venv/bin/pip" install -q --disable-pip-version-check capmonstercloudclient==4.3.1
( cd "$WORK/js" && { [ -f package.json ] || npm init -y >/dev/null; } \
  && npm install --silent --no-audit --no-fund @zennolab_com/capmonstercloud-client@2.6.1 >/dev/null )

echo "== building the emulator"
( cd "$ROOT" && cargo build -q -p capmonster-emulator --bin capmonster-emulator )
EMU="$ROOT/target/debug/capmonster-emulator"

# Real solve times divided by 20: the documented 1 s image / 2 s reCAPTCHA v2 take 50 / 100 ms.
"$EMU" --speed 20 --max-seconds 180 --seed 1 > "$WORK/out/emulator.stdout" 2> "$WORK/out/emulator.stderr" &
EMU_PID=$!
trap 'kill "$EMU_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ -s "$WORK/out/emulator.stdout" ] && break
  sleep 0.05
done
BASE="$(head -n1 "$WORK/out/emulator.stdout")"
PORT="${BASE##*:}"
echo "== emulator at $BASE"

status=0
echo "== python capmonstercloudclient 4.3.1"
if ! timeout 120 "$WORK/venv/bin/python" "$WORK/drivers/drv_capmonster_py.py" --port "$PORT" --mode demo \
     --out "$WORK/out/py.json" > "$WORK/out/py.log" 2>&1; then
  echo "python driver failed:"; cat "$WORK/out/py.log"; status=1
fi
echo "== node @zennolab_com/capmonstercloud-client 2.6.1"
if ! timeout 120 node "$WORK/drivers/drv_capmonster_js.js" --port "$PORT" --mode demo \
     --out "$WORK/out/js.json" > "$WORK/out/js.log" 2>&1; then
  echo "node driver failed:"; cat "$WORK/out/js.log"; status=1
fi

if ! curl -sS --noproxy '*' --max-time 10 "$BASE/_emulator/stats" > "$WORK/out/stats.json"; then
  echo "could not read the emulator's stats; emulator stderr:"; cat "$WORK/out/emulator.stderr"; status=1
fi

# Check what each client got back.
"$WORK/venv/bin/python" - "$WORK/out" <<'PY' || status=1
import json, os, sys
out = sys.argv[1]
ok = True
def check(name, cond, what):
    global ok
    print(f"  {'ok  ' if cond else 'FAIL'} {name}: {what}")
    ok &= bool(cond)
def load(name):
    path = os.path.join(out, name)
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        check(name, False, f"unreadable: {e}")
        return None
for client in ("py", "js"):
    d = load(f"{client}.json")
    if d is None:
        continue
    bal = d.get("balance")
    if isinstance(bal, dict):  # the Node client returns {balance: N}
        bal = bal.get("balance")
    check(client, isinstance(bal, (int, float)) and bal > 0, f"balance {bal}")
    img = d.get("image") or {}
    sol = img.get("solution") or {}
    text = sol.get("text") if isinstance(sol, dict) else None
    check(client, img.get("ok") and isinstance(text, str) and len(text) == 6, f"ImageToText text {text!r}")
    rc = d.get("recaptchaV2") or {}
    if isinstance(rc, dict) and "solution" in rc:  # Node: CaptchaResult {solution, error}
        check(client, not rc.get("error"), f"RecaptchaV2 error {rc.get('error')!r}")
        rc = rc["solution"] or {}
    token = rc.get("gRecaptchaResponse") if isinstance(rc, dict) else None
    check(client, isinstance(token, str) and len(token) >= 500, f"RecaptchaV2 token of {len(token or '')} chars")
stats = load("stats.json")
if stats is not None:
    check("emulator", stats["tasks_created"] == 4 and stats["tasks_solved"] == 4,
          f"{stats['tasks_created']} tasks created, {stats['tasks_solved']} solved, errors {stats['errors_by_code']}")
sys.exit(0 if ok else 1)
PY

if [ "$status" -eq 0 ]; then echo "== peers: PASS"; else echo "== peers: FAIL (logs in $WORK/out)"; fi
exit "$status"
