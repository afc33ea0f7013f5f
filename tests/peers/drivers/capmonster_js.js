#!/usr/bin/env node
// Peer driver: the official CapMonster Cloud Node client (npm @zennolab_com/capmonstercloud-client
// 2.6.1), pointed at the emulator with its documented ClientOptions({ serviceUrl }).
//
// Every *Request class the installed package exports is driven once through client.Solve, plus
// getBalance; GeeTest also as v4, the form the issue found refused. A class this driver has no
// parameters for is still reported ("not driven"), so a new client version shows up in the matrix.
// Writes one JSON line per case (see peerlib.py for the fields).
//
// This client turns error codes it does not know into "Unknown", so the cases run one at a time
// and the code the emulator actually sent is read from its stats (errors_by_code, before and
// after each case).
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
const base = opt('--base');
const out = opt('--out');
const modules = opt('--modules');
if (!base || !base.startsWith('http://127.0.0.1:') || !out || !modules) {
  console.error('usage: capmonster_js.js --base http://127.0.0.1:PORT --out FILE --modules NODE_MODULES_DIR');
  process.exit(2);
}
const lib = require(path.join(modules, '@zennolab_com', 'capmonstercloud-client'));
const version = require(path.join(modules, '@zennolab_com', 'capmonstercloud-client', 'package.json')).version;
const CLIENT = `@zennolab_com/capmonstercloud-client ${version} (Node)`;

const API_KEY = '0123456789abcdef0123456789abcdef';
const SITE_URL = 'https://peers.example.test/login';
const SITE_KEY = '6LeEMULATOR-PEERS-SITEKEY-000000000000000';
const IMG_B64 = Buffer.concat([Buffer.alloc(120), Buffer.from('TEXT:peer42.'),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i))]).toString('base64');
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';
const PROXY = { proxyType: 'http', proxyAddress: '203.0.113.7', proxyPort: 8080, proxyLogin: 'user', proxyPassword: 'pass' };
const CODE_RE = /\b(ERROR_[A-Z0-9_]+|WRONG_CAPTCHA_ID|CAPCHA_NOT_READY)\b/;
const REMOVED = "a ComplexImageTask class removed from CapMonster's documentation; ERROR_TASK_NOT_SUPPORTED is the code for an unknown class";

// Parameters per exported class: [params, expect, codes, why].
const CASES = {
  RecaptchaV2Request: [{ websiteURL: SITE_URL, websiteKey: SITE_KEY }],
  RecaptchaV2EnterpriseRequest: [{ websiteURL: SITE_URL, websiteKey: SITE_KEY, enterprisePayload: { s: 'SOME_ADDITIONAL_TOKEN' } }],
  RecaptchaV3ProxylessRequest: [{ websiteURL: SITE_URL, websiteKey: SITE_KEY, minScore: 0.7, pageAction: 'login' }],
  RecaptchaV3EnterpriseRequest: [{ websiteURL: SITE_URL, websiteKey: SITE_KEY, minScore: 0.7, pageAction: 'login' }],
  ImageToTextRequest: [{ body: IMG_B64 }],
  FunCaptchaRequest: [{ websiteURL: SITE_URL, websitePublicKey: '69A21A01-CC7B-B9C6-0F9A-E7FA06677FFC' }],
  GeeTestRequest: [{ websiteURL: SITE_URL, gt: '81388ea1fc187e0c335c0a8907ff2625', challenge: '2e2f0f65240058b683cb6ea21c303eea6n' }],
  HCaptchaRequest: [{ websiteURL: SITE_URL, websiteKey: '472fc7af-86a4-4382-9a49-ca9090474471' }],
  TurnstileRequest: [{ websiteURL: SITE_URL, websiteKey: '0x4AAAAAAABUYP0XeMJF0xoy' }],
  // The ComplexImage classes take `metaData` (capital D) and `websiteURL`.
  ComplexImageRecaptchaRequest: [{ imagesBase64: [IMG_B64], metaData: { Grid: '3x3', Task: 'Click on traffic lights' }, userAgent: UA, websiteURL: SITE_URL }],
  ComplexImageHCaptchaRequest: [{ imagesBase64: [IMG_B64], metaData: { Task: 'Please click each image containing a mountain' } },
    'refuse', ['ERROR_TASK_NOT_SUPPORTED'], REMOVED],
  ComplexImageFunCaptchaRequest: [{ imagesBase64: [IMG_B64], metaData: { Task: 'Pick the lion' } },
    'refuse', ['ERROR_TASK_NOT_SUPPORTED'], REMOVED],
  ComplexImageTaskRecognitionRequest: [{ imagesBase64: [IMG_B64], metaData: { Task: 'oocl_rotate_new' } }],
  DataDomeRequest: [{ websiteURL: SITE_URL, proxy: PROXY, metadata: { captchaUrl: 'https://geo.captcha-delivery.com/captcha/?initialCid=AHrlqAAAAAMA', datadomeCookie: 'datadome=6BvxqELMoorFNoo7GT1' } }],
  TenDIRequest: [{ websiteURL: SITE_URL, websiteKey: '189123456' }],
  AmazonRequest: [{ websiteURL: SITE_URL, websiteKey: 'AQIDAHjcYu/GjX+QlghicBgQ/7bFaQZ+m5FKCMDnO+vTbNg96AHMDLodoefdvyOnsHMRt', captchaScript: 'https://ab.token.awswaf.com/captcha.js', challengeScript: 'https://ab.token.awswaf.com/challenge.js', context: 'qoJYgnKsc', iv: 'CgAHbCe2GgAAAAAj' }],
  BasiliskRequest: [{ websiteURL: SITE_URL, websiteKey: 'b7890hre5cf2544b2759eda0d2a5d4b2' }],
  ImpervaRequest: [{ websiteURL: SITE_URL, proxy: PROXY, metadata: { incapsulaScriptUrl: '_Incapsula_Resource?SWJIYLWA=719d34d31c8e3a6e6fffd425f7e032f3', incapsulaCookies: 'incap_ses_1166_2930313=br7iX33ZNCtf3HlpEXcuEDzz72cAAAAA0suDnBGrq/iA0J4oERYzjQ==' } }],
  BinanceRequest: [{ websiteURL: SITE_URL, websiteKey: 'login', validateId: '2b8137c0b9b44189800368819354e114' }],
  ProsopoRequest: [{ websiteURL: SITE_URL, websiteKey: '5EZU3LG31uzq1Mwi8inwqxmfvFDpj7VzwDnZwj4Q3syyxBwV' }],
  TemuRequest: [{ websiteURL: SITE_URL, metadata: { cookie: 'api_uid=Cn1OK2Yz; _nano_fp=XpmYl0PbXqmJnqXbnT_' } }],
  YidunRequest: [{ websiteURL: SITE_URL, websiteKey: '6cw0f0485d5d46auacf9b735d20218a5' }],
  MTCaptchaRequest: [{ websiteURL: SITE_URL, websiteKey: 'MTPublic-abCDEFJAB' }],
  CastleRequest: [{ websiteURL: SITE_URL, websiteKey: 'pk_1Tk5Yzr1WFzxrJCh7WzMZzY1rHpaOtdK', metadata: { wUrl: 'https://s1.rbxcdn.com/CaptchaFrame/castle.js', swUrl: 'https://s1.rbxcdn.com/CaptchaFrame/castle.sw.js', count: 2 } }],
  TSPDRequest: [{ websiteURL: SITE_URL, userAgent: UA, proxy: PROXY, metadata: { tspdCookie: 'TSxxxxxxxx=08cf6a4f2dab2000', htmlPageBase64: 'PGh0bWw+PC9odG1sPg==' } }],
  HuntRequest: [{ websiteURL: SITE_URL, proxy: PROXY, metadata: { apiGetLib: 'https://www.example.test/hd-api/external/apps/a2157wab1045d68672a63557e0n2a77edbfd15ea/api.js', data: 'K9PMzTV7gGwA4jqgUOQMmk1H' } }],
  AltchaRequest: [{ websiteURL: SITE_URL, websiteKey: '', metadata: { challenge: '3dd28253be6cc0c54d95f7f98c517e68744597cc6e66109619d1ac975c39181c', iterations: '5000', salt: '46d5b1c8871e5152d902ee3f?edk=1493462145de1ce33a52fb569b27a364&expires=1743590560', signature: '4b1cf0e0be0f4e5247e50b0f9a449830f1fbca44c32ff94bc080146815f31a18' } }],
};
// Extra cases: GeeTest v4, which this client sends with "version": "4" (a string).
const EXTRA = [
  ['GeeTestRequest (v4)', 'GeeTestRequest', { websiteURL: SITE_URL, gt: '54088bb07d2df3c46b79f80300b0abbe', version: '4', initParameters: { riskType: 'slide' } }],
];

const short = (v, n = 300) => { const s = typeof v === 'string' ? v : JSON.stringify(v); return s && s.length > n ? s.slice(0, n) + '...' : s; };
const lines = [];
function record(row) { lines.push(JSON.stringify(row)); console.log(`  ${row.outcome.padEnd(8)} ${row.method}: ${row.code || ''} ${short(row.detail, 160)}`); }

// The emulator's error answers so far, by code.
function errorsSent() {
  return new Promise((resolve) => {
    http.get(`${base}/_emulator/stats`, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        try { resolve(JSON.parse(Buffer.concat(chunks).toString()).errors_by_code || {}); } catch (e) { resolve({}); }
      });
    }).on('error', () => resolve({}));
  });
}

async function runCase(method, fn, expect = 'work', codes = [], why = '') {
  const t0 = Date.now();
  const row = { client: CLIENT, method, expect, codes, why };
  const before = await errorsSent();
  try {
    const r = await fn();
    // Solve returns a CaptchaResult { solution, error }: an API error comes back as `error`.
    if (r && typeof r === 'object' && 'error' in r && r.error) {
      const after = await errorsSent();
      const sent = Object.keys(after).filter((k) => (after[k] || 0) > (before[k] || 0));
      const code = sent.length ? sent.join(',') : String(r.error);
      Object.assign(row, { outcome: 'refused', code, detail: short(`CaptchaResult.error = ${r.error}; the emulator sent ${sent.join(', ') || 'no error code'}`) });
    } else if (r && typeof r === 'object' && 'solution' in r && !r.solution) {
      Object.assign(row, { outcome: 'crashed', code: null, detail: short(`empty solution: ${JSON.stringify(r)}`) });
    } else if (r === undefined || r === null) {
      Object.assign(row, { outcome: 'crashed', code: null, detail: `the client returned ${r}` });
    } else {
      Object.assign(row, { outcome: 'worked', code: null, detail: short(r.solution !== undefined ? r.solution : r) });
    }
  } catch (e) {
    const text = `${e && e.constructor && e.constructor.name}: ${e && e.message}`;
    const m = CODE_RE.exec(text);
    if (m) Object.assign(row, { outcome: 'refused', code: m[1], detail: short(text) });
    else Object.assign(row, { outcome: 'crashed', code: null, detail: short(text + ' ' + String(e && e.stack).split('\n').slice(1, 3).join(' | ')) });
  }
  row.seconds = (Date.now() - t0) / 1000;
  record(row);
}

(async () => {
  const client = lib.CapMonsterCloudClientFactory.Create(new lib.ClientOptions({ clientKey: API_KEY, serviceUrl: base }));
  const jobs = [['getBalance', () => client.getBalance()]];
  const exported = Object.keys(lib).filter((k) => k.endsWith('Request') && typeof lib[k] === 'function').sort();
  for (const name of exported) {
    const spec = CASES[name];
    if (!spec) {
      jobs.push([name, async () => { throw new Error(`not driven: the driver has no parameters for ${name}`); }]);
      continue;
    }
    const [params, expect, codes, why] = spec;
    jobs.push([name, () => client.Solve(new lib[name](params)), expect, codes, why]);
  }
  for (const [label, name, params] of EXTRA) {
    jobs.push([label, () => client.Solve(new lib[name](params))]);
  }
  for (const job of jobs) await runCase(...job);
  fs.writeFileSync(out, lines.join('\n') + '\n');
  // Keep-alive sockets would hold the process open: exit once everything is written.
  process.exit(0);
})();
