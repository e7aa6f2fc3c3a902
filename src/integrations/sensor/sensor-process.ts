/**
 * Runs the sensor as a child process, restarts it with backoff when it exits, and stops it with the service.
 * Knows nothing of eBPF: the command is `node dist/sensor/main.js` in the service, a small script in tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface Backoff {
  /** Delay before the first restart; doubles per consecutive failure up to maxMs. */
  initialMs: number;
  maxMs: number;
  /** A child that ran this long before exiting starts the doubling over. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 60_000, resetAfterMs: 60_000 };

export interface SensorProcessOptions {
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  /** Every line the child writes to stderr (the sensor's log). */
  log: (line: string) => void;
  /** Called before each restart, e.g. to count it. */
  onRestart?: () => void;
  backoff?: Backoff;
  /** How long a stopping child has between SIGTERM and SIGKILL. */
  stopTimeoutMs?: number;
}

export type SensorProcessStatus =
  | { state: 'starting'; pid: number | undefined; restarts: number }
  | { state: 'running'; pid: number; url: string; restarts: number }
  | { state: 'restarting'; restarts: number; lastExit: string; restartInMs: number }
  | { state: 'stopped'; restarts: number };

/** "sensor: serving http://127.0.0.1:9464/metrics (pid 123)": the sensor's ready line (sensor/main.ts). */
const SERVING = /^sensor: serving (http:\/\/\S+\/metrics)/;

export class SensorProcess {
  private child: ChildProcess | null = null;
  private url: string | null = null;
  private restarts = 0;
  private failures = 0;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  private restartAt = 0;
  private lastExit = '';
  private readonly backoff: Backoff;

  constructor(private readonly opts: SensorProcessOptions) {
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
  }

  start(): void {
    this.stopping = false;
    this.spawnChild();
  }

  status(): SensorProcessStatus {
    if (this.stopping) return { state: 'stopped', restarts: this.restarts };
    if (this.child && this.url)
      return { state: 'running', pid: this.child.pid!, url: this.url, restarts: this.restarts };
    if (this.child) return { state: 'starting', pid: this.child.pid, restarts: this.restarts };
    if (this.timer)
      return {
        state: 'restarting',
        restarts: this.restarts,
        lastExit: this.lastExit,
        restartInMs: Math.max(0, this.restartAt - Date.now()),
      };
    return { state: 'stopped', restarts: this.restarts };
  }

  /** The scrape URL while the child serves. */
  metricsUrl(): string | null {
    return this.child ? this.url : null;
  }

  /** SIGTERM, then SIGKILL after stopTimeoutMs; no restart afterwards. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), this.opts.stopTimeoutMs ?? 5_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  private spawnChild(): void {
    const startedAt = Date.now();
    // Its own process group: Ctrl-C reaches the service, which stops the sensor in order. stdin stays a pipe
    // whose end tells the sensor that the service is gone, even after a SIGKILL (BURNWATCH_SENSOR_SUPERVISED).
    const child = spawn(this.opts.command, [...this.opts.args], {
      env: { ...this.opts.env, BURNWATCH_SENSOR_SUPERVISED: '1' },
      stdio: ['pipe', 'ignore', 'pipe'],
      detached: true,
    });
    this.child = child;
    this.url = null;
    const tail: string[] = [];
    let partial = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        const serving = SERVING.exec(line);
        if (serving) this.url = serving[1]!.replace('//0.0.0.0:', '//127.0.0.1:');
        this.opts.log(line);
      }
    });
    let gone = false;
    const onGone = (how: string) => {
      if (gone) return;
      gone = true;
      if (partial) tail.push(partial);
      if (this.child === child) this.child = null;
      this.url = null;
      if (this.stopping) return;
      const said = lastSensorMessage(tail);
      this.lastExit = `the sensor ${how}${said ? `: ${said}` : ''}`;
      if (Date.now() - startedAt >= this.backoff.resetAfterMs) this.failures = 0;
      const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.failures);
      this.failures += 1;
      this.restartAt = Date.now() + delay;
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.stopping) return;
        this.restarts += 1;
        this.opts.onRestart?.();
        this.spawnChild();
      }, delay);
      this.timer.unref();
    };
    child.on('error', (err) => onGone(`could not be started (${err.message})`));
    child.on('exit', (code, signal) =>
      onGone(signal ? `was killed by ${signal}` : `exited with status ${code}`),
    );
    // Its stdin is only watched for its end; an EPIPE after it died is expected.
    child.stdin!.on('error', () => {});
  }
}

/** The sensor's last own message ("sensor: cannot start:" and its indented lines), on one line. */
export function lastSensorMessage(lines: readonly string[]): string {
  const at = lines.findLastIndex((line) => line.startsWith('sensor:') && !SERVING.test(line));
  if (at < 0) return '';
  const message = [lines[at]!.replace(/^sensor:\s*/, '')];
  for (const line of lines.slice(at + 1)) {
    if (!/^\s+\S/.test(line)) break;
    message.push(line.trim());
  }
  return message.join(' ').trim();
}
