#!/usr/bin/env node
// Load driver for tests/bench/run.sh: N ImageToText solves at once (Promise.all) through the
// official Node client (@zennolab_com/capmonstercloud-client, installed by tests/peers/install.sh),
// pointed at the emulator with its documented ClientOptions({ serviceUrl }). Loopback only.
//
//   node bench_js.js --modules WORK/js/node_modules --port PORT -n N --out FILE
//
// Writes {"n", "ok", "wall_s", "results": [{"ok", "t_start", "t_recv", "error"?}]} (UNIX
// seconds), as tests/bench/report.py reads it.
'use strict';
const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const modules = arg('--modules');
const port = Number(arg('--port'));
const n = Number(arg('-n', '200'));
const out = arg('--out');
if (!modules || !port || !out) {
  console.error('usage: bench_js.js --modules DIR --port PORT -n N --out FILE');
  process.exit(2);
}
const { CapMonsterCloudClientFactory, ClientOptions, ImageToTextRequest } = require(
  path.join(modules, '@zennolab_com', 'capmonstercloud-client'));

const KEY = '0123456789abcdef0123456789abcdef';
// The same 512-byte image as the Rust driver sends: bytes 0..=255 twice.
const IMAGE = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256)).toString('base64');
const now = () => (performance.timeOrigin + performance.now()) / 1000;

async function solve(client) {
  const started = now();
  try {
    const r = await client.Solve(new ImageToTextRequest({ body: IMAGE }));
    if (r.error) return { ok: false, t_start: started, t_recv: now(), error: `error=${r.error}` };
    return { ok: true, t_start: started, t_recv: now() };
  } catch (e) {
    return { ok: false, t_start: started, t_recv: now(), error: `${e && e.name}: ${e && e.message}` };
  }
}

(async () => {
  const client = CapMonsterCloudClientFactory.Create(
    new ClientOptions({ clientKey: KEY, serviceUrl: `http://127.0.0.1:${port}` }));
  const t0 = now();
  const results = await Promise.all(Array.from({ length: n }, () => solve(client)));
  const wall = now() - t0;
  const ok = results.filter((r) => r.ok).length;
  fs.writeFileSync(out, JSON.stringify({
    client: '@zennolab_com/capmonstercloud-client (node)', n, ok, wall_s: +wall.toFixed(3), results,
  }));
  const errors = [...new Set(results.filter((r) => !r.ok).map((r) => r.error))].slice(0, 3);
  console.log(`node n=${n} ok=${ok} wall=${wall.toFixed(2)}s ${errors.join('; ')}`);
  // Keep-alive sockets would hold the process open for the agent's idle timeout.
  process.exit(0);
})();
