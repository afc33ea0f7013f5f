"""Shared by the Python peer drivers: arguments, test data, the loopback redirect for clients
whose service address is fixed, and the record of one case (client x method).

Each case is written as one JSON line:
  {"client", "method", "outcome": "worked"|"refused"|"crashed", "code", "detail",
   "expect": "work"|"refuse", "codes": [...], "why": "..."}
tests/peers/matrix.py turns the lines into docs/PEERS.md.
"""
import argparse
import base64
import concurrent.futures
import json
import re
import sys
import threading
import time
import traceback

API_KEY = "0123456789abcdef0123456789abcdef"
SITE_URL = "https://peers.example.test/login"
SITE_KEY = "6LeEMULATOR-PEERS-SITEKEY-000000000000000"
# An "image" that carries the emulator's TEXT: marker, so ImageToText answers "peer42".
IMG_BYTES = bytes(120) + b"TEXT:peer42." + bytes(range(256))
IMG_B64 = base64.b64encode(IMG_BYTES).decode()
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36"
PROXY = {"proxyType": "http", "proxyAddress": "203.0.113.7", "proxyPort": 8080,
         "proxyLogin": "user", "proxyPassword": "pass"}

# A code the emulator (or the service) sends: ERROR_..., or one of the un-prefixed forms.
CODE_RE = re.compile(r"\b(ERROR_[A-Z0-9_]+|WRONG_CAPTCHA_ID|CAPCHA_NOT_READY|IP_BANNED|MAX_USER_TURN)\b")


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True, help="http://127.0.0.1:PORT of the emulator")
    ap.add_argument("--out", required=True, help="JSON-lines file of results")
    ap.add_argument("--workers", type=int, default=12)
    ap.add_argument("--timeout", type=float, default=150.0, help="seconds per case")
    a = ap.parse_args()
    if not a.base.startswith("http://127.0.0.1:"):
        sys.exit("the peer drivers talk to a loopback emulator only")
    return a


def redirect_requests(https_prefix, base):
    """Sends `requests` calls for `https_prefix...` to `base...` instead, below the client's own
    code: the adapter rewrites the prepared request's URL just before it is sent. Used for clients
    whose service address is fixed (anticaptchaofficial) or whose scheme is fixed to https
    (2captcha-python). Anything else is refused, so nothing leaves the machine."""
    import requests.adapters

    original = requests.adapters.HTTPAdapter.send

    def send(self, request, *args, **kwargs):
        if not request.url.startswith(https_prefix):
            raise RuntimeError(f"peer harness: refusing a request to {request.url}")
        request.url = base + "/" + request.url[len(https_prefix):]
        return original(self, request, *args, **kwargs)

    requests.adapters.HTTPAdapter.send = send


def code_in(text):
    m = CODE_RE.search(str(text))
    return m.group(1) if m else None


def short(v, n=300):
    s = v if isinstance(v, str) else json.dumps(v, default=str)
    return s if len(s) <= n else s[:n] + "..."


class Recorder:
    def __init__(self, client, args):
        self.client = client
        self.args = args
        self.cases = []
        self.lock = threading.Lock()
        self.out = open(args.out, "w")

    def case(self, method, fn, expect="work", codes=(), why=""):
        """Registers `fn` (no arguments; returns the client's result, or raises). `expect` is
        "work" or "refuse"; `codes` the refusal codes that are right; `why` says why a refusal is
        expected."""
        self.cases.append((method, fn, expect, list(codes), why))

    def _run(self, method, fn, expect, codes, why):
        t0 = time.time()
        row = {"client": self.client, "method": method, "expect": expect, "codes": codes, "why": why}
        try:
            result = fn()
            verdict = judge(result)
            row.update(verdict)
        except Exception as e:  # noqa: BLE001 - every failure is a result here
            code = getattr(e, "code", None) if isinstance(e, Refused) else None
            code = code or code_in(e)
            text = f"{type(e).__name__}: {e}"
            if code:
                row.update(outcome="refused", code=code, detail=short(text))
            else:
                tb = traceback.extract_tb(e.__traceback__)
                where = ""
                for fr in reversed(tb):
                    if "site-packages" in fr.filename:
                        where = f" at {fr.filename.split('site-packages/')[-1]}:{fr.lineno}"
                        break
                row.update(outcome="crashed", code=None, detail=short(text + where))
        row["seconds"] = round(time.time() - t0, 2)
        with self.lock:
            self.out.write(json.dumps(row) + "\n")
            self.out.flush()
        print(f"  {row['outcome']:8} {method}: {row.get('code') or ''} {short(row.get('detail', ''), 160)}",
              flush=True)

    def run(self):
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.args.workers) as ex:
            futures = [ex.submit(self._run, *c) for c in self.cases]
            for f in futures:
                f.result(timeout=self.args.timeout + 60)
        self.out.close()


class Refused(Exception):
    """A client reported an API error in its return value rather than by raising. `code` names
    it when the message carries no ERROR_ code."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code


def judge(result):
    """A result the client returned: a solution (worked), or an error it returned instead of
    raising (refused, when a code is in it)."""
    if isinstance(result, Refused):
        raise result
    if result is None or result == 0 or result == "" or result == {}:
        return {"outcome": "crashed", "code": None, "detail": f"the client returned {result!r}"}
    return {"outcome": "worked", "code": None, "detail": short(result)}
