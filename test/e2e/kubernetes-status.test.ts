import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../../src/alerts/alert-store.js';
import type { RunningBurnwatch } from '../../src/app.js';
import { apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { eventually, sloSpec, startKubernetesTestApp } from '../support/kubernetes-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'burnwatch-kube-'));
beforeAll(() => resetDatabase());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withApp<T>(
  start: () => Promise<RunningBurnwatch>,
  run: (app: RunningBurnwatch) => Promise<T>,
) {
  const app = await start();
  try {
    return await run(app);
  } finally {
    await app.close();
  }
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('without a reachable cluster the service runs and says so', () => {
  it('reports "disabled" when BURNWATCH_KUBERNETES=off, and leaves alerts without correlation', async () => {
    await withApp(
      () => startTestApp(),
      async (app) => {
        const api = apiClient(app.url);
        expect((await api('GET', '/api/v1/kubernetes/status')).body).toMatchObject({
          state: 'disabled',
          lastSyncAt: null,
        });
        const ready = await api('GET', '/readyz');
        expect(ready.status).toBe(200);
        expect(ready.body.details.kubernetes).toBe('disabled: switched off (BURNWATCH_KUBERNETES=off)');
        const fired = await app.app
          .get(AlertStore)
          .apply(
            sloSpec({ name: 'unwatched' }),
            { kind: 'fired', severity: 'ticket' },
            snapshot(),
            new Date(),
          );
        expect((await api('GET', `/api/v1/alerts/${fired!.alertId}`)).body.correlation).toBeNull();
        // The endpoints are described for API users, their parameters by name.
        const docs = (await api('GET', '/api/docs-json')).body;
        expect(docs.paths['/api/v1/changes'].get.parameters.map((p: any) => p.name).sort()).toEqual([
          'from',
          'limit',
          'namespace',
          'to',
          'workload',
        ]);
        expect(docs.paths['/api/v1/kubernetes/status'].get.responses['200']).toBeDefined();
      },
    );
  });

  it('reports "notConfigured" without a kubeconfig or a service account, and still correlates what it has', async () => {
    await withApp(
      () => startKubernetesTestApp({ kubeconfig: undefined }),
      async (app) => {
        const api = apiClient(app.url);
        const status = (await api('GET', '/api/v1/kubernetes/status')).body;
        expect(status.state).toBe('notConfigured');
        expect(status.message).toContain('set KUBECONFIG');
        expect((await api('GET', '/readyz')).status).toBe(200);
        const fired = await app.app
          .get(AlertStore)
          .apply(sloSpec({ name: 'lonely' }), { kind: 'fired', severity: 'ticket' }, snapshot(), new Date());
        const alert = (await api('GET', `/api/v1/alerts/${fired!.alertId}`)).body;
        expect(alert.correlation).toEqual({
          lookbackMinutes: 120,
          suspects: [],
          events: [],
          imageComparison: null,
        });
      },
    );
  });

  it('reports "error" with the reason while the API server refuses connections, and keeps retrying', async () => {
    const path = join(dir, 'refused');
    const port = await closedPort();
    writeFileSync(
      path,
      `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`,
    );
    await withApp(
      () => startKubernetesTestApp({ kubeconfig: path }),
      async (app) => {
        const api = apiClient(app.url);
        const status = await eventually('two failed attempts per watch', async () => {
          const body = (await api('GET', '/api/v1/kubernetes/status')).body;
          return body.watches.length === 6 && body.watches.every((w: any) => w.restarts >= 2)
            ? body
            : undefined;
        });
        expect(status.state).toBe('error');
        expect(status.watches[0].lastError).toContain('ECONNREFUSED');
        const ready = await api('GET', '/readyz');
        expect(ready.status).toBe(200);
        expect(ready.body.details.kubernetes).toMatch(/^error: .*ECONNREFUSED/);
      },
    );
  });

  it('refuses to watch with a kubeconfig that has no cluster, saying why', async () => {
    const path = join(dir, 'empty');
    writeFileSync(path, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    await withApp(
      () => startKubernetesTestApp({ kubeconfig: path }),
      async (app) => {
        const status = (await apiClient(app.url)('GET', '/api/v1/kubernetes/status')).body;
        expect(status.state).toBe('error');
        expect(status.message).toContain('has no current context with a cluster');
      },
    );
  });
});

function snapshot() {
  return { sliPercent: 99, objective: 99.9, budgetRemainingPercent: 50, burnRates: [], exhaustionAt: null };
}
