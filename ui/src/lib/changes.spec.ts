import { describe, expect, it } from 'vitest';
import type { KubernetesStatus, RawChange } from '../api/types.js';
import { kubernetesConnection, normalizeChanges } from './changes.js';

const deploy: RawChange = {
  type: 'deploy',
  at: '2026-11-25T12:00:00Z',
  namespace: 'shop',
  workloadKind: 'Deployment',
  workload: 'checkout',
  revision: 7,
  container: 'app',
  image: 'registry.example/shop/checkout:1.4.3',
  previousImage: 'registry.example/shop/checkout:1.4.2',
  digest: 'sha256:9e8d',
  previousDigest: 'sha256:1a2b',
  startedAt: '2026-11-25T12:00:00Z',
  finishedAt: null,
  failedAt: null,
  failureMessage: null,
};

const warning = (
  workload: string | null,
  objectName: string,
  reason: string,
  count: number,
  eventType = 'Warning',
): RawChange => ({
  type: 'event',
  at: 't',
  eventType,
  namespace: 'shop',
  objectKind: 'Pod',
  objectName,
  reason,
  workloadKind: workload ? 'Deployment' : null,
  workload,
  count,
  firstSeen: 't',
  lastSeen: 't',
  message: 'Back-off',
});

describe('normalizeChanges', () => {
  it('reads a deploy of the change log with its image and digests', () =>
    expect(normalizeChanges([deploy])).toEqual([
      {
        kind: 'deploy',
        at: '2026-11-25T12:00:00Z',
        namespace: 'shop',
        workload: 'checkout',
        image: 'registry.example/shop/checkout:1.4.3',
        digest: 'sha256:9e8d',
        previousDigest: 'sha256:1a2b',
        message: 'Revision 7',
      },
    ]));

  it('says why a rollout failed', () =>
    expect(
      normalizeChanges([{ ...deploy, failedAt: 't', failureMessage: 'ProgressDeadlineExceeded' }])[0]!
        .message,
    ).toBe('Rollout failed: ProgressDeadlineExceeded'));

  it('turns warning events into warnings named after their workload, or their object without one', () =>
    expect(
      normalizeChanges([
        warning('checkout', 'checkout-7f9-abc', 'BackOff', 3),
        warning(null, 'node-1', 'NodeNotReady', 1),
      ]).map((c) => [c.kind, c.workload, c.reason, c.count]),
    ).toEqual([
      ['warning', 'checkout', 'BackOff', 3],
      ['warning', 'node-1', 'NodeNotReady', 1],
    ]));

  it('leaves normal events out', () =>
    expect(normalizeChanges([warning('checkout', 'checkout-7f9-abc', 'Pulled', 1, 'Normal')])).toEqual([]));

  it('says how a scale changed the replicas', () =>
    expect(
      normalizeChanges([
        {
          type: 'scale',
          at: 't',
          namespace: 'shop',
          workloadKind: 'Deployment',
          workload: 'checkout',
          fromReplicas: 4,
          toReplicas: 2,
        },
      ])[0]!.message,
    ).toBe('4 → 2 replicas'));
});

describe('kubernetesConnection', () => {
  const status = (state: KubernetesStatus['state'], message: string): KubernetesStatus => ({
    state,
    message,
    server: null,
    source: null,
    lastSyncAt: null,
    watches: [],
  });
  it.each([
    {
      name: 'connected',
      status: status('connected', 'watching'),
      expected: { connected: true, message: null },
    },
    {
      name: 'not configured, with the reason',
      status: status('notConfigured', 'no in-cluster service account and no kubeconfig'),
      expected: { connected: false, message: 'no in-cluster service account and no kubeconfig' },
    },
    {
      name: 'connecting, without a message',
      status: status('connecting', ''),
      expected: { connected: false, message: 'connecting' },
    },
    { name: 'a server without the API', status: null, expected: { connected: false, message: null } },
  ])('$name', ({ status, expected }) => expect(kubernetesConnection(status)).toEqual(expected));
});
