import type { Page } from 'playwright-core';

/**
 * Answers for the Kubernetes part's read APIs (`GET /api/v1/changes`, `GET /api/v1/kubernetes/status`) in the
 * shape of its branch, which is not on main yet (see docs/ui.md). The browser tests route only those two paths
 * here; every other request reaches the real service. Replace with seeded change-log rows once that API lands.
 */

export const DEPLOY_DIGEST = 'sha256:9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d';
export const OLD_DIGEST = 'sha256:1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b';

/** Deploys and warnings of shop/checkout: the bad deploy at `deployAt` (epoch seconds), rolled back 6 h later. */
export function changes(deployAt: number) {
  const iso = (t: number) => new Date(t * 1000).toISOString();
  const base = { namespace: 'shop', workloadKind: 'Deployment', workload: 'checkout' };
  const rollout = { container: 'checkout', failedAt: null, failureMessage: null };
  const event = (at: number, reason: string, count: number, message: string) => ({
    type: 'event',
    eventType: 'Warning',
    at: iso(at),
    ...base,
    objectKind: 'Pod',
    objectName: 'checkout-7f9c5d-x2x8q',
    reason,
    count,
    firstSeen: iso(at),
    lastSeen: iso(at + 60),
    message,
  });
  return {
    items: [
      {
        type: 'deploy',
        ...rollout,
        at: iso(deployAt - 3 * 86_400),
        ...base,
        image: 'registry.example/shop/checkout:1.4.2',
        digest: OLD_DIGEST,
      },
      {
        type: 'deploy',
        ...rollout,
        at: iso(deployAt),
        ...base,
        image: 'registry.example/shop/checkout:1.4.3',
        digest: DEPLOY_DIGEST,
        previousDigest: OLD_DIGEST,
      },
      event(deployAt + 120, 'BackOff', 3, 'Back-off restarting failed container checkout'),
      event(deployAt + 600, 'BackOff', 2, 'Back-off restarting failed container checkout'),
      event(deployAt + 300, 'Unhealthy', 4, 'Readiness probe failed: HTTP 503'),
      {
        type: 'deploy',
        ...rollout,
        at: iso(deployAt + 6 * 3_600),
        ...base,
        image: 'registry.example/shop/checkout:1.4.2',
        digest: OLD_DIGEST,
        previousDigest: DEPLOY_DIGEST,
      },
    ],
  };
}

export async function routeKubernetesApis(page: Page, deployAt: number): Promise<void> {
  const json = (body: unknown) => ({
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify(body),
  });
  await page.route('**/api/v1/changes?*', (route) => route.fulfill(json(changes(deployAt))));
  await page.route('**/api/v1/kubernetes/status', (route) =>
    route.fulfill(json({ state: 'connected', message: 'watching', lastSyncAt: new Date().toISOString() })),
  );
}
