import { describe, expect, it } from 'vitest';
import { kubernetesConnection, normalizeChanges } from './changes.js';

describe('normalizeChanges', () => {
  it('reads a deploy of the change log with its image and digests', () =>
    expect(
      normalizeChanges([
        {
          type: 'deploy',
          at: '2026-11-25T12:00:00Z',
          namespace: 'shop',
          workload: 'checkout',
          revision: 7,
          image: 'registry.example/shop/checkout:1.4.3',
          digest: 'sha256:9e8d',
          previousDigest: 'sha256:1a2b',
          failureMessage: null,
        },
      ]),
    ).toEqual([
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

  it('turns warning events into warnings named after their workload, or their object without one', () =>
    expect(
      normalizeChanges([
        {
          type: 'event',
          eventType: 'Warning',
          at: 't',
          namespace: 'shop',
          workload: 'checkout',
          objectName: 'checkout-7f9-abc',
          reason: 'BackOff',
          count: 3,
          message: 'Back-off',
        },
        {
          type: 'event',
          eventType: 'Warning',
          at: 't',
          namespace: 'shop',
          workload: null,
          objectName: 'node-1',
          reason: 'NodeNotReady',
          count: 1,
        },
      ]).map((c) => [c.kind, c.workload, c.reason, c.count]),
    ).toEqual([
      ['warning', 'checkout', 'BackOff', 3],
      ['warning', 'node-1', 'NodeNotReady', 1],
    ]));

  it('leaves normal events out', () =>
    expect(
      normalizeChanges([
        { type: 'event', eventType: 'Normal', at: 't', namespace: 'shop', reason: 'Pulled' },
      ]),
    ).toEqual([]));

  it('says how a scale changed the replicas', () =>
    expect(
      normalizeChanges([
        { type: 'scale', at: 't', namespace: 'shop', workload: 'checkout', fromReplicas: 4, toReplicas: 2 },
      ])[0]!.message,
    ).toBe('4 → 2 replicas'));

  it('keeps changes already in the UI shape', () =>
    expect(
      normalizeChanges([
        { kind: 'warning', at: 't', namespace: 'shop', workload: 'checkout', reason: 'BackOff' },
      ])[0]!.kind,
    ).toBe('warning'));
});

describe('kubernetesConnection', () => {
  it.each([
    {
      name: 'connected',
      status: { state: 'connected' as const, message: 'watching' },
      expected: { connected: true, message: null },
    },
    {
      name: 'not configured, with the reason',
      status: { state: 'notConfigured' as const, message: 'no in-cluster service account and no kubeconfig' },
      expected: { connected: false, message: 'no in-cluster service account and no kubeconfig' },
    },
    { name: 'a server without the API', status: null, expected: { connected: false, message: null } },
    { name: 'the drafted shape', status: { connected: true }, expected: { connected: true, message: null } },
  ])('$name', ({ status, expected }) => expect(kubernetesConnection(status)).toEqual(expected));
});
