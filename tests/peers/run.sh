#!/usr/bin/env bash
# Drives four third-party captcha clients through every method they offer, against the emulator
# built from this workspace, and writes the matrix (client x method) to docs/PEERS.md:
#   - capmonstercloudclient 4.3.1 (PyPI), the official CapMonster Cloud Python client;
#   - @zennolab_com/capmonstercloud-client 2.6.1 (npm), the official Node client;
#   - anticaptchaofficial 1.0.72 (PyPI), against the emulator's Anti-Captcha dialect;
#   - 2captcha-python 2.1.2 (PyPI), the in.php/res.php URL form.
# Exits non-zero when a case is refused wrongly, crashes through no fault of the client, or is not
# driven at all.
#
# Not part of CI: it installs from PyPI and npm (into a cache folder, reused by the next run).
# Needs python3 (with venv), node and npm, and cargo. Everything else stays on 127.0.0.1: the
# emulators bind loopback, stop by themselves (--max-seconds) and are also stopped by PID on exit.
#
#   bash tests/peers/run.sh
#   PEERS_WORK=/some/cache bash tests/peers/run.sh     # default: target/peers
#   PEERS_OUT=/tmp/PEERS.md bash tests/peers/run.sh    # default: docs/PEERS.md
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/tests/peers"
WORK="${PEERS_WORK:-$ROOT/target/peers}"
OUT="${PEERS_OUT:-$ROOT/docs/PEERS.md}"

for tool in python3 node npm cargo curl; do
  command -v "$tool" >/dev/null || { echo "peers: $tool is needed" >&2; exit 2; }
done

mkdir -p "$WORK/js" "$WORK/out"
rm -f "$WORK/out/"*

echo "== installing the clients into $WORK"
bash "$HERE/install.sh" "$WORK"

echo "== building the emulator"
( cd "$ROOT" && cargo build -q -p capmonster-emulator --bin capmonster-emulator )
EMU="${CARGO_TARGET_DIR:-$ROOT/target}/debug/capmonster-emulator"

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# start NAME ARGS...: starts an emulator on a free loopback port; sets BASE to its URL.
start() {
  local name="$1"; shift
  "$EMU" --host 127.0.0.1 --port 0 --max-seconds 600 --seed 1 "$@" \
    > "$WORK/out/$name.stdout" 2> "$WORK/out/$name.stderr" &
  PIDS+=("$!")
  BASE=""
  for _ in $(seq 1 200); do
    if [ -s "$WORK/out/$name.stdout" ]; then BASE="$(head -n1 "$WORK/out/$name.stdout")"; break; fi
    sleep 0.05
  done
  case "$BASE" in
    http://127.0.0.1:*) ;;
    *) echo "peers: the $name emulator did not start:" >&2; cat "$WORK/out/$name.stderr" >&2; exit 1 ;;
  esac
}

# Solve times divided by 20 for the CapMonster clients. The Anti-Captcha client waits 3 s before
# its first poll, and Anti-Captcha results expire 60 s after completion: at speed 5 that is 12 s.
start capmonster --speed 20
CM_BASE="$BASE"
start anticaptcha --speed 5 --dialect anti-captcha
AC_BASE="$BASE"
echo "== emulators at $CM_BASE (CapMonster) and $AC_BASE (Anti-Captcha)"

status=0
run() {
  local label="$1"; shift
  echo "== $label"
  if ! timeout 400 "$@" > "$WORK/out/$label.log" 2>&1; then
    echo "peers: the $label driver failed; its log:"; tail -n 40 "$WORK/out/$label.log"; status=1
  fi
}
PY="$WORK/venv/bin/python"
run capmonster-python "$PY" "$HERE/drivers/capmonster_py.py" --base "$CM_BASE" --out "$WORK/out/capmonster_py.jsonl"
run capmonster-node node "$HERE/drivers/capmonster_js.js" --base "$CM_BASE" --out "$WORK/out/capmonster_js.jsonl" \
  --modules "$WORK/js/node_modules"
run anticaptcha-python "$PY" "$HERE/drivers/anticaptcha_py.py" --base "$AC_BASE" --out "$WORK/out/anticaptcha_py.jsonl"
run 2captcha-python "$PY" "$HERE/drivers/twocaptcha_py.py" --base "$CM_BASE" --out "$WORK/out/twocaptcha_py.jsonl"

cat > "$WORK/out/meta.json" <<EOF
{"date": "$(date -u +%Y-%m-%d)",
 "emulator": "$(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo unknown)",
 "python": "$("$PY" -c 'import platform; print(platform.python_version())')",
 "node": "$(node --version)"}
EOF
results=()
for f in capmonster_py capmonster_js anticaptcha_py twocaptcha_py; do
  if [ -s "$WORK/out/$f.jsonl" ]; then results+=("$WORK/out/$f.jsonl"); else echo "peers: no results from $f"; status=1; fi
done
"$PY" "$HERE/matrix.py" "$OUT" "$WORK/out/meta.json" "${results[@]}" || status=1

if [ "$status" -eq 0 ]; then echo "== peers: PASS ($OUT)"; else echo "== peers: FAIL (logs in $WORK/out; matrix in $OUT)"; fi
exit "$status"
