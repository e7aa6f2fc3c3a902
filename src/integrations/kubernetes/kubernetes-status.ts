import { Injectable } from '@nestjs/common';
import type { KubernetesStatusView, WatchStatus, WatchedResource } from './kubernetes-status.view.js';

export type { ConnectionState, KubernetesStatusView, WatchStatus } from './kubernetes-status.view.js';

/** What the Kubernetes connection is doing, for /readyz, GET /api/v1/kubernetes/status and the UI. */
@Injectable()
export class KubernetesStatus {
  private base: Pick<KubernetesStatusView, 'state' | 'message' | 'server' | 'source'> = {
    state: 'disabled',
    message: 'not started',
    server: null,
    source: null,
  };
  private readonly watches = new Map<WatchedResource, WatchStatus & { listed: boolean }>();

  set(state: 'disabled' | 'notConfigured' | 'error', message: string): void {
    this.base = { ...this.base, state, message };
  }

  connecting(server: string, source: string): void {
    this.base = { state: 'connecting', message: `connecting to ${server}`, server, source };
  }

  watching(resource: WatchedResource): void {
    const watch = this.watch(resource);
    watch.state = watch.listed ? 'watching' : 'listing';
  }

  listed(resource: WatchedResource, at: Date): void {
    const watch = this.watch(resource);
    Object.assign(watch, { listed: true, state: 'watching', lastListAt: at.toISOString(), lastError: null });
  }

  received(resource: WatchedResource, at: Date): void {
    const watch = this.watch(resource);
    watch.lastEventAt = at.toISOString();
    if (watch.state === 'restarting') watch.state = 'watching';
  }

  failed(resource: WatchedResource, message: string): void {
    const watch = this.watch(resource);
    Object.assign(watch, { state: 'restarting', lastError: message, restarts: watch.restarts + 1 });
  }

  snapshot(): KubernetesStatusView {
    const watches = [...this.watches.values()].map(({ listed: _listed, ...w }) => w);
    const view: KubernetesStatusView = { ...this.base, lastSyncAt: null, watches };
    if (this.base.state !== 'connecting' && this.base.state !== 'connected') return view;
    const times = watches
      .flatMap((w) => [w.lastListAt, w.lastEventAt])
      .filter((t): t is string => t !== null);
    view.lastSyncAt = times.sort().at(-1) ?? null;
    const failing = watches.filter((w) => w.state === 'restarting');
    if (failing.length > 0) {
      view.state = 'error';
      view.message = failing.map((w) => `${w.resource}: ${w.lastError}`).join('; ');
    } else if (watches.length > 0 && watches.every((w) => w.lastListAt !== null)) {
      view.state = 'connected';
      view.message = `watching ${this.base.server}`;
    }
    return view;
  }

  /** One line for /readyz details. */
  summary(): string {
    const view = this.snapshot();
    const since = view.lastSyncAt ? ` (last sync ${view.lastSyncAt})` : '';
    return `${view.state}: ${view.message}${since}`;
  }

  private watch(resource: WatchedResource): WatchStatus & { listed: boolean } {
    let watch = this.watches.get(resource);
    if (!watch) {
      watch = {
        resource,
        state: 'listing',
        lastListAt: null,
        lastEventAt: null,
        restarts: 0,
        lastError: null,
        listed: false,
      };
      this.watches.set(resource, watch);
    }
    return watch;
  }
}
