/**
 * Where a TLS transaction's BPF time goes: per program, how many runs and how many ns per request, for Node `https`
 * (HTTP/1) and Node `http2.createSecureServer` (HTTP/2), N requests one after another on one keep-alive connection.
 * The client is a copy of node under another name, so only the server's probes run. Also the server's own CPU per
 * request (user + system, which includes the uprobe traps bpf_stats does not count).
 *
 *   npx tsx bench/sensor/tls-calls.ts [--requests 3000] [--loader bpf/build/burnwatch-loader]
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSensor } from '../../test/sensor/support/sensor.js';
import {
  selfSignedCertificate,
  startNodeH2TlsServer,
  startNodeHttpsServer,
} from '../../test/sensor/support/servers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const flag = (name: string) => process.argv.indexOf(`--${name}`);
const N = flag('requests') === -1 ? 3000 : Number(process.argv[flag('requests') + 1]);
const LOADER = flag('loader') === -1 ? undefined : path.resolve(process.argv[flag('loader') + 1]!);

interface Prog {
  id: number;
  name: string;
  ns: number;
  cnt: number;
}
function progs(): Prog[] {
  const out = spawnSync('bpftool', ['prog', 'show', '--json'], { encoding: 'utf8' }).stdout;
  return (JSON.parse(out) as { id: number; name?: string; run_time_ns?: number; run_cnt?: number }[])
    .filter((p) => p.name?.startsWith('bw_'))
    .map((p) => ({ id: p.id, name: p.name!, ns: p.run_time_ns ?? 0, cnt: p.run_cnt ?? 0 }));
}
function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
}
function runClient(node: string, mode: string, port: number, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(node, [path.join(here, 'tls-client.mjs'), mode, String(port), String(n)], {
      stdio: 'inherit',
    });
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`client exited ${code}`))));
  });
}

const statsWas = readFileSync('/proc/sys/kernel/bpf_stats_enabled', 'utf8').trim();
spawnSync('sysctl', ['-q', '-w', 'kernel.bpf_stats_enabled=1']);
const cert = selfSignedCertificate();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'bw-tls-calls-'));
const client = path.join(tmp, 'bwclient');
copyFileSync(process.execPath, client);
const before = new Set(progs().map((p) => p.id));
const servers = {
  'Node https (HTTP/1)': {
    mode: 'h1',
    server: await startNodeHttpsServer(cert.cert, cert.key, 'bw-calls-h1'),
  },
  'Node http2 secure (HTTP/2)': {
    mode: 'h2',
    server: await startNodeH2TlsServer(cert.cert, cert.key, 'bw-calls-h2'),
  },
};
const sensor = await startSensor(LOADER ? { BURNWATCH_SENSOR_LOADER: LOADER } : {});
const mine = () => progs().filter((p) => !before.has(p.id));
const tick = 1e6 / 100; // µs per clock tick (USER_HZ 100)
try {
  for (const [label, { mode, server }] of Object.entries(servers)) {
    await runClient(client, mode, server.port, 200); // warm-up: connection set up, JIT warm
    const a = new Map(mine().map((p) => [p.name, p]));
    const cpu0 = cpuTicks(server.pid);
    await runClient(client, mode, server.port, N);
    const cpu1 = cpuTicks(server.pid);
    const rows = mine()
      .map((p) => ({
        name: p.name,
        cnt: p.cnt - (a.get(p.name)?.cnt ?? 0),
        ns: p.ns - (a.get(p.name)?.ns ?? 0),
      }))
      .filter((r) => r.cnt > 0)
      .sort((x, y) => y.ns - x.ns);
    const total = rows.reduce((s, r) => s + r.ns, 0);
    console.log(
      `\n### ${label}: ${N} requests, load ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
    );
    console.log('| program | runs / request | ns / run | ns / request |\n| --- | --- | --- | --- |');
    for (const r of rows)
      console.log(
        `| \`${r.name}\` | ${(r.cnt / N).toFixed(2)} | ${Math.round(r.ns / r.cnt)} | ${Math.round(r.ns / N)} |`,
      );
    console.log(
      `| all (the syscall hooks count every process on the machine) | | | ${Math.round(total / N)} |`,
    );
    console.log(`\nserver CPU per request (user + system): ${(((cpu1 - cpu0) * tick) / N).toFixed(1)} µs`);
  }
} finally {
  await sensor.stop();
  for (const { server } of Object.values(servers)) await server.stop();
  rmSync(tmp, { recursive: true, force: true });
  rmSync(cert.dir, { recursive: true, force: true });
  spawnSync('sysctl', ['-q', '-w', `kernel.bpf_stats_enabled=${statsWas}`]);
}
