import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../../src/alerts/alert-store.js';
import type { AlertSnapshot } from '../../src/alerts/domain/alert-transition.js';
import type { RunningBurnwatch } from '../../src/app.js';
import { apiClient, resetDatabase } from '../support/app.js';
import { errorRateSlo } from '../support/fixtures.js';
import { KubeStandin } from '../support/kube-standin.js';
import { SensorStandIn } from '../support/sensor-standin.js';
import { SensorScraperService } from '../../src/integrations/metrics/sensor-scraper.service.js';
import {
  deployment,
  digestOf,
  event,
  eventually,
  minutesAgo,
  pod,
  replicaSet,
  sloSpec,
  startKubernetesTestApp,
} from '../support/kubernetes-fixtures.js';

const OLD = digestOf('1a2b');
const NEW = digestOf('9f8e');
const SNAPSHOT: AlertSnapshot = {
  sliPercent: 99.2,
  objective: 99.9,
  budgetRemainingPercent: 80,
  burnRates: [],
  exhaustionAt: null,
};

let standin: KubeStandin;
let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;
let dir: string;
const t0 = Date.now();

beforeAll(async () => {
  await resetDatabase();
  standin = new KubeStandin();
  await standin.start();
  dir = mkdtempSync(join(tmpdir(), 'burnwatch-kube-'));
  // The cluster as it was before the story: checkout on 1.2.0 (revision 1) for a day, cart next to it.
  standin.apply(
    'deployments',
    deployment({ name: 'checkout', generation: 1, revision: 1, image: 'shop/checkout:1.2.0' }),
  );
  standin.apply(
    'replicasets',
    replicaSet({
      deployment: 'checkout',
      hash: '5f6d7c8b9',
      revision: 1,
      image: 'shop/checkout:1.2.0',
      createdAt: minutesAgo(24 * 60, t0),
    }),
  );
  for (const suffix of ['aaaaa', 'bbbbb'])
    standin.apply(
      'pods',
      pod({ replicaSet: 'checkout-5f6d7c8b9', suffix, image: 'shop/checkout:1.2.0', digest: OLD }),
    );
  standin.apply(
    'deployments',
    deployment({ name: 'cart', generation: 1, revision: 1, image: 'shop/cart:3.0.0', replicas: 3 }),
  );
  burnwatch = await startKubernetesTestApp({ kubeconfig: standin.writeKubeconfig(dir) });
  api = apiClient(burnwatch.url);
});

afterAll(async () => {
  await burnwatch?.close();
  await standin?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function changes(query = 'namespace=shop&limit=500'): Promise<any[]> {
  const response = await api('GET', `/api/v1/changes?${query}&from=${minutesAgo(48 * 60, t0)}`);
  expect(response.status).toBe(200);
  return response.body.items;
}

describe('Kubernetes correlation against a stand-in API server', () => {
  it('connects through the kubeconfig and says so in the status and /readyz', async () => {
    const status = await eventually('the watches to be synced', async () => {
      const response = await api('GET', '/api/v1/kubernetes/status');
      return response.body.state === 'connected' ? response.body : undefined;
    });
    expect(status.server).toBe(standin.url);
    expect(status.watches.map((w: any) => w.resource).sort()).toEqual([
      'daemonsets',
      'deployments',
      'events',
      'pods',
      'replicasets',
      'statefulsets',
    ]);
    const ready = await api('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.details.kubernetes).toMatch(
      /^connected: watching http:\/\/127\.0\.0\.1:\d+ \(last sync .+\)$/,
    );
    // The first revision, seen at start-up, is in the change log with the digest its pods run.
    const [first] = await eventually('the first revision with its digest', async () => {
      const deploys = (await changes('workload=checkout')).filter((c) => c.type === 'deploy' && c.digest);
      return deploys.length > 0 ? deploys : undefined;
    });
    expect(first).toMatchObject({
      revision: 1,
      image: 'shop/checkout:1.2.0',
      previousImage: null,
      digest: OLD,
    });
  });

  it('names the deploy that broke checkout first, with the folded events and the bad digest, losing nothing across a disconnect and a 410', async () => {
    expect((await api('POST', '/api/v1/slos', errorRateSlo())).status).toBe(201);
    const deployedAt = minutesAgo(6);

    // 1. checkout 1.3.0 rolls out: a new ReplicaSet (revision 2), the Deployment moves on, a Normal rollout event.
    standin.apply(
      'replicasets',
      replicaSet({
        deployment: 'checkout',
        hash: '7d9f8c6b5',
        revision: 2,
        image: 'shop/checkout:1.3.0',
        createdAt: deployedAt,
      }),
    );
    standin.apply(
      'deployments',
      deployment({
        name: 'checkout',
        generation: 2,
        revision: 2,
        image: 'shop/checkout:1.3.0',
        rollout: 'progressing',
      }),
    );
    standin.apply(
      'events',
      event({
        name: 'checkout.1801',
        objectKind: 'Deployment',
        objectName: 'checkout',
        reason: 'ScalingReplicaSet',
        type: 'Normal',
        count: 1,
        firstTimestamp: deployedAt,
        lastTimestamp: deployedAt,
        message: 'Scaled up replica set checkout-7d9f8c6b5 to 1',
      }),
    );
    // 2. Its pod runs the new digest and crash-loops; the kubelet repeats BackOff by raising one Event's count.
    standin.apply(
      'pods',
      pod({
        replicaSet: 'checkout-7d9f8c6b5',
        suffix: 'x2x9k',
        image: 'shop/checkout:1.3.0',
        digest: NEW,
        crashLooping: true,
      }),
    );
    const backOff = (count: number) =>
      event({
        name: 'checkout-7d9f8c6b5-x2x9k.17f3',
        objectKind: 'Pod',
        objectName: 'checkout-7d9f8c6b5-x2x9k',
        reason: 'BackOff',
        count,
        firstTimestamp: minutesAgo(5),
        lastTimestamp: new Date().toISOString(),
        message: 'Back-off restarting failed container app in pod checkout-7d9f8c6b5-x2x9k',
      });
    for (let count = 1; count <= 12; count++) standin.apply('events', backOff(count));
    // Noise elsewhere: another workload's pod cannot be scheduled, the node checkout runs on and another one are
    // short of memory, a Normal pull.
    standin.apply(
      'events',
      event({
        name: 'cart-6b7c8d9f0-qwert.18a1',
        objectKind: 'Pod',
        objectName: 'cart-6b7c8d9f0-qwert',
        reason: 'FailedScheduling',
        count: 3,
        firstTimestamp: minutesAgo(20),
        lastTimestamp: minutesAgo(2),
      }),
    );
    standin.apply(
      'events',
      event({
        namespace: 'default',
        name: 'node-1.18b2',
        objectKind: 'Node',
        objectName: 'node-1',
        reason: 'SystemOOM',
        count: 1,
        firstTimestamp: minutesAgo(4),
        lastTimestamp: minutesAgo(4),
      }),
    );
    standin.apply(
      'events',
      event({
        namespace: 'default',
        name: 'node-7.18b3',
        objectKind: 'Node',
        objectName: 'node-7',
        reason: 'SystemOOM',
        count: 1,
        firstTimestamp: minutesAgo(4),
        lastTimestamp: minutesAgo(4),
      }),
    );
    standin.apply(
      'events',
      event({
        name: 'checkout-7d9f8c6b5-x2x9k.1700',
        objectKind: 'Pod',
        objectName: 'checkout-7d9f8c6b5-x2x9k',
        reason: 'Pulled',
        type: 'Normal',
        count: 1,
        firstTimestamp: minutesAgo(5),
        lastTimestamp: minutesAgo(5),
      }),
    );
    await eventually('the BackOff events to be folded to 12', async () => {
      const folded = (await changes()).find((c) => c.type === 'event' && c.reason === 'BackOff');
      return folded?.count === 12 ? folded : undefined;
    });

    // 3. The connection drops; while Burnwatch is away the cluster moves on and compacts its history, so the
    // resumed watch gets 410 Gone and must re-list.
    const listsBefore = { ...standin.lists };
    standin.dropConnections();
    for (let count = 13; count <= 30; count++) standin.apply('events', backOff(count));
    standin.apply(
      'deployments',
      deployment({
        name: 'checkout',
        generation: 2,
        revision: 2,
        image: 'shop/checkout:1.3.0',
        rollout: 'failed',
        conditionAt: minutesAgo(1),
      }),
    );
    standin.apply(
      'pods',
      pod({
        replicaSet: 'checkout-7d9f8c6b5',
        suffix: 'p0p0p',
        image: 'shop/checkout:1.3.0',
        digest: NEW,
        crashLooping: true,
      }),
    );
    standin.compact();
    await eventually('every kind to be re-listed after the 410', async () =>
      (Object.keys(listsBefore) as (keyof typeof listsBefore)[]).every(
        (k) => standin.lists[k] > listsBefore[k],
      )
        ? true
        : undefined,
    );
    expect(Object.values(standin.goneAnswers).reduce((a, b) => a + b)).toBeGreaterThan(0);
    // And a watch that expires with an ERROR event in its stream, once the re-list is done.
    await eventually('the watches to be open again', async () =>
      standin.openWatches() === 6 ? true : undefined,
    );
    standin.expireWatches();
    for (let count = 31; count <= 40; count++) standin.apply('events', backOff(count));

    const log = await eventually('the change log to catch up', async () => {
      const items = await changes();
      const folded = items.find((c) => c.type === 'event' && c.reason === 'BackOff');
      const deploy = items.find((c) => c.type === 'deploy' && c.revision === 2);
      return folded?.count === 40 && deploy?.failedAt ? items : undefined;
    });
    // Nothing lost, nothing twice: one row per revision and per (object, reason), with the right count.
    const deploys = log.filter((c) => c.type === 'deploy' && c.workload === 'checkout');
    expect(deploys.map((d) => [d.revision, d.previousImage, d.image, d.previousDigest, d.digest])).toEqual([
      [2, 'shop/checkout:1.2.0', 'shop/checkout:1.3.0', OLD, NEW],
      [1, null, 'shop/checkout:1.2.0', null, OLD],
    ]);
    expect(deploys[0]).toMatchObject({
      startedAt: deployedAt,
      failureMessage: 'ReplicaSet "checkout" has timed out progressing.',
    });
    const events = log.filter((c) => c.type === 'event');
    expect(events.map((e) => [e.objectName, e.reason, e.count]).sort()).toEqual([
      ['cart-6b7c8d9f0-qwert', 'FailedScheduling', 3],
      ['checkout', 'ScalingReplicaSet', 1],
      ['checkout-7d9f8c6b5-x2x9k', 'BackOff', 40],
    ]);
    expect(events.find((e) => e.reason === 'BackOff')).toMatchObject({
      workload: 'checkout',
      eventType: 'Warning',
    });

    // 4. The SLO burns; the engine fires the alert. The sensor saw errors on the new digest only: its series,
    // labelled with the image digest, go through the engine's scrape into the per-minute storage the
    // correlation reads.
    const sensor = await new SensorStandIn({ namespace: 'shop', workload: 'checkout' }).start();
    const scraper = burnwatch.app.get(SensorScraperService);
    await scraper.scrapeAll(new Date(), [sensor.url]); // the first scrape of a sensor is its baseline
    for (const [digest, total, bad] of [
      [OLD, 12_000, 12],
      [NEW, 1_000, 74],
    ] as const) {
      const imageId = `docker-pullable://shop/checkout@${digest}`;
      sensor.record(total - bad, 200, 0.02, { imageId });
      sensor.record(bad, 503, 0.02, { imageId });
    }
    expect((await scraper.scrapeAll(new Date(), [sensor.url]))[0]!.requests).toBe(13_000);
    await sensor.stop();
    const burnStart = new Date();
    const fired = await burnwatch.app
      .get(AlertStore)
      .apply(sloSpec(), { kind: 'fired', severity: 'page' }, SNAPSHOT, burnStart);
    expect(fired).not.toBeNull();

    const alert = await api('GET', `/api/v1/alerts/${fired!.alertId}`);
    expect(alert.status).toBe(200);
    const correlation = alert.body.correlation;
    expect(correlation.lookbackMinutes).toBe(120);
    expect(correlation.suspects[0]).toMatchObject({
      kind: 'deploy',
      namespace: 'shop',
      workload: 'checkout',
      workloadKind: 'Deployment',
      container: 'app',
      image: 'shop/checkout:1.3.0',
      digest: NEW,
      previousDigest: OLD,
      at: deployedAt,
      minutesBeforeBurn: 6,
    });
    expect(correlation.suspects[0].reason).toContain('the rollout failed');
    expect(correlation.suspects[0].reason).toContain('99.9 % on sha256:1a2b… → 92.6 % on sha256:9f8e…');
    // The workload's own crash loop first; the namespace's and its node's events after it; not the node it does not
    // run on, and no Normal events.
    expect(correlation.events.map((e: any) => [e.reason, e.objectName, e.count])).toEqual([
      ['BackOff', 'checkout-7d9f8c6b5-x2x9k', 40],
      ['FailedScheduling', 'cart-6b7c8d9f0-qwert', 3],
      ['SystemOOM', 'node-1', 1],
    ]);
    expect(correlation.imageComparison).toEqual([
      { digest: OLD, image: 'shop/checkout:1.2.0', total: 12_000, bad: 12, sliPercent: 99.9 },
      { digest: NEW, image: 'shop/checkout:1.3.0', total: 1_000, bad: 74, sliPercent: 92.6 },
    ]);
    const status = (await api('GET', '/api/v1/kubernetes/status')).body;
    expect(status.watches.reduce((n: number, w: any) => n + w.restarts, 0)).toBeGreaterThan(0);
    const metrics = (await api('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/^burnwatch_kubernetes_watch_restarts_total\{resource="[a-z]+"\} [1-9]/m);
    expect(metrics).toMatch(/^burnwatch_kubernetes_connected [01]$/m);
  });

  it('refreshes the correlation when a ticket escalates to a page, with what happened since it fired', async () => {
    const spec = sloSpec({ name: 'checkout-latency-k8s' });
    const startedAt = new Date();
    const fired = await burnwatch.app
      .get(AlertStore)
      .apply(spec, { kind: 'fired', severity: 'ticket' }, SNAPSHOT, startedAt);
    const before = (await api('GET', `/api/v1/alerts/${fired!.alertId}`)).body.correlation;
    expect(before.events[0]).toMatchObject({ reason: 'BackOff', count: 40 });

    // The pod goes on crash-looping after the alert fired.
    standin.apply(
      'events',
      event({
        name: 'checkout-7d9f8c6b5-x2x9k.17f3',
        objectKind: 'Pod',
        objectName: 'checkout-7d9f8c6b5-x2x9k',
        reason: 'BackOff',
        count: 55,
        firstTimestamp: minutesAgo(5, startedAt.getTime()),
        lastTimestamp: new Date().toISOString(),
      }),
    );
    await eventually('the new count in the change log', async () =>
      (await changes()).some((c) => c.reason === 'BackOff' && c.count === 55) ? true : undefined,
    );
    const escalated = await burnwatch.app
      .get(AlertStore)
      .apply(spec, { kind: 'escalated', severity: 'page' }, SNAPSHOT, new Date());
    expect(escalated?.alertId).toBe(fired!.alertId);
    const after = (await api('GET', `/api/v1/alerts/${fired!.alertId}`)).body;
    expect(after.severity).toBe('page');
    expect(after.correlation.events[0]).toMatchObject({ reason: 'BackOff', count: 55 });
    // The burn began when the alert fired: the deploy is still measured from then.
    expect(after.correlation.suspects[0]).toMatchObject({ kind: 'deploy', digest: NEW });
    expect(after.correlation.suspects[0].minutesBeforeBurn).toBe(before.suspects[0].minutesBeforeBurn);
  });
});
