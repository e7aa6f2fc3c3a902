import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBurnwatch } from '../../src/app.js';
import { ChangeLogRetention } from '../../src/integrations/kubernetes/change-log.retention.js';
import { apiClient, resetDatabase } from '../support/app.js';
import { KubeStandin } from '../support/kube-standin.js';
import {
  deployment,
  event,
  eventually,
  minutesAgo,
  replicaSet,
  startKubernetesTestApp,
} from '../support/kubernetes-fixtures.js';

let standin: KubeStandin;
let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;
let dir: string;

beforeAll(async () => {
  await resetDatabase();
  standin = new KubeStandin();
  await standin.start();
  dir = mkdtempSync(join(tmpdir(), 'burnwatch-kube-'));
  burnwatch = await startKubernetesTestApp({ kubeconfig: standin.writeKubeconfig(dir) });
  api = apiClient(burnwatch.url);
  await eventually('the watches to be synced', async () =>
    (await api('GET', '/api/v1/kubernetes/status')).body.state === 'connected' ? true : undefined,
  );
});

afterAll(async () => {
  await burnwatch?.close();
  await standin?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function changes(query: string): Promise<any[]> {
  const response = await api('GET', `/api/v1/changes?from=${minutesAgo(48 * 60)}&limit=500&${query}`);
  expect(response.status).toBe(200);
  return response.body.items;
}

function statefulSet(o: { name: string; generation: number; image: string; replicas: number; env?: string }) {
  return {
    metadata: {
      namespace: 'data',
      name: o.name,
      generation: o.generation,
      creationTimestamp: minutesAgo(600),
    },
    spec: {
      replicas: o.replicas,
      template: {
        metadata: { labels: { app: o.name } },
        spec: {
          containers: [{ name: 'db', image: o.image, env: o.env ? [{ name: 'MODE', value: o.env }] : [] }],
        },
      },
    },
    status: {
      observedGeneration: o.generation,
      replicas: o.replicas,
      currentRevision: 'a',
      updateRevision: 'b',
    },
  };
}

describe('the change log', () => {
  it('folds 10,000 repeated warning events for one object into one row with the right count', async () => {
    const first = minutesAgo(30);
    // The kubelet repeats an event by raising one Event object's count: 9,000 updates of one object...
    for (let count = 1; count <= 9_000; count++) {
      standin.apply(
        'events',
        event({
          namespace: 'noise',
          name: 'api-5d8f7c9b6-zzzzz.1',
          objectKind: 'Pod',
          objectName: 'api-5d8f7c9b6-zzzzz',
          reason: 'Unhealthy',
          count,
          firstTimestamp: first,
          lastTimestamp: new Date(Date.parse(first) + count * 100).toISOString(),
          message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
        }),
      );
    }
    // ...and, past its aggregation window, 1,000 new Event objects about the same pod and reason.
    const last = minutesAgo(1);
    for (let i = 0; i < 1_000; i++) {
      standin.apply(
        'events',
        event({
          namespace: 'noise',
          name: `api-5d8f7c9b6-zzzzz.${1000 + i}`,
          objectKind: 'Pod',
          objectName: 'api-5d8f7c9b6-zzzzz',
          reason: 'Unhealthy',
          count: 1,
          firstTimestamp: minutesAgo(10),
          lastTimestamp: last,
          message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
        }),
      );
    }
    const rows = await eventually(
      'the noise to be folded',
      async () => {
        const items = await changes('namespace=noise');
        return items[0]?.count === 10_000 ? items : undefined;
      },
      60_000,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      type: 'event',
      eventType: 'Warning',
      objectKind: 'Pod',
      objectName: 'api-5d8f7c9b6-zzzzz',
      workload: 'api',
      reason: 'Unhealthy',
      count: 10_000,
      firstSeen: first,
      lastSeen: last,
    });
  });

  it('re-lists 1,000 events in pages of one snapshot and counts nothing twice', async () => {
    const lists = standin.lists.events;
    const pages = standin.listPages.events;
    standin.dropConnections();
    standin.apply(
      'events',
      event({
        namespace: 'noise',
        name: 'api-5d8f7c9b6-zzzzz.1',
        objectKind: 'Pod',
        objectName: 'api-5d8f7c9b6-zzzzz',
        reason: 'Unhealthy',
        count: 9_005,
        firstTimestamp: minutesAgo(30),
        lastTimestamp: new Date().toISOString(),
        message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
      }),
    );
    standin.compact();
    const rows = await eventually('the five new repeats after the re-list', async () => {
      const items = await changes('namespace=noise');
      return items[0]?.count === 10_005 ? items : undefined;
    });
    expect(rows).toHaveLength(1);
    expect(standin.lists.events).toBe(lists + 1);
    // 1,001 Event objects in pages of 500: two responses said "continue".
    expect(standin.listPages.events - pages).toBe(2);
  });

  it('records StatefulSet template changes as deploys or config rollouts and replica changes as scale events', async () => {
    standin.apply(
      'statefulsets',
      statefulSet({ name: 'pg', generation: 3, image: 'postgres:16.1', replicas: 3 }),
    );
    await eventually('the baseline to be written', async () =>
      (await api('GET', '/api/v1/kubernetes/status')).body.watches.find(
        (w: any) => w.resource === 'statefulsets',
      ).lastEventAt
        ? true
        : undefined,
    );
    // The template Burnwatch first saw is a baseline, not a change.
    expect(await changes('namespace=data')).toEqual([]);
    standin.apply(
      'statefulsets',
      statefulSet({ name: 'pg', generation: 4, image: 'postgres:16.2', replicas: 3 }),
    );
    standin.apply(
      'statefulsets',
      statefulSet({ name: 'pg', generation: 4, image: 'postgres:16.2', replicas: 3 }),
    );
    const items = await eventually('the deploy, then the config rollout and the scale event', async () => {
      const found = await changes('namespace=data');
      return found.length === 1 ? found : undefined;
    });
    expect(items[0]).toMatchObject({
      type: 'deploy',
      workloadKind: 'StatefulSet',
      workload: 'pg',
      revision: 4,
      container: 'db',
      previousImage: 'postgres:16.1',
      image: 'postgres:16.2',
    });
    standin.apply(
      'statefulsets',
      statefulSet({ name: 'pg', generation: 5, image: 'postgres:16.2', replicas: 3, env: 'replica' }),
    );
    standin.apply(
      'statefulsets',
      statefulSet({ name: 'pg', generation: 6, image: 'postgres:16.2', replicas: 5, env: 'replica' }),
    );
    const later = await eventually('the config rollout and the scale event', async () => {
      const found = await changes('namespace=data');
      return found.length === 3 ? found : undefined;
    });
    expect(later.map((c) => c.type).sort()).toEqual(['configRollout', 'deploy', 'scale']);
    expect(later.find((c) => c.type === 'configRollout')).toMatchObject({ revision: 5, image: null });
    expect(later.find((c) => c.type === 'scale')).toMatchObject({
      workload: 'pg',
      fromReplicas: 3,
      toReplicas: 5,
    });
  });

  it('filters by namespace, workload and time', async () => {
    standin.apply(
      'deployments',
      deployment({ namespace: 'web', name: 'front', generation: 1, revision: 1, image: 'f:1' }),
    );
    standin.apply(
      'deployments',
      deployment({ namespace: 'web', name: 'front', generation: 2, revision: 1, image: 'f:1', replicas: 4 }),
    );
    await eventually('the scale event', async () =>
      (await changes('namespace=web')).length === 1 ? true : undefined,
    );
    expect(await changes('namespace=web&workload=other')).toEqual([]);
    expect(await changes('workload=front')).toHaveLength(1);
    const future = new Date(Date.now() + 3600_000).toISOString();
    const none = await api('GET', `/api/v1/changes?namespace=web&from=${future}&to=${future}`);
    expect(none.body.items).toEqual([]);
  });

  it('answers 400 naming each bad query parameter', async () => {
    const response = await api('GET', '/api/v1/changes?from=yesterday&to=2026-13-01T00:00:00Z&limit=0');
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'limit', message: 'must be a whole number from 1 to 500, got "0"' },
      {
        field: 'to',
        message: 'must be an ISO 8601 time such as 2026-11-25T12:00:00Z, got "2026-13-01T00:00:00Z"',
      },
      { field: 'from', message: 'must be an ISO 8601 time such as 2026-11-25T12:00:00Z, got "yesterday"' },
    ]);
    const reversed = await api('GET', '/api/v1/changes?from=2026-11-25T12:00:00Z&to=2026-11-25T11:00:00Z');
    expect(reversed.status).toBe(400);
    expect(reversed.body.errors).toEqual([
      { field: 'from', message: 'must not be after to (2026-11-25T11:00:00.000Z)' },
    ]);
    const twice = await api('GET', '/api/v1/changes?namespace=a&namespace=b');
    expect(twice.body.errors).toEqual([{ field: 'namespace', message: 'must be given once, as text' }]);
  });

  it('resumes from a bookmark without re-listing, and re-lists after an HTTP 410 Gone', async () => {
    // Quiet kinds learn the latest resourceVersion from a bookmark, so a reconnect after compaction needs no list.
    await eventually('every watch open', async () => (standin.openWatches() === 6 ? true : undefined));
    // Only events change: every other kind's last resourceVersion is now older than the newest.
    standin.apply(
      'events',
      event({
        name: 'x.1',
        objectKind: 'Pod',
        objectName: 'x-0',
        reason: 'Evicted',
        count: 1,
        firstTimestamp: minutesAgo(1),
        lastTimestamp: minutesAgo(1),
      }),
    );
    const before = { ...standin.lists };
    const gone = { ...standin.goneAnswers };
    standin.bookmark();
    standin.compact();
    const current = standin.resourceVersion;
    // The server ends its watches (their timeout): the bookmark came before the end of each stream.
    standin.endWatches();
    await eventually('the watches to resume from the bookmark', async () =>
      standin.openWatches() === 6 && Object.values(standin.watchedFrom).every((rv) => rv === current)
        ? true
        : undefined,
    );
    expect(standin.lists).toEqual(before);
    expect(standin.goneAnswers).toEqual(gone);

    // A watch resumed from a compacted resourceVersion answered with HTTP 410: re-list, and nothing is lost.
    standin.apply(
      'deployments',
      deployment({ namespace: 'gone', name: 'svc', generation: 1, revision: 1, image: 's:1' }),
    );
    standin.apply(
      'replicasets',
      replicaSet({
        namespace: 'gone',
        deployment: 'svc',
        hash: 'abcde1234',
        revision: 1,
        image: 's:1',
        createdAt: minutesAgo(3),
      }),
    );
    await eventually('svc to be known', async () =>
      (await changes('namespace=gone')).length === 1 ? true : undefined,
    );
    standin.goneAs = 'http';
    standin.dropConnections();
    standin.apply(
      'deployments',
      deployment({ namespace: 'gone', name: 'svc', generation: 2, revision: 1, image: 's:1', replicas: 6 }),
    );
    standin.compact();
    const scaled = await eventually('the scale event seen through the re-list', async () => {
      const found = await changes('namespace=gone');
      return found.length === 2 ? found : undefined;
    });
    expect(scaled[0]).toMatchObject({ type: 'scale', workload: 'svc', fromReplicas: 2, toReplicas: 6 });
    expect(standin.goneAnswers.deployments).toBeGreaterThan(gone.deployments);
    expect(standin.lists.deployments).toBeGreaterThan(before.deployments);
    standin.goneAs = 'event';
  });

  it('prunes what is older than the retention on its schedule', async () => {
    standin.apply(
      'events',
      event({
        namespace: 'old',
        name: 'ancient.1',
        objectKind: 'Pod',
        objectName: 'ancient-0',
        reason: 'Evicted',
        count: 2,
        firstTimestamp: minutesAgo(45 * 24 * 60),
        lastTimestamp: minutesAgo(40 * 24 * 60),
      }),
    );
    const wide = () => api('GET', `/api/v1/changes?namespace=old&from=${minutesAgo(50 * 24 * 60)}`);
    await eventually('the old event', async () =>
      (await wide()).body.items.length === 1 ? true : undefined,
    );
    await burnwatch.app.get(ChangeLogRetention).prune();
    expect((await wide()).body.items).toEqual([]);
    // Recent rows stay.
    expect(await changes('namespace=noise')).toHaveLength(1);
  });
});
