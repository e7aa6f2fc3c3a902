/**
 * Metric names and the registry. The histogram is the contract shared with the
 * burn-rate engine (docs/metrics.md); the rest are the sensor's self-metrics.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { LabelledHistogram, TextWriter, type ExactThreshold, type HistogramSeries } from './histogram.js';
import {
  kernelStatName,
  LOADER_COUNTERS,
  type CountersRecord,
  type KernelStat,
  type StatsRecord,
} from './records.js';

export const HTTP_SERVER_DURATION = 'http_server_request_duration_seconds';

export const HTTP_LABELS = [
  'k8s_namespace_name',
  'k8s_workload_name',
  'k8s_workload_kind',
  'service_name',
  'container_image_name',
  'container_image_id',
  'http_request_method',
  'http_route',
  'http_response_status_code',
  'url_scheme',
  'network_protocol_version',
  'rpc_grpc_status_code',
] as const;
export type HttpLabel = (typeof HTTP_LABELS)[number];
export type HttpLabels = Record<HttpLabel, string>;

export const SELF = {
  transactions: 'burnwatch_sensor_transactions_total',
  ignored: 'burnwatch_sensor_transactions_ignored_total',
  kernelEvents: 'burnwatch_sensor_kernel_events_total',
  loaderEvents: 'burnwatch_sensor_loader_events_total',
  ringbufDrops: 'burnwatch_sensor_ringbuf_drops_total',
  queueFull: 'burnwatch_sensor_request_queue_full_total',
  requestsLost: 'burnwatch_sensor_requests_lost_total',
  connsTracked: 'burnwatch_sensor_connections_tracked',
  connsCapacity: 'burnwatch_sensor_connections_capacity',
  bpfRunTime: 'burnwatch_sensor_bpf_run_time_seconds_total',
  bpfRunCount: 'burnwatch_sensor_bpf_runs_total',
  agentCpu: 'burnwatch_sensor_agent_cpu_seconds_total',
  loaderCpu: 'burnwatch_sensor_loader_cpu_seconds_total',
  routesOverflowed: 'burnwatch_sensor_routes_overflowed_total',
  series: 'burnwatch_sensor_http_series',
  serviceNames: 'burnwatch_sensor_service_names',
  exactThresholds: 'burnwatch_sensor_exact_thresholds',
  exactThresholdsRefused: 'burnwatch_sensor_exact_thresholds_refused_total',
  up: 'burnwatch_sensor_up',
} as const;

/**
 * Requests the kernel programs saw but could not time, by reason (docs/metrics.md), from
 * the kernel counter behind each.
 */
export const LOST_REASONS: Readonly<Partial<Record<KernelStat, string>>> = {
  queue_full: 'queue_full',
  ringbuf_drops: 'ringbuf_full',
  tls_unpaired: 'tls_unpaired',
  lost_not_seen: 'not_seen',
  lost_beyond_scan: 'beyond_scan',
  lost_no_status: 'no_status_line',
  h2_undecodable: 'h2_undecodable',
  h2_reset: 'h2_reset',
  h2_unanswered: 'h2_unanswered',
  h2_lost_desync: 'h2_desync',
};

/** Why a transaction seen in the kernel was not exported. */
export type IgnoredReason = 'malformed_request' | 'excluded_process' | 'excluded_namespace';

export type SeriesHandle = Pick<HistogramSeries, 'observe' | 'add'>;

export class SensorMetrics {
  /** The self-metrics; the histogram renders itself (renderText), far cheaper than through prom-client. */
  readonly registry = new Registry();
  private readonly duration: LabelledHistogram;
  private readonly transactions: Counter;
  private readonly ignored: Counter<'reason'>;
  private readonly kernelEvents: Counter<'event'>;
  private readonly ringbufDrops: Counter;
  private readonly queueFull: Counter;
  private readonly requestsLost: Counter<'reason'>;
  private readonly routesOverflowed: Counter;
  private readonly lastCounter = new Map<string, number>();
  private readonly loaderEvents: Counter<'event'>;
  private readonly serviceNames = new Map<string, string>();
  private readonly serviceNamesGauge: Gauge<'origin'>;
  private readonly lastBpf = { timeNs: 0, count: 0 };

  constructor(
    bucketsSeconds: readonly number[],
    cpu: { agentSeconds: () => number; loaderSeconds: () => number },
  ) {
    const registers = [this.registry];
    this.duration = new LabelledHistogram(
      HTTP_SERVER_DURATION,
      'Duration of HTTP server requests, from the first byte of the request read to the first byte of the response written, seen by the eBPF sensor.',
      HTTP_LABELS,
      bucketsSeconds,
    );
    const exactThresholds = () => this.duration.exactThresholds().length;
    new Gauge({
      name: SELF.exactThresholds,
      help: 'Latency thresholds (ms) counted exactly per series, as asked by Burnwatch scrapes.',
      registers,
      collect() {
        this.set(exactThresholds());
      },
    });
    this.thresholdsRefused = new Counter({
      name: SELF.exactThresholdsRefused,
      help: 'Thresholds a scrape asked to count exactly that were refused: the sensor already counts its maximum.',
      registers,
    });
    this.transactions = new Counter({
      name: SELF.transactions,
      help: 'HTTP transactions received from the kernel.',
      registers,
    });
    this.ignored = new Counter({
      name: SELF.ignored,
      help: 'HTTP transactions received but not exported, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.kernelEvents = new Counter({
      name: SELF.kernelEvents,
      help: 'Counters kept by the BPF programs (accepts, requests, responses, pipelined, informational, tls_tied, tls_unpaired, …).',
      labelNames: ['event'],
      registers,
    });
    this.loaderEvents = new Counter({
      name: SELF.loaderEvents,
      help: 'Counters kept by the loader: records (transactions aggregated), series_sent (series records written to the agent), flushes_full (series table flushed early because it was full; nothing is lost).',
      labelNames: ['event'],
      registers,
    });
    this.ringbufDrops = new Counter({
      name: SELF.ringbufDrops,
      help: 'Transactions lost because the ring buffer to user space was full.',
      registers,
    });
    this.queueFull = new Counter({
      name: SELF.queueFull,
      help: 'Requests not timed because their connection already had the maximum of pipelined requests waiting.',
      registers,
    });
    this.requestsLost = new Counter({
      name: SELF.requestsLost,
      help: 'Requests the sensor saw but could not time, by reason (queue_full, ringbuf_full, tls_unpaired, not_seen, beyond_scan, no_status_line, h2_undecodable, h2_reset, h2_unanswered, h2_desync).',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of Object.values(LOST_REASONS)) this.requestsLost.inc({ reason }, 0);
    this.routesOverflowed = new Counter({
      name: SELF.routesOverflowed,
      help: 'Requests exported with http_route="__overflow__" because their service hit the route cap.',
      registers,
    });
    const connsTracked = new Gauge({
      name: SELF.connsTracked,
      help: 'Connections in the kernel connection map now.',
      registers,
    });
    const connsCapacity = new Gauge({
      name: SELF.connsCapacity,
      help: 'Capacity of the kernel connection map (LRU: the oldest are forgotten past it).',
      registers,
    });
    this.setConnections = (tracked, capacity) => {
      connsTracked.set(tracked);
      connsCapacity.set(capacity);
    };
    const bpfRunTime = new Counter({
      name: SELF.bpfRunTime,
      help: 'CPU time spent in the sensor BPF programs (0 unless sysctl kernel.bpf_stats_enabled=1).',
      registers,
    });
    const bpfRunCount = new Counter({
      name: SELF.bpfRunCount,
      help: 'Runs of the sensor BPF programs (0 unless sysctl kernel.bpf_stats_enabled=1).',
      registers,
    });
    this.addBpf = (seconds, runs) => {
      bpfRunTime.inc(seconds);
      bpfRunCount.inc(runs);
    };
    new Gauge({
      name: SELF.agentCpu,
      help: 'CPU time (user+system) used by the sensor agent process.',
      registers,
      collect() {
        this.set(cpu.agentSeconds());
      },
    });
    new Gauge({
      name: SELF.loaderCpu,
      help: 'CPU time (user+system) used by the loader process (polling the ring buffer).',
      registers,
      collect() {
        this.set(cpu.loaderSeconds());
      },
    });
    const duration = this.duration;
    new Gauge({
      name: SELF.series,
      help: `Series of ${HTTP_SERVER_DURATION} exported now (idle ones are removed).`,
      registers,
      collect() {
        this.set(duration.size);
      },
    });
    this.serviceNamesGauge = new Gauge({
      name: SELF.serviceNames,
      help: 'Distinct service_name values exported since start, by where they came from: kubernetes (the workload), unit (systemd), cmdline (script or jar), comm (the process name).',
      labelNames: ['origin'],
      registers,
    });
    this.up = new Gauge({
      name: SELF.up,
      help: '1 once the BPF programs are attached.',
      registers,
    });
  }

  private readonly thresholdsRefused: Counter;
  private readonly setConnections: (tracked: number, capacity: number) => void;
  private readonly addBpf: (seconds: number, runs: number) => void;
  readonly up: Gauge;

  /** The series for these labels, to observe into without looking it up again. */
  series(labels: HttpLabels): SeriesHandle {
    return this.duration.seriesFor(labels);
  }

  /**
   * The standard text exposition: the histogram, then the self-metrics. The bytes are valid until the next call
   * (the memory is reused): the caller sends them before it renders again.
   */
  async renderText(): Promise<Buffer> {
    const self = `\n${await this.registry.metrics()}`;
    this.text.reset();
    this.duration.renderText(this.text);
    this.text.text(self);
    return this.text.done();
  }

  private readonly text = new TextWriter();

  /** Burnwatch's compact form of the histogram (docs/metrics.md, "Burnwatch's scrape"). */
  renderCompact(startTimeSeconds: number, refusedThresholdsMs: readonly number[]): string {
    return this.duration.renderCompact({ startTimeSeconds, refusedThresholdsMs });
  }

  /** Counts requests within these thresholds exactly from now on; returns the ones refused (too many). */
  registerThresholds(ms: readonly number[], nowMs: number): number[] {
    const refused = this.duration.registerThresholds(ms, nowMs);
    if (refused.length) this.thresholdsRefused.inc(refused.length);
    return refused;
  }

  /** Forgets thresholds no scrape asked for since `beforeMs`. */
  expireThresholds(beforeMs: number): number {
    return this.duration.expireThresholds(beforeMs);
  }

  /** The loader's threshold slots: ms per slot, 0 for an empty one. */
  thresholdSlots(): number[] {
    return this.duration.thresholdSlots();
  }

  exactThresholds(): ExactThreshold[] {
    return this.duration.exactThresholds();
  }

  /**
   * Removes the series that saw no request for `idleMs` (pods that went away, old image
   * digests), so the sensor's memory and the scrape stay bounded over days of deploys.
   * Handles from series() for removed series must not be used afterwards.
   */
  removeIdleSeries(nowMs: number, idleMs: number): number {
    return this.duration.removeObservedBefore(nowMs - idleMs);
  }

  /** Remembers where a service name came from (a derived name is a guess: it is shown, not hidden). */
  noteServiceName(name: string, origin: string): void {
    if (this.serviceNames.get(name) === origin) return;
    const before = this.serviceNames.get(name);
    if (before !== undefined) this.serviceNamesGauge.dec({ origin: before });
    this.serviceNames.set(name, origin);
    this.serviceNamesGauge.inc({ origin });
  }

  countTransaction(n = 1): void {
    this.transactions.inc(n);
  }

  countIgnored(reason: IgnoredReason, n = 1): void {
    this.ignored.inc({ reason }, n);
  }

  countRouteOverflow(n = 1): void {
    this.routesOverflowed.inc(n);
  }

  /**
   * Counters records carry every entry of the kernel's `stats` map and the loader's counters, cumulative; the
   * deltas go into Prometheus counters. An entry this agent has no name for is exported as `stat_<index>`.
   */
  applyCounters(counters: CountersRecord): void {
    counters.kernel.forEach((value, i) => {
      const name = kernelStatName(i);
      const delta = this.delta(`kernel/${name}`, value);
      if (delta <= 0) return;
      this.kernelEvents.inc({ event: name }, delta);
      if (name === 'ringbuf_drops') this.ringbufDrops.inc(delta);
      if (name === 'queue_full') this.queueFull.inc(delta);
      const reason = LOST_REASONS[name as KernelStat];
      if (reason) this.requestsLost.inc({ reason }, delta);
    });
    counters.loader.forEach((value, i) => {
      const name = LOADER_COUNTERS[i] ?? `counter_${i}`;
      const delta = this.delta(`loader/${name}`, value);
      if (delta > 0) this.loaderEvents.inc({ event: name }, delta);
    });
  }

  /** Stats records: connections and BPF run time (the kernel counters come in counters records). */
  applyStats(stats: StatsRecord): void {
    this.setConnections(stats.connsTracked, stats.connsCapacity);
    const dt = Math.max(0, stats.bpfRunTimeNs - this.lastBpf.timeNs);
    const dc = Math.max(0, stats.bpfRunCount - this.lastBpf.count);
    this.lastBpf.timeNs = stats.bpfRunTimeNs;
    this.lastBpf.count = stats.bpfRunCount;
    if (dt || dc) this.addBpf(dt / 1e9, dc);
  }

  private delta(name: string, value: number): number {
    const last = this.lastCounter.get(name) ?? 0;
    this.lastCounter.set(name, value);
    return Math.max(0, value - last);
  }
}
