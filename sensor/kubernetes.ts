/**
 * Keeps a PodIndex of this node's pods current from the Kubernetes API:
 * one list, then a watch resumed from its resourceVersion (re-listing when the
 * watch ends). Needs RBAC to list and watch pods (deploy/base/sensor-daemonset.yaml).
 */
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { PodIndex, type PodLike } from './workloads.js';

/** Where the node's pods are listed and watched (with a spec.nodeName field selector): RBAC grants list and watch on it. */
export const POD_WATCH_PATH = '/api/v1/pods';

export class NodePodWatch {
  readonly pods = new PodIndex();
  private abort: AbortController | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly nodeName: string,
    private readonly log: (line: string) => void,
    private readonly kubeConfig: KubeConfig = NodePodWatch.inClusterConfig(),
  ) {}

  static inClusterConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromDefault(); // in a pod: the service account; elsewhere: ~/.kube/config
    return kc;
  }

  /** Lists the node's pods once (so labels are known from the first request), then watches. */
  async start(): Promise<void> {
    const resourceVersion = await this.list();
    void this.watch(resourceVersion);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.abort?.abort();
  }

  private get fieldSelector(): string {
    return `spec.nodeName=${this.nodeName}`;
  }

  private async list(): Promise<string> {
    const api = this.kubeConfig.makeApiClient(CoreV1Api);
    const list = await api.listPodForAllNamespaces({ fieldSelector: this.fieldSelector });
    for (const pod of list.items) this.pods.upsert(pod as PodLike);
    this.log(`sensor: ${this.pods.size} pods on node ${this.nodeName}`);
    return list.metadata?.resourceVersion ?? '';
  }

  private async watch(resourceVersion: string): Promise<void> {
    if (this.stopped) return;
    const watch = new Watch(this.kubeConfig);
    try {
      this.abort = await watch.watch(
        POD_WATCH_PATH,
        { fieldSelector: this.fieldSelector, resourceVersion, allowWatchBookmarks: true },
        (phase, pod: PodLike & { metadata?: { resourceVersion?: string } }) => {
          if (pod?.metadata?.resourceVersion) resourceVersion = pod.metadata.resourceVersion;
          if (phase === 'ADDED' || phase === 'MODIFIED') this.pods.upsert(pod);
          else if (phase === 'DELETED') this.pods.remove(pod);
        },
        (err: unknown) => this.restart(err),
      );
    } catch (err) {
      this.restart(err);
    }
  }

  /** A watch ends now and then (timeouts, 410 Gone): list again, then watch again. */
  private restart(err: unknown): void {
    if (this.stopped) return;
    if (err) this.log(`sensor: pod watch ended: ${String(err)}; listing again`);
    this.retryTimer = setTimeout(
      () => {
        this.list()
          .then((rv) => this.watch(rv))
          .catch((e: unknown) => this.restart(e));
      },
      err ? 5_000 : 0,
    );
  }
}
