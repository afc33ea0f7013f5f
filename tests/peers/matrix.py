#!/usr/bin/env python3
"""Turns the drivers' JSON lines into docs/PEERS.md: a matrix of client x method with one verdict
per case, and exits non-zero when any verdict is "refused wrongly", "crashed" (not the client's
fault, with evidence), or a method was not driven.

Verdicts:
  worked             the client got an answer.
  refused correctly  the emulator refused with a code the case expects, for the reason given.
  refused wrongly    the emulator refused something the case expects to work, or with another code.
  crashed            the client failed without an API error code. When the case names the client's
                     own fault (with evidence), the row says so; otherwise the emulator is suspect.

usage: matrix.py OUT.md META.json RESULTS.jsonl...
"""
import json
import sys


def verdict(r):
    outcome, expect = r["outcome"], r["expect"]
    if outcome == "worked":
        if expect == "work":
            return "worked", True
        return "worked (a refusal was expected)", False
    if outcome == "refused":
        if expect == "refuse" and r.get("code") in r.get("codes", []):
            return "refused correctly", True
        return "refused wrongly", False
    # crashed
    if expect == "client-fault":
        return "crashed (the client's fault)", True
    return "crashed", False


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def main():
    out, meta_path, *inputs = sys.argv[1:]
    with open(meta_path) as f:
        meta = json.load(f)
    rows = []
    for path in inputs:
        with open(path) as f:
            rows += [json.loads(line) for line in f if line.strip()]
    clients = []
    for r in rows:
        if r["client"] not in clients:
            clients.append(r["client"])

    bad = []
    lines = [
        "# Peers: third-party clients against the emulator",
        "",
        "Written by `bash tests/peers/run.sh` (not by hand). Each client is driven through every method it",
        "offers, unchanged except for where it sends its requests, against an emulator built from this",
        "workspace on 127.0.0.1. Verdicts: **worked**; **refused correctly** (the code the service uses, for",
        "the reason given); **refused wrongly**; **crashed** (the client failed without an API error; the",
        "row says whose fault it is, with the evidence).",
        "",
        f"Run: {meta.get('date', '?')}, emulator `{meta.get('emulator', '?')}`, Python {meta.get('python', '?')}, "
        f"Node {meta.get('node', '?')}.",
        "",
        "| client | methods | worked | refused correctly | refused wrongly | crashed (emulator) | crashed (client's fault) |",
        "|---|---|---|---|---|---|---|",
    ]
    by_client = {c: [r for r in rows if r["client"] == c] for c in clients}
    for c in clients:
        counts = {"worked": 0, "refused correctly": 0, "refused wrongly": 0, "crashed": 0, "client": 0}
        for r in by_client[c]:
            v, _ = verdict(r)
            if v == "worked":
                counts["worked"] += 1
            elif v == "refused correctly":
                counts["refused correctly"] += 1
            elif v.startswith("crashed (the client"):
                counts["client"] += 1
            elif v.startswith("crashed"):
                counts["crashed"] += 1
            else:
                counts["refused wrongly"] += 1
        lines.append(f"| {cell(c)} | {len(by_client[c])} | {counts['worked']} | {counts['refused correctly']} | "
                     f"{counts['refused wrongly']} | {counts['crashed']} | {counts['client']} |")
    lines.append("")
    for c in clients:
        lines += [f"## {c}", "", "| method | verdict | code | why | what happened |", "|---|---|---|---|---|"]
        for r in sorted(by_client[c], key=lambda r: r["method"].lower()):
            v, ok = verdict(r)
            if not ok or "not driven" in r.get("detail", ""):
                bad.append(f"{c}: {r['method']}: {v}: {r.get('detail', '')}")
            detail = r.get("detail", "")
            why = r.get("why", "") if v != "worked" else ""
            lines.append(f"| {cell(r['method'])} | **{v}** | {cell(r.get('code') or '')} | {cell(why)} | "
                         f"{cell(detail[:140])} |")
        lines.append("")
    lines += [
        "## How the clients are pointed at the emulator",
        "",
        "- capmonstercloudclient: `ClientOptions(service_url=...)`, its documented option.",
        "- @zennolab_com/capmonstercloud-client: `ClientOptions({ serviceUrl })`, its documented option. It turns",
        "  codes it does not know into `Unknown`, so its cases run one at a time and the code the emulator sent",
        "  is read from the emulator's stats.",
        "- anticaptchaofficial: its address `https://api.anti-captcha.com/` is fixed, so `requests`' transport",
        "  adapter rewrites it to the emulator (tests/peers/drivers/peerlib.py, `redirect_requests`). The",
        "  emulator runs in its Anti-Captcha dialect.",
        "- 2captcha-python: `server=\"127.0.0.1:PORT\"`, its own option; its scheme is fixed to https, which the",
        "  same adapter turns into http.",
        "",
    ]
    with open(out, "w") as f:
        f.write("\n".join(lines))
    if bad:
        print("peer matrix: problems:")
        for b in bad:
            print("  " + b[:300])
        return 1
    print(f"peer matrix: {len(rows)} cases, all as expected; written to {out}")
    return 0


sys.exit(main())
