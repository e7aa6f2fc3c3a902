/**
 * Runs bpf/build/burnwatch-loader and turns its stdout into records; writes its commands (flush, thresholds) to
 * its stdin.
 * The loader prints what went wrong on stderr; those lines are kept so a failed
 * start can say exactly what is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { RecordSplitter, type SensorRecord } from './records.js';

export interface LoaderOptions {
  readonly loaderPath: string;
  readonly excludedPids: readonly number[];
  readonly excludedPorts: readonly number[];
  readonly maxConnections: number;
  readonly btfPath?: string | null;
  readonly pollMs?: number;
  readonly statsMs?: number;
  /** Histogram bounds in seconds: the loader counts into the same buckets. */
  readonly bucketsSeconds: readonly number[];
  /** Ring buffer records per forced wake-up of the loader (it also drains every pollMs). */
  readonly wakeupRecords?: number;
  readonly onRecords: (records: SensorRecord[]) => void;
  readonly onExit: (code: number | null, signal: NodeJS.Signals | null, stderr: string) => void;
  readonly log?: (line: string) => void;
}

export class LoaderStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoaderStartError';
  }
}

export class LoaderProcess {
  private child: ChildProcess | null = null;
  private stderrTail: string[] = [];
  private flushSeq = 0;

  constructor(private readonly opts: LoaderOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Resolves once the loader reports its programs attached; rejects with its message otherwise. */
  start(): Promise<void> {
    const o = this.opts;
    const args = [
      ...o.excludedPids.flatMap((p) => ['--exclude-pid', String(p)]),
      ...o.excludedPorts.flatMap((p) => ['--exclude-port', String(p)]),
      '--max-conns',
      String(o.maxConnections),
      '--poll-ms',
      String(o.pollMs ?? 100),
      '--stats-ms',
      String(o.statsMs ?? 1000),
      '--wakeup-records',
      String(o.wakeupRecords ?? 1024),
      '--bounds-ns',
      o.bucketsSeconds.map((s) => String(Math.round(s * 1e9))).join(','),
      ...(o.btfPath ? ['--btf', o.btfPath] : []),
    ];
    const splitter = new RecordSplitter();
    return new Promise((resolve, reject) => {
      let ready = false;
      const child = spawn(o.loaderPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      this.child = child;
      child.stdin!.on('error', () => {}); // a dead loader is reported by 'exit'
      child.on('error', (err) => {
        this.child = null; // never started, or already gone
        if (!ready)
          reject(
            new LoaderStartError(
              `cannot run the loader ${o.loaderPath}: ${err.message} (build it with: make -C bpf)`,
            ),
          );
      });
      child.stdout!.on('data', (chunk: Buffer) => {
        const records = splitter.push(chunk);
        if (!ready && records.some((r) => r.type === 'ready')) {
          ready = true;
          resolve();
        }
        if (records.length) o.onRecords(records);
      });
      let partial = '';
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (text: string) => {
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          this.stderrTail.push(line);
          if (this.stderrTail.length > 50) this.stderrTail.shift();
          o.log?.(line);
        }
      });
      child.on('exit', (code, signal) => {
        if (partial) this.stderrTail.push(partial);
        const stderr = this.stderrTail.join('\n');
        this.child = null;
        if (!ready) {
          reject(new LoaderStartError(loaderFailure(stderr, code, signal)));
          return;
        }
        o.onExit(code, signal, stderr);
      });
    });
  }

  /**
   * Asks the loader to drain the ring buffer and write every series counted so far; returns the sequence number
   * of the `flushed` record that follows them.
   */
  requestFlush(): number {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed) throw new Error('the loader is not running');
    this.flushSeq = (this.flushSeq + 1) >>> 0;
    stdin.write(`F ${this.flushSeq}\n`);
    return this.flushSeq;
  }

  /** Exact-threshold slots (ms, 0 for an empty slot); the loader flushes what it counted with the old ones first. */
  setThresholds(slotsMs: readonly number[]): void {
    this.child?.stdin?.write(`T ${slotsMs.join(',')}\n`);
  }

  /** CPU seconds (user + system) of the loader, from /proc/<pid>/stat. */
  cpuSeconds(): number {
    const pid = this.child?.pid;
    if (!pid) return 0;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is state (field 3); utime and stime are fields 14 and 15.
      return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
    } catch {
      return 0;
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

/** The loader's own explanation (its "burnwatch-loader:" lines), else its exit status. */
export function loaderFailure(stderr: string, code: number | null, signal: NodeJS.Signals | null): string {
  const own = stderr
    .split('\n')
    .filter((l) => l.startsWith('burnwatch-loader:'))
    .map((l) => l.replace(/^burnwatch-loader:\s*/, ''));
  if (own.length) return own.join('\n');
  const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
  const tail = stderr.trim().split('\n').slice(-5).join('\n');
  return `the loader ${how} before attaching its programs${tail ? `:\n${tail}` : ''}`;
}
