import { existsSync } from 'node:fs';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  AppsV1Api,
  CoreV1Api,
  Informer,
  KubeConfig,
  KubernetesObject,
  makeInformer,
  ObjectCache,
} from '@kubernetes/client-node';
import { CLOCK, Clock } from '../../common/clock.js';
import { CONFIG } from '../../config/config.module.js';
import type { Config, KubernetesConfig } from '../../config/config.js';
import { ChangeRecorder, WatchedResource } from './change-recorder.js';
import { PodObject, podWorkload, replicaSetDeployment, WorkloadObject } from './kube-objects.js';
import { KubernetesStatus } from './kubernetes-status.js';
import { KubernetesMetrics } from './kubernetes.metrics.js';

/** Restart delays after an informer stopped on an error: doubling from the first to the last, ±20 %. */
export const RESTART_BACKOFF_MS = { first: 500, max: 30_000 };

/**
 * The collection each kind is listed and watched at (all namespaces). The informers only list and watch, so RBAC
 * grants exactly `list` and `watch` on these (deploy/base/burnwatch-rbac.yaml; the deploy test checks both agree).
 * core/v1 Events carry every event, including those written through events.k8s.io/v1.
 */
export const WATCH_PATHS: Record<WatchedResource, string> = {
  events: '/api/v1/events',
  pods: '/api/v1/pods',
  deployments: '/apis/apps/v1/deployments',
  statefulsets: '/apis/apps/v1/statefulsets',
  daemonsets: '/apis/apps/v1/daemonsets',
  replicasets: '/apis/apps/v1/replicasets',
};

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Where the cluster's credentials come from: KUBECONFIG, else the pod's service account, else nowhere. */
export function loadKubeConfig(
  config: KubernetesConfig,
  env: Record<string, string | undefined> = process.env,
): { kubeConfig: KubeConfig; source: string } | undefined {
  const kubeConfig = new KubeConfig();
  if (config.kubeconfig) {
    kubeConfig.loadFromFile(config.kubeconfig);
    if (!kubeConfig.getCurrentCluster())
      throw new Error(`the kubeconfig ${config.kubeconfig} has no current context with a cluster`);
    return { kubeConfig, source: `kubeconfig ${config.kubeconfig}` };
  }
  if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kubeConfig.loadFromCluster();
    return { kubeConfig, source: 'in-cluster service account' };
  }
  return undefined;
}

interface Watcher {
  resource: WatchedResource;
  informer: Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
  attempt: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * One @kubernetes/client-node informer per kind (list, then watch from the list's resourceVersion, re-list on
 * 410 Gone). The client's informer stops for good on any other error (a dropped connection, a 5xx, a refused
 * connection): we restart it with backoff, from its last resourceVersion.
 */
@Injectable()
export class KubernetesWatchers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Kubernetes');
  private readonly watchers = new Map<WatchedResource, Watcher>();
  private stopped = false;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ChangeRecorder) private readonly recorder: ChangeRecorder,
    @Inject(KubernetesStatus) private readonly status: KubernetesStatus,
    @Inject(KubernetesMetrics) private readonly metrics: KubernetesMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.kubernetes.mode === 'off') {
      this.status.set('disabled', 'switched off (BURNWATCH_KUBERNETES=off)');
      return;
    }
    let loaded: ReturnType<typeof loadKubeConfig>;
    try {
      loaded = loadKubeConfig(this.config.kubernetes);
    } catch (error) {
      this.status.set('error', `cannot read the cluster's configuration: ${(error as Error).message}`);
      this.logger.warn(this.status.snapshot().message);
      return;
    }
    if (!loaded) {
      this.status.set(
        'notConfigured',
        'no cluster: set KUBECONFIG or run in a pod with a service account (deploy/base/burnwatch-rbac.yaml)',
      );
      this.logger.log('Kubernetes correlation is off: ' + this.status.snapshot().message);
      return;
    }
    this.start(loaded.kubeConfig, loaded.source);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const watcher of this.watchers.values()) {
      clearTimeout(watcher.timer);
      await watcher.informer.stop();
    }
    this.recorder.stop();
  }

  /** The pods the watch holds now (empty without a cluster). */
  pods(): readonly KubernetesObject[] {
    return this.watchers.get('pods')?.informer.list() ?? [];
  }

  private start(kubeConfig: KubeConfig, source: string): void {
    const server = kubeConfig.getCurrentCluster()?.server ?? 'unknown';
    this.status.connecting(server, source);
    this.logger.log(`Watching the cluster at ${server} (${source})`);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    const lists: Record<WatchedResource, () => Promise<KubeList>> = {
      events: () => paged((page) => core.listEventForAllNamespaces(page)),
      pods: () => paged((page) => core.listPodForAllNamespaces(page)),
      deployments: () => paged((page) => apps.listDeploymentForAllNamespaces(page)),
      statefulsets: () => paged((page) => apps.listStatefulSetForAllNamespaces(page)),
      daemonsets: () => paged((page) => apps.listDaemonSetForAllNamespaces(page)),
      replicasets: () => paged((page) => apps.listReplicaSetForAllNamespaces(page)),
    };
    for (const [resource, list] of Object.entries(lists) as [WatchedResource, () => Promise<KubeList>][]) {
      const listed = async () => {
        const result = await list();
        this.status.listed(resource, this.clock.now());
        const watcher = this.watchers.get(resource);
        if (watcher) watcher.attempt = 0;
        return result as never;
      };
      // Bookmarks keep the resourceVersion fresh on quiet kinds, so that a reconnect rarely needs a re-list.
      const informer = makeInformer(
        kubeConfig,
        `${WATCH_PATHS[resource]}?allowWatchBookmarks=true`,
        listed,
      ) as Watcher['informer'];
      const watcher: Watcher = { resource, informer, attempt: 0, timer: undefined };
      this.watchers.set(resource, watcher);
      const seen = (deleted: boolean) => (object: KubernetesObject) => {
        this.status.received(resource, this.clock.now());
        this.recorder.enqueue(resource, deleted, object);
      };
      informer.on('add', seen(false));
      informer.on('update', seen(false));
      informer.on('delete', seen(true));
      informer.on('error', (error: unknown) => this.restartLater(watcher, error));
      this.status.watching(resource);
      informer.start().catch((error: unknown) => this.restartLater(watcher, error));
    }
    this.recorder.attach({
      replicaSetOwner: (namespace, name) => {
        const replicaSet = this.watchers.get('replicasets')?.informer.get(name, namespace);
        return replicaSet ? replicaSetDeployment(replicaSet as WorkloadObject) : undefined;
      },
      pod: (namespace, name) => {
        const pod = this.watchers.get('pods')?.informer.get(name, namespace);
        return pod
          ? podWorkload(pod, (ns, rs) => {
              const replicaSet = this.watchers.get('replicasets')?.informer.get(rs, ns);
              return replicaSet ? replicaSetDeployment(replicaSet as WorkloadObject) : undefined;
            })
          : undefined;
      },
      deployment: (namespace, name) =>
        this.watchers.get('deployments')?.informer.get(name, namespace) as WorkloadObject | undefined,
    });
  }

  /**
   * The nodes the workload's pods run on, from the pod cache; undefined when Burnwatch watches no cluster (then
   * it cannot tell which node events matter).
   */
  nodesOf(namespace: string | undefined, workload: string): Set<string> | undefined {
    const pods = this.watchers.get('pods')?.informer;
    if (!pods) return undefined;
    const replicaSets = this.watchers.get('replicasets')?.informer;
    const nodes = new Set<string>();
    for (const pod of pods.list(namespace) as PodObject[]) {
      const owner = podWorkload(pod, (ns, rs) => {
        const replicaSet = replicaSets?.get(rs, ns);
        return replicaSet ? replicaSetDeployment(replicaSet as WorkloadObject) : undefined;
      });
      if (owner?.name === workload && pod.spec?.nodeName) nodes.add(pod.spec.nodeName);
    }
    return nodes;
  }

  private restartLater(watcher: Watcher, error: unknown): void {
    if (this.stopped || watcher.timer) return;
    const delay = Math.min(RESTART_BACKOFF_MS.max, RESTART_BACKOFF_MS.first * 2 ** watcher.attempt);
    const jittered = Math.round(delay * (0.8 + Math.random() * 0.4));
    watcher.attempt++;
    const message = describeError(error);
    this.status.failed(watcher.resource, message);
    this.metrics.watchRestarts.inc({ resource: watcher.resource });
    this.logger.warn(`Watch of ${watcher.resource} stopped (${message}); restarting in ${jittered} ms`);
    watcher.timer = setTimeout(() => {
      watcher.timer = undefined;
      if (this.stopped) return;
      this.status.watching(watcher.resource);
      watcher.informer.start().catch((e: unknown) => this.restartLater(watcher, e));
    }, jittered);
  }
}

interface KubeList {
  metadata?: { resourceVersion?: string; _continue?: string };
  items: KubernetesObject[];
}

/** Objects per list request: a large cluster's events or pods come in pages of one consistent snapshot. */
export const LIST_PAGE_SIZE = 500;

/** Lists every page (limit + continue) into one list with the first page's resourceVersion, as the informer wants. */
async function paged(
  list: (page: { limit: number; _continue?: string }) => Promise<KubeList>,
): Promise<KubeList> {
  const first = await list({ limit: LIST_PAGE_SIZE });
  const items = [...first.items];
  let next = first.metadata?._continue;
  while (next) {
    const page = await list({ limit: LIST_PAGE_SIZE, _continue: next });
    items.push(...page.items);
    next = page.metadata?._continue;
  }
  return { ...first, items };
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code =
      (error as { statusCode?: number; code?: string | number }).statusCode ??
      (error as { code?: string }).code;
    return code !== undefined ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
