#!/usr/bin/env python3
"""Load driver for tests/bench/run.sh: N ImageToText solves at once (asyncio.gather) through the
official Python client (capmonstercloudclient, installed by tests/peers/install.sh), pointed at the
emulator with its documented ClientOptions(service_url=...). Loopback only.

Writes {"n", "ok", "wall_s", "results": [{"ok", "t_start", "t_recv", "error"?}]} (UNIX seconds),
as tests/bench/report.py reads it."""
import argparse
import asyncio
import json
import time

from capmonstercloudclient import CapMonsterClient, ClientOptions
from capmonstercloudclient.requests import ImageToTextRequest

KEY = "0123456789abcdef0123456789abcdef"
# The same 512-byte image as the Rust driver sends: bytes 0..=255 twice.
IMAGE = bytes(range(256)) * 2


async def solve(client):
    started = time.time()
    try:
        await client.solve_captcha(ImageToTextRequest(image_bytes=IMAGE))
        return {"ok": True, "t_start": started, "t_recv": time.time()}
    except Exception as e:  # noqa: BLE001 -- every failure is a result to count
        return {"ok": False, "t_start": started, "t_recv": time.time(),
                "error": f"{type(e).__name__}: {e}"}


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    client = CapMonsterClient(options=ClientOptions(
        api_key=KEY, service_url=f"http://127.0.0.1:{a.port}"))
    t0 = time.time()
    results = await asyncio.gather(*(solve(client) for _ in range(a.n)))
    wall = time.time() - t0
    ok = sum(r["ok"] for r in results)
    with open(a.out, "w") as f:
        json.dump({"client": "capmonstercloudclient (python)", "n": a.n, "ok": ok,
                   "wall_s": round(wall, 3), "results": results}, f)
    errors = sorted({r["error"] for r in results if not r["ok"]})[:3]
    print(f"python n={a.n} ok={ok} wall={wall:.2f}s {errors if errors else ''}")


asyncio.run(main())
