import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';

/**
 * A Kubernetes API server stand-in for tests: a real HTTP server on 127.0.0.1 that speaks the list/watch protocol
 * the way kube-apiserver does for the kinds Burnwatch watches. One resourceVersion counter for everything (like
 * etcd), a watch history to replay from a resourceVersion, compaction that makes too-old watches fail with 410
 * Gone (as an ERROR event in a 200 stream, as the real server does, or as an HTTP 410), bookmarks, and a way to drop
 * every open watch connection.
 */

export type KubeResource = 'events' | 'pods' | 'deployments' | 'statefulsets' | 'daemonsets' | 'replicasets';

interface ResourceInfo {
  prefix: string;
  apiVersion: string;
  kind: string;
}

const RESOURCES: Record<KubeResource, ResourceInfo> = {
  events: { prefix: '/api/v1', apiVersion: 'v1', kind: 'Event' },
  pods: { prefix: '/api/v1', apiVersion: 'v1', kind: 'Pod' },
  deployments: { prefix: '/apis/apps/v1', apiVersion: 'apps/v1', kind: 'Deployment' },
  statefulsets: { prefix: '/apis/apps/v1', apiVersion: 'apps/v1', kind: 'StatefulSet' },
  daemonsets: { prefix: '/apis/apps/v1', apiVersion: 'apps/v1', kind: 'DaemonSet' },
  replicasets: { prefix: '/apis/apps/v1', apiVersion: 'apps/v1', kind: 'ReplicaSet' },
};

/** A Kubernetes object as JSON; metadata.name (and namespace) are all the stand-in needs. */
export interface KubeObject {
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface HistoryEntry {
  rv: number;
  resource: KubeResource;
  type: WatchType;
  object: KubeObject;
}

interface OpenWatch {
  resource: KubeResource;
  namespace: string | undefined;
  bookmarks: boolean;
  response: ServerResponse;
}

const TOKEN = 'standin-token';

export class KubeStandin {
  private server: Server | undefined;
  private rv = 100;
  private compactedBelow = 0;
  private readonly objects = new Map<KubeResource, Map<string, KubeObject>>();
  private readonly history: HistoryEntry[] = [];
  private readonly watches = new Set<OpenWatch>();
  /** How an expired resourceVersion is answered: an ERROR event in the stream (the usual case) or HTTP 410. */
  goneAs: 'event' | 'http' = 'event';
  /** Requests per kind, for tests that check that a re-list happened. */
  readonly lists: Record<KubeResource, number> = zeroCounts();
  readonly watchRequests: Record<KubeResource, number> = zeroCounts();
  readonly goneAnswers: Record<KubeResource, number> = zeroCounts();
  /** List responses that said "continue": more pages followed. */
  readonly listPages: Record<KubeResource, number> = zeroCounts();
  private readonly snapshots = new Map<string, { rv: number; items: KubeObject[] }>();
  /** The resourceVersion the last watch of each kind started from. */
  readonly watchedFrom: Partial<Record<KubeResource, string>> = {};
  url = '';

  async start(): Promise<string> {
    this.server = createServer((request, response) => this.handle(request, response));
    // Watches last as long as the client wants.
    this.server.requestTimeout = 0;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const watch of this.watches) watch.response.destroy();
    this.watches.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Writes a kubeconfig whose current context points at this server; returns its path. */
  writeKubeconfig(dir: string): string {
    const path = join(dir, 'kubeconfig');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '  - name: standin',
        // Plain HTTP on loopback: the client allows it only with TLS verification switched off.
        `    cluster: { server: "${this.url}", insecure-skip-tls-verify: true }`,
        'users:',
        '  - name: burnwatch',
        `    user: { token: "${TOKEN}" }`,
        'contexts:',
        '  - name: standin',
        '    context: { cluster: standin, user: burnwatch }',
        'current-context: standin',
        '',
      ].join('\n'),
    );
    return path;
  }

  /** Creates or replaces an object, giving it a new resourceVersion, and tells the open watches. */
  apply(resource: KubeResource, object: KubeObject): KubeObject {
    const store = this.store(resource);
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    const existing = store.get(key);
    const info = RESOURCES[resource];
    const stored: KubeObject = structuredClone({
      apiVersion: info.apiVersion,
      kind: info.kind,
      ...object,
      metadata: {
        uid: (existing?.metadata.uid as string | undefined) ?? randomUUID(),
        creationTimestamp: existing?.metadata.creationTimestamp ?? new Date().toISOString(),
        ...object.metadata,
        resourceVersion: String(++this.rv),
      },
    });
    store.set(key, stored);
    this.record(resource, existing ? 'MODIFIED' : 'ADDED', stored);
    return stored;
  }

  remove(resource: KubeResource, namespace: string | undefined, name: string): void {
    const store = this.store(resource);
    const key = keyOf(namespace, name);
    const existing = store.get(key);
    if (!existing) return;
    store.delete(key);
    const deleted = structuredClone(existing);
    deleted.metadata.resourceVersion = String(++this.rv);
    this.record(resource, 'DELETED', deleted);
  }

  get(resource: KubeResource, namespace: string | undefined, name: string): KubeObject | undefined {
    const object = this.store(resource).get(keyOf(namespace, name));
    return object && structuredClone(object);
  }

  /** Forgets the watch history: a watch from any older resourceVersion now gets 410 Gone. */
  compact(): void {
    this.compactedBelow = this.rv;
    this.history.length = 0;
  }

  /** Cuts every open watch connection without a goodbye, as a failing load balancer would. */
  dropConnections(): void {
    for (const watch of this.watches) watch.response.destroy();
    this.watches.clear();
  }

  /** Ends every open watch cleanly, as the API server does when a watch's timeout runs out. */
  endWatches(): void {
    for (const watch of this.watches) watch.response.end();
    this.watches.clear();
  }

  /** Ends every open watch with an ERROR event carrying 410 Gone (the server's watch cache moved on). */
  expireWatches(): void {
    for (const watch of this.watches) {
      writeLine(watch.response, { type: 'ERROR', object: goneStatus(this.rv) });
      watch.response.end();
    }
    this.watches.clear();
  }

  /** Sends a BOOKMARK with the current resourceVersion to every watch that asked for bookmarks. */
  bookmark(): void {
    for (const watch of this.watches) {
      if (!watch.bookmarks) continue;
      const info = RESOURCES[watch.resource];
      writeLine(watch.response, {
        type: 'BOOKMARK',
        object: {
          apiVersion: info.apiVersion,
          kind: info.kind,
          metadata: {
            resourceVersion: String(this.rv),
            annotations: { 'k8s.io/initial-events-end': 'true' },
          },
        },
      });
    }
  }

  /** The newest resourceVersion, as text (what a list returns). */
  get resourceVersion(): string {
    return String(this.rv);
  }

  /** Open watch connections, per kind. */
  openWatches(resource?: KubeResource): number {
    return [...this.watches].filter((w) => resource === undefined || w.resource === resource).length;
  }

  private store(resource: KubeResource): Map<string, KubeObject> {
    let store = this.objects.get(resource);
    if (!store) this.objects.set(resource, (store = new Map()));
    return store;
  }

  private record(resource: KubeResource, type: WatchType, object: KubeObject): void {
    const entry = { rv: this.rv, resource, type, object };
    this.history.push(entry);
    for (const watch of this.watches) {
      if (matches(watch, entry)) writeLine(watch.response, { type, object });
    }
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', this.url);
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      return sendStatus(response, 401, 'Unauthorized', 'Unauthorized');
    }
    const route = parsePath(url.pathname);
    if (!route || request.method !== 'GET') {
      return sendStatus(response, 404, 'NotFound', `the server could not find ${url.pathname}`);
    }
    const watch = url.searchParams.get('watch');
    if (watch === 'true' || watch === '1') return this.watch(route, url.searchParams, response);
    this.list(route, url.searchParams, response);
  }

  /**
   * A list, in pages when asked (`limit`, then `continue`): the pages of one list are one snapshot, taken at the
   * first page, with that page's resourceVersion.
   */
  private list(route: Route, params: URLSearchParams, response: ServerResponse): void {
    const info = RESOURCES[route.resource];
    const token = params.get('continue');
    let snapshot: { rv: number; items: KubeObject[] };
    let offset = 0;
    if (token) {
      const [id, start] = token.split(':');
      const kept = this.snapshots.get(id!);
      if (!kept) return sendStatus(response, 410, 'Expired', 'the provided continue parameter is too old');
      snapshot = kept;
      offset = Number(start);
    } else {
      this.lists[route.resource]++;
      const items = [...this.store(route.resource).values()].filter(
        (o) => route.namespace === undefined || o.metadata.namespace === route.namespace,
      );
      snapshot = { rv: this.rv, items: structuredClone(items) };
    }
    const limit = Number(params.get('limit') ?? 0);
    const end = limit > 0 ? Math.min(snapshot.items.length, offset + limit) : snapshot.items.length;
    let next: string | undefined;
    if (end < snapshot.items.length) {
      const id = token?.split(':')[0] ?? randomUUID();
      this.snapshots.set(id, snapshot);
      next = `${id}:${end}`;
      this.listPages[route.resource]++;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        apiVersion: info.apiVersion,
        kind: `${info.kind}List`,
        metadata: { resourceVersion: String(snapshot.rv), ...(next ? { continue: next } : {}) },
        items: snapshot.items.slice(offset, end),
      }),
    );
  }

  private watch(route: Route, params: URLSearchParams, response: ServerResponse): void {
    this.watchRequests[route.resource]++;
    const from = params.get('resourceVersion') ?? '';
    this.watchedFrom[route.resource] = from;
    const fromRv = from === '' || from === '0' ? undefined : Number(from);
    if (fromRv !== undefined && (!Number.isFinite(fromRv) || fromRv < this.compactedBelow)) {
      this.goneAnswers[route.resource]++;
      if (this.goneAs === 'http') {
        response.writeHead(410, { 'content-type': 'application/json' });
        response.end(JSON.stringify(goneStatus(this.rv, from)));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      writeLine(response, { type: 'ERROR', object: goneStatus(this.rv, from) });
      response.end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const open: OpenWatch = {
      resource: route.resource,
      namespace: route.namespace,
      bookmarks: params.get('allowWatchBookmarks') === 'true',
      response,
    };
    if (fromRv === undefined) {
      // No resourceVersion: the current state as ADDED events, then changes.
      for (const object of this.store(route.resource).values()) {
        if (route.namespace === undefined || object.metadata.namespace === route.namespace)
          writeLine(response, { type: 'ADDED', object });
      }
    } else {
      for (const entry of this.history) {
        if (entry.rv > fromRv && matches(open, entry))
          writeLine(response, { type: entry.type, object: entry.object });
      }
    }
    this.watches.add(open);
    const forget = () => this.watches.delete(open);
    response.on('close', forget);
  }
}

interface Route {
  resource: KubeResource;
  namespace: string | undefined;
}

function parsePath(path: string): Route | undefined {
  for (const [resource, info] of Object.entries(RESOURCES) as [KubeResource, ResourceInfo][]) {
    if (path === `${info.prefix}/${resource}`) return { resource, namespace: undefined };
    const namespaced = new RegExp(`^${info.prefix}/namespaces/([a-z0-9-]+)/${resource}$`).exec(path);
    if (namespaced) return { resource, namespace: namespaced[1] };
  }
  return undefined;
}

function matches(watch: Pick<OpenWatch, 'resource' | 'namespace'>, entry: HistoryEntry): boolean {
  return (
    watch.resource === entry.resource &&
    (watch.namespace === undefined || watch.namespace === entry.object.metadata.namespace)
  );
}

function keyOf(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function writeLine(response: ServerResponse, value: unknown): void {
  if (!response.destroyed && !response.writableEnded) response.write(JSON.stringify(value) + '\n');
}

function goneStatus(current: number, requested?: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: requested
      ? `too old resource version: ${requested} (${current})`
      : 'The resourceVersion for the provided watch is too old.',
    reason: 'Expired',
    code: 410,
  };
}

function sendStatus(response: ServerResponse, code: number, reason: string, message: string): void {
  response.writeHead(code, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code }),
  );
}

function zeroCounts(): Record<KubeResource, number> {
  return { events: 0, pods: 0, deployments: 0, statefulsets: 0, daemonsets: 0, replicasets: 0 };
}
