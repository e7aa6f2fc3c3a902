import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  COMPACT_CONTENT_TYPE,
  THRESHOLDS_HEADER,
  parseThresholdsHeader,
  wantsCompact,
} from '../../sensor/agent.js';
import { LabelledHistogram } from '../../sensor/histogram.js';
import { HTTP_LABELS, HTTP_SERVER_DURATION } from '../../sensor/metrics.js';

export const DEFAULT_BOUNDS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10,
];

export interface SeriesSelector {
  namespace?: string;
  workload?: string;
  serviceName?: string;
  method?: string;
  route?: string;
  imageId?: string;
  /** A gRPC call's grpc-status: the series gets `rpc_grpc_status_code` (and HTTP/2), as the sensor exports it. */
  grpcStatusCode?: number;
}

export interface StandInOptions {
  /**
   * Answer Burnwatch's compact form with exact thresholds as the sensor does: the sensor's own histogram
   * (sensor/histogram.ts) observes every recorded request and counts the thresholds the scrape's header asks for
   * from that scrape on. Without it the stand-in prints the text form only and ignores the header.
   */
  exactThresholds?: boolean;
}

/**
 * A stand-in for the eBPF sensor: a plain HTTP server printing the metric contract's histogram in Prometheus text,
 * whose cumulative counters the test drives.
 */
export class SensorStandIn {
  private server?: Server;
  private readonly series = new Map<string, { labels: Record<string, string>; buckets: number[] }>();
  private histogram = newHistogram();
  startTime = 1_700_000_000;
  url = '';

  constructor(
    private readonly defaults: SeriesSelector = {},
    private readonly options: StandInOptions = {},
  ) {}

  async start(port = 0): Promise<this> {
    this.server = createServer((request, response) => this.answer(request, response));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/metrics`;
    return this;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** Records `count` requests with this status and duration. */
  record(count: number, statusCode: number, seconds: number, selector: SeriesSelector = {}): void {
    const s = { ...this.defaults, ...selector };
    const labels = {
      k8s_namespace_name: s.namespace ?? '',
      k8s_workload_name: s.workload ?? '',
      k8s_workload_kind: s.workload ? 'Deployment' : '',
      service_name: s.serviceName ?? s.workload ?? '',
      container_image_name: '',
      container_image_id: s.imageId ?? '',
      http_request_method: s.method ?? 'GET',
      http_route: s.route ?? '/',
      http_response_status_code: String(statusCode),
      url_scheme: 'http',
      ...(s.grpcStatusCode === undefined
        ? {}
        : { network_protocol_version: '2', rpc_grpc_status_code: String(s.grpcStatusCode) }),
    };
    const key = JSON.stringify(labels);
    const entry = this.series.get(key) ?? { labels, buckets: new Array(DEFAULT_BOUNDS.length + 1).fill(0) };
    const index = DEFAULT_BOUNDS.findIndex((bound) => seconds <= bound);
    entry.buckets[index === -1 ? DEFAULT_BOUNDS.length : index] += count;
    this.series.set(key, entry);
    if (this.options.exactThresholds) {
      const series = this.histogram.seriesFor(labels);
      for (let i = 0; i < count; i++) series.observe(seconds, Date.now());
    }
  }

  /** What a restarted sensor shows: every counter from zero, a new start time. */
  restart(): void {
    this.series.clear();
    this.histogram = newHistogram();
    this.startTime += 3600;
  }

  /** The thresholds counted exactly now (as the scrapes asked for them). */
  exactThresholdsMs(): number[] {
    return this.histogram.exactThresholds().map((t) => t.ms);
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    if (this.options.exactThresholds && wantsCompact(request.headers.accept)) {
      const asked = parseThresholdsHeader(request.headers[THRESHOLDS_HEADER]);
      if ('problem' in asked) {
        response.statusCode = 400;
        response.end(`${THRESHOLDS_HEADER}: ${asked.problem}\n`);
        return;
      }
      const refused = asked.ms.length ? this.histogram.registerThresholds(asked.ms, Date.now()) : [];
      response.setHeader('content-type', COMPACT_CONTENT_TYPE);
      response.end(
        this.histogram.renderCompact({ startTimeSeconds: this.startTime, refusedThresholdsMs: refused }),
      );
      return;
    }
    response.setHeader('content-type', 'text/plain; version=0.0.4');
    response.end(this.exposition());
  }

  exposition(): string {
    const lines = [
      '# HELP http_server_request_duration_seconds Duration of HTTP server requests.',
      '# TYPE http_server_request_duration_seconds histogram',
    ];
    for (const { labels, buckets } of this.series.values()) {
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      let cumulative = 0;
      DEFAULT_BOUNDS.forEach((bound, i) => {
        cumulative += buckets[i]!;
        lines.push(`http_server_request_duration_seconds_bucket{${text},le="${bound}"} ${cumulative}`);
      });
      cumulative += buckets[DEFAULT_BOUNDS.length]!;
      lines.push(`http_server_request_duration_seconds_bucket{${text},le="+Inf"} ${cumulative}`);
      lines.push(`http_server_request_duration_seconds_count{${text}} ${cumulative}`);
    }
    lines.push('# TYPE process_start_time_seconds gauge', `process_start_time_seconds ${this.startTime}`);
    return lines.join('\n') + '\n';
  }
}

function newHistogram(): LabelledHistogram {
  return new LabelledHistogram(
    HTTP_SERVER_DURATION,
    'Duration of HTTP server requests.',
    HTTP_LABELS,
    DEFAULT_BOUNDS,
  );
}
