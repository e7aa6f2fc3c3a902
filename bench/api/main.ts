/**
 * List latency under load: `GET /api/v1/slo-statuses` with SLOS SLOs and `GET /api/v1/slos?limit=100`, each hit by
 * CONNECTIONS concurrent keep-alive clients (in a worker thread, off the service's event loop) for SECONDS, against
 * the real service on its own Postgres database.
 * Results: docs/benchmarks.md. Run it alone on the machine (no builds or tests at the same time).
 *
 *   npm run bench:api
 *
 * Environment: SLOS (1000), CONNECTIONS (50), SECONDS (15), CLIENT (raw, or node-http: see CLIENT below), ONLY (a substring: run only the lists whose line
 * holds it, e.g. ONLY=summary; `ONLY=slo-statuses:` the full view as bytes alone), BENCH_DATABASE_URL (admin connection, default
 * postgres://postgres@127.0.0.1:5432/test).
 */
import 'reflect-metadata';
import os from 'node:os';
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pg from 'pg';
import { DataSource } from 'typeorm';
import http from 'node:http';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { SloEngine } from '../../src/alerts/engine/slo-engine.service.js';
import { startBurnwatch } from '../../src/app.js';
import { JsonLogger } from '../../src/observability/json-logger.js';
import { loadConfig } from '../../src/config/config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';

const SLOS = Number(process.env.SLOS ?? 1000);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const SECONDS = Number(process.env.SECONDS ?? 15);
/**
 * The clients: `raw` (default) reads every socket into one reused buffer and parses only the status line and
 * Content-Length, so the clients make no garbage per byte received; `node-http` is Node's http client, which
 * allocates a Buffer per chunk read: at 2 GB/s of 1.3 MB answers its worker spent 16 % of its time in GC (pauses up
 * to 124 ms) and those pauses were counted as the service's latency; `wrk` runs wrk (another process, in C) instead.
 */
const CLIENT = process.env.CLIENT ?? 'raw';
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** One HTTP request on a keep-alive agent: its status and the whole body read. */
function call(
  url: string,
  agent: http.Agent,
  options: { method?: string; body?: string; contentType?: string; acceptEncoding?: string } = {},
): Promise<{ statusCode: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        agent,
        method: options.method ?? 'GET',
        headers: {
          ...(options.body ? { 'content-type': options.contentType ?? 'application/json' } : {}),
          ...(options.acceptEncoding ? { 'accept-encoding': options.acceptEncoding } : {}),
        },
      },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, bytes }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** One read buffer for every raw connection of a thread: each read is handled before the next one lands. */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);
const HEADER_END = Buffer.from('\r\n\r\n');

/** A keep-alive HTTP/1.1 connection for GETs answered with a Content-Length, reading into READ_BUFFER. */
class RawConnection {
  private readonly socket: net.Socket;
  private readonly request: string;
  private header = '';
  private remaining = -1;
  private statusCode = 0;
  private bytes = 0;
  private waiting:
    { resolve: (r: { statusCode: number; bytes: number }) => void; reject: (e: Error) => void } | undefined;

  constructor(url: string, acceptEncoding: string | undefined) {
    const { hostname, port, pathname, search } = new URL(url);
    this.request =
      `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: keep-alive\r\n` +
      `${acceptEncoding ? `Accept-Encoding: ${acceptEncoding}\r\n` : ''}\r\n`;
    this.socket = net.connect({
      host: hostname,
      port: Number(port),
      onread: {
        buffer: READ_BUFFER,
        callback: (n: number, buffer: Uint8Array) => this.onRead(buffer as Buffer, n),
      },
    });
    this.socket.on('error', (error) => this.waiting?.reject(error));
  }

  get(): Promise<{ statusCode: number; bytes: number }> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.header = '';
      this.remaining = -1;
      this.bytes = 0;
      this.socket.write(this.request);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onRead(buffer: Buffer, n: number): boolean {
    let at = 0;
    if (this.remaining < 0) {
      // The head is a few hundred bytes: kept as text until its end is seen.
      const end = buffer.subarray(0, n).indexOf(HEADER_END);
      const headEnd = end < 0 ? n : end + HEADER_END.length;
      this.header += buffer.toString('latin1', 0, headEnd);
      if (end < 0) return true;
      this.statusCode = Number(this.header.slice(9, 12));
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(this.header);
      if (!length) {
        this.waiting?.reject(new Error(`an answer without Content-Length: ${this.header}`));
        return true;
      }
      this.remaining = Number(length[1]);
      at = headEnd;
    }
    const body = Math.min(n - at, this.remaining);
    this.bytes += body;
    this.remaining -= body;
    if (this.remaining === 0) {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.resolve({ statusCode: this.statusCode, bytes: this.bytes });
    }
    return true;
  }
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

async function load(
  url: string,
  agent: http.Agent,
  acceptEncoding: string | undefined,
): Promise<{ count: number; p50: number; p99: number; max: number; errors: number; bytes: number }> {
  const latencies: number[] = [];
  const connections: RawConnection[] = [];
  let errors = 0;
  let bytes = 0;
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const connection = CLIENT === 'node-http' ? undefined : new RawConnection(url, acceptEncoding);
      if (connection) connections.push(connection);
      while (performance.now() < until) {
        const start = performance.now();
        const response = connection ? await connection.get() : await call(url, agent, { acceptEncoding });
        if (response.statusCode !== 200) errors++;
        bytes = response.bytes;
        latencies.push(performance.now() - start);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  for (const connection of connections) connection.close();
  return {
    count: latencies.length,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies.at(-1)!,
    errors,
    bytes,
  };
}

type LoadResult = Awaited<ReturnType<typeof load>>;

/**
 * The load from wrk (CLIENT=wrk, when installed): another process in C, a check that the figures are the service's
 * and not the Node clients'. Its percentiles are its own (HdrHistogram); bytes per answer are not reported.
 */
async function loadWithWrk(url: string, acceptEncoding: string | undefined): Promise<LoadResult> {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', url];
  if (acceptEncoding) args.unshift('-H', `Accept-Encoding: ${acceptEncoding}`);
  const { stdout } = await promisify(execFile)('wrk', args);
  const ms = (label: string) => {
    const m = new RegExp(`${label}\\s+([\\d.]+)(us|ms|s)\\b`).exec(stdout);
    if (!m) throw new Error(`wrk gave no ${label}:\n${stdout}`);
    return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2] as 'us' | 'ms' | 's'];
  };
  const count = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  const socketErrors = /Socket errors: (.*)/.exec(stdout)?.[1];
  if (socketErrors) throw new Error(`wrk: socket errors ${socketErrors}`);
  return {
    count,
    p50: ms('50%'),
    p99: ms('99%'),
    max: ms('Latency\\s+[\\d.]+\\w+\\s+[\\d.]+\\w+'),
    errors: non2xx,
    bytes: NaN,
  };
}

/** The load in a worker thread, so that the clients do not share the service's event loop. */
function loadInWorker(url: string, acceptEncoding?: string): Promise<LoadResult> {
  if (CLIENT === 'wrk') return loadWithWrk(url, acceptEncoding);
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { url, acceptEncoding } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function main(): Promise<void> {
  const database = `burnwatch_bench_api_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();
  let running: Awaited<ReturnType<typeof startBurnwatch>> | undefined;
  try {
    const migrations = new DataSource(dataSourceOptions({ url: databaseUrl, poolSize: 1 }));
    await migrations.initialize();
    await migrations.runMigrations();
    await migrations.destroy();
    const base = loadConfig({ DATABASE_URL: databaseUrl });
    running = await startBurnwatch(
      {
        ...base,
        port: 0,
        host: '127.0.0.1',
        logLevel: 'error',
        kubernetes: { ...base.kubernetes, mode: 'off' },
        engine: { ...base.engine, scrapeTargets: [], schedule: false },
      },
      new JsonLogger('error'),
    );
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    // SLOs through the API, ten at a time, as a user's tooling would create them.
    for (let i = 0; i < SLOS; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, SLOS - i) }, async (_, k) => {
          const n = i + k;
          const response = await call(`${running!.url}/api/v1/slos`, agent, {
            method: 'POST',
            body: JSON.stringify({
              name: `slo-${n}`,
              team: `team-${n % 20}`,
              service: { namespace: `ns-${n % 10}`, workload: `workload-${n}` },
              indicator: n % 2 ? { type: 'errorRate' } : { type: 'latency', thresholdMs: 300 },
              objective: 99.9,
              window: '30d',
            }),
          });
          if (response.statusCode !== 201) throw new Error(`creating slo-${n}: HTTP ${response.statusCode}`);
        }),
      );
    }
    await running.app.get(SloEngine).tick(new Date());
    const lines = [
      `${SLOS} SLOs, ${CONNECTIONS} connections (${CLIENT} clients), ${SECONDS} s each, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    ];
    // The full list (for compatibility, as bytes and compressed), the UI's list as a browser asks for it (compressed) and as bytes, one page.
    const lists: { path: string; acceptEncoding?: string }[] = [
      { path: '/api/v1/slo-statuses' },
      { path: '/api/v1/slo-statuses', acceptEncoding: 'gzip, deflate, br' },
      { path: '/api/v1/slo-statuses?view=summary' },
      { path: '/api/v1/slo-statuses?view=summary', acceptEncoding: 'gzip, deflate, br' },
      { path: '/api/v1/slos?limit=100' },
    ];
    const only = process.env.ONLY;
    for (const { path, acceptEncoding } of lists) {
      const label = `GET ${path}${acceptEncoding ? ` (Accept-Encoding: ${acceptEncoding})` : ''}`;
      if (only !== undefined && !`${label}:`.includes(only)) continue;
      await loadInWorker(`${running.url}${path}`, acceptEncoding); // warm-up round, not reported
      // The service's own thread while the clients run: how long its event loop was held (a request waiting
      // behind a rebuild or a write of megabytes) and how much of that was garbage collection.
      const delay = monitorEventLoopDelay({ resolution: 5 });
      const gc = { count: 0, ms: 0, maxMs: 0 };
      const gcObserver = new PerformanceObserver((entries) => {
        for (const entry of entries.getEntries()) {
          gc.count++;
          gc.ms += entry.duration;
          gc.maxMs = Math.max(gc.maxMs, entry.duration);
        }
      });
      gcObserver.observe({ entryTypes: ['gc'] });
      delay.enable();
      const r = await loadInWorker(`${running.url}${path}`, acceptEncoding);
      delay.disable();
      gcObserver.disconnect();
      const ms = (ns: number) => (ns / 1e6).toFixed(1);
      lines.push(
        `${label}: ${r.count} requests (${(r.count / SECONDS).toFixed(0)}/s), p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms, non-200 ${r.errors}, ${Number.isNaN(r.bytes) ? 'size not counted' : `${(r.bytes / 1024).toFixed(0)} KiB per answer`}`,
        `  service thread: event-loop delay p50 ${ms(delay.percentile(50))} ms, p99 ${ms(delay.percentile(99))} ms, max ${ms(delay.max)} ms; GC ${gc.count} pauses, ${gc.ms.toFixed(0)} ms in all, longest ${gc.maxMs.toFixed(1)} ms`,
      );
    }
    // Hostile-but-fair requests (the widest timeseries, a 1 MB document of 50,000 keys to the OpenSLO import)
    // while /healthz is polled: the service must keep answering it (issue 16: under 100 ms). Skipped with ONLY.
    if (only === undefined) {
      const hostile = [
        () => call(`${running!.url}/api/v1/slos/slo-1/timeseries?from=0&to=9999999999`, agent),
        () =>
          call(`${running!.url}/api/v1/openslo`, agent, {
            method: 'POST',
            contentType: 'application/yaml',
            body: Array.from({ length: 50_000 }, (_, i) => `k${i}: ${i}`).join('\n'),
          }),
      ];
      const health: number[] = [];
      const healthAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const until = performance.now() + SECONDS * 1000;
      await Promise.all([
        ...hostile.map(async (send) => {
          while (performance.now() < until) await send();
        }),
        (async () => {
          while (performance.now() < until) {
            const start = performance.now();
            await call(`${running!.url}/healthz`, healthAgent);
            health.push(performance.now() - start);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        })(),
      ]);
      healthAgent.destroy();
      health.sort((a, b) => a - b);
      lines.push(
        `GET /healthz during hostile requests: ${health.length} probes, p50 ${quantile(health, 0.5).toFixed(1)} ms, p99 ${quantile(health, 0.99).toFixed(1)} ms, max ${health.at(-1)!.toFixed(1)} ms`,
      );
    }
    lines.push(
      `load average after: ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(lines.join('\n'));
    agent.destroy();
  } finally {
    await running?.close();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  }
}

if (isMainThread) {
  await main();
} else {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const { url, acceptEncoding } = workerData as { url: string; acceptEncoding?: string };
  parentPort!.postMessage(await load(url, agent, acceptEncoding));
  agent.destroy();
}
