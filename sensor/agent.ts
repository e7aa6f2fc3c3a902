/**
 * The sensor agent: loader records in, Prometheus metrics out.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SensorConfig } from './config.js';
import { parseRequestLine } from './http-request.js';
import { HostProcFs, IdentityResolver, type ProcFs } from './identity.js';
import { LoaderProcess } from './loader-process.js';
import { SensorMetrics, type HttpLabels, type IgnoredReason, type SeriesHandle } from './metrics.js';
import { MAX_EXACT_THRESHOLDS, MAX_THRESHOLD_MS, MIN_THRESHOLD_MS } from './histogram.js';
import { GRPC_STATUS_NONE, HttpFlags, type SensorRecord, type SeriesRecord } from './records.js';
import { RouteCardinalityLimiter, templatePath } from './routes.js';
import type { PodIndex } from './workloads.js';

/** Burnwatch's scrape asks for the compact form with this media type (docs/metrics.md). */
export const COMPACT_CONTENT_TYPE = 'application/vnd.burnwatch.histograms.v1+json';
/** Burnwatch's scrape lists the latency thresholds (whole ms) its SLOs use in this header. */
export const THRESHOLDS_HEADER = 'x-burnwatch-thresholds-ms';
/** A threshold no scrape asked for in this long is forgotten (its SLO was deleted or changed). */
const THRESHOLD_IDLE_MS = 3_600_000;

export function wantsCompact(accept: string | undefined): boolean {
  return !!accept && accept.toLowerCase().includes(COMPACT_CONTENT_TYPE);
}

/** `350,1000` → [350, 1000]; anything but whole ms from 1 to 10000 is a problem named back to the scraper. */
export function parseThresholdsHeader(
  value: string | string[] | undefined,
): { ms: number[] } | { problem: string } {
  const raw = Array.isArray(value) ? value.join(',') : (value ?? '');
  const ms: number[] = [];
  for (const token of raw.split(',').map((t) => t.trim())) {
    if (token === '') continue;
    const n = Number(token);
    if (!/^\d+$/.test(token) || n < MIN_THRESHOLD_MS || n > MAX_THRESHOLD_MS) {
      return { problem: `'${token}' is not a whole number of milliseconds from 1 to 10000` };
    }
    if (!ms.includes(n)) ms.push(n);
  }
  if (ms.length > MAX_EXACT_THRESHOLDS) return { problem: `at most ${MAX_EXACT_THRESHOLDS} thresholds` };
  return { ms };
}

/** How long what was worked out for a (process, request) pair is reused. */
const IDENTITY_TTL_MS = 30_000;
const UNRESOLVED_TTL_MS = 2_000;
const MAX_CACHED_SERIES = 20_000;

interface CachedSeries {
  readonly expiresAtMs: number;
  readonly series: SeriesHandle | null;
  readonly ignored: IgnoredReason | null;
}

/**
 * What decides a series record's series: process (and its cgroup), status, TLS, HTTP/2, gRPC status, and the
 * request line the loader keyed it by (method and path, the query left out, so `/search?q=…` stays one entry).
 */
export function seriesKey(r: SeriesRecord): string {
  const tls = r.flags & HttpFlags.Tls ? 's' : '';
  // The line carries the version (HTTP/1.0, 1.1 or 2); the flags and gRPC status are the rest of the loader's key.
  const grpc = r.flags & HttpFlags.Grpc ? `g${r.grpcStatus}` : '';
  return `${r.tgid}/${r.cgroupId}/${r.status}${tls}${grpc}/${r.line.toString('latin1')}`;
}

/** OpenTelemetry's `network.protocol.version`: `2` for HTTP/2 (and gRPC), else the request line's `1.0` or `1.1`. */
export function protocolVersion(r: Pick<SeriesRecord, 'flags' | 'line'>): '1.0' | '1.1' | '2' {
  if (r.flags & HttpFlags.H2) return '2';
  return r.line.includes(HTTP_1_0) ? '1.0' : '1.1';
}
const HTTP_1_0 = Buffer.from(' HTTP/1.0');

/** OpenTelemetry's `rpc.grpc.status_code` (a number, `2` UNKNOWN when no grpc-status came); empty for non-gRPC. */
export function grpcStatusCode(r: Pick<SeriesRecord, 'flags' | 'grpcStatus'>): string {
  if (!(r.flags & HttpFlags.Grpc)) return '';
  return String(r.grpcStatus === GRPC_STATUS_NONE ? 2 : r.grpcStatus);
}

/** OpenTelemetry's `url.scheme`: `https` when the plaintext came from the uprobes on libssl. */
export function urlScheme(r: Pick<SeriesRecord, 'flags'>): 'http' | 'https' {
  return r.flags & HttpFlags.Tls ? 'https' : 'http';
}

export interface SensorDeps {
  readonly procFs?: ProcFs;
  /** The node's pods (kept current by a watch), or null outside Kubernetes. */
  readonly pods?: PodIndex | null;
  readonly log?: (line: string) => void;
  readonly nowMs?: () => number;
}

export class Sensor {
  readonly metrics: SensorMetrics;
  private readonly loader: LoaderProcess;
  private readonly resolver: IdentityResolver;
  private readonly routes: RouteCardinalityLimiter;
  private readonly log: (line: string) => void;
  private readonly nowMs: () => number;
  private server: http.Server | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private queue: Promise<void> = Promise.resolve();
  private textScrapes: Promise<void> = Promise.resolve();
  private stopping = false;
  private exitHandler: (message: string) => void = () => {};
  private readonly seriesCache = new Map<string, CachedSeries>();
  /** Scrapes waiting for the loader's flush, by sequence number. */
  private readonly flushWaiters = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  /** The threshold slots last sent to the loader. */
  private loaderSlots = '';
  private readonly pods: PodIndex | null;
  /** Sent with the compact form: a restarted sensor (counters from zero) has a new one. */
  private readonly startTimeSeconds = Math.round(performance.timeOrigin) / 1000;

  constructor(
    private readonly config: SensorConfig,
    deps: SensorDeps = {},
  ) {
    this.log = deps.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.nowMs = deps.nowMs ?? Date.now;
    this.pods = deps.pods ?? null;
    this.resolver = new IdentityResolver(
      deps.procFs ?? new HostProcFs(config.procRoot),
      this.pods,
      IDENTITY_TTL_MS,
      4096,
      config.serviceNaming,
    );
    this.routes = new RouteCardinalityLimiter(config.maxRoutesPerService);
    this.loader = new LoaderProcess({
      loaderPath: config.loaderPath,
      excludedPids: [process.pid, ...config.excludedPids],
      excludedPorts: config.excludedPorts,
      maxConnections: config.maxConnections,
      btfPath: config.btfPath,
      bucketsSeconds: config.bucketsSeconds,
      onRecords: (records) => this.enqueue(records),
      onExit: (code, signal) => {
        for (const w of this.flushWaiters.values()) w.reject(new Error('the loader stopped'));
        this.flushWaiters.clear();
        if (this.stopping) return;
        this.metrics.up.set(0);
        this.exitHandler(`the loader stopped unexpectedly (${signal ?? `status ${code}`})`);
      },
      log: this.log,
    });
    this.metrics = new SensorMetrics(config.bucketsSeconds, {
      agentSeconds: () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1e6;
      },
      loaderSeconds: () => this.loader.cpuSeconds(),
    });
  }

  /** Called if the loader dies after start. */
  onFatal(handler: (message: string) => void): void {
    this.exitHandler = handler;
  }

  /** Loads the programs, then serves /metrics. Resolves with the port listened on. */
  async start(): Promise<number> {
    await this.loader.start();
    this.metrics.up.set(1);
    const idleMs = this.config.seriesIdleSeconds * 1000;
    this.sweepTimer = setInterval(() => void this.removeIdleSeries(idleMs), Math.min(idleMs, 60_000));
    this.sweepTimer.unref();
    this.server = http.createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.config.port, this.config.host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.loader.stop();
    await this.queue;
    if (this.server) {
      const server = this.server;
      this.server = null;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** Drops series idle for `idleMs`; in the record queue, so no handle of a removed series is used. */
  removeIdleSeries(idleMs: number): Promise<number> {
    return this.inQueue(() => {
      if (this.metrics.expireThresholds(this.nowMs() - THRESHOLD_IDLE_MS)) this.sendThresholdSlots();
      const removed = this.metrics.removeIdleSeries(this.nowMs(), idleMs);
      if (removed) this.seriesCache.clear();
      return removed;
    });
  }

  /** Records are handled one batch after another, in the order the kernel produced them. */
  private enqueue(records: SensorRecord[]): void {
    this.queue = this.queue
      .then(() => this.handle(records))
      .catch((err: unknown) => this.log(`sensor: failed to handle records: ${String(err)}`));
  }

  private async handle(records: SensorRecord[]): Promise<void> {
    for (const r of records) {
      if (r.type === 'series') {
        if (!this.addKnown(r)) await this.addNew(r);
      } else if (r.type === 'flushed') {
        const waiter = this.flushWaiters.get(r.seq);
        this.flushWaiters.delete(r.seq);
        waiter?.resolve();
      } else if (r.type === 'counters') {
        this.metrics.applyCounters(r);
      } else if (r.type === 'stats') {
        this.metrics.applyStats(r);
      }
    }
  }

  /**
   * Hot path, once per series and flush (the loader counted the requests): a series record of a key seen before
   * goes straight to its histogram series. Returns false when it must be worked out.
   */
  private addKnown(r: SeriesRecord): boolean {
    const known = this.seriesCache.get(seriesKey(r));
    const now = this.nowMs();
    if (!known || known.expiresAtMs <= now) return false;
    this.metrics.countTransaction(r.count);
    if (known.series) known.series.add(r.buckets, r.count, r.sumNs / 1e9, r.good, now);
    else this.metrics.countIgnored(known.ignored!, r.count);
    return true;
  }

  private async addNew(r: SeriesRecord): Promise<void> {
    this.metrics.countTransaction(r.count);
    const remember = (entry: CachedSeries) => {
      if (this.seriesCache.size >= MAX_CACHED_SERIES) this.seriesCache.clear();
      this.seriesCache.set(seriesKey(r), entry);
    };
    const line = parseRequestLine(r.line, { http2: (r.flags & HttpFlags.H2) !== 0 });
    if (!line) {
      // The loader's key is method, path and version: a malformed one stays malformed.
      this.metrics.countIgnored('malformed_request', r.count);
      remember({ expiresAtMs: this.nowMs() + IDENTITY_TTL_MS, series: null, ignored: 'malformed_request' });
      return;
    }
    const now = this.nowMs();
    const who = await this.resolver.resolve(r.tgid, r.cgroupId, r.comm, now);
    // Labels from an incomplete pod view are worked out again soon.
    const expiresAtMs = now + (this.pods && !who.workloadName ? UNRESOLVED_TTL_MS : IDENTITY_TTL_MS);
    if (this.config.excludedProcesses.has(who.processName)) {
      this.metrics.countIgnored('excluded_process', r.count);
      remember({ expiresAtMs, series: null, ignored: 'excluded_process' });
      return;
    }
    if (who.namespace && this.config.excludedNamespaces.has(who.namespace)) {
      this.metrics.countIgnored('excluded_namespace', r.count);
      remember({ expiresAtMs, series: null, ignored: 'excluded_namespace' });
      return;
    }
    this.metrics.noteServiceName(who.serviceName, who.serviceNameOrigin);
    const admitted = this.routes.admit(who.serviceName, templatePath(line.path, line.truncated));
    const labels: HttpLabels = {
      k8s_namespace_name: who.namespace,
      k8s_workload_name: who.workloadName,
      k8s_workload_kind: who.workloadKind,
      service_name: who.serviceName,
      container_image_name: who.imageName,
      container_image_id: who.imageId,
      http_request_method: line.method,
      http_route: admitted.route,
      http_response_status_code: String(r.status),
      url_scheme: urlScheme(r),
      network_protocol_version: protocolVersion(r),
      rpc_grpc_status_code: grpcStatusCode(r),
    };
    const series = this.metrics.series(labels);
    series.add(r.buckets, r.count, r.sumNs / 1e9, r.good, now);
    if (admitted.overflowed) {
      // Not cached: each overflowed request is counted as such.
      this.metrics.countRouteOverflow(r.count);
      return;
    }
    remember({ expiresAtMs, series, ignored: null });
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && url === '/metrics') {
      const compact = wantsCompact(req.headers.accept);
      const asked = parseThresholdsHeader(req.headers[THRESHOLDS_HEADER]);
      if ('problem' in asked) {
        res.statusCode = 400;
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end(`${THRESHOLDS_HEADER}: ${asked.problem}\n`);
        return;
      }
      // Thresholds are registered in the record queue and sent to the loader before the flush: every series
      // record after the flush was counted with them. Then every request answered before this scrape is counted.
      let refused: number[];
      try {
        refused = await this.inQueue(() => {
          const r = asked.ms.length ? this.metrics.registerThresholds(asked.ms, this.nowMs()) : [];
          this.sendThresholdSlots();
          return r;
        });
        await this.flushLoader();
      } catch (err) {
        res.statusCode = 503;
        res.end(`the loader is gone: ${String(err)}\n`);
        return;
      }
      if (compact) {
        res.setHeader('Content-Type', COMPACT_CONTENT_TYPE);
        res.end(this.metrics.renderCompact(this.startTimeSeconds, refused));
        return;
      }
      res.setHeader('Content-Type', this.metrics.registry.contentType);
      // One text scrape at a time: each is rendered into the same memory, sent in full before the next.
      const sent = this.textScrapes.then(async () => {
        const body = await this.metrics.renderText();
        await new Promise<void>((resolve) => {
          res.once('close', resolve);
          res.end(body);
        });
      });
      this.textScrapes = sent.catch(() => undefined);
      await sent;
      return;
    }
    if (req.method === 'GET' && url === '/healthz') {
      res.end('ok\n');
      return;
    }
    res.statusCode = 404;
    res.end('not found: try /metrics\n');
  }

  /** Resolves once every series the loader counted before this call is in the histogram. */
  private flushLoader(): Promise<void> {
    return new Promise((resolve, reject) => {
      const seq = this.loader.requestFlush(); // throws when the loader is gone: the promise rejects
      this.flushWaiters.set(seq, { resolve, reject });
    });
  }

  private sendThresholdSlots(): void {
    const slots = this.metrics.thresholdSlots();
    const text = slots.join(',');
    if (text === this.loaderSlots) return;
    this.loaderSlots = text;
    this.loader.setThresholds(slots);
  }

  /** Runs `work` after every record received so far, before any received later. */
  private inQueue<T>(work: () => T): Promise<T> {
    const done = this.queue.then(work);
    this.queue = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  }
}
