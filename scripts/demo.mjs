// npm run demo (as root, on Linux with kernel BTF): from nothing to a page alert in a few minutes, all through the
// real path. It starts the built service (which starts the eBPF sensor itself), a small sample shop
// (scripts/demo/burnwatch-demo-shop.mjs), creates two SLOs on it through the API, sends it traffic, and after
// BURNWATCH_DEMO_BAD_AFTER (default 60s) makes a "bad release": the shop is restarted as release 2, which answers
// a quarter of its requests with 503 and half of them slowly. The sensor sees it, the engine burns the budgets,
// a page alert fires and its Slack message is kept in dry-run (GET /api/v1/notifications). Ctrl-C stops it all.
//
// Settings (environment): PORT (8080), HOST (0.0.0.0), BURNWATCH_DEMO_BAD_AFTER (60s),
// BURNWATCH_DEMO_RPS (10 requests per second), BURNWATCH_DEMO_SHOP_PORT (any free port).
// The demo keeps its own embedded database in a temporary directory, removed when it stops; it never uses
// DATABASE_URL, and never posts to Slack (SLACK_BOT_TOKEN is left out, so Slack runs in dry-run).
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHOP = 'burnwatch-demo-shop';
const SHOP_SCRIPT = path.join(root, 'scripts', 'demo', `${SHOP}.mjs`);
const CHANNEL = '#burnwatch-demo';
const SLOS = [
  {
    name: `${SHOP}-errors`,
    description: 'The demo shop answers without server errors',
    team: 'demo',
    service: { workload: SHOP },
    indicator: { type: 'errorRate', errorStatus: '5xx' },
    objective: 99.9,
    window: '30d',
    notify: { slackChannel: CHANNEL },
  },
  {
    name: `${SHOP}-latency`,
    description: 'The demo shop answers within 300 ms',
    team: 'demo',
    service: { workload: SHOP },
    indicator: { type: 'latency', thresholdMs: 300 },
    objective: 99,
    window: '30d',
    notify: { slackChannel: CHANNEL },
  },
];
// What a shopper does: browse, look at a product, now and then buy.
const REQUESTS = [
  { method: 'GET', path: '/api/products', weight: 5 },
  { method: 'GET', path: '/api/products/1', weight: 2 },
  { method: 'GET', path: '/api/products/2', weight: 2 },
  { method: 'POST', path: '/api/checkout', weight: 1 },
];

const startedAt = Date.now();
const children = new Map(); // name -> ChildProcess
let stopping = false;
const timers = [];

function say(line) {
  const s = Math.floor((Date.now() - startedAt) / 1000);
  process.stdout.write(`[${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}] ${line}\n`);
}

function seconds(name, fallback) {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw);
  if (!m) fail(`${name}: must be a duration such as 20s, 1m or 90, got "${raw}"`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[m[2] ?? 's'];
}

function fail(message) {
  process.stderr.write(`demo: ${message}\n`);
  void stop(1);
  throw new Error(message);
}

let traffic = null;

// ---- processes -------------------------------------------------------------------------------------------

/**
 * Each child gets its own process group, so that Ctrl-C reaches only this script, which stops them in order
 * (the service then stops its sensor).
 */
function startChild(name, args, { env, onLine }) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.set(name, child);
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.exited.then(({ code, signal }) => {
    if (children.get(name) === child) children.delete(name);
    if (!stopping && !child.expectedExit) {
      say(`${name} stopped unexpectedly (${signal ?? `exit ${code}`})`);
      void stop(1);
    }
  });
  let partial = '';
  const read = (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  child.stdout.setEncoding('utf8').on('data', read);
  child.stderr.setEncoding('utf8').on('data', read);
  return child;
}

async function stopChild(child, timeoutMs = 15_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.expectedExit = true;
  const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  child.kill('SIGTERM');
  await child.exited;
  clearTimeout(kill);
}

let workDir = null;
let keepWorkDir = false;

async function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const t of timers) clearInterval(t);
  traffic?.stop();
  if (code === 0) say('Stopping: the shop, then Burnwatch and its sensor…');
  const shop = children.get('the shop');
  if (shop) await stopChild(shop);
  const service = children.get('Burnwatch');
  if (service) await stopChild(service, 20_000);
  if (workDir && !keepWorkDir) rmSync(workDir, { recursive: true, force: true });
  if (code === 0) say('Stopped; nothing is left running.');
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
// Last resort, should this script die of an error: leave nothing behind.
process.on('exit', () => {
  for (const child of children.values()) if (child.exitCode === null) child.kill('SIGKILL');
});

async function startService() {
  const main = path.join(root, 'dist', 'src', 'main.js');
  if (!existsSync(main)) fail('the service is not built: run npm run build first (npm run demo does)');
  workDir = mkdtempSync(path.join(os.tmpdir(), 'burnwatch-demo-'));
  const logPath = path.join(workDir, 'service.log');
  const log = createWriteStream(logPath);
  const env = { ...process.env, BURNWATCH_DATA_DIR: path.join(workDir, 'data') };
  // The demo's data stays in its own embedded database, and nothing goes to a real Slack workspace.
  delete env.DATABASE_URL;
  delete env.SLACK_BOT_TOKEN;
  delete env.BURNWATCH_API_TOKEN;
  delete env.BURNWATCH_SENSOR;
  env.BURNWATCH_KUBERNETES ??= 'off';
  const port = env.PORT?.trim() || '8080';
  if (port !== '0') env.BURNWATCH_PUBLIC_URL ??= `http://localhost:${port}`;
  let resolveUrl;
  const url = new Promise((resolve) => (resolveUrl = resolve));
  const service = startChild('Burnwatch', [main], {
    env,
    onLine: (line) => {
      log.write(line + '\n');
      const listening = /Burnwatch is listening on (http:\/\/\S+) /.exec(line);
      if (listening) resolveUrl(listening[1]);
    },
  });
  const timeout = setTimeout(() => {
    keepWorkDir = true;
    process.stderr.write(`demo: Burnwatch did not start within 120 s; its log: ${logPath}\n`);
    void stop(1);
  }, 120_000);
  let starting = true;
  const early = service.exited.then(({ code }) => {
    if (!starting) return;
    keepWorkDir = true;
    const tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-15).join('\n');
    process.stderr.write(`demo: Burnwatch exited with ${code} while starting:\n${tail}\n`);
    void stop(1);
  });
  const found = await Promise.race([url, early]);
  starting = false;
  clearTimeout(timeout);
  return { url: found, logPath };
}

// ---- HTTP ------------------------------------------------------------------------------------------------

async function api(base, method, p, body) {
  const res = await fetch(base + p, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) throw new Error(`${method} ${p} answered ${res.status}: ${text}`);
  return json;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A steady stream of requests to the shop; it follows the shop to its new port after a release. */
function makeTraffic(rps) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const total = REQUESTS.reduce((sum, r) => sum + r.weight, 0);
  const counts = { sent: 0, ok: 0, errors: 0, slow: 0, failed: 0 };
  let port = null;
  let timer = null;
  const pick = () => {
    let n = Math.random() * total;
    return REQUESTS.find((r) => (n -= r.weight) < 0) ?? REQUESTS[0];
  };
  const once = () => {
    if (port === null) return;
    const { method, path: p } = pick();
    const started = Date.now();
    counts.sent++;
    const req = http.request({ host: '127.0.0.1', port, method, path: p, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode >= 500) counts.errors++;
        else counts.ok++;
        if (Date.now() - started > 300) counts.slow++;
      });
    });
    req.setTimeout(5_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => counts.failed++);
    req.end(method === 'POST' ? '{"items":[1,3]}' : undefined);
  };
  return {
    counts,
    to(p) {
      port = p;
      timer ??= setInterval(once, 1000 / rps);
    },
    pause() {
      port = null;
    },
    stop() {
      if (timer) clearInterval(timer);
      agent.destroy();
    },
  };
}

async function startShop(release, port) {
  let resolvePort;
  const listening = new Promise((resolve) => (resolvePort = resolve));
  const shop = startChild('the shop', [SHOP_SCRIPT, '--version', String(release), '--port', String(port)], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    onLine: (line) => {
      const m = /^listening (\d+)/.exec(line);
      if (m) resolvePort(Number(m[1]));
    },
  });
  const found = await Promise.race([listening, sleep(10_000).then(() => null)]);
  if (found === null) fail('the sample shop did not start within 10 s');
  return { shop, port: found };
}

// ---- the story -------------------------------------------------------------------------------------------

async function waitForSensor(base) {
  const deadline = Date.now() + 180_000;
  let said = false;
  for (;;) {
    const sensor = await api(base, 'GET', '/api/v1/sensor');
    if (sensor.state === 'running') return sensor;
    if (sensor.state === 'off' || sensor.state === 'unavailable') {
      fail(`the sensor is not running: ${sensor.reason}; ${sensor.action}`);
    }
    if (!said && sensor.loader === null) {
      say('Waiting for the sensor to load its eBPF programs…');
      said = true;
    }
    if (Date.now() > deadline) fail('the sensor did not start within 180 s');
    await sleep(500);
  }
}

/** "burnwatch-demo-shop-errors: page, burn 248× over 1h, budget left -24689 %" */
function describeStatus(status) {
  const parts = [`${status.slo.slice(SHOP.length + 1)} ${status.status}`];
  const fastest = status.burnRates?.[0];
  if (typeof fastest?.long === 'number')
    parts.push(`burn ${fastest.long.toFixed(1)}× over ${fastest.longWindow}`);
  const budget = status.errorBudget?.remainingPercent;
  if (typeof budget === 'number') parts.push(`budget left ${budget.toFixed(0)} %`);
  return parts.join(', ');
}

async function main() {
  if (process.platform !== 'linux') fail('the demo needs Linux: its sensor is eBPF');
  const badAfterSeconds = seconds('BURNWATCH_DEMO_BAD_AFTER', 60);
  const rps = Number(process.env.BURNWATCH_DEMO_RPS ?? 10);
  if (!(rps >= 1 && rps <= 200))
    fail('BURNWATCH_DEMO_RPS: must be a number of requests per second from 1 to 200');
  traffic = makeTraffic(rps);
  say('Starting Burnwatch (it starts its eBPF sensor itself)…');
  const { url: base, logPath } = await startService();
  say(`Burnwatch is up; its log: ${logPath}`);
  const sensor = await waitForSensor(base);
  say(
    `The sensor is running (pid ${sensor.pid}, ${sensor.loader.origin} loader), scraped at ${sensor.metricsUrl}`,
  );

  let { port } = await startShop(1, Number(process.env.BURNWATCH_DEMO_SHOP_PORT ?? 0));
  say(`Started the sample shop, release 1, on http://127.0.0.1:${port} (service_name "${SHOP}")`);
  for (const slo of SLOS) {
    await api(base, 'POST', '/api/v1/slos', slo);
    say(`Created SLO ${slo.name}: ${slo.description}, ${slo.objective} % over ${slo.window}`);
  }
  traffic.to(port);
  say(`Sending ${rps} requests per second to the shop`);
  process.stdout.write(
    `\n    Open ${base}/ (SLOs), ${base}/alerts and ${base}/workloads\n` +
      `    Slack messages (dry run): ${base}/api/v1/notifications\n` +
      `    A bad release follows in ${badAfterSeconds} s; Ctrl-C stops everything.\n\n`,
  );

  let seen = false;
  let paged = false;
  let told = false;
  const progress = async () => {
    if (stopping) return;
    try {
      if (!seen) {
        const { items } = await api(base, 'GET', '/api/v1/workloads');
        const w = items.find((i) => i.workload === SHOP);
        if (w) {
          seen = true;
          say(
            `The sensor sees ${SHOP}: ${w.routes.length} routes, ${Math.round(w.requestsPerMinute)} requests/min`,
          );
        }
      }
      const { items: statuses } = await api(base, 'GET', '/api/v1/slo-statuses');
      const c = traffic.counts;
      say(
        `${c.sent} requests (${c.errors} 5xx, ${c.slow} over 300 ms) · ` +
          statuses
            .filter((s) => s.slo.startsWith(SHOP))
            .map(describeStatus)
            .join(' · '),
      );
      if (!paged) {
        const { items: alerts } = await api(base, 'GET', '/api/v1/alerts?state=firing');
        const page = alerts.find((a) => a.severity === 'page');
        if (page) {
          paged = true;
          say(`PAGE: ${page.slo} is firing at page severity (alert ${page.id})`);
          process.stdout.write(
            `\n    See it at ${base}/alerts and ${base}/slos/${page.slo}?range=1h (the last hour)\n\n`,
          );
        }
      }
      if (paged && !told) {
        const { items } = await api(base, 'GET', '/api/v1/notifications');
        const message = items.find((n) => n.kind !== 'test' && n.state === 'dry-run');
        if (message) {
          told = true;
          say(`Slack (dry run) to ${message.channel}: ${message.message?.text ?? ''}`);
          say('The demo keeps running so you can look around; Ctrl-C stops everything.');
        }
      }
    } catch (error) {
      if (!stopping) say(`(could not read the API: ${error.message})`);
    }
  };
  timers.push(setInterval(progress, 15_000));

  await sleep(badAfterSeconds * 1000);
  if (stopping) return;
  say('Bad release: stopping the shop, release 1…');
  traffic.pause();
  await stopChild(children.get('the shop'));
  ({ port } = await startShop(2, port));
  traffic.to(port);
  say(`The shop runs release 2 on the same port: a quarter of its answers are 503, half take 400 to 900 ms`);
}

main().catch((error) => {
  if (!stopping) {
    process.stderr.write(`demo: ${error.stack ?? error.message}\n`);
    void stop(1);
  }
});
