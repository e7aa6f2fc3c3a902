import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningBurnwatch } from '../../../src/app.js';
import { apiClient, startTestApp, testConfig } from '../../support/app.js';
import { KubeStandin } from '../../support/kube-standin.js';
import {
  deployment,
  digestOf,
  event,
  eventually,
  pod,
  replicaSet,
} from '../../support/kubernetes-fixtures.js';

export const OLD_DIGEST = digestOf('1a2b3c4d5e6f');
export const DEPLOY_DIGEST = digestOf('9e8d7c6b5a4f');

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** A Kubernetes API stand-in that Burnwatch watches, and the service started against it. */
export interface Cluster {
  standin: KubeStandin;
  burnwatch: RunningBurnwatch;
  stop(): Promise<void>;
}

/** shop/checkout running 1.4.2 since five days before `deployAt`; Burnwatch started against it. */
export async function startWithCluster(deployAt: number): Promise<Cluster> {
  const standin = new KubeStandin();
  await standin.start();
  const dir = mkdtempSync(join(tmpdir(), 'burnwatch-ui-kube-'));
  standin.apply(
    'deployments',
    deployment({ name: 'checkout', generation: 1, revision: 1, image: 'shop/checkout:1.4.2' }),
  );
  standin.apply(
    'replicasets',
    replicaSet({
      deployment: 'checkout',
      hash: '5f6d7c8b9',
      revision: 1,
      image: 'shop/checkout:1.4.2',
      createdAt: iso(deployAt - 3 * 86_400),
    }),
  );
  standin.apply(
    'pods',
    pod({
      replicaSet: 'checkout-5f6d7c8b9',
      suffix: 'aaaaa',
      image: 'shop/checkout:1.4.2',
      digest: OLD_DIGEST,
    }),
  );
  const burnwatch = await startTestApp({
    kubernetes: { ...testConfig().kubernetes, mode: 'auto', kubeconfig: standin.writeKubeconfig(dir) },
  });
  const api = apiClient(burnwatch.url);
  await eventually('Burnwatch to watch the cluster', async () =>
    (await api('GET', '/api/v1/kubernetes/status')).body.state === 'connected' ? true : undefined,
  );
  return {
    standin,
    burnwatch,
    async stop() {
      await burnwatch.close();
      await standin.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The bad deploy of 1.4.3 at `deployAt`: a new ReplicaSet, its crash-looping pod, BackOff and Unhealthy warnings. */
export async function badDeploy(cluster: Cluster, deployAt: number): Promise<void> {
  const { standin } = cluster;
  standin.apply(
    'replicasets',
    replicaSet({
      deployment: 'checkout',
      hash: '7d9f8c6b5',
      revision: 2,
      image: 'shop/checkout:1.4.3',
      createdAt: iso(deployAt),
    }),
  );
  standin.apply(
    'deployments',
    deployment({
      name: 'checkout',
      generation: 2,
      revision: 2,
      image: 'shop/checkout:1.4.3',
      conditionAt: iso(deployAt + 60),
    }),
  );
  standin.apply(
    'pods',
    pod({
      replicaSet: 'checkout-7d9f8c6b5',
      suffix: 'x2x9k',
      image: 'shop/checkout:1.4.3',
      digest: DEPLOY_DIGEST,
      crashLooping: true,
    }),
  );
  for (const [reason, count, offset, message] of [
    ['BackOff', 5, 120, 'Back-off restarting failed container app'],
    ['Unhealthy', 4, 300, 'Readiness probe failed: HTTP probe failed with statuscode: 503'],
  ] as const)
    standin.apply(
      'events',
      event({
        name: `checkout-7d9f8c6b5-x2x9k.${reason}`,
        objectKind: 'Pod',
        objectName: 'checkout-7d9f8c6b5-x2x9k',
        reason,
        count,
        firstTimestamp: iso(deployAt + offset),
        lastTimestamp: iso(deployAt + offset + 240),
        message,
      }),
    );
  const api = apiClient(cluster.burnwatch.url);
  await eventually('the deploy and both warnings in the change log', async () => {
    const { body } = await api(
      'GET',
      `/api/v1/changes?namespace=shop&workload=checkout&from=${iso(deployAt - 4 * 86_400)}&limit=500`,
    );
    const deploys = body.items.filter((c: any) => c.type === 'deploy' && c.digest === DEPLOY_DIGEST);
    const warnings = body.items.filter((c: any) => c.type === 'event');
    return deploys.length === 1 && warnings.length === 2 ? true : undefined;
  });
}
