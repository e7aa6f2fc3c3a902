/**
 * The loader's own records against the real loader and a real server: the kernel's per-request records are
 * counted per series in the loader (bpf/aggregate.c) and reach the agent as series records at a flush it asks
 * for (`F <seq>`), with the exact-threshold slots it set (`T …`); a full series table is flushed early, so
 * nothing is lost; every entry of the kernel's `stats` map is forwarded with each flush.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BUCKETS_SECONDS } from '../../sensor/config.js';
import { KERNEL_STATS, RecordSplitter, type SensorRecord, type SeriesRecord } from '../../sensor/records.js';
import { request } from './support/client.js';
import { startNodeServer, type TestServer } from './support/servers.js';
import { waitFor } from './support/sensor.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const loaderPath = path.join(root, 'bpf', 'build', 'burnwatch-loader');

let loader: ChildProcess;
let server: TestServer;
const records: SensorRecord[] = [];
let seq = 0;

beforeAll(async () => {
  server = await startNodeServer('bw-loader-records');
  const bounds = DEFAULT_BUCKETS_SECONDS.map((s) => String(Math.round(s * 1e9))).join(',');
  // 64 keys asked for: the table holds 96 before it flushes early. No periodic flush: only the test's.
  loader = spawn(
    loaderPath,
    [
      '--exclude-pid',
      String(process.pid),
      '--series-table',
      '64',
      '--stats-ms',
      '600000',
      '--bounds-ns',
      bounds,
    ],
    {
      stdio: ['pipe', 'pipe', 'ignore'],
    },
  );
  const splitter = new RecordSplitter();
  loader.stdout!.on('data', (chunk: Buffer) => records.push(...splitter.push(chunk)));
  await waitFor('the ready record', async () => records.some((r) => r.type === 'ready'));
});
afterAll(async () => {
  loader?.kill('SIGTERM');
  await server?.stop();
});

/**
 * Asks for a flush and returns the test server's series records written since `from` (the loader also flushes
 * every second by itself) up to its end, one per key with their counts added up.
 */
async function flush(from: number): Promise<SeriesRecord[]> {
  const mine = ++seq;
  loader.stdin!.write(`F ${mine}\n`);
  await waitFor(`flushed ${mine}`, async () => records.some((r) => r.type === 'flushed' && r.seq === mine));
  const end = records.findIndex((r) => r.type === 'flushed' && r.seq === mine);
  const byKey = new Map<string, SeriesRecord>();
  for (const r of records.slice(from, end)) {
    if (r.type !== 'series' || r.tgid !== server.pid) continue;
    const key = `${r.status} ${r.line.toString('latin1')}`;
    const known = byKey.get(key);
    byKey.set(
      key,
      known
        ? {
            ...known,
            count: known.count + r.count,
            buckets: known.buckets.map((b, i) => b + r.buckets[i]!),
            good: known.good.map((g, i) => g + (r.good[i] ?? 0)),
          }
        : r,
    );
  }
  return [...byKey.values()];
}

/** Sends a command and waits until the loader has carried it out (a flush behind it is answered). */
async function command(line: string): Promise<void> {
  loader.stdin!.write(`${line}\n`);
  await flush(records.length);
}

describe('the loader counts per series and writes what it counted when asked', () => {
  it('writes one series record per request line and status, the query left out, with bucket counts', async () => {
    const from = records.length;
    for (let i = 0; i < 5; i++) await request(server.port, `/users/42?page=${i}`);
    await request(server.port, '/users/42?status=404');
    const series = await flush(from);
    expect(series.map((s) => [s.line.toString('latin1'), s.status, s.count]).sort()).toEqual([
      ['GET /users/42? HTTP/1.1', 200, 5],
      ['GET /users/42? HTTP/1.1', 404, 1],
    ]);
    for (const s of series) {
      expect(s.buckets.length).toBe(DEFAULT_BUCKETS_SECONDS.length + 1);
      expect(s.buckets.reduce((a, b) => a + b, 0)).toBe(s.count);
      expect(s.sumNs).toBeGreaterThan(0);
      expect(s.comm).toBe('bw-loader-recor'); // the thread name, cut at 15 bytes
    }
    // A flush empties the table: nothing again until new requests.
    expect(await flush(records.length)).toEqual([]);
  });

  it('counts within the threshold slots it was given, per slot', async () => {
    await command('T 100,0,1');
    let from = records.length;
    await request(server.port, '/slow?delay=150');
    await request(server.port, '/slow?delay=20');
    const [slow] = await flush(from);
    expect(slow!.count).toBe(2);
    // 100 ms: only the 20 ms answer; slot 1 empty; 1 ms: neither.
    expect([...slow!.good]).toEqual([1, 0, 0]);
    await command('T ');
    from = records.length;
    await request(server.port, '/slow?delay=1');
    expect([...(await flush(from))[0]!.good]).toEqual([]);
  });

  it('flushes early when its table is full and loses no request', async () => {
    const from = records.length;
    for (let i = 0; i < 150; i++) await request(server.port, `/distinct/${i}`);
    const distinct = (await flush(from)).filter((s) => s.line.toString('latin1').includes('/distinct/'));
    expect(distinct.reduce((n, s) => n + s.count, 0)).toBe(150);
    expect(new Set(distinct.map((s) => s.line.toString('latin1'))).size).toBe(150);
  });

  it('forwards every entry of the kernel stats map and its own counters', async () => {
    // A flush writes the counters too, before its end.
    const from = records.length;
    await flush(from);
    const counters = records.slice(from).find((r) => r.type === 'counters')!;
    if (counters.type !== 'counters') throw new Error('no counters record in the flush');
    expect(counters.kernel.length).toBeGreaterThanOrEqual(KERNEL_STATS.length);
    const [flushesFull, seriesSent, aggregated] = counters.loader;
    expect(flushesFull).toBeGreaterThanOrEqual(1);
    expect(seriesSent).toBeGreaterThanOrEqual(150);
    expect(aggregated).toBeGreaterThanOrEqual(6 + 2 + 1 + 150);
  });
});
