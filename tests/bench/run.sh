#!/usr/bin/env bash
# Reproduces docs/BENCHMARKS.md and docs/benchmarks.png: codec micro-benchmarks, the emulator's
# throughput, and the load runs of our clients, the bare transport loops and the official Python and
# Node clients against the emulator. About 15-20 minutes on 2 cores. Not run in CI.
#
#   tests/bench/run.sh                  # REPS=3 by default
#   REPS=1 SKIP_CODEC=1 tests/bench/run.sh
#   SKIP_ACCEPT=1 ...                   # without the acceptance-loop table (section 7)
#   PEERS_WORK=/some/cache tests/bench/run.sh    # where the official clients go (default: target/peers)
#   KEEP=1 ONLY='-2000-' SKIP_LOADGEN=1 SKIP_CODEC=1 tests/bench/run.sh   # redo some runs, keep the rest
#
# Loopback only. Every emulator stops by itself (--max-seconds) and is also killed by its PID; every
# client run is bounded by N tasks and `timeout`.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
REPS="${REPS:-3}"
# The official clients, installed by tests/peers/install.sh (shared with tests/peers/run.sh).
PEERS_WORK="${PEERS_WORK:-$ROOT/target/peers}"
OUT="${BENCH_OUT:-/tmp/capmonster-bench}"
VENV="${BENCH_VENV:-/tmp/capmonster-bench-venv}"
EMU="$ROOT/target/release/capmonster-emulator"
DRV="$ROOT/target/release/capmonster-bench"
LOADGEN="$ROOT/target/release/examples/loadgen"

[ -n "${KEEP:-}" ] || rm -rf "$OUT"
mkdir -p "$OUT/runs"
cd "$ROOT"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

echo "== build (release)"
cargo build -q --release -p capmonster-emulator --bin capmonster-emulator --example loadgen
cargo build -q --release -p capmonster-bench
[ -n "${SKIP_ACCEPT:-}" ] || cargo build -q --release -p capmonster-tests --example accept_bench

echo "== peers (PyPI, npm) into $PEERS_WORK"
if [ ! -x "$PEERS_WORK/venv/bin/python" ] || [ ! -d "$PEERS_WORK/js/node_modules" ]; then
  bash "$ROOT/tests/peers/install.sh" "$PEERS_WORK"
fi

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q matplotlib
fi

# Pinning: emulator on CPU 0, client on CPU 1, where taskset exists and there are 2+ CPUs.
PIN_EMU=(); PIN_CLI=()
if command -v taskset > /dev/null && [ "$(nproc)" -ge 2 ]; then
  PIN_EMU=(taskset -c 0); PIN_CLI=(taskset -c 1)
fi
ulimit -n 65536 2> /dev/null || ulimit -n "$(ulimit -Hn)"

EMU_PID=""
stop_emu() { [ -n "$EMU_PID" ] && kill "$EMU_PID" 2> /dev/null; wait "$EMU_PID" 2> /dev/null || true; EMU_PID=""; }
trap stop_emu EXIT

# start_emu ARGS...: a fresh emulator per run, so its stats hold that run only.
start_emu() {
  rm -f "$OUT/emu.url"
  "${PIN_EMU[@]}" "$EMU" --port 0 --max-seconds 300 "$@" > "$OUT/emu.url" 2> "$OUT/emu.err" &
  EMU_PID=$!
  for _ in $(seq 100); do [ -s "$OUT/emu.url" ] && break; sleep 0.05; done
  URL="$(head -1 "$OUT/emu.url")"
  PORT="${URL##*:}"
}

# run NAME CLIENT EMU_ARGS -- CLIENT_ARGS...: one measured run; writes runs/NAME.{json,time,stats.json,meta}
run() {
  local name="$1" client="$2" emu_args="$3"; shift 4
  [[ "$name" =~ ${ONLY:-.} ]] || return 0
  start_emu $emu_args
  local dir="$OUT/runs"
  local cmd
  case "$client" in
    rs) cmd=("$DRV" --url "$URL" --out "$dir/$name.json" "$@") ;;
    py) cmd=("$PEERS_WORK/venv/bin/python" "$ROOT/tests/bench/peers/bench_py.py" --port "$PORT" --out "$dir/$name.json" "$@") ;;
    js) cmd=(node "$ROOT/tests/bench/peers/bench_js.js" --modules "$PEERS_WORK/js/node_modules" --port "$PORT" --out "$dir/$name.json" "$@") ;;
  esac
  (cd "$PEERS_WORK" && timeout 240 "${PIN_CLI[@]}" /usr/bin/time -v -o "$dir/$name.time" "${cmd[@]}" > "$dir/$name.log" 2>&1) \
    || echo "   (run $name exited non-zero; see $dir/$name.log)"
  fetch_stats "$dir/$name.stats.json" || true
  stop_emu
  printf '%s\t%s\t%s\n' "$name" "$emu_args" "$*" > "$dir/$name.meta"
  echo "   $name: $(tail -1 "$dir/$name.log" | cut -c1-80)"
}

# The emulator's stats page gives task records a page at a time (at most 1,000): fetch every
# page and merge them into one file, as report.py reads it.
fetch_stats() {
  python3 - "$URL" "$1" <<'PY'
import json, sys, urllib.request
url, out = sys.argv[1], sys.argv[2]
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
page, merged = 1, None
while True:
    with opener.open(f"{url}/_emulator/stats?tasks=1&per_page=1000&page={page}", timeout=30) as r:
        s = json.load(r)
    if merged is None:
        merged = s
    else:
        merged["tasks"].update(s["tasks"])
    if page >= s["tasks_page"]["pages"]:
        break
    page += 1
with open(out, "w") as f:
    json.dump(merged, f)
PY
}

FIXED="--solve-ms 1000"
# Realistic images: log-normal solve times, median 2.5 s, sigma 0.5 (5th-95th percentile ~1.1-5.7 s).
REAL="--solve-ms 2500 --solve-jitter 0.5"

for rep in $(seq "$REPS"); do
  echo "== rep $rep: N concurrent ImageToText, solve 1 s"
  SEED="--seed $rep"
  run "fixed-rs-async-200-r$rep" rs "$FIXED $SEED" -- --mode async -n 200
  run "fixed-rs-async-2000-r$rep" rs "$FIXED $SEED" -- --mode async -n 2000
  run "fixed-rs-async-10000-r$rep" rs "$FIXED $SEED" -- --mode async -n 10000
  run "fixed-rs-asynccap1000-10000-r$rep" rs "$FIXED $SEED" -- --mode async -n 10000 --concurrency 1000
  run "fixed-rs-blocking-200-r$rep" rs "$FIXED $SEED" -- --mode blocking -n 200 --threads 200
  run "fixed-rs-asyncofficial-200-r$rep" rs "$FIXED $SEED" -- --mode async -n 200 --table official
  # N=2000 for the transport-limit ratios: at N=200 the CPU times are a few 10 ms ticks of time(1).
  run "fixed-rs-asyncofficial-2000-r$rep" rs "$FIXED $SEED" -- --mode async -n 2000 --table official
  run "fixed-rs-blocking-2000-r$rep" rs "$FIXED $SEED" -- --mode blocking -n 2000 --threads 200
  run "fixed-bare-reqwest-2000-r$rep" rs "$FIXED $SEED" -- --mode bare-reqwest -n 2000
  run "fixed-bare-reqwestofficial-2000-r$rep" rs "$FIXED $SEED" -- --mode bare-reqwest -n 2000 --table official
  run "fixed-bare-ureq-2000-r$rep" rs "$FIXED $SEED" -- --mode bare-ureq -n 2000 --threads 200
  run "fixed-bare-reqwest-200-r$rep" rs "$FIXED $SEED" -- --mode bare-reqwest -n 200
  run "fixed-bare-ureq-200-r$rep" rs "$FIXED $SEED" -- --mode bare-ureq -n 200 --threads 200
  run "fixed-bare-reqwestofficial-200-r$rep" rs "$FIXED $SEED" -- --mode bare-reqwest -n 200 --table official
  run "fixed-peer-py-200-r$rep" py "$FIXED $SEED" -- -n 200
  run "fixed-peer-js-200-r$rep" js "$FIXED $SEED" -- -n 200
  echo "== rep $rep: realistic solve times (log-normal, median 2.5 s), warm-up 100 then 300 measured"
  run "real-rs-fixed-300-r$rep" rs "$REAL $SEED" -- --mode async -n 300 --warmup 100
  run "real-rs-adaptive-300-r$rep" rs "$REAL $SEED" -- --mode async -n 300 --warmup 100 --adaptive
  run "real-rs-official-300-r$rep" rs "$REAL $SEED" -- --mode async -n 300 --table official
  # Pingback: the emulator POSTs each result to the driver's receiver; polls are the fallback.
  run "real-rs-pingback-300-r$rep" rs "$REAL $SEED" -- --mode async -n 300 --warmup 100 --pingback
  run "real-rs-blockingpingback-300-r$rep" rs "$REAL $SEED" -- --mode blocking -n 300 --threads 300 --pingback
  run "real-peer-py-300-r$rep" py "$REAL $SEED" -- -n 300
  run "real-peer-js-300-r$rep" js "$REAL $SEED" -- -n 300
done

echo "== emulator throughput (getTaskResult on one core, keep-alive)"
for c in $([ -n "${SKIP_LOADGEN:-}" ] || echo 1 4 8); do
  start_emu --solve-ms 0
  timeout 120 "${PIN_CLI[@]}" "$LOADGEN" --url "$URL" -n 100000 -c "$c" > "$OUT/loadgen-c$c.txt" 2>&1 || true
  stop_emu
  echo "   c=$c: $(grep -i 'req/s' "$OUT/loadgen-c$c.txt" | tail -1)"
done

if [ -z "${SKIP_CODEC:-}" ]; then
  echo "== codec micro-benchmarks (criterion)"
  rm -rf target/criterion/encode target/criterion/parse target/criterion/urlform
  cargo bench -q -p capmonster-proto --bench codec -- --warm-up-time 1 --measurement-time 3 > "$OUT/codec.txt" 2>&1
fi

if [ -z "${SKIP_ACCEPT:-}" ]; then
  echo "== acceptance loop against hand-written strategies (simulated site, in-process emulator)"
  # Bounded: GOALS accepted tokens per strategy, at most 10 tasks each; loopback only.
  GOALS="${ACCEPT_GOALS:-300}" THREADS=4 timeout 900 "${PIN_CLI[@]}" \
    "$ROOT/target/release/examples/accept_bench" > "$OUT/accept.md"
fi

[ -n "${KEEP:-}" ] && [ -f "$OUT/machine.txt" ] && cp "$OUT/machine.txt" "$OUT/machine.prev.txt"
{
  echo "nproc=$(nproc)"
  echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "mem=$(free -m | awk '/^Mem:/{print $2}') MiB"
  echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
  echo "rustc=$(rustc --version)"
  echo "python=$("$PEERS_WORK/venv/bin/python" --version 2>&1)"
  echo "node=$(node --version)"
  echo "reps=$REPS"
  echo "load=$LOAD_BEFORE at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  echo "pinned=${PIN_EMU[*]:-no}/${PIN_CLI[*]:-no}"
} > "$OUT/machine.txt"

echo "== report"
"$VENV/bin/python" "$ROOT/tests/bench/report.py" "$OUT" "$ROOT/docs/BENCHMARKS.md" "$ROOT/docs/benchmarks.png"
echo "wrote docs/BENCHMARKS.md and docs/benchmarks.png"
