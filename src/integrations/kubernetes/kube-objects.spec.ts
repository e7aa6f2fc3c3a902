import { describe, expect, it } from 'vitest';
import {
  deploymentRollout,
  digestOf,
  eventFacts,
  eventWorkload,
  keepsEvent,
  podWorkload,
  rolloutComplete,
  templateHash,
  WorkloadObject,
} from './kube-objects.js';

const HEX = 'ab'.repeat(32);

describe('digestOf', () => {
  it.each([
    {
      name: 'reads a docker-pullable imageID',
      id: `docker-pullable://reg/shop/checkout@sha256:${HEX}`,
      want: `sha256:${HEX}`,
    },
    { name: 'reads a containerd imageID', id: `reg/shop/checkout@sha256:${HEX}`, want: `sha256:${HEX}` },
    { name: 'reads a bare digest', id: `sha256:${HEX}`, want: `sha256:${HEX}` },
    { name: 'finds none in an image ID that is not pulled yet', id: '', want: undefined },
    { name: 'finds none in a tag', id: 'shop/checkout:1.3.0', want: undefined },
  ])('$name', ({ id, want }) => {
    expect(digestOf(id)).toBe(want);
  });
});

describe('templateHash', () => {
  it('is the same for the listed form (Dates, keys in another order) and the watched form (text) of a template', () => {
    const watched = {
      metadata: { labels: { app: 'a' }, creationTimestamp: null },
      spec: { containers: [{ name: 'c', image: 'i' }] },
    };
    const listed = { spec: { containers: [{ image: 'i', name: 'c' }] }, metadata: { labels: { app: 'a' } } };
    expect(templateHash(listed)).toBe(templateHash(watched as never));
  });

  it('changes with an environment variable', () => {
    const base = { spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'A', value: '1' }] }] } };
    const changed = { spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'A', value: '2' }] }] } };
    expect(templateHash(base)).not.toBe(templateHash(changed));
  });
});

describe('the workload of a pod or an event', () => {
  const owner = (kind: string, name: string) => ({
    metadata: { namespace: 'shop', ownerReferences: [{ kind, name, controller: true }] },
  });
  it.each([
    {
      name: 'a ReplicaSet pod belongs to the Deployment that owns the ReplicaSet',
      pod: owner('ReplicaSet', 'checkout-7d9f8c6b5'),
      known: 'checkout',
      want: { kind: 'Deployment', name: 'checkout' },
    },
    {
      name: 'a ReplicaSet pod belongs to the Deployment its ReplicaSet is named after when that is not known',
      pod: owner('ReplicaSet', 'web-api-7d9f8c6b5'),
      known: undefined,
      want: { kind: 'Deployment', name: 'web-api' },
    },
    {
      name: 'a StatefulSet pod belongs to its StatefulSet',
      pod: owner('StatefulSet', 'pg'),
      known: undefined,
      want: { kind: 'StatefulSet', name: 'pg' },
    },
    {
      name: 'a Job pod belongs to no workload',
      pod: owner('Job', 'backup'),
      known: undefined,
      want: undefined,
    },
  ])('$name', ({ pod, known, want }) => {
    expect(podWorkload(pod, () => known)).toEqual(want);
  });

  const none = { pod: () => undefined, replicaSetOwner: () => undefined };
  it.each([
    {
      name: 'an event on a gone Deployment pod is read from the pod name',
      kind: 'Pod',
      object: 'checkout-7d9f8c6b5-x2x9k',
      want: { kind: 'Deployment', name: 'checkout' },
    },
    {
      name: 'an event on a StatefulSet pod is read from the pod name',
      kind: 'Pod',
      object: 'pg-2',
      want: { kind: 'StatefulSet', name: 'pg' },
    },
    {
      name: 'an event on a ReplicaSet belongs to its Deployment',
      kind: 'ReplicaSet',
      object: 'checkout-7d9f8c6b5',
      want: { kind: 'Deployment', name: 'checkout' },
    },
    {
      name: 'an event on a Deployment belongs to it',
      kind: 'Deployment',
      object: 'checkout',
      want: { kind: 'Deployment', name: 'checkout' },
    },
    { name: 'an event on a node belongs to no workload', kind: 'Node', object: 'node-1', want: undefined },
  ])('$name', ({ kind, object, want }) => {
    expect(eventWorkload(kind, object, 'shop', none)).toEqual(want);
  });
});

describe('eventFacts and keepsEvent', () => {
  it('reads a core/v1 event with its count and times, whether they are text or Dates', () => {
    const facts = eventFacts({
      metadata: { uid: 'u1', namespace: 'shop' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'shop' },
      reason: 'BackOff',
      type: 'Warning',
      count: 12,
      firstTimestamp: '2026-11-25T11:55:00Z',
      lastTimestamp: new Date('2026-11-25T12:00:00Z'),
      message: 'Back-off restarting failed container',
    });
    expect(facts).toEqual({
      uid: 'u1',
      namespace: 'shop',
      objectKind: 'Pod',
      objectName: 'p',
      reason: 'BackOff',
      type: 'Warning',
      count: 12,
      firstSeen: new Date('2026-11-25T11:55:00Z'),
      lastSeen: new Date('2026-11-25T12:00:00Z'),
      message: 'Back-off restarting failed container',
    });
  });

  it('reads an events.k8s.io/v1 style event: regarding, note, eventTime and series', () => {
    const facts = eventFacts({
      metadata: { uid: 'u2', namespace: 'shop' },
      regarding: { kind: 'Pod', name: 'p' },
      reason: 'Unhealthy',
      type: 'Warning',
      note: 'Readiness probe failed',
      eventTime: '2026-11-25T11:00:00.000000Z',
      series: { count: 40, lastObservedTime: '2026-11-25T11:30:00.000000Z' },
    });
    expect(facts).toMatchObject({
      namespace: 'shop',
      count: 40,
      message: 'Readiness probe failed',
      lastSeen: new Date('2026-11-25T11:30:00Z'),
    });
  });

  it.each([
    { name: 'keeps every warning', type: 'Warning', objectKind: 'Node', reason: 'NodeNotReady', kept: true },
    {
      name: 'keeps a Deployment scaling a ReplicaSet (a rollout step)',
      type: 'Normal',
      objectKind: 'Deployment',
      reason: 'ScalingReplicaSet',
      kept: true,
    },
    { name: 'drops a Normal image pull', type: 'Normal', objectKind: 'Pod', reason: 'Pulled', kept: false },
    {
      name: 'drops a Normal scheduling',
      type: 'Normal',
      objectKind: 'Pod',
      reason: 'Scheduled',
      kept: false,
    },
  ])('$name', ({ type, objectKind, reason, kept }) => {
    expect(keepsEvent({ type, objectKind, reason })).toBe(kept);
  });
});

describe('rollout outcomes', () => {
  const deployment = (
    reason: string,
    o: Partial<{ generation: number; observed: number; updated: number }> = {},
  ): WorkloadObject => ({
    metadata: { generation: o.generation ?? 2, annotations: { 'deployment.kubernetes.io/revision': '7' } },
    spec: { replicas: 2 },
    status: {
      observedGeneration: o.observed ?? 2,
      updatedReplicas: o.updated ?? 2,
      availableReplicas: o.updated ?? 2,
      conditions: [
        { type: 'Progressing', status: 'True', reason, message: 'm', lastUpdateTime: '2026-11-25T12:00:00Z' },
      ],
    },
  });
  it.each([
    {
      name: 'a complete Deployment finished at its condition’s time',
      d: deployment('NewReplicaSetAvailable'),
      want: { revision: 7, finishedAt: new Date('2026-11-25T12:00:00Z') },
    },
    {
      name: 'a Deployment past its progress deadline failed',
      d: deployment('ProgressDeadlineExceeded'),
      want: { revision: 7, failedAt: new Date('2026-11-25T12:00:00Z'), failureMessage: 'm' },
    },
    {
      name: 'a Deployment still replacing pods has no outcome yet',
      d: deployment('ReplicaSetUpdated', { updated: 1 }),
      want: { revision: 7 },
    },
    {
      name: 'a Deployment whose status is older than its spec has no outcome yet',
      d: deployment('NewReplicaSetAvailable', { generation: 3 }),
      want: { revision: 7 },
    },
  ])('$name', ({ d, want }) => {
    expect(deploymentRollout(d)).toEqual(want);
  });

  it.each([
    {
      name: 'a StatefulSet whose pods all run the update revision is complete',
      kind: 'StatefulSet' as const,
      status: { observedGeneration: 1, currentRevision: 'b', updateRevision: 'b', updatedReplicas: 3 },
      done: true,
    },
    {
      name: 'a StatefulSet halfway through is not',
      kind: 'StatefulSet' as const,
      status: { observedGeneration: 1, currentRevision: 'a', updateRevision: 'b', updatedReplicas: 1 },
      done: false,
    },
    {
      name: 'a DaemonSet updated and available on every node is complete',
      kind: 'DaemonSet' as const,
      status: {
        observedGeneration: 1,
        desiredNumberScheduled: 4,
        updatedNumberScheduled: 4,
        numberAvailable: 4,
      },
      done: true,
    },
    {
      name: 'a DaemonSet with a node left is not',
      kind: 'DaemonSet' as const,
      status: {
        observedGeneration: 1,
        desiredNumberScheduled: 4,
        updatedNumberScheduled: 3,
        numberAvailable: 4,
      },
      done: false,
    },
  ])('$name', ({ kind, status, done }) => {
    expect(rolloutComplete(kind, { metadata: { generation: 1 }, spec: { replicas: 3 }, status })).toBe(done);
  });
});
