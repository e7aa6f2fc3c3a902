import { describe, expect, it } from 'vitest';
import { ChangeCandidate, correlate, CorrelationInput, EventCandidate, eventScope } from './rank.js';

const BURN = new Date('2026-11-25T12:00:00Z');
const minutesBefore = (m: number) => new Date(BURN.getTime() - m * 60_000);
const OLD = `sha256:${'1a2b'.repeat(16)}`;
const NEW = `sha256:${'9f8e'.repeat(16)}`;

function change(overrides: Partial<ChangeCandidate> = {}): ChangeCandidate {
  return {
    kind: 'deploy',
    namespace: 'shop',
    workload: 'checkout',
    workloadKind: 'Deployment',
    container: 'app',
    image: 'shop/checkout:1.3.0',
    previousImage: 'shop/checkout:1.2.0',
    digest: NEW,
    previousDigest: OLD,
    at: minutesBefore(6),
    failed: false,
    ...overrides,
  };
}

function event(overrides: Partial<EventCandidate> = {}): EventCandidate {
  return {
    reason: 'BackOff',
    objectKind: 'Pod',
    objectName: 'checkout-7d9f8c6b5-x2x9k',
    namespace: 'shop',
    workload: 'checkout',
    count: 40,
    firstSeen: minutesBefore(5),
    lastSeen: minutesBefore(0),
    message: 'Back-off restarting failed container app',
    ...overrides,
  };
}

function input(overrides: Partial<CorrelationInput> = {}): CorrelationInput {
  return {
    burnStartedAt: BURN,
    lookbackSeconds: 7200,
    target: { namespace: 'shop', workload: 'checkout' },
    changes: [],
    events: [],
    ...overrides,
  };
}

describe('correlate: suspects', () => {
  const cases: { name: string; changes: ChangeCandidate[]; first: Partial<ChangeCandidate> | null }[] = [
    {
      name: 'a deploy shortly before the burn ranks above an older deploy',
      changes: [
        change({ at: minutesBefore(95), image: 'old' }),
        change({ at: minutesBefore(6), image: 'new' }),
      ],
      first: { image: 'new' },
    },
    {
      name: 'a deploy shortly before the burn ranks above a scale event just as close',
      changes: [
        change({ kind: 'scale', at: minutesBefore(5), container: null }),
        change({ at: minutesBefore(6) }),
      ],
      first: { kind: 'deploy' },
    },
    {
      name: 'a recent config rollout ranks above a deploy an hour older',
      changes: [change({ at: minutesBefore(70) }), change({ kind: 'configRollout', at: minutesBefore(10) })],
      first: { kind: 'configRollout' },
    },
    {
      name: 'a change after the burn began is no suspect',
      changes: [change({ at: new Date(BURN.getTime() + 60_000) })],
      first: null,
    },
    {
      name: 'a change before the lookback window is no suspect',
      changes: [change({ at: minutesBefore(121) })],
      first: null,
    },
  ];
  it.each(cases)('$name', ({ changes, first }) => {
    const result = correlate(input({ changes }));
    if (first === null) expect(result.suspects).toEqual([]);
    else expect(result.suspects[0]).toMatchObject(first);
  });

  it('scores a deploy 6 minutes before the burn high and says what changed and when', () => {
    const [suspect] = correlate(input({ changes: [change()] })).suspects;
    expect(suspect).toEqual({
      kind: 'deploy',
      namespace: 'shop',
      workload: 'checkout',
      workloadKind: 'Deployment',
      container: 'app',
      image: 'shop/checkout:1.3.0',
      digest: NEW,
      previousDigest: OLD,
      at: '2026-11-25T11:54:00.000Z',
      minutesBeforeBurn: 6,
      score: 87,
      reason: 'deploy of app: shop/checkout:1.2.0 → shop/checkout:1.3.0, 6 min before the burn',
    });
  });

  it('says when a rollout failed', () => {
    const [suspect] = correlate(input({ changes: [change({ failed: true })] })).suspects;
    expect(suspect!.reason).toContain('the rollout failed');
  });
});

describe('correlate: events', () => {
  const cases: { name: string; events: EventCandidate[]; firstObject: string }[] = [
    {
      name: 'an event on the workload’s own pod ranks above one elsewhere in the namespace',
      events: [
        event({ objectName: 'cart-5c6d7e8f9-abcde', workload: 'cart' }),
        event({ objectName: 'checkout-7d9f8c6b5-x2x9k' }),
      ],
      firstObject: 'checkout-7d9f8c6b5-x2x9k',
    },
    {
      name: 'an event on the workload’s own pod ranks above a node event',
      events: [
        event({ objectKind: 'Node', objectName: 'node-1', namespace: 'default', workload: null }),
        event(),
      ],
      firstObject: 'checkout-7d9f8c6b5-x2x9k',
    },
    {
      name: 'a namespace-wide event ranks above a node event of the same reason',
      events: [
        event({ objectKind: 'Node', objectName: 'node-1', namespace: 'default', workload: null }),
        event({ objectName: 'cart-5c6d7e8f9-abcde', workload: 'cart' }),
      ],
      firstObject: 'cart-5c6d7e8f9-abcde',
    },
    {
      name: 'a crash loop ranks above a scheduling failure on the same pod',
      events: [event({ reason: 'FailedScheduling', objectName: 'a' }), event({ objectName: 'b' })],
      firstObject: 'b',
    },
    {
      name: 'an event repeated 1,000 times ranks above the same event seen once',
      events: [event({ objectName: 'once', count: 1 }), event({ objectName: 'often', count: 1000 })],
      firstObject: 'often',
    },
    {
      name: 'an ongoing event ranks above one that stopped an hour before the burn',
      events: [
        event({ objectName: 'stopped', lastSeen: minutesBefore(60) }),
        event({ objectName: 'ongoing' }),
      ],
      firstObject: 'ongoing',
    },
  ];
  it.each(cases)('$name', ({ events, firstObject }) => {
    expect(correlate(input({ events })).events[0]!.objectName).toBe(firstObject);
  });

  it('leaves out events that ended before the lookback window', () => {
    expect(correlate(input({ events: [event({ lastSeen: minutesBefore(121) })] })).events).toEqual([]);
  });

  it.each([
    { name: 'a pod of the workload is its own', e: {}, scope: 'own' },
    {
      name: 'the Deployment itself is its own',
      e: { objectKind: 'Deployment', objectName: 'checkout' },
      scope: 'own',
    },
    {
      name: 'another namespace’s pod of a same-named workload is not',
      e: { namespace: 'other' },
      scope: 'namespace',
    },
    { name: 'a node is a node', e: { objectKind: 'Node', objectName: 'n1', workload: null }, scope: 'node' },
  ])('$name', ({ e, scope }) => {
    expect(eventScope(event(e), { namespace: 'shop', workload: 'checkout' })).toBe(scope);
  });
});

describe('correlate: per-image comparison', () => {
  it('puts the previous image beside the new one with their SLIs and confirms the deploy', () => {
    const result = correlate(
      input({
        changes: [change(), change({ kind: 'scale', at: minutesBefore(2), container: null, digest: null })],
        imageSli: [
          { imageId: `docker-pullable://shop/checkout@${OLD}`, total: 10_000, bad: 10 },
          { imageId: NEW, total: 1000, bad: 74 },
          { imageId: `sha256:${'0'.repeat(64)}`, total: 5, bad: 0 },
        ],
      }),
    );
    expect(result.imageComparison).toEqual([
      { digest: OLD, image: 'shop/checkout:1.2.0', total: 10_000, bad: 10, sliPercent: 99.9 },
      { digest: NEW, image: 'shop/checkout:1.3.0', total: 1000, bad: 74, sliPercent: 92.6 },
    ]);
    expect(result.suspects[0]).toMatchObject({ kind: 'deploy', score: 100 });
    expect(result.suspects[0]!.reason).toContain(
      'good requests 99.9 % on sha256:1a2b… → 92.6 % on sha256:9f8e…',
    );
  });

  it('is null without per-image data, without a deploy with both digests, or without traffic', () => {
    expect(correlate(input({ changes: [change()] })).imageComparison).toBeNull();
    expect(
      correlate(
        input({
          changes: [change({ previousDigest: null })],
          imageSli: [{ imageId: NEW, total: 1, bad: 1 }],
        }),
      ).imageComparison,
    ).toBeNull();
    expect(correlate(input({ changes: [change()], imageSli: [] })).imageComparison).toBeNull();
  });

  it('does not boost the deploy when the new image is as good as the old one', () => {
    const result = correlate(
      input({
        changes: [change()],
        imageSli: [
          { imageId: OLD, total: 1000, bad: 1 },
          { imageId: NEW, total: 1000, bad: 2 },
        ],
      }),
    );
    expect(result.suspects[0]!.score).toBe(87);
  });
});
