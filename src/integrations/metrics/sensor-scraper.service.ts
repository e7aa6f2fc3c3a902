import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { CLOCK, Clock } from '../../common/clock.js';
import { JobScheduler } from '../../common/job-scheduler.js';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import { MetricsService } from '../../observability/metrics.service.js';
import { parsePrometheusText } from './prometheus-text.js';
import {
  COMPACT_MEDIA_TYPE,
  ExactThresholds,
  HistogramSnapshot,
  SENSOR_HISTOGRAM,
  THRESHOLDS_HEADER,
  countDeltas,
  histogramsFrom,
  histogramsFromCompact,
} from './sensor-histograms.js';
import { SliRepository } from '../../sli/sli-repository.js';

export interface ScrapeResult {
  target: string;
  ok: boolean;
  error?: string;
  series: number;
  requests: number;
  /** Another replica was scraping this target (or took it over mid-way): its reading counts, this one did not. */
  skipped?: boolean;
  /**
   * Seconds since the last stored reading of this target, when that is a gap (no reading stored for longer than
   * two scrape intervals and a minute: the database was down, or no replica scraped): `requests` then holds
   * traffic served over the whole gap, all of it stored in this scrape's minute (docs/engine.md).
   */
  gapSeconds?: number;
}

/** A target not scraped for this long (a node removed) has its stored counters forgotten. */
const FORGET_TARGET_MS = 3_600_000;
/** The most thresholds a sensor counts exactly (sensor/histogram.ts MAX_EXACT_THRESHOLDS). */
const MAX_EXACT_THRESHOLDS = 64;

/**
 * Reads the eBPF sensors' /metrics and stores the new requests per workload series and minute. Every replica
 * scrapes, but each target is claimed in Postgres for one scrape at a time, and what is stored is the growth since
 * the counters stored last (by whichever replica): with any number of replicas each request is counted once, and
 * a replica that dies mid-scrape leaves a claim that runs out, its reading never stored.
 */
@Injectable()
export class SensorScraperService implements OnApplicationBootstrap {
  private readonly logger = new Logger('SensorScraper');
  private readonly targetSources: (() => string[])[] = [];
  private readonly scrapeErrors: Counter<'target'>;
  private readonly samplesIngested: Counter;
  private readonly scrapeDuration: Histogram<'target'>;
  private readonly gaps: Counter<'target'>;
  private readonly gapRequests: Counter<'target'>;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SliRepository) private readonly storage: SliRepository,
    @Inject(JobScheduler) private readonly scheduler: JobScheduler,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    const registers = [metrics.registry];
    this.scrapeErrors = new Counter({
      name: 'burnwatch_scrape_errors_total',
      help: 'Failed scrapes of sensor targets.',
      labelNames: ['target'],
      registers,
    });
    this.samplesIngested = new Counter({
      name: 'burnwatch_samples_ingested_total',
      help: 'Histogram series samples read from sensors.',
      registers,
    });
    this.scrapeDuration = new Histogram({
      name: 'burnwatch_scrape_duration_seconds',
      help: 'Duration of one scrape of one sensor target.',
      labelNames: ['target'],
      registers,
    });
    this.gaps = new Counter({
      name: 'burnwatch_scrape_gaps_total',
      help:
        'Stored readings of a sensor target that came after a gap (no reading stored for more than two scrape ' +
        'intervals and a minute): the traffic of the whole gap is attributed to the minute of the reading.',
      labelNames: ['target'],
      registers,
    });
    this.gapRequests = new Counter({
      name: 'burnwatch_scrape_gap_requests_total',
      help:
        'Requests served during a scrape gap and attributed to the minute of the first reading stored after it, ' +
        'not to the minutes they were served in.',
      labelNames: ['target'],
      registers,
    });
  }

  /** Adds targets found elsewhere (the sensor pods Kubernetes knows of), read at every scrape. */
  addTargetSource(source: () => string[]): void {
    this.targetSources.push(source);
  }

  /** The configured targets and the discovered ones. */
  targets(): string[] {
    return [
      ...new Set([...this.config.engine.scrapeTargets, ...this.targetSources.flatMap((source) => source())]),
    ];
  }

  onApplicationBootstrap(): void {
    const { scrapeTargets, scrapeIntervalSeconds, schedule } = this.config.engine;
    if (!schedule) return;
    this.logger.log(
      `Scraping ${scrapeTargets.length} configured sensor target(s), and any discovered, every ${scrapeIntervalSeconds} s`,
    );
    this.scheduler.every('scrape-sensors', scrapeIntervalSeconds, async () => {
      const now = this.clock.now();
      // A target gone for good (a node removed) would leave its counters behind.
      await this.storage
        .forgetTargetsBefore(new Date(now.getTime() - FORGET_TARGET_MS))
        .catch(() => undefined);
      return this.scrapeAll(now);
    });
  }

  /**
   * One scrape of every target; a failing target never stops the others. Each scrape asks the sensor to count
   * the latency thresholds of the sensor's SLOs exactly (docs/metrics.md, "Exact latency thresholds").
   */
  async scrapeAll(now: Date, targets: string[] = this.targets()): Promise<ScrapeResult[]> {
    const thresholdsMs = await this.storage
      .sensorLatencyThresholdsMs(MAX_EXACT_THRESHOLDS)
      .catch(() => [] as number[]);
    return Promise.all(targets.map((target) => this.scrape(target, now, thresholdsMs)));
  }

  async scrape(target: string, now: Date, thresholdsMs: readonly number[] = []): Promise<ScrapeResult> {
    const stopTimer = this.scrapeDuration.startTimer({ target });
    let claim: string | null = null;
    try {
      const timeoutMs = Math.min(10_000, this.config.engine.scrapeIntervalSeconds * 1000);
      // The claim outlives the HTTP time limit by as much again and a second, the time to store what was read.
      claim = await this.storage.claimTarget(target, 2 * timeoutMs + 1000);
      if (!claim) return { target, ok: true, skipped: true, series: 0, requests: 0 };
      const response = await fetch(target, {
        signal: AbortSignal.timeout(timeoutMs),
        // The compact form carries the exact counts; a sensor without it answers the text form.
        headers: {
          accept: `${COMPACT_MEDIA_TYPE}, text/plain;q=0.5`,
          ...(thresholdsMs.length ? { [THRESHOLDS_HEADER]: thresholdsMs.join(',') } : {}),
        },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const { histograms, startTime, thresholds } = await readingOf(response);
      this.samplesIngested.inc(histograms.length);
      // The deltas and the counters they lead to are stored together: if the database is down, nothing is, and
      // the next scrape carries the same increase.
      let storedAt: Date | undefined;
      const deltas = await this.storage.storeScrape(target, claim, now, (previous) => {
        storedAt = previous?.storedAt;
        return countDeltas(previous, histograms, startTime, thresholds);
      });
      claim = null;
      if (deltas === null) return { target, ok: true, skipped: true, series: histograms.length, requests: 0 };
      const requests = deltas.reduce((sum, d) => sum + d.requests, 0);
      const gapSeconds = this.gapSeconds(storedAt, now);
      if (gapSeconds !== undefined) {
        this.gaps.inc({ target });
        this.gapRequests.inc({ target }, requests);
        this.logger.warn(
          `${target}: no reading stored for ${Math.round(gapSeconds)} s; its ${requests} requests are attributed ` +
            `to ${now.toISOString().slice(0, 16)}Z, not spread over the gap (docs/engine.md)`,
        );
      }
      return {
        target,
        ok: true,
        series: histograms.length,
        requests,
        ...(gapSeconds === undefined ? {} : { gapSeconds }),
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.scrapeErrors.inc({ target });
      this.logger.warn(`Scrape of ${target} failed: ${message}`);
      if (claim) await this.storage.releaseTarget(target, claim).catch(() => undefined);
      return { target, ok: false, error: message, series: 0, requests: 0 };
    } finally {
      stopTimer();
    }
  }

  /** The time since the previous stored reading, when it is long enough to be a gap; undefined otherwise. */
  private gapSeconds(storedAt: Date | undefined, now: Date): number | undefined {
    if (!storedAt) return undefined;
    const seconds = (now.getTime() - storedAt.getTime()) / 1000;
    return seconds > 2 * this.config.engine.scrapeIntervalSeconds + 60 ? seconds : undefined;
  }
}

/** The sensor's answer as histograms: the compact form (with exact counts) or the text exposition. */
async function readingOf(response: Response): Promise<{
  histograms: HistogramSnapshot[];
  startTime: number | undefined;
  thresholds: ExactThresholds;
}> {
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.toLowerCase().startsWith(COMPACT_MEDIA_TYPE))
    return histogramsFromCompact(await response.json());
  const { samples } = parsePrometheusText(
    await response.text(),
    (name) => name === `${SENSOR_HISTOGRAM}_bucket` || name === 'process_start_time_seconds',
  );
  return {
    histograms: histogramsFrom(samples),
    startTime: samples.find((s) => s.name === 'process_start_time_seconds')?.value,
    thresholds: new Map(),
  };
}
