import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EntityManager } from 'typeorm';
import type { ChangeLogStore } from './change-log.store.js';
import { ChangeRecorder } from './change-recorder.js';
import type { KubernetesMetrics } from './kubernetes.metrics.js';

/** A change-log store that records the events it is given and can be told to fail. */
function fakeStore() {
  const written: { uid: string; count: number }[] = [];
  const store = {
    failures: 0,
    transactions: 0,
    written,
    async write<T>(run: (m: EntityManager) => Promise<T>): Promise<T> {
      this.transactions++;
      if (this.failures > 0) {
        this.failures--;
        throw new Error('connection refused');
      }
      return run({} as EntityManager);
    },
    async recordEvent(_m: EntityManager, facts: { uid: string; count: number }) {
      written.push({ uid: facts.uid, count: facts.count });
    },
  };
  return store;
}

const metrics = {
  backlog: { set: () => undefined },
  objectsRecorded: { inc: () => undefined },
} as unknown as KubernetesMetrics;

function warning(uid: string, count: number) {
  return {
    metadata: { uid, namespace: 'shop', creationTimestamp: '2026-11-25T12:00:00Z' },
    involvedObject: { kind: 'Pod', name: 'p', namespace: 'shop' },
    reason: 'BackOff',
    type: 'Warning',
    count,
    lastTimestamp: '2026-11-25T12:00:00Z',
  };
}

afterEach(() => vi.useRealTimers());

describe('ChangeRecorder', () => {
  it('writes an Event updated 10,000 times while a batch is written once or twice, with its last count', async () => {
    const store = fakeStore();
    const recorder = new ChangeRecorder(
      store as unknown as ChangeLogStore,
      { now: () => new Date() },
      metrics,
    );
    for (let count = 1; count <= 10_000; count++) recorder.enqueue('events', false, warning('e1', count));
    await vi.waitFor(() => expect(recorder.backlog).toBe(0));
    await vi.waitFor(() => expect(store.written.at(-1)).toEqual({ uid: 'e1', count: 10_000 }));
    expect(store.written.length).toBeLessThanOrEqual(2);
  });

  it('keeps what it could not write and writes it after the database comes back, newest version only', async () => {
    vi.useFakeTimers();
    const store = fakeStore();
    store.failures = 2;
    const recorder = new ChangeRecorder(
      store as unknown as ChangeLogStore,
      { now: () => new Date() },
      metrics,
    );
    recorder.enqueue('events', false, warning('e1', 1));
    recorder.enqueue('events', false, warning('e2', 1));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.written).toEqual([]);
    recorder.enqueue('events', false, warning('e1', 2)); // arrives while waiting to retry
    expect(recorder.lastError).toBe('connection refused');
    await vi.advanceTimersByTimeAsync(700); // the first retry, after 500 ms, fails again
    expect(store.written).toEqual([]);
    await vi.advanceTimersByTimeAsync(1100); // the second waits twice as long, and succeeds
    expect(store.written.sort((a, b) => a.uid.localeCompare(b.uid))).toEqual([
      { uid: 'e1', count: 2 },
      { uid: 'e2', count: 1 },
    ]);
    expect(store.transactions).toBe(3);
    expect(recorder.lastError).toBeUndefined();
  });

  it('writes nothing more once stopped', async () => {
    vi.useFakeTimers();
    const store = fakeStore();
    store.failures = 1;
    const recorder = new ChangeRecorder(
      store as unknown as ChangeLogStore,
      { now: () => new Date() },
      metrics,
    );
    recorder.enqueue('events', false, warning('e1', 1));
    await vi.advanceTimersByTimeAsync(0);
    recorder.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(store.transactions).toBe(1);
    expect(store.written).toEqual([]);
  });
});
