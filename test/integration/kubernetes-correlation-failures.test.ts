import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EntityManager } from 'typeorm';
import { AlertStore } from '../../src/alerts/alert-store.js';
import { AlertsService } from '../../src/alerts/alerts.service.js';
import type { ImageSliSource } from '../../src/alerts/correlation/image-sli.port.js';
import type { RunningBurnwatch } from '../../src/app.js';
import { ChangeLogStore } from '../../src/integrations/kubernetes/change-log.store.js';
import { resetDatabase } from '../support/app.js';
import { digestOf, sloSpec, startKubernetesTestApp } from '../support/kubernetes-fixtures.js';

const OLD = digestOf('1a2b');
const NEW = digestOf('9f8e');
const SNAPSHOT = {
  sliPercent: 98,
  objective: 99.9,
  budgetRemainingPercent: 10,
  burnRates: [],
  exhaustionAt: null,
};

/** A per-image source whose read fails inside the alert's transaction, as a broken query of the engine's would. */
class BrokenImageSli implements ImageSliSource {
  async sliByImage(_slo: unknown, _from: Date, _to: Date, manager?: EntityManager) {
    await manager!.query('SELECT * FROM no_such_table');
    return [];
  }
}

let burnwatch: RunningBurnwatch;

beforeAll(async () => {
  burnwatch = await startKubernetesTestApp({ kubeconfig: undefined }, new BrokenImageSli());
});
afterAll(() => burnwatch.close());
beforeEach(() => resetDatabase());

describe('the correlation when the per-image source fails', () => {
  it('records the alert and its suspects, without the comparison', async () => {
    const now = Date.now();
    const store = burnwatch.app.get(ChangeLogStore);
    await store.write(async (m) => {
      for (const [revision, image, minutes] of [
        [1, 'shop/checkout:1.2.0', 600],
        [2, 'shop/checkout:1.3.0', 10],
      ] as const) {
        await store.recordRevision(m, {
          namespace: 'shop',
          workloadKind: 'Deployment',
          workload: 'checkout',
          revision,
          templateHash: `h${revision}`,
          images: { app: image },
          startedAt: new Date(now - minutes * 60_000),
          baseline: false,
        });
      }
      const workload = { kind: 'Deployment' as const, name: 'checkout' };
      await store.recordDigest(m, 'shop', workload, 'app', 'shop/checkout:1.2.0', OLD, new Date(now));
      await store.recordDigest(m, 'shop', workload, 'app', 'shop/checkout:1.3.0', NEW, new Date(now));
    });

    const fired = await burnwatch.app
      .get(AlertStore)
      .apply(sloSpec(), { kind: 'fired', severity: 'page' }, SNAPSHOT, new Date(now));
    expect(fired).not.toBeNull();
    const alert = await burnwatch.app.get(AlertsService).get(fired!.alertId, new Date());
    expect(alert.state).toBe('firing');
    expect(alert.correlation).toMatchObject({
      suspects: [{ kind: 'deploy', digest: NEW, previousDigest: OLD, minutesBeforeBurn: 10 }],
      imageComparison: null,
    });
  });
});
