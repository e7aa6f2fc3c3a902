import { DynamicModule, Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { inject } from 'vitest';
import { IMAGE_SLI_SOURCE, ImageSliSource } from '../../src/alerts/correlation/image-sli.port.js';
import { AppModule } from '../../src/app.module.js';
import type { RunningBurnwatch } from '../../src/app.js';
import type { Config } from '../../src/config/config.js';
import { JsonLogger } from '../../src/observability/json-logger.js';
import type { SloSpec } from '../../src/slo/domain/slo.js';
import { testConfig } from './app.js';
import type { KubeObject } from './kube-standin.js';

/** Kubernetes objects as the API server returns them, for the stand-in; times are ISO strings. */

export const digestOf = (hex: string) => `sha256:${hex.repeat(64).slice(0, 64)}`;
export const minutesAgo = (minutes: number, now = Date.now()) =>
  new Date(now - minutes * 60_000).toISOString();

export function deployment(o: {
  namespace?: string;
  name: string;
  generation: number;
  revision: number;
  image: string;
  replicas?: number;
  rollout?: 'progressing' | 'complete' | 'failed';
  conditionAt?: string;
}): KubeObject {
  const replicas = o.replicas ?? 2;
  const rollout = o.rollout ?? 'complete';
  const reason = {
    progressing: 'ReplicaSetUpdated',
    complete: 'NewReplicaSetAvailable',
    failed: 'ProgressDeadlineExceeded',
  }[rollout];
  return {
    metadata: {
      namespace: o.namespace ?? 'shop',
      name: o.name,
      generation: o.generation,
      annotations: { 'deployment.kubernetes.io/revision': String(o.revision) },
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: o.name } },
      template: {
        metadata: { labels: { app: o.name } },
        spec: { containers: [{ name: 'app', image: o.image }] },
      },
    },
    status: {
      observedGeneration: o.generation,
      replicas,
      updatedReplicas: rollout === 'complete' ? replicas : 1,
      availableReplicas: rollout === 'complete' ? replicas : 0,
      conditions: [
        {
          type: 'Progressing',
          status: rollout === 'failed' ? 'False' : 'True',
          reason,
          message: rollout === 'failed' ? `ReplicaSet "${o.name}" has timed out progressing.` : 'ok',
          lastUpdateTime: o.conditionAt ?? new Date().toISOString(),
          lastTransitionTime: o.conditionAt ?? new Date().toISOString(),
        },
      ],
    },
  };
}

export function replicaSet(o: {
  namespace?: string;
  deployment: string;
  hash: string;
  revision: number;
  image: string;
  createdAt: string;
}): KubeObject {
  return {
    metadata: {
      namespace: o.namespace ?? 'shop',
      name: `${o.deployment}-${o.hash}`,
      creationTimestamp: o.createdAt,
      labels: { app: o.deployment, 'pod-template-hash': o.hash },
      annotations: { 'deployment.kubernetes.io/revision': String(o.revision) },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: o.deployment, controller: true, uid: 'x' },
      ],
    },
    spec: {
      replicas: 2,
      template: {
        metadata: { labels: { app: o.deployment, 'pod-template-hash': o.hash } },
        spec: { containers: [{ name: 'app', image: o.image }] },
      },
    },
  };
}

export function pod(o: {
  namespace?: string;
  replicaSet: string;
  suffix: string;
  image: string;
  digest: string;
  crashLooping?: boolean;
  node?: string;
}): KubeObject {
  return {
    metadata: {
      namespace: o.namespace ?? 'shop',
      name: `${o.replicaSet}-${o.suffix}`,
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.replicaSet, controller: true, uid: 'y' },
      ],
    },
    spec: { nodeName: o.node ?? 'node-1', containers: [{ name: 'app', image: o.image }] },
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'app',
          image: `docker.io/${o.image}`,
          imageID: `docker.io/${o.image.split(':')[0]}@${o.digest}`,
          ready: !o.crashLooping,
          restartCount: o.crashLooping ? 7 : 0,
          state: o.crashLooping
            ? {
                waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' },
              }
            : { running: { startedAt: new Date().toISOString() } },
        },
      ],
    },
  };
}

export function event(o: {
  namespace?: string;
  name: string;
  objectKind: string;
  objectName: string;
  reason: string;
  type?: 'Warning' | 'Normal';
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  message?: string;
}): KubeObject {
  return {
    metadata: { namespace: o.namespace ?? 'shop', name: o.name },
    involvedObject: {
      kind: o.objectKind,
      name: o.objectName,
      namespace: o.objectKind === 'Node' ? undefined : (o.namespace ?? 'shop'),
    },
    reason: o.reason,
    message: o.message ?? `${o.reason} on ${o.objectName}`,
    type: o.type ?? 'Warning',
    count: o.count,
    firstTimestamp: o.firstTimestamp,
    lastTimestamp: o.lastTimestamp,
    source: { component: 'kubelet' },
  };
}

/** The SLO spec the engine would pass to AlertStore.apply, for an errorRateSlo() created through the API. */
export function sloSpec(overrides: Partial<SloSpec> = {}): SloSpec {
  return {
    name: 'checkout-errors',
    description: '',
    team: 'payments',
    service: { namespace: 'shop', workload: 'checkout' },
    indicator: { type: 'errorRate', errorStatus: '5xx' },
    objective: 99.9,
    window: '30d',
    budgetingMethod: 'occurrences',
    source: { type: 'sensor' },
    ...overrides,
  };
}

/**
 * The real service (AppModule, as startBurnwatch builds it) with a per-image SLI source provided globally, the
 * way the engine's module will provide IMAGE_SLI_SOURCE.
 */
export async function startKubernetesTestApp(
  kubernetes: Partial<Config['kubernetes']>,
  imageSli?: ImageSliSource,
  engine: Partial<Config['engine']> = {},
): Promise<RunningBurnwatch> {
  const config = testConfig({
    kubernetes: { ...testConfig().kubernetes, mode: 'auto', ...kubernetes },
    engine,
  });
  @Global()
  @Module({})
  class ImageSliModule {
    static with(source: ImageSliSource): DynamicModule {
      return {
        module: ImageSliModule,
        providers: [{ provide: IMAGE_SLI_SOURCE, useValue: source }],
        exports: [IMAGE_SLI_SOURCE],
      };
    }
  }
  @Module({})
  class TestRoot {}
  const app = await NestFactory.create<NestExpressApplication>(
    {
      module: TestRoot,
      imports: [
        AppModule.forRoot(config, { url: inject('databaseUrl'), poolSize: 4 }),
        ...(imageSli ? [ImageSliModule.with(imageSli)] : []),
      ],
    },
    { logger: new JsonLogger('error'), bodyParser: false },
  );
  app.useBodyParser('json', { limit: '1mb' });
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs` with the last value seen. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
