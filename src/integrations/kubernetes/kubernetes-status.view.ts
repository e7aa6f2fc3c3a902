/** Wire shapes of the API, shared with the UI (ui/src/api/types.ts): no Nest or TypeORM here, so both compile it. */
export type WatchedResource =
  'events' | 'pods' | 'deployments' | 'statefulsets' | 'daemonsets' | 'replicasets';

export type ConnectionState = 'disabled' | 'notConfigured' | 'connecting' | 'connected' | 'error';

export interface WatchStatus {
  resource: WatchedResource;
  state: 'listing' | 'watching' | 'restarting';
  lastListAt: string | null;
  lastEventAt: string | null;
  restarts: number;
  lastError: string | null;
}

export interface KubernetesStatusView {
  state: ConnectionState;
  message: string;
  server: string | null;
  source: string | null;
  /** When the change log last heard from the cluster (a list or a watch event). */
  lastSyncAt: string | null;
  watches: WatchStatus[];
}
