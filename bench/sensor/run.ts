/**
 * Sensor overhead benchmark (loopback only, bounded: fixed rounds of fixed-length wrk runs).
 *
 *   npx tsx bench/sensor/run.ts [--rounds 4] [--seconds 5] [--connections 10] [--handlers trivial,1ms,tls,h2]
 *                               [--streams 10] [--loader bpf/build/burnwatch-loader]
 *
 * For a trivial handler, a 1 ms handler, the trivial handler behind Node's https (`tls`: the uprobes on the
 * node executable's OpenSSL; wrk's own libssl runs the uprobes too, as any TLS client on the node would) and
 * behind Node's http2 in clear text (`h2`: loaded with nghttp2's h2load, --connections connections with
 * --streams streams in flight on each; p50/p99 from h2load's per-request log):
 * the load generator without and with the sensor, alternating
 * in pairs, reported as ratios; the BPF programs' CPU per transaction from bpf_stats;
 * the agent's and loader's CPU per 1,000 requests; ring buffer drops. JSON goes to
 * bench/results/sensor-<time>.json, a Markdown summary to stdout. --loader runs another loader (e.g. main's
 * prebuilt one, for a before/after of the BPF programs).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePromText } from '../../test/sensor/support/prom-text.js';
import { selfSignedCertificate } from '../../test/sensor/support/servers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const ROUNDS = arg('rounds', 4);
const SECONDS = arg('seconds', 5);
const CONNECTIONS = arg('connections', 10);
const STREAMS = arg('streams', 10);
const SENSOR_PORT = 19_464;
type Handler = 'trivial' | '1ms' | 'tls' | 'h2';
const HANDLERS = (
  process.argv.includes('--handlers')
    ? process.argv[process.argv.indexOf('--handlers') + 1]!
    : 'trivial,1ms,tls,h2'
).split(',') as Handler[];
const LOADER = process.argv.includes('--loader')
  ? path.resolve(process.argv[process.argv.indexOf('--loader') + 1]!)
  : undefined;
let certDir = '';

interface WrkResult {
  rps: number;
  requests: number;
  p50ms: number;
  p99ms: number;
}

function startPrintingPort(cmd: string, args: string[]): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout!.once('data', (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function toMs(v: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

/** User + system CPU seconds of a process so far (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function wrk(port: number, scheme = 'http'): WrkResult {
  const run = spawnSync(
    'wrk',
    ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', `${scheme}://127.0.0.1:${port}/bench/1`],
    { encoding: 'utf8', timeout: (SECONDS + 30) * 1000 },
  );
  const out = run.stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const p50ms = toMs(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const p99ms = toMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '');
  if (!Number.isFinite(rps)) throw new Error(`wrk failed: ${out}${run.stderr}`);
  return { rps, requests, p50ms, p99ms };
}

/** HTTP/2 load (h2c, prior knowledge) from h2load, for as long as wrk runs; latency percentiles from its
 * per-request log (start µs, status, µs to the end of the response). */
function h2load(port: number): WrkResult {
  const log = path.join(certDir, `h2load-${process.pid}.log`);
  const run = spawnSync(
    'h2load',
    [
      '-t1',
      `-c${CONNECTIONS}`,
      `-m${STREAMS}`,
      `-D${SECONDS}`,
      `--log-file=${log}`,
      `http://127.0.0.1:${port}/bench/1`,
    ],
    { encoding: 'utf8', timeout: (SECONDS + 30) * 1000 },
  );
  if (run.error)
    throw new Error(`h2load: ${run.error.message} (scripts/install-bpf-deps.sh installs nghttp2-client)`);
  const out = run.stdout;
  const rps = Number(/finished in [\d.]+s, ([\d.]+) req\/s/.exec(out)?.[1]);
  const requests = Number(/requests: \d+ total, \d+ started, (\d+) done/.exec(out)?.[1]);
  if (!Number.isFinite(rps) || !Number.isFinite(requests))
    throw new Error(`h2load failed: ${out}${run.stderr}`);
  const us = readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l)
    .map((l) => Number(l.split('\t')[2]))
    .sort((a, b) => a - b);
  rmSync(log, { force: true });
  const pct = (q: number) =>
    us.length ? us[Math.min(us.length - 1, Math.floor(q * us.length))]! / 1000 : NaN;
  return { rps, requests, p50ms: pct(0.5), p99ms: pct(0.99) };
}

const load = (kind: Handler, port: number) => (kind === 'h2' ? h2load(port) : wrk(port, schemeOf(kind)));

async function startSensor(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'sensor', 'main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      BURNWATCH_SENSOR_PORT: String(SENSOR_PORT),
      BURNWATCH_SENSOR_HOST: '127.0.0.1',
      ...(LOADER ? { BURNWATCH_SENSOR_LOADER: LOADER } : {}),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('serving http')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`sensor exited ${code}: ${err}`)));
  });
  child.removeAllListeners('exit');
  return child;
}

/** Self-metrics, and the histogram count of the benchmarked server (the machine may serve other HTTP too). */
async function scrape(service: string): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${SENSOR_PORT}/metrics`);
  const out = new Map<string, number>();
  for (const s of parsePromText(await res.text())) {
    if (s.name.startsWith('burnwatch_sensor_')) out.set(s.name, (out.get(s.name) ?? 0) + s.value);
    if (s.name === 'http_server_request_duration_seconds_count' && s.labels.service_name === service) {
      out.set('served', (out.get('served') ?? 0) + s.value);
    }
  }
  return out;
}

/** run_time_ns and run_cnt of the sensor's programs, per program, from bpftool. Programs loaded before
 * `since` (other sensors on a shared machine, e.g. tests) are left out. */
function bpfPrograms(
  since: Set<number> = new Set(),
): Array<{ id: number; name: string; runTimeNs: number; runCnt: number }> {
  const run = spawnSync('bpftool', ['prog', 'show', '--json'], { encoding: 'utf8' });
  const progs = JSON.parse(run.stdout) as Array<{
    id: number;
    name?: string;
    run_time_ns?: number;
    run_cnt?: number;
  }>;
  return progs
    .filter((p) => p.name?.startsWith('bw_') && !since.has(p.id))
    .map((p) => ({ id: p.id, name: p.name!, runTimeNs: p.run_time_ns ?? 0, runCnt: p.run_cnt ?? 0 }));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function startServer(kind: Handler) {
  const args = [path.join(root, 'bench', 'sensor', 'server.mjs'), kind];
  if (kind === 'tls') args.push(path.join(certDir, 'cert.pem'), path.join(certDir, 'key.pem'));
  return startPrintingPort(process.execPath, args);
}

const schemeOf = (kind: Handler) => (kind === 'tls' ? 'https' : 'http');

async function benchHandler(kind: Handler) {
  const { child: server, port } = await startServer(kind);
  load(kind, port); // warm-up
  const pairs: Array<{
    off: WrkResult;
    on: WrkResult;
    serverUsPerRequest: { off: number; on: number };
    sensor: Record<string, number>;
  }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const cpu0 = cpuSeconds(server.pid!);
    const off = load(kind, port);
    const cpu1 = cpuSeconds(server.pid!);
    const sensor = await startSensor();
    const before = await scrape(`bench-${kind}`);
    const cpu2 = cpuSeconds(server.pid!);
    const on = load(kind, port);
    const cpu3 = cpuSeconds(server.pid!);
    await new Promise((r) => setTimeout(r, 1500)); // one stats period, so the counters are current
    const after = await scrape(`bench-${kind}`);
    await stop(sensor);
    const d = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    pairs.push({
      off,
      on,
      // The server's own CPU per request: with the sensor it includes the uprobe traps (not in bpf_stats).
      serverUsPerRequest: {
        off: ((cpu1 - cpu0) * 1e6) / off.requests,
        on: ((cpu3 - cpu2) * 1e6) / on.requests,
      },
      sensor: {
        transactions: d('burnwatch_sensor_transactions_total'),
        served: d('served'),
        ringbufDrops: d('burnwatch_sensor_ringbuf_drops_total'),
        agentCpuS: d('burnwatch_sensor_agent_cpu_seconds_total'),
        loaderCpuS: d('burnwatch_sensor_loader_cpu_seconds_total'),
        bpfRunTimeS: d('burnwatch_sensor_bpf_run_time_seconds_total'),
        bpfRuns: d('burnwatch_sensor_bpf_runs_total'),
      },
    });
    process.stderr.write(
      `${kind} round ${round + 1}: off ${off.rps.toFixed(0)} rps, on ${on.rps.toFixed(0)} rps\n`,
    );
  }
  await stop(server);
  const ratio = (f: (p: (typeof pairs)[number]) => number) => median(pairs.map(f));
  return {
    kind,
    pairs,
    throughputRatio: ratio((p) => p.on.rps / p.off.rps),
    throughputRatioRange: [
      Math.min(...pairs.map((p) => p.on.rps / p.off.rps)),
      Math.max(...pairs.map((p) => p.on.rps / p.off.rps)),
    ],
    p50Ratio: ratio((p) => p.on.p50ms / p.off.p50ms),
    p99Ratio: ratio((p) => p.on.p99ms / p.off.p99ms),
    bpfNsPerTransaction: ratio((p) => (p.sensor.bpfRunTimeS! * 1e9) / p.sensor.transactions!),
    userCpuMsPer1000: ratio(
      (p) => ((p.sensor.agentCpuS! + p.sensor.loaderCpuS!) * 1e6) / p.sensor.transactions!,
    ),
    exportedShare: ratio((p) => p.sensor.served! / p.on.requests),
    serverUsPerRequestOff: ratio((p) => p.serverUsPerRequest.off),
    serverUsPerRequestOn: ratio((p) => p.serverUsPerRequest.on),
    drops: pairs.reduce((n, p) => n + p.sensor.ringbufDrops!, 0),
  };
}

async function main() {
  const statsWas = readFileSync('/proc/sys/kernel/bpf_stats_enabled', 'utf8').trim();
  spawnSync('sysctl', ['-q', '-w', 'kernel.bpf_stats_enabled=1']);
  try {
    certDir = selfSignedCertificate().dir;
    const results = [];
    for (const kind of HANDLERS) results.push(await benchHandler(kind));

    // Per-program figures from one sensor run under each busy handler's load.
    const perProgramRuns = [];
    for (const kind of HANDLERS.filter((k) => k !== '1ms')) {
      const { child: server, port } = await startServer(kind);
      const others = new Set(bpfPrograms().map((p) => p.id));
      const sensor = await startSensor();
      const b0 = bpfPrograms(others);
      const ran = load(kind, port);
      await new Promise((r) => setTimeout(r, 1500));
      const b1 = bpfPrograms(others).filter((p) => b0.some((q) => q.id === p.id));
      await stop(sensor);
      await stop(server);
      const perProgram = b1.map((p) => {
        const q = b0.find((x) => x.id === p.id);
        const runs = p.runCnt - (q?.runCnt ?? 0);
        const ns = p.runTimeNs - (q?.runTimeNs ?? 0);
        return { name: p.name, runs, nsPerRun: runs ? ns / runs : 0, nsPerRequest: ns / ran.requests };
      });
      perProgramRuns.push({ kind, load: ran, perProgram });
    }

    const result = {
      when: new Date().toISOString(),
      rounds: ROUNDS,
      seconds: SECONDS,
      connections: CONNECTIONS,
      streams: STREAMS,
      loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number),
      loader: LOADER ?? 'bpf/build/burnwatch-loader',
      results,
      perProgramRuns,
    };
    mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
    const file = path.join(root, 'bench', 'results', `sensor-${result.when.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2));

    const f = (x: number, d = 3) => x.toFixed(d);
    console.log(
      `| handler | throughput on/off (range of pairs) | p50 on/off | p99 on/off | BPF ns / transaction | server CPU µs / request off → on | agent+loader CPU ms / 1000 req | exported / load requests | ring buffer drops |`,
    );
    console.log(`| --- | --- | --- | --- | --- | --- | --- | --- | --- |`);
    for (const r of results) {
      console.log(
        `| ${r.kind} | ${f(r.throughputRatio)} (${f(r.throughputRatioRange[0]!, 2)}–${f(r.throughputRatioRange[1]!, 2)}) | ${f(r.p50Ratio)} | ${f(r.p99Ratio)} | ${f(r.bpfNsPerTransaction, 0)} | ${f(r.serverUsPerRequestOff, 1)} → ${f(r.serverUsPerRequestOn, 1)} | ${f(r.userCpuMsPer1000, 1)} | ${f(r.exportedShare, 4)} | ${r.drops} |`,
      );
    }
    for (const { kind, load, perProgram } of perProgramRuns) {
      console.log(`\nPer program (${kind} handler, ${load.requests} requests at ${f(load.rps, 0)}/s):\n`);
      console.log(`| program | runs | ns / run | ns / request |`);
      console.log(`| --- | --- | --- | --- |`);
      for (const p of perProgram.filter((x) => x.runs > 0))
        console.log(`| ${p.name} | ${p.runs} | ${f(p.nsPerRun, 0)} | ${f(p.nsPerRequest, 1)} |`);
      const total = perProgram.reduce((n, p) => n + p.nsPerRequest, 0);
      console.log(`| all | | | ${f(total, 0)} |`);
    }
    console.log(`\nload average: ${result.loadAverage.join(' ')}`);
    console.log(`\nraw: ${path.relative(root, file)}`);
  } finally {
    spawnSync('sysctl', ['-q', '-w', `kernel.bpf_stats_enabled=${statsWas}`]);
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
