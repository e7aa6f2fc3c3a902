/**
 * Decoder for the loader's stdout: fixed-size records laid out by
 * bpf/include/events.h (the one kernel/user boundary). Offsets here must follow
 * that header; test/sensor/records.test.ts checks them against bytes captured
 * from the real programs.
 */

export const RECORD_SIZE = 136;
export const COMM_LEN = 16;
export const REQ_PREFIX_LEN = 80;

export const RecordType = { Http: 1, Stats: 2, Ready: 3, StatsMore: 4 } as const;

/**
 * bw_http_flags; `Tls`: the plaintext was seen in SSL_read/SSL_write (uprobes on libssl); `H2`: decoded
 * from HTTP/2 frames by the loader (prefix "METHOD :path HTTP/2"); `Grpc`: gRPC, `grpcStatus` is its outcome.
 */
export const HttpFlags = { Pipelined: 1, Iov: 2, Tls: 4, H2: 8, Grpc: 16 } as const;
/** grpcStatus of a gRPC response that ended without grpc-status (BW_GRPC_STATUS_NONE). */
export const GRPC_STATUS_NONE = 255;

/** enum bw_stat, in order. */
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
  // Slot 12 on: sent in the stats-more record (bw_stats_more_record).
  'lost_not_seen',
  'lost_beyond_scan',
  'lost_no_status',
  'conns_recovered',
  'request_line_staged',
  'status_line_staged',
  'crlf_skipped',
  // HTTP/2 (the last three kept by the loader, bpf/h2.c).
  'h2_conns',
  'h2_no_preface',
  'h2_desync',
  'h2_undecodable',
  'h2_reset',
  'h2_unanswered',
] as const;
export type KernelStat = (typeof KERNEL_STATS)[number];
/** Counters in a stats record (BW_STATS_KERNEL_SLOTS) and in a stats-more record (BW_STATS_MORE_SLOTS). */
const STATS_SLOTS = 12;
const STATS_MORE_SLOTS = 15;

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
  /** The first 12 of enum bw_stat; the rest come in a stats-more record. */
  readonly kernel: Readonly<Partial<Record<KernelStat, number>>>;
  readonly connsTracked: number;
  readonly connsCapacity: number;
  readonly bpfRunTimeNs: number;
  readonly bpfRunCount: number;
}

/** The counters of enum bw_stat past the first 12 (the stats record is full), cumulative. */
export interface StatsMoreRecord {
  readonly type: 'stats-more';
  readonly kernel: Readonly<Partial<Record<KernelStat, number>>>;
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

export interface UnknownRecord {
  readonly type: 'unknown';
  readonly tag: number;
}

export type SensorRecord = HttpRecord | StatsRecord | StatsMoreRecord | ReadyRecord | UnknownRecord;

function cString(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('latin1', start, end === -1 || end > start + len ? start + len : end);
}

/** Decodes the record at `offset`; `buf` must hold RECORD_SIZE bytes from there. */
export function decodeRecord(buf: Buffer, offset = 0): SensorRecord {
  if (buf.length - offset < RECORD_SIZE) {
    throw new RangeError(`a record is ${RECORD_SIZE} bytes, got ${buf.length - offset}`);
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
    case RecordType.StatsMore: {
      const first = buf.readUInt32LE(offset + 4);
      const n = Math.min(buf.readUInt32LE(offset + 8), STATS_MORE_SLOTS);
      const kernel: Partial<Record<KernelStat, number>> = {};
      for (let i = 0; i < n; i++) {
        const name = KERNEL_STATS[first + i];
        if (name) kernel[name] = Number(buf.readBigUInt64LE(offset + 16 + i * 8));
      }
      return { type: 'stats-more', kernel };
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
    for (; off + RECORD_SIZE <= buf.length; off += RECORD_SIZE) out.push(decodeRecord(buf, off));
    this.pending = Buffer.from(buf.subarray(off));
    return out;
  }

  /** Bytes held back, waiting for the rest of a record. */
  get buffered(): number {
    return this.pending.length;
  }
}
