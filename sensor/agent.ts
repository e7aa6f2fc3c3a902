/**
 * The sensor agent: loader records in, Prometheus metrics out.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SensorConfig } from './config.js';
import { parseRequestLine } from './http-request.js';
import { HostProcFs, IdentityResolver, type ProcFs } from './identity.js';
import { LoaderProcess } from './loader-process.js';
import { SensorMetrics, type HttpLabels } from './metrics.js';
import type { HttpRecord, SensorRecord } from './records.js';
import { RouteCardinalityLimiter, templatePath } from './routes.js';
import type { PodIndex } from './workloads.js';

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
  private queue: Promise<void> = Promise.resolve();
  private stopping = false;
  private exitHandler: (message: string) => void = () => {};

  constructor(
    private readonly config: SensorConfig,
    deps: SensorDeps = {},
  ) {
    this.log = deps.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.nowMs = deps.nowMs ?? Date.now;
    this.resolver = new IdentityResolver(deps.procFs ?? new HostProcFs(config.procRoot), deps.pods ?? null);
    this.routes = new RouteCardinalityLimiter(config.maxRoutesPerService);
    this.loader = new LoaderProcess({
      loaderPath: config.loaderPath,
      excludedPids: [process.pid, ...config.excludedPids],
      excludedPorts: config.excludedPorts,
      maxConnections: config.maxConnections,
      onRecords: (records) => this.enqueue(records),
      onExit: (code, signal) => {
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
    this.server = http.createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.config.port, this.config.host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loader.stop();
    await this.queue;
    if (this.server) {
      const server = this.server;
      this.server = null;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** Records are handled one batch after another, in the order the kernel produced them. */
  private enqueue(records: SensorRecord[]): void {
    this.queue = this.queue
      .then(() => this.handle(records))
      .catch((err: unknown) => this.log(`sensor: failed to handle records: ${String(err)}`));
  }

  private async handle(records: SensorRecord[]): Promise<void> {
    for (const r of records) {
      if (r.type === 'http') await this.handleHttp(r);
      else if (r.type === 'stats') this.metrics.applyStats(r);
    }
  }

  private async handleHttp(r: HttpRecord): Promise<void> {
    this.metrics.countTransaction();
    const line = parseRequestLine(r.prefix);
    if (!line) {
      this.metrics.countIgnored('malformed_request');
      return;
    }
    const who = await this.resolver.resolve(r.tgid, r.cgroupId, r.comm, this.nowMs());
    if (this.config.excludedProcesses.has(who.processName)) {
      this.metrics.countIgnored('excluded_process');
      return;
    }
    if (who.namespace && this.config.excludedNamespaces.has(who.namespace)) {
      this.metrics.countIgnored('excluded_namespace');
      return;
    }
    const admitted = this.routes.admit(who.serviceName, templatePath(line.path, line.truncated));
    if (admitted.overflowed) this.metrics.countRouteOverflow();
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
    };
    this.metrics.observe(labels, Number(r.durationNs) / 1e9);
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && url === '/metrics') {
      // Everything decoded so far is counted before the scrape answers.
      await this.queue;
      res.setHeader('Content-Type', this.metrics.registry.contentType);
      res.end(await this.metrics.registry.metrics());
      return;
    }
    if (req.method === 'GET' && url === '/healthz') {
      res.end('ok\n');
      return;
    }
    res.statusCode = 404;
    res.end('not found: try /metrics\n');
  }
}
