#!/usr/bin/env python3
"""Turns the files of tests/bench/run.sh into docs/BENCHMARKS.md and docs/benchmarks.png.

usage: report.py OUT_DIR BENCHMARKS.md benchmarks.png

Per run (runs/NAME.*): NAME.json (the driver's results), NAME.time (/usr/bin/time -v of the client
process), NAME.stats.json (the emulator's /_emulator/stats after the run). Medians over the
repetitions (rN suffix) are reported.

Latency join. Our driver records each result's task id and the wall-clock time it had the answer,
so ready->result is t_recv - ready_unix_ms for that task id. The official clients' drivers keep no
task id (every ImageToText answer is the same hash, their images being identical), so for them the
per-task server-side figure is used (first_ready_returned_unix_ms - ready_unix_ms: when the ready
answer was sent), and a client-side estimate is given by pairing the sorted client receive times with
the sorted server send times (rank join). Both are given for our client too, for comparison.
"""
import json, os, re, statistics, sys, glob

OUT, MD, PNG = sys.argv[1], sys.argv[2], sys.argv[3]
RUNS = os.path.join(OUT, "runs")


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = (len(xs) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def med(xs):
    xs = [x for x in xs if x == x]
    return statistics.median(xs) if xs else float("nan")


def read_time(path):
    t = {}
    for line in open(path):
        line = line.strip()
        m = re.match(r"User time \(seconds\): ([\d.]+)", line)
        if m: t["user"] = float(m.group(1))
        m = re.match(r"System time \(seconds\): ([\d.]+)", line)
        if m: t["sys"] = float(m.group(1))
        m = re.match(r"Maximum resident set size \(kbytes\): (\d+)", line)
        if m: t["rss_mb"] = int(m.group(1)) / 1024
        m = re.match(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", line)
        if m:
            h = int(m.group(1) or 0)
            t["proc_wall"] = h * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    t["cpu"] = t.get("user", 0) + t.get("sys", 0)
    return t


def analyse(name):
    base = os.path.join(RUNS, name)
    try:
        res = json.load(open(base + ".json"))
        stats = json.load(open(base + ".stats.json"))
        tm = read_time(base + ".time")
    except (OSError, ValueError) as e:
        print(f"skipping {name}: {e}", file=sys.stderr)
        return None
    tasks = stats.get("tasks", {})
    results = res.get("results", [])
    n = res.get("n", len(results))
    ok = sum(1 for r in results if r.get("ok"))
    warm = set(str(i) for i in res.get("warmup_ids", []))
    measured = {k: v for k, v in tasks.items() if k not in warm}
    # Requests per solved task, from the server's count: createTask (1 per task) + its polls.
    solved = [v for v in measured.values() if v.get("solved")]
    req = sum(1 + v.get("polls", 0) for v in measured.values())
    if not warm:
        # Everything the client sent, retries and stray requests included.
        by = stats.get("requests_by_endpoint", {})
        req = by.get("createTask", 0) + by.get("getTaskResult", 0)
    req_per = req / len(solved) if solved else float("nan")
    server_lat = [v["first_ready_returned_unix_ms"] - v["ready_unix_ms"]
                  for v in solved if v.get("first_ready_returned_unix_ms") is not None]
    # Client receive times in ms.
    if "t_recv_ms" in (results[0] if results else {}):
        recv = [(r["task_id"], r["t_recv_ms"]) for r in results if r.get("ok")]
    else:
        recv = [(None, r["t_recv"] * 1000) for r in results if r.get("ok")]
    client_lat = []
    if recv and recv[0][0] is not None:
        for tid, t in recv:
            v = tasks.get(str(tid))
            if v:
                client_lat.append(t - v["ready_unix_ms"])
        join = "task id"
    else:
        sends = sorted(v["first_ready_returned_unix_ms"] for v in solved
                       if v.get("first_ready_returned_unix_ms") is not None)
        rs = sorted(t for _, t in recv)
        ready_by_send = [v["ready_unix_ms"] for v in sorted(
            (v for v in solved if v.get("first_ready_returned_unix_ms") is not None),
            key=lambda v: v["first_ready_returned_unix_ms"])]
        client_lat = [t - r for t, r in zip(rs, ready_by_send)]
        join = "rank"
    wall = res.get("wall_s", float("nan"))
    return {
        "n": n, "ok": ok, "solved": len(solved), "cpu": tm["cpu"], "rss": tm.get("rss_mb", float("nan")),
        "proc_wall": tm.get("proc_wall", float("nan")), "wall": wall,
        "req_per": req_per, "conns": stats.get("connections", 0),
        "lat50": pct(client_lat, 0.5), "lat95": pct(client_lat, 0.95),
        "slat50": pct(server_lat, 0.5), "slat95": pct(server_lat, 0.95), "join": join,
        "cpu_per_ms": tm["cpu"] / max(ok, 1) * 1000,
    }


def group():
    """{config: [per-rep dicts]} from runs/*-rN.json."""
    g = {}
    for path in sorted(glob.glob(os.path.join(RUNS, "*.json"))):
        name = os.path.basename(path)[:-5]
        if name.endswith(".stats"):
            continue
        m = re.match(r"(.*)-r(\d+)$", name)
        if not m:
            continue
        a = analyse(name)
        if a:
            g.setdefault(m.group(1), []).append(a)
    return g


def summary(rows):
    keys = rows[0].keys()
    out = {}
    for k in keys:
        vals = [r[k] for r in rows]
        out[k] = med(vals) if isinstance(vals[0], (int, float)) else vals[0]
    out["reps"] = len(rows)
    out["all_ok"] = all(r["ok"] == r["n"] for r in rows)
    return out


G = {k: summary(v) for k, v in group().items()}

LABEL = {
    "fixed-rs-async-200": "capmonster-async, default table",
    "fixed-rs-async-2000": "capmonster-async, default table",
    "fixed-rs-async-10000": "capmonster-async, default table",
    "fixed-rs-asynccap1000-10000": "capmonster-async, solve_all concurrency 1,000",
    "fixed-rs-asyncofficial-200": "capmonster-async, official table (200 ms)",
    "fixed-rs-blocking-200": "capmonster-blocking, 200 threads",
    "fixed-bare-reqwest-200": "bare reqwest loop, default schedule",
    "fixed-bare-reqwestofficial-200": "bare reqwest loop, official schedule",
    "fixed-bare-ureq-200": "bare ureq loop, 200 threads",
    "fixed-rs-asyncofficial-2000": "capmonster-async, official table (200 ms)",
    "fixed-rs-blocking-2000": "capmonster-blocking, 200 threads",
    "fixed-bare-reqwest-2000": "bare reqwest loop, default schedule",
    "fixed-bare-reqwestofficial-2000": "bare reqwest loop, official schedule",
    "fixed-bare-ureq-2000": "bare ureq loop, 200 threads",
    "fixed-peer-py-200": "capmonstercloudclient 4.3.1 (Python)",
    "fixed-peer-js-200": "@zennolab_com/capmonstercloud-client 2.6.1 (Node)",
    "real-rs-fixed-300": "capmonster-async, default table (fixed)",
    "real-rs-adaptive-300": "capmonster-async, adaptive",
    "real-rs-pingback-300": "capmonster-async, pingback (callbackUrl)",
    "real-rs-blockingpingback-300": "capmonster-blocking, pingback, 300 threads",
    "real-rs-official-300": "capmonster-async, official table (200 ms)",
    "real-peer-py-300": "capmonstercloudclient 4.3.1 (Python)",
    "real-peer-js-300": "@zennolab_com/capmonstercloud-client 2.6.1 (Node)",
}


def f(x, d=2):
    if x is None or x != x:
        return "–"
    return f"{x:.{d}f}"


def row(key):
    s = G.get(key)
    if not s:
        return f"| {LABEL.get(key, key)} | missing | | | | | | | | |"
    flag = "" if s["all_ok"] else f" ⚠ {s['ok']:.0f}/{s['n']} solved (median)"
    return (f"| {LABEL.get(key, key)}{flag} | {s['n']} | {f(s['wall'])} | {f(s['cpu'], 3)} | {f(s['cpu_per_ms'], 3)} | "
            f"{f(s['rss'], 1)} | {f(s['req_per'])} | {s['conns']:.0f} | {f(s['lat50'], 0)} / {f(s['lat95'], 0)} ({s['join']}) | "
            f"{f(s['slat50'], 0)} / {f(s['slat95'], 0)} |")


HEAD = ("| client | N | solve wall s | CPU s | CPU ms / solve | peak RSS MB | requests / solve | TCP conns | "
        "ready→result p50 / p95 ms (client, join) | ready→answer sent p50 / p95 ms (server) |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def ratio(a, b):
    return a / b if a == a and b == b and b else float("nan")


def met(cond):
    return "**met**" if cond else "**missed**"


machine = dict(l.strip().split("=", 1) for l in open(os.path.join(OUT, "machine.txt")) if "=" in l)
PREV = os.path.join(OUT, "machine.prev.txt")
if os.path.exists(PREV):
    prev = dict(l.strip().split("=", 1) for l in open(PREV) if "=" in l)
    machine["date"] = f"{prev.get('date')} (some runs redone at {machine.get('date')} with KEEP=1 ONLY=...)"
    machine["load"] = f"{prev.get('load')}; redo: {machine.get('load')}"

# Codec: criterion's estimates.
codec = {}
codec_when = None
for est in glob.glob("target/criterion/*/*/*/new/estimates.json") + glob.glob("target/criterion/*/*/new/estimates.json"):
    parts = est.split(os.sep)
    i = parts.index("criterion")
    bench = "/".join(parts[i + 1:-2])
    try:
        codec[bench] = json.load(open(est))["median"]["point_estimate"]
        m = os.path.getmtime(est)
        codec_when = max(codec_when or m, m)
    except (OSError, ValueError, KeyError):
        pass


def norm(s):
    return s.replace("_", "/").replace("+", "_")


codec_rows = []
for bench, t in sorted(codec.items()):
    grp, rest = bench.split("/", 1)
    if not rest.startswith("ours"):
        continue
    case = rest[len("ours") + 1:]
    base = codec.get(f"{grp}/serde_json_{case}") or codec.get(f"{grp}/serde_json/{case}")
    codec_rows.append((grp, case, t, base))

loadgen = []
for p in sorted(glob.glob(os.path.join(OUT, "loadgen-c*.txt"))):
    txt = open(p).read()
    m = re.search(r"over (\d+) keep-alive connections in ([\d.]+) s: (\d+) req/s", txt)
    if m:
        loadgen.append((int(m.group(1)), int(m.group(3))))

L = []
w = L.append
w("# Benchmarks\n")
w(f"Generated by `tests/bench/run.sh` on {machine.get('date')} — machine: {machine.get('nproc')} CPUs "
  f"({machine.get('cpu')}), {machine.get('mem')}; {machine.get('rustc')}, {machine.get('python')}, Node {machine.get('node')}. "
  f"Pinning (emulator/client): {machine.get('pinned')}. Load average (1/5/15 min): {machine.get('load')}. Medians over {machine.get('reps')} repetitions; "
  "this machine is shared and noisy, so read small differences as noise.\n")
w("Everything talks to 127.0.0.1 only. The emulator (release binary, one tokio thread) is a fresh process per run; "
  "the client process is measured by `/usr/bin/time -v` (CPU = user + sys, peak RSS) and includes its start-up. "
  "Requests per solve and TCP connections come from the emulator's `/_emulator/stats`.\n")
w("*Ready→result*: for our driver, the client's receive time minus the task's `ready_unix_ms`, joined on task id. "
  "The official clients' drivers keep no task id, and their identical images all get the same answer, so for them the "
  "client times are paired with the server's by rank (sorted receive times against tasks sorted by send time: `rank`). "
  "The last column is the server-side figure for every client (`first_ready_returned_unix_ms - ready_unix_ms`).\n")

w("## 1. N concurrent ImageToText solves, emulator solve time 1 s\n")
w("All N tasks are created at once (async: `solve_all` with concurrency N on a current-thread runtime; blocking: "
  "200 threads; Python: `asyncio.gather`; Node: `Promise.all`).\n")
w(HEAD)
for k in ["fixed-rs-async-200", "fixed-rs-asyncofficial-200", "fixed-rs-blocking-200", "fixed-bare-reqwest-200",
          "fixed-bare-reqwestofficial-200", "fixed-bare-ureq-200", "fixed-peer-py-200", "fixed-peer-js-200",
          "fixed-rs-async-2000", "fixed-rs-asyncofficial-2000", "fixed-rs-blocking-2000", "fixed-bare-reqwest-2000",
          "fixed-bare-reqwestofficial-2000", "fixed-bare-ureq-2000", "fixed-rs-async-10000", "fixed-rs-asynccap1000-10000"]:
    w(row(k))
w("| request limit (createTask + one poll that finds it ready) | | | | | | 2.00 | | | |")
w("")

w("## 2. Realistic solve times, adaptive polling against the fixed table\n")
w("Emulator `--solve-ms 2500 --solve-jitter 0.5`: log-normal solve times, median 2.5 s (about 1.1–5.7 s between the 5th "
  "and 95th percentiles), real time (no speed-up), so every client sees the same time scale. Our two runs first solve "
  "100 warm-up tasks in the same process (the adaptive timing needs 8 samples and keeps the last 64), then 300 measured "
  "tasks at once; the warm-up tasks are left out of the figures by task id. The official clients and our official-table "
  "run have nothing to learn and run the 300 tasks directly.\n")
w(HEAD)
for k in ["real-rs-fixed-300", "real-rs-adaptive-300", "real-rs-pingback-300", "real-rs-blockingpingback-300",
          "real-rs-official-300", "real-peer-py-300", "real-peer-js-300"]:
    w(row(k))
w("")

# Targets.
g = G.get
w("## 3. Targets\n")
w("| target | measured | verdict |\n|---|---|---|")
a200 = g("fixed-rs-async-200"); py = g("fixed-peer-py-200"); js = g("fixed-peer-js-200")
peers = [p for p in (py, js) if p]
if a200 and peers:
    best_cpu = min(p["cpu"] for p in peers); best_rss = min(p["rss"] for p in peers)
    r = ratio(a200["cpu"], best_cpu)
    w(f"| N=200 async CPU ≤ 1/10 of the best official client | {f(a200['cpu'],3)} s vs {f(best_cpu,3)} s: 1/{f(1/r,1)} | {met(r <= 0.1)} |")
    r = ratio(a200["rss"], best_rss)
    w(f"| N=200 async peak RSS ≤ 1/5 of the best official client | {f(a200['rss'],1)} MB vs {f(best_rss,1)} MB: 1/{f(1/r,1)} | {met(r <= 0.2)} |")
    best_req = min(p["req_per"] for p in peers); best_lat = min(p["lat50"] for p in peers)
    off = g("fixed-rs-asyncofficial-200")
    w(f"| N=200 requests/solve ≤ official at equal or lower p50 latency — default table | {f(a200['req_per'])} req at p50 {f(a200['lat50'],0)} ms vs official best {f(best_req)} req, p50 {f(best_lat,0)} ms | "
      f"{met(a200['req_per'] <= best_req and a200['lat50'] <= best_lat)} — but see the note: a 1 s solve meets our 1 s first poll exactly |")
    if off:
        w(f"| … — official table (200 ms floor) | {f(off['req_per'])} req at p50 {f(off['lat50'],0)} ms | {met(off['req_per'] <= best_req and off['lat50'] <= best_lat)} |")
a10k = g("fixed-rs-async-10000")
if a10k and a200:
    w(f"| N=10,000 peak RSS < 64 MB (issue 18; < 100 MB before) | {f(a10k['rss'],1)} MB | {met(a10k['rss'] < 64)} |")
    r = ratio(a10k["cpu_per_ms"], a200["cpu_per_ms"])
    w(f"| N=10,000 CPU/solve within 2x of N=200 | {f(a10k['cpu_per_ms'],3)} vs {f(a200['cpu_per_ms'],3)} ms: {f(r)}x | {met(r <= 2)} |")
# Transport limit: at N=2000 where run (CPU times of a few 10 ms ticks at N=200 are too coarse).
for n in ("2000", "200"):
    pairs = [
        ("async CPU/solve within 1.3x of the bare reqwest loop (default schedule)", "fixed-rs-async-", "fixed-bare-reqwest-"),
        ("… official schedule (200 ms polls)", "fixed-rs-asyncofficial-", "fixed-bare-reqwestofficial-"),
        ("blocking CPU/solve within 1.3x of the bare ureq loop (200 threads)", "fixed-rs-blocking-", "fixed-bare-ureq-"),
    ]
    for label, ours, bare in pairs:
        o, b = g(ours + n), g(bare + n)
        if o and b:
            r = ratio(o["cpu"], b["cpu"])
            w(f"| {label}, N={n} | {f(o['cpu'],3)} vs {f(b['cpu'],3)} s: {f(r)}x | {met(r <= 1.3)} |")
ad = g("real-rs-adaptive-300"); fx = g("real-rs-fixed-300")
rpeers = [p for p in (g("real-peer-py-300"), g("real-peer-js-300")) if p]
if ad and fx:
    w(f"| adaptive: fewer requests than the fixed table at no worse latency | {f(ad['req_per'])} vs {f(fx['req_per'])} req; p50 {f(ad['lat50'],0)} vs {f(fx['lat50'],0)} ms, p95 {f(ad['lat95'],0)} vs {f(fx['lat95'],0)} ms | "
      f"{met(ad['req_per'] < fx['req_per'] and ad['lat50'] <= fx['lat50'])} on p50"
      + (f"; p95 {f(100 * (ad['lat95'] / fx['lat95'] - 1), 0)}% worse" if ad['lat95'] > fx['lat95'] else "") + " |")
    if rpeers:
        bl = min(p["lat50"] for p in rpeers)
        w(f"| adaptive ≤ 2.5 requests/solve at p50 latency no worse than the official clients' | {f(ad['req_per'])} req, p50 {f(ad['lat50'],0)} ms vs official best p50 {f(bl,0)} ms | "
          f"{met(ad['req_per'] <= 2.5 and ad['lat50'] <= bl)} |")
pb = g("real-rs-pingback-300")
if pb and ad:
    w(f"| pingback: ≤ 1.1 requests/solve at p50 ready-to-result < 20 ms | {f(pb['req_per'])} req, p50 {f(pb['lat50'],0)} ms "
      f"(adaptive polling: {f(ad['req_per'])} req, p50 {f(ad['lat50'],0)} ms) | {met(pb['req_per'] <= 1.1 and pb['lat50'] < 20)} |")
if codec_rows:
    worst = max((t / b for _, _, t, b in codec_rows if b), default=float("nan"))
    w(f"| core encode/parse within 1.5x of serde_json | worst ratio {f(worst)}x (section 4) | {met(worst <= 1.5)} |")
lg = max((r for _, r in loadgen), default=0)
w(f"| emulator ≥ 10,000 getTaskResult/s on one core | best {lg:,} req/s (section 5) | {met(lg >= 10000)} |")
w("")

w("### Notes on the targets\n")
w("""* **Alignment at a fixed 1 s solve.** Our default image row polls first at 1 s, so a task that takes exactly 1 s is
  found ready by the first poll: 2 requests and a few ms of latency. That is luck, not design (a 1.5 s solve would wait
  for the 3 s poll). Section 2, with log-normal solve times, is the fair comparison of requests against latency.
* **Requests against latency.** The default table honours the documented 2 s floor between polls; the official clients
  poll images every 200 ms. With solve times spread out, nothing that polls every 2 s can match a 200 ms poller's p50
  latency, and the official table (`TimingTable::official()` with the floor lowered to 200 ms) matches their latency at
  their request count. Both rows are shown; which to prefer is a policy choice, not a measurement.
* **Adaptive polling** moves only the first poll (to the 10th percentile of the last 64 solve times); after it the 2 s
  interval applies. It saves the early polls that would find the task processing, and it lowers latency against the
  fixed table because its first poll lands nearer the bulk of the solve times. It cannot reach the official clients'
  p50 while keeping the 2 s floor, so the last adaptive target (≤ 2.5 requests *and* the official p50) is missed by
  construction with this table; it would need a lower floor, which the service's documentation advises against.
* **N = 10,000, all at once.** Each request in flight holds a connection. Both clients cap their requests in flight
  (`max_in_flight`, 512 by default), which bounds the connections (about 650 here, as the pool turns some over). The
  peak was 321 MB before the cap and 116 MB with a cap of 1,024; 512 measured lower in memory, CPU and latency alike,
  and became the default. What each solve held (issue 18, massif at the peak, which is the first createTask wave,
  when all 10,000 solves wait for one of the 512 slots): its future in `solve_all` (4,464 bytes: the task and the
  run were each kept twice, once as an `async fn` argument and once as its local, and the step and the whole
  exchange were inline), its built request (the body's `Vec` at up to twice its size after doubling, a header map
  sized for more than three headers) and its task. Now `solve_all` builds the run at once and maps the drive future,
  the exchange is boxed once it has a slot, the solver drops its task once createTask has answered, and the drive
  loop takes its slot *before* the request is built (`Run::send_limit`), so a queued solve holds no request at all:
  the solve future is 1,408 bytes, and the peak went from 97.7 MB to 50 MB (same machine, same day; about 4.5 KB
  per solve in flight, of which 0.7 KB is the image's base64 the caller handed in). The bare reqwest loop has no cap and opens a connection per solve in flight, so at N = 2,000
  its CPU per solve is higher than the client's.
  The `solve_all(tasks, 1000)` row shows the same 10,000 solves with at most 1,000 solves in flight: far below 100 MB,
  at the cost of wall time. Far enough below the number of solves polling at once, a smaller cap trades latency
  under a burst for memory.
* **Peak RSS at N=200.** The bare reqwest loop, which does no protocol work at all, peaks at about the same RSS as our
  client (see the table): the ≤ 1/5 target is missed by the transport floor (tokio, hyper, 200 sockets), not by the
  client's own state, which adds well under 1 MB.
* **Blocking against bare ureq.** Profiled in issue 18 (400 solves on 200 threads, callgrind and `strace -c -f`):
  the gap was none of the three suspects but name resolution. ureq resolves the host on every request, pooled
  connection or not, and with a timeout set (always, here) its resolver spawns a thread per lookup: 1,000 `clone3`
  for 400 solves against 200 for the bare loop (which sets no timeout and resolves inline), with their stacks
  (`mmap`/`mprotect`/`munmap`/`madvise`, `rt_sigprocmask`, `sigaltstack`): mostly system time, 0.29 s against
  0.11 s at N=2,000. The client now keeps a host's addresses for 30 s (an IP address is used as is). Instructions
  (callgrind, whole process): 103.1 M before, 90.0 M after, 64.1 M for the bare loop; the rest is protocol work
  (the driver's base64 encoding of each image 5 %, the image check 2 %, JSON escaping 3 %, reading answers). The copy into
  `http::Response` is a move of ureq's parts (no copy); the header clone handed to the solver (a `HeaderMap`
  allocation per answer) is now a move; the slot gate now touches its condition variable only when a thread waits
  (one futex wake per request before). At N=200 the ready→result gap (97 ms against 6 ms in the issue's run, on a
  loaded machine) came from the same thread spawns: the 200 threads wake together for their first poll, and each
  spawned a resolver thread on the one pinned core, so the polls queued behind thread starts. Before the change, on a
  quieter machine, p50 9.6 ms against 5.3 ms for the bare loop; after it, 6.5 ms against 6.0 ms (no jitter or
  scheduling in the core delays the poll: the first poll is due exactly 1 s after the createTask answer).
* **Unsolved tasks** (⚠ in section 2): the official table gives images a 10 s deadline, like the official clients, so
  the log-normal tail beyond 10 s times out, for them and for our official-table run alike (the same seeds give the same
  solve times). Our default table's 30 s deadline solves them. Requests per solve count every request sent, over the
  tasks solved.
* **Codec ratios.** Our encode validates every field before writing (for ImageToText that includes checking the
  whole base64 body: issue 18 made that check branch-free over 64-byte chunks, which compiles to vector compares,
  1.60x → 1.14x); our parse reads the envelope, checks it, keeps the raw solution JSON
  and then types the solution from it, where the baseline only deserializes. The JSON body is not parsed twice: the
  envelope pass keeps the solution as a borrowed `RawValue` (no `Value` tree), and only the solution's text is read
  again to type it. Profile of 10,000 parses of the reCAPTCHA answer (1,200-byte token), callgrind: ours 12.85 K
  instructions per parse against 6.93 K for the baseline. serde_json's string scanner (`skip_to_escape`) is 6.4 K of
  ours against 3.4 K: the token is scanned once to find where the solution ends (so its exact text can be kept)
  and once to type it. The rest is the two copies of the token (kept text and typed `String`, against one), UTF-8
  validation (the same as the baseline) and the wider envelope struct. A one-pass variant was built and measured in
  issue 18: walk the members before `solution`, type the solution with serde_json's stream deserializer (which says
  where the value ended, giving the raw text), and read the envelope with the solution spliced out. It cut the
  instructions by 14 % (128.5 M → 110.2 M for 10,000 parses) but not the time (1.28 s against 1.27 s for 2 M parses,
  `perf`: the scanner runs 8 bytes a step at high IPC, and the walk and splice cost what the second scan did), so it
  was not kept. The parse cases therefore stay at about 1.4–1.8x (the same code measured 1.6x and 2.0x on
  ImageToText minutes apart here). The
  URL-form JSON reply is now read in one pass (it was read whole into a `serde_json` map first): 1.85x → 1.34x in
  the same session. The URL-form text baseline is a bare `split_once`, against which any real parser (error tokens,
  `OK|` forms, numbers) costs 2–5x in absolute terms of tens of nanoseconds.
* **CPU resolution.** `/usr/bin/time` counts CPU in 10 ms ticks, so at N=200 (20–70 ms) a ratio can move by 30% with
  one tick; the N=2,000 rows are the ones to read for the transport-limit ratios.
* **Codec noise.** On this shared 2-core VM the same criterion benchmark moves by up to 2x from one run to the next
  (the baseline of ImageToText encode measured 2.8 µs and 4.8 µs minutes apart with no code change), so read the
  codec ratios as a range, not a verdict.
* **Noise.** The official clients' figures depend strongly on the machine's load (the load average is in the header):
  on a starved CPU their 200 ms polls slip, which lowers their request count and raises their latency.
""")

w("## 4. Core codec micro-benchmarks\n")
w("`cargo bench -p capmonster-proto --bench codec` (criterion, median). Baseline: plain `serde_json` on an equivalent "
  "hand-written struct (no validation, no raw JSON kept); for encode both sides build the same `http::Request`."
  + (" Measured at " + __import__("time").strftime("%Y-%m-%dT%H:%MZ", __import__("time").gmtime(codec_when)) + "." if codec_when else "")
  + "\n")
w("| group | case | ours ns | serde_json ns | ratio |\n|---|---|---:|---:|---:|")
for grp, case, t, b in codec_rows:
    w(f"| {grp} | {case} | {t:,.0f} | {('%s' % format(b, ',.0f')) if b else '–'} | {f(t / b) if b else '–'} |")
w("")

w("## 5. Emulator throughput\n")
w("Issue 6 asks that the emulator not be the bottleneck: ≥ 10,000 `getTaskResult`/s on one core with keep-alive. "
  "Server: the release binary, single-threaded tokio runtime, pinned to CPU 0. Client: `crates/capmonster-emulator/examples/loadgen.rs` "
  "pinned to CPU 1 (raw `std::net` HTTP/1.1 over C keep-alive connections, one thread each). It creates N/100 tasks with "
  "`--solve-ms 0` and polls each up to 100 times, so every answer is a real ready result (about 150 bytes of JSON). "
  "100,000 requests per run, one run per connection count in this generation:\n")
w("| keep-alive connections | getTaskResult/s |\n|---:|---:|")
for c, r in loadgen:
    w(f"| {c} | {r:,} |")
w("\nOne connection is bound by the round trip (the client waits for each answer); with several connections the "
  "single server core is the limit. Earlier runs (load average 2–6) gave 9,100–16,900 req/s on one connection and "
  "23,000–41,000 on 4–8. Build cost: 47 crates (`cargo tree -p capmonster-emulator -e normal`), cold dev build 64 s wall.\n")

w("## 6. Plot\n\n![CPU per solve and peak RSS against N](benchmarks.png)\n")

# The acceptance loop against hand-written strategies (tests/examples/accept_bench.rs).
ACCEPT = os.path.join(OUT, "accept.md")
if os.path.exists(ACCEPT):
    w("## 7. Tokens the site accepts: the acceptance loop against hand-written strategies\n")
    w("`tests/examples/accept_bench.rs` (issue 17), in the same run. One simulated site of an in-process "
      "emulator; each strategy gets its own emulator, so every count is the emulator's own (tasks created, "
      "tokens the site accepted and rejected, reports it took). The hand-written strategies are what a user "
      "writes with `solve` + `report_task`; the loop is `solve_accepted_with` with a fresh `SiteBook`. Every "
      "strategy may spend at most 10 tasks on one token. The loop's first tasks for the site go without "
      "`nocache` until 8 verdicts show its plain tokens rejected at 50% or more; from then on it sends "
      "`nocache` as always-nocache does, so its gap to always-nocache is those first tasks and shrinks as a "
      "run gets longer.\n")
    w(open(ACCEPT).read())

# Hand-written remarks about this particular run (OUT_DIR/notes.md), if any.
NOTES = os.path.join(OUT, "notes.md")
if os.path.exists(NOTES):
    w("## 8. Remarks on this run\n")
    w(open(NOTES).read())

open(MD, "w").write("\n".join(L) + "\n")

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    series = {
        "capmonster-async": ["fixed-rs-async-200", "fixed-rs-async-2000", "fixed-rs-async-10000"],
        "capmonster-async, official table": ["fixed-rs-asyncofficial-200", "fixed-rs-asyncofficial-2000"],
        "capmonster-blocking (200 threads)": ["fixed-rs-blocking-200", "fixed-rs-blocking-2000"],
        "bare reqwest": ["fixed-bare-reqwest-200", "fixed-bare-reqwest-2000"],
        "bare ureq (200 threads)": ["fixed-bare-ureq-200", "fixed-bare-ureq-2000"],
        "official Python": ["fixed-peer-py-200"],
        "official Node": ["fixed-peer-js-200"],
    }
    for label, keys in series.items():
        pts = [(G[k]["n"], G[k]["cpu_per_ms"], G[k]["rss"]) for k in keys if k in G]
        if not pts:
            continue
        xs = [p[0] for p in pts]
        ls = "--" if label.startswith("bare") else "-"
        ax1.plot(xs, [p[1] for p in pts], marker="o", linestyle=ls, label=label)
        ax2.plot(xs, [p[2] for p in pts], marker="o", linestyle=ls, label=label)
    for ax, t in ((ax1, "client CPU ms per solve"), (ax2, "client peak RSS MB")):
        ax.set_xscale("log"); ax.set_yscale("log"); ax.set_xlabel("N concurrent ImageToText solves"); ax.set_title(t)
        ax.grid(True, which="both", alpha=0.3)
    ax2.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(PNG, dpi=110)
except ImportError:
    print("matplotlib missing: no plot", file=sys.stderr)
