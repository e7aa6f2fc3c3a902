/**
 * Layout test: the TypeScript decoder against bytes the real BPF programs and
 * loader produced (fixtures/captured-records.bin, described beside it).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  decodeRecord,
  HttpFlags,
  RECORD_SIZE,
  RecordSplitter,
  type HttpRecord,
} from '../../sensor/records.js';

const captured = readFileSync(
  path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'captured-records.bin'),
);

describe('records captured from the real programs', () => {
  const records = Array.from({ length: captured.length / RECORD_SIZE }, (_, i) =>
    decodeRecord(captured, i * RECORD_SIZE),
  );

  it('holds whole records, in the order ready, http, stats, five http, stats', () => {
    expect(captured.length % RECORD_SIZE).toBe(0);
    expect(records.map((r) => r.type)).toEqual([
      'ready',
      'http',
      'stats',
      'http',
      'http',
      'http',
      'http',
      'http',
      'stats',
    ]);
  });

  it('decodes the ready record', () => {
    expect(records[0]).toMatchObject({ type: 'ready', programsAttached: 11, connsSeeded: 0 });
    expect((records[0] as { loaderPid: number }).loaderPid).toBeGreaterThan(1);
  });

  it('decodes an HTTP transaction field by field', () => {
    const r = records[1] as HttpRecord;
    expect(r).toMatchObject({ status: 200, localPort: 18081, tgid: 7707, fd: 20, comm: 'node', flags: 0 });
    expect(r.prefix.toString('latin1')).toBe(
      'GET /users/42?x=1 HTTP/1.1\r\nHost: 127.0.0.1:18081\r\nUser-Agent: curl/7.88.1\r\nAcce',
    );
    expect(r.prefix.length).toBe(80);
    expect(r.startNs).toBeGreaterThan(0n);
    // 2.02 ms, as the loader's own decoder printed at capture time.
    expect(r.durationNs).toBe(2016775n);
    expect(r.cgroupId).toBeGreaterThanOrEqual(1n); // 1: the root cgroup on the capture machine
  });

  it('marks the requests found behind another one in the same read as pipelined', () => {
    const pipe = records.slice(3, 8) as HttpRecord[];
    expect(pipe.map((r) => r.prefix.toString('latin1').split(' ')[1])).toEqual([
      '/pipe/0',
      '/pipe/1',
      '/pipe/2',
      '/pipe/3',
      '/pipe/4',
    ]);
    expect(pipe.map((r) => r.flags & HttpFlags.Pipelined)).toEqual([0, 1, 1, 1, 1]);
    // All five were read at once, so they share a start time and are answered in order.
    expect(new Set(pipe.map((r) => r.startNs)).size).toBe(1);
    const durations = pipe.map((r) => r.durationNs);
    expect([...durations].sort((a, b) => (a < b ? -1 : 1))).toEqual(durations);
  });

  it('decodes the stats counters by name', () => {
    expect(records[8]).toMatchObject({
      type: 'stats',
      kernel: {
        accepts: 2,
        closes: 2,
        requests: 6,
        pipelined: 4,
        responses: 6,
        ringbuf_drops: 0,
        queue_full: 0,
      },
      connsTracked: 0,
      connsCapacity: 8192,
    });
  });

  it('reassembles records from pipe chunks of any size', () => {
    const splitter = new RecordSplitter();
    const out = [];
    for (let off = 0, step = 1; off < captured.length; off += step, step = (step * 7 + 3) % 301) {
      out.push(...splitter.push(captured.subarray(off, Math.min(off + step, captured.length))));
    }
    expect(splitter.buffered).toBe(0);
    expect(out).toEqual(records);
  });

  it('reports a record type it does not know instead of misreading it', () => {
    // A type this decoder does not know carries its size (offset 4), so the stream stays in step after it.
    const unknown = Buffer.alloc(24);
    unknown[0] = 0x7f;
    unknown.writeUInt32LE(24, 4);
    expect(decodeRecord(unknown)).toEqual({ type: 'unknown', tag: 0x7f });
    const splitter = new RecordSplitter();
    expect(
      splitter.push(Buffer.concat([unknown, captured.subarray(0, RECORD_SIZE)])).map((r) => r.type),
    ).toEqual(['unknown', 'ready']);
  });

  it('refuses a size that cannot be a record instead of misreading what follows', () => {
    const broken = Buffer.alloc(16);
    broken[0] = 0x7f;
    broken.writeUInt32LE(13, 4);
    expect(() => decodeRecord(broken)).toThrow(/the stream is broken/);
  });
});
