import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import { MetricsService } from '../../observability/metrics.service.js';
import { SensorScraperService } from '../metrics/sensor-scraper.service.js';
import { planSensor } from './sensor-availability.js';
import { buildLoader, readHostFacts } from './sensor-host.js';
import { SensorProcess } from './sensor-process.js';
import type { SensorStatusView } from './sensor-status.js';

/**
 * `npm start` on a Linux host with root and kernel BTF: starts `node dist/sensor/main.js` as a child, scrapes it,
 * restarts it with backoff when it exits, and stops it with the service. Elsewhere it says why not, once, in the
 * log and in the status above; the service runs either way.
 */
@Injectable()
export class SensorSupervisor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Sensor');
  private readonly childLogger = new Logger('SensorProcess');
  private process: SensorProcess | null = null;
  private loader: SensorStatusView['loader'] = null;
  private fixed: Pick<SensorStatusView, 'state' | 'reason' | 'action'>;
  private readonly restartsTotal: Counter;
  private shuttingDown = false;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(SensorScraperService) private readonly scraper: SensorScraperService,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    this.fixed =
      config.sensor.mode === 'off'
        ? {
            state: 'off',
            reason: 'BURNWATCH_SENSOR is off',
            action:
              'set BURNWATCH_SENSOR=auto to start the sensor with the service, or scrape one started elsewhere (BURNWATCH_SCRAPE_TARGETS)',
          }
        : { state: 'starting', reason: null, action: null };
    this.restartsTotal = new Counter({
      name: 'burnwatch_sensor_restarts_total',
      help: 'Restarts of the sensor child process after it exited on its own.',
      registers: [metrics.registry],
    });
    const up = () => (this.status().state === 'running' ? 1 : 0);
    new Gauge({
      name: 'burnwatch_sensor_up',
      help: '1 while the sensor child process serves its metrics, else 0.',
      registers: [metrics.registry],
      collect() {
        this.set(up());
      },
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.sensor.mode === 'off') return;
    this.scraper.addTargetSource(() => {
      const url = this.process?.metricsUrl();
      return url ? [url] : [];
    });
    // Not awaited: the service answers while the loader is (rarely) built and the programs load.
    void this.begin().catch((error: unknown) =>
      this.unavailable((error as Error).message, 'see the log lines before this one'),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    await this.process?.stop();
  }

  status(): SensorStatusView {
    const base = { loader: this.loader, metricsUrl: null, pid: null, restarts: 0 };
    if (!this.process) return { ...base, ...this.fixed };
    const s = this.process.status();
    switch (s.state) {
      case 'running':
        return {
          ...base,
          state: 'running',
          reason: null,
          action: null,
          metricsUrl: s.url,
          pid: s.pid,
          restarts: s.restarts,
        };
      case 'starting':
        return {
          ...base,
          state: 'starting',
          reason: null,
          action: null,
          pid: s.pid ?? null,
          restarts: s.restarts,
        };
      case 'restarting':
        return {
          ...base,
          state: 'unavailable',
          reason: s.lastExit,
          action: `it is restarted in ${Math.ceil(s.restartInMs / 1000)} s; the service's log lines from "SensorProcess" say more`,
          restarts: s.restarts,
        };
      case 'stopped':
        return {
          ...base,
          state: 'unavailable',
          reason: 'the service is stopping',
          action: 'none',
          restarts: s.restarts,
        };
    }
  }

  private async begin(): Promise<void> {
    const plan = planSensor(readHostFacts());
    if (plan.kind === 'unavailable') return this.unavailable(plan.reason, plan.action);
    let loader = plan.kind === 'start' ? plan.loader : null;
    if (!loader) {
      this.logger.log('No BPF loader ships for this machine; building it with make -C bpf');
      loader = { path: await buildLoader((line) => this.childLogger.warn(line)), origin: 'built' };
    }
    if (this.shuttingDown) return;
    this.loader = loader;
    const env = process.env;
    this.process = new SensorProcess({
      command: process.execPath,
      args: [plan.sensorEntry],
      env: {
        ...env,
        BURNWATCH_SENSOR_LOADER: loader.path,
        // On one machine the sensor serves the service only, unless told otherwise.
        BURNWATCH_SENSOR_HOST: env.BURNWATCH_SENSOR_HOST?.trim() || '127.0.0.1',
        BURNWATCH_SENSOR_PORT: String(this.config.engine.sensorDiscovery.port),
        // The service's own API traffic is not a workload to watch.
        BURNWATCH_SENSOR_EXCLUDE_PIDS: [env.BURNWATCH_SENSOR_EXCLUDE_PIDS, String(process.pid)]
          .filter((part) => part?.trim())
          .join(','),
      },
      log: (line) => this.childLogger.log(line),
      onRestart: () => {
        this.restartsTotal.inc();
        this.logger.warn(`Restarting the sensor (${this.process?.status().restarts ?? 0} restarts so far)`);
      },
    });
    this.process.start();
    this.logger.log(`Starting the sensor with the ${loader.origin} loader ${loader.path}`);
  }

  private unavailable(reason: string, action: string): void {
    this.fixed = { state: 'unavailable', reason, action };
    this.logger.warn(`The sensor is not started: ${reason}; ${action}`);
  }
}
