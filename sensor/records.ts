/**
 * Decoder for the loader's stdout, laid out by bpf/include/events.h (the one kernel/user boundary). Offsets here
 * must follow that header. The kernel's fixed 136-byte records (types 1–3) are checked against bytes captured
 * from the real programs (test/sensor/records.test.ts); the loader's own variable-size ones (series, flushed,
 * counters: the size in the u32 at offset 4) against the real loader (test/sensor/loader-records.test.ts).
 */

export const RECORD_SIZE = 136;
export const COMM_LEN = 16;
export const REQ_PREFIX_LEN = 80;

export const RecordType = { Http: 1, Stats: 2, Ready: 3, Series: 4, Flushed: 5, Counters: 6 } as const;

/** struct bw_series_record without its arrays and line. */
const SERIES_HEADER = 56;
/** A record larger than this is a broken stream, not a record. */
const MAX_RECORD_SIZE = 1 << 16;

/**
 * bw_http_flags; `Tls`: the plaintext was seen in SSL_read/SSL_write (uprobes on libssl); `H2`: decoded
 * from HTTP/2 frames by the loader (prefix "METHOD :path HTTP/2"); `Grpc`: gRPC, `grpcStatus` is its outcome.
 */
export const HttpFlags = { Pipelined: 1, Iov: 2, Tls: 4, H2: 8, Grpc: 16 } as const;
/** grpcStatus of a gRPC response that ended without grpc-status (BW_GRPC_STATUS_NONE). */
export const GRPC_STATUS_NONE = 255;

/** enum bw_stat, in order. Entries of the kernel's `stats` map past these are exported as `stat_<index>`. */
export const KERNEL_STATS = [
  'accepts',
  'accepts_excluded',
  'closes',
  'requests',
  'pipelined',
  'responses',
  'informational',
  'ringbuf_drops',
  'queue_full',
  'upgrades',
  'tls_tied',
  'tls_unpaired',
  // Appended (issue 11); the stats record carries the first 12, the counters record every one.
  'lost_not_seen',
  'lost_beyond_scan',
  'lost_no_status',
  'conns_recovered',
  'request_line_staged',
  'status_line_staged',
  'crlf_skipped',
  // HTTP/2 (h2_undecodable, h2_reset and h2_unanswered kept by the loader, bpf/h2.c).
  'h2_conns',
  'h2_no_preface',
  'h2_desync',
  'h2_undecodable',
  'h2_reset',
  'h2_unanswered',
  'h2_lost_desync',
] as const;
export type KernelStat = (typeof KERNEL_STATS)[number];
/** Counters in a stats record (BW_STATS_KERNEL_SLOTS); every one comes in the counters record. */
const STATS_SLOTS = 12;

/** enum bw_loader_counter, in order. */
export const LOADER_COUNTERS = ['flushes_full', 'series_sent', 'records'] as const;

/** The name of entry `index` of the kernel's `stats` map. */
export function kernelStatName(index: number): string {
  return KERNEL_STATS[index] ?? `stat_${index}`;
}

export interface HttpRecord {
  readonly type: 'http';
  readonly flags: number;
  readonly status: number;
  readonly localPort: number;
  /** With `HttpFlags.Grpc`: grpc-status 0..16, or GRPC_STATUS_NONE; else 0. */
  readonly grpcStatus: number;
  readonly tgid: number;
  readonly fd: number;
  readonly startNs: bigint;
  readonly durationNs: bigint;
  readonly cgroupId: bigint;
  /** Name of the thread that wrote the response. */
  readonly comm: string;
  /** The request's first bytes as read by the server ("GET /x HTTP/1.1\r\n…"). */
  readonly prefix: Buffer;
}

export interface StatsRecord {
  readonly type: 'stats';
  /** The first 12 of enum bw_stat (the agent counts them from the counters record, which has all). */
  readonly kernel: Readonly<Partial<Record<KernelStat, number>>>;
  readonly connsTracked: number;
  readonly connsCapacity: number;
  readonly bpfRunTimeNs: number;
  readonly bpfRunCount: number;
}

export interface ReadyRecord {
  readonly type: 'ready';
  readonly loaderPid: number;
  readonly programsAttached: number;
  /** Connections accepted before start, found in /proc and followed from now on. */
  readonly connsSeeded: number;
  /** Distinct libssl files found in /proc/<pid>/maps at start and probed. */
  readonly tlsLibraries: number;
  readonly tlsProbes: number;
}

/** One series' counts since the loader's last flush (bpf/aggregate.c). */
export interface SeriesRecord {
  readonly type: 'series';
  /** HttpFlags.Tls, H2 and Grpc: part of the loader's key. */
  readonly flags: number;
  readonly status: number;
  /** With `HttpFlags.Grpc`: grpc-status 0..16, or GRPC_STATUS_NONE; else 0. Part of the key. */
  readonly grpcStatus: number;
  readonly tgid: number;
  readonly cgroupId: bigint;
  readonly count: number;
  readonly sumNs: number;
  readonly comm: string;
  /** Per bucket, not cumulative, +Inf last. */
  readonly buckets: Uint32Array;
  /** Per exact-threshold slot (0 for an empty one). */
  readonly good: Uint32Array;
  /** Method, path, `?`/`#` if a query or fragment followed, version: "GET /users/1? HTTP/1.1" ("… HTTP/2"). */
  readonly line: Buffer;
}

/** Every series counted before the agent's `F <seq>` was written before this. */
export interface FlushedRecord {
  readonly type: 'flushed';
  readonly seq: number;
}

/** Cumulative counters: every entry of the kernel's `stats` map, then the loader's own. */
export interface CountersRecord {
  readonly type: 'counters';
  readonly kernel: readonly number[];
  readonly loader: readonly number[];
}

export interface UnknownRecord {
  readonly type: 'unknown';
  readonly tag: number;
}

export type SensorRecord =
  HttpRecord | StatsRecord | ReadyRecord | SeriesRecord | FlushedRecord | CountersRecord | UnknownRecord;

/** Bytes of the record starting at `offset`, or 0 when fewer than 8 bytes are there to tell. */
export function recordSize(buf: Buffer, offset = 0): number {
  if (buf.length - offset < 8) return 0;
  const tag = buf[offset]!;
  if (tag >= RecordType.Http && tag <= RecordType.Ready) return RECORD_SIZE;
  const size = buf.readUInt32LE(offset + 4);
  if (size < 8 || size % 8 !== 0 || size > MAX_RECORD_SIZE) {
    throw new RangeError(`record type ${tag} at ${offset} says it is ${size} bytes: the stream is broken`);
  }
  return size;
}

function cString(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('latin1', start, end === -1 || end > start + len ? start + len : end);
}

/** Decodes the record at `offset`; `buf` must hold the whole record (recordSize) from there. */
export function decodeRecord(buf: Buffer, offset = 0): SensorRecord {
  const size = recordSize(buf, offset);
  if (size === 0 || buf.length - offset < size) {
    throw new RangeError(
      `the record at ${offset} is ${size || 'at least 8'} bytes, got ${buf.length - offset}`,
    );
  }
  const tag = buf.readUInt8(offset);
  switch (tag) {
    case RecordType.Http: {
      const prefixLen = Math.min(buf.readUInt8(offset + 6), REQ_PREFIX_LEN);
      return {
        type: 'http',
        flags: buf.readUInt8(offset + 1),
        status: buf.readUInt16LE(offset + 2),
        localPort: buf.readUInt16LE(offset + 4),
        grpcStatus: buf.readUInt8(offset + 7),
        tgid: buf.readUInt32LE(offset + 8),
        fd: buf.readUInt32LE(offset + 12),
        startNs: buf.readBigUInt64LE(offset + 16),
        durationNs: buf.readBigUInt64LE(offset + 24),
        cgroupId: buf.readBigUInt64LE(offset + 32),
        comm: cString(buf, offset + 40, COMM_LEN),
        // A view, not a copy: records are handled while their chunk is alive anyway.
        prefix: buf.subarray(offset + 56, offset + 56 + prefixLen),
      };
    }
    case RecordType.Stats: {
      const n = Math.min(buf.readUInt32LE(offset + 4), STATS_SLOTS);
      const kernel = {} as Record<KernelStat, number>;
      KERNEL_STATS.slice(0, STATS_SLOTS).forEach((name, i) => {
        kernel[name] = i < n ? Number(buf.readBigUInt64LE(offset + 8 + i * 8)) : 0;
      });
      return {
        type: 'stats',
        kernel,
        connsTracked: Number(buf.readBigUInt64LE(offset + 104)),
        connsCapacity: Number(buf.readBigUInt64LE(offset + 112)),
        bpfRunTimeNs: Number(buf.readBigUInt64LE(offset + 120)),
        bpfRunCount: Number(buf.readBigUInt64LE(offset + 128)),
      };
    }
    case RecordType.Ready:
      return {
        type: 'ready',
        loaderPid: buf.readUInt32LE(offset + 4),
        programsAttached: buf.readUInt32LE(offset + 8),
        connsSeeded: buf.readUInt32LE(offset + 12),
        tlsLibraries: buf.readUInt32LE(offset + 16),
        tlsProbes: buf.readUInt32LE(offset + 20),
      };
    case RecordType.Series: {
      const lineLen = buf[offset + 12]!;
      const nBuckets = buf[offset + 14]!;
      const nGood = buf[offset + 15]!;
      const arrays = offset + SERIES_HEADER;
      // Copies: the chunk is reused by the splitter, and these are small.
      const ints = new Uint32Array(nBuckets + nGood);
      for (let i = 0; i < ints.length; i++) ints[i] = buf.readUInt32LE(arrays + 4 * i);
      const lineAt = arrays + 4 * (nBuckets + nGood);
      return {
        type: 'series',
        flags: buf[offset + 1]!,
        status: buf.readUInt16LE(offset + 2),
        grpcStatus: buf[offset + 13]!,
        tgid: buf.readUInt32LE(offset + 8),
        cgroupId: buf.readBigUInt64LE(offset + 16),
        count: Number(buf.readBigUInt64LE(offset + 24)),
        sumNs: Number(buf.readBigUInt64LE(offset + 32)),
        comm: cString(buf, offset + 40, COMM_LEN),
        buckets: ints.subarray(0, nBuckets),
        good: ints.subarray(nBuckets),
        line: Buffer.from(buf.subarray(lineAt, lineAt + lineLen)),
      };
    }
    case RecordType.Flushed:
      return { type: 'flushed', seq: buf.readUInt32LE(offset + 8) };
    case RecordType.Counters: {
      const nKernel = buf.readUInt32LE(offset + 8);
      const nLoader = buf.readUInt32LE(offset + 12);
      const value = (i: number) => Number(buf.readBigUInt64LE(offset + 16 + 8 * i));
      return {
        type: 'counters',
        kernel: Array.from({ length: nKernel }, (_, i) => value(i)),
        loader: Array.from({ length: nLoader }, (_, i) => value(nKernel + i)),
      };
    }
    default:
      return { type: 'unknown', tag };
  }
}

/** Cuts a byte stream (pipe chunks of any size) into whole records. */
export class RecordSplitter {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): SensorRecord[] {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: SensorRecord[] = [];
    let off = 0;
    for (let size = recordSize(buf, off); size && off + size <= buf.length; size = recordSize(buf, off)) {
      out.push(decodeRecord(buf, off));
      off += size;
    }
    this.pending = Buffer.from(buf.subarray(off));
    return out;
  }

  /** Bytes held back, waiting for the rest of a record. */
  get buffered(): number {
    return this.pending.length;
  }
}
