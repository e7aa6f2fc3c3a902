import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBurnwatch } from '../../src/app.js';
import { SensorScraperService } from '../../src/integrations/metrics/sensor-scraper.service.js';
import { apiClient, resetDatabase } from '../support/app.js';
import { KubeStandin } from '../support/kube-standin.js';
import { eventually, startKubernetesTestApp } from '../support/kubernetes-fixtures.js';
import { SensorStandIn } from '../support/sensor-standin.js';

let standin: KubeStandin;
let sensor: SensorStandIn;
let burnwatch: RunningBurnwatch;
let dir: string;

const sensorPod = (name: string, phase: string, podIP?: string) => ({
  metadata: { namespace: 'burnwatch', name, labels: { 'app.kubernetes.io/name': 'burnwatch-sensor' } },
  spec: { nodeName: 'node-1', containers: [{ name: 'sensor', image: 'burnwatch/sensor:0.1.0' }] },
  status: { phase, podIP },
});

beforeAll(async () => {
  await resetDatabase();
  sensor = await new SensorStandIn({ namespace: 'shop', workload: 'checkout' }).start();
  standin = new KubeStandin();
  await standin.start();
  dir = mkdtempSync(join(tmpdir(), 'burnwatch-discovery-'));
  // The sensor "pod" answers on loopback, where the stand-in sensor listens.
  standin.apply('pods', sensorPod('sensor-a1b2c', 'Running', '127.0.0.1'));
  standin.apply('pods', sensorPod('sensor-pending', 'Pending'));
  burnwatch = await startKubernetesTestApp({ kubeconfig: standin.writeKubeconfig(dir) }, undefined, {
    sensorDiscovery: { labels: { 'app.kubernetes.io/name': 'burnwatch-sensor' }, port: sensor.port },
  });
});

afterAll(async () => {
  await burnwatch?.close();
  await standin?.stop();
  await sensor?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('sensor discovery in a cluster', () => {
  it("scrapes the sensor DaemonSet's running pods without BURNWATCH_SCRAPE_TARGETS", async () => {
    const scraper = burnwatch.app.get(SensorScraperService);
    const targets = await eventually('the sensor pod to be discovered', async () => {
      const found = scraper.targets();
      return found.length > 0 ? found : undefined;
    });
    expect(targets).toEqual([`http://127.0.0.1:${sensor.port}/metrics`]);

    await scraper.scrapeAll(new Date());
    sensor.record(40, 200, 0.02);
    sensor.record(2, 503, 0.02);
    const [result] = await scraper.scrapeAll(new Date());
    expect(result).toMatchObject({ ok: true, requests: 42 });

    const api = apiClient(burnwatch.url);
    await api('POST', '/api/v1/slos', {
      name: 'checkout-errors',
      service: { namespace: 'shop', workload: 'checkout' },
      indicator: { type: 'errorRate' },
      objective: 99,
      window: '7d',
    });
    const status = (await api('GET', '/api/v1/slos/checkout-errors/status')).body;
    expect(status.sli).toMatchObject({ total: 42, bad: 2 });
  });
});
