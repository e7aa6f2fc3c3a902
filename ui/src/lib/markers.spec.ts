import { describe, expect, it } from 'vitest';
import type { Alert, Change } from '../api/types.js';
import { alertSegments, assignLanes, markersFromChanges, positionPercent } from './markers.js';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 25, 12, minute)).toISOString();
const sec = (minute: number) => Date.UTC(2026, 10, 25, 12, minute) / 1000;

const deploy = (minute: number, digest: string): Change => ({
  kind: 'deploy',
  at: at(minute),
  namespace: 'shop',
  workload: 'checkout',
  image: 'registry.example/shop/checkout:1.4.2',
  digest,
  previousDigest: 'sha256:000000000000aaaa',
});

const warning = (minute: number, reason: string, count = 1, message?: string): Change => ({
  kind: 'warning',
  at: at(minute),
  namespace: 'shop',
  workload: 'checkout',
  reason,
  count,
  message,
});

describe('markersFromChanges', () => {
  it('labels a deploy with its short digest and says which digest it replaced', () => {
    const [marker] = markersFromChanges([deploy(5, 'sha256:4f1c9a0b2e7d8899')], sec(0), sec(60), 600);
    expect(marker!.label).toBe('4f1c9a0b2e7d');
    expect(marker!.details).toContain('Digest 4f1c9a0b2e7d (was 000000000000)');
  });

  it('folds warnings of one reason within the fold span into one marker with the summed count', () => {
    const markers = markersFromChanges(
      [
        warning(1, 'BackOff', 3, 'Back-off restarting failed container'),
        warning(4, 'BackOff', 2),
        warning(30, 'BackOff'),
      ],
      sec(0),
      sec(60),
      600,
    );
    expect(markers.map((m) => m.label)).toEqual(['BackOff ×5', 'BackOff']);
    expect(markers[0]!.details[0]).toBe('5 Kubernetes warnings "BackOff" on shop/checkout over 3 m');
    expect(markers[0]!.details).toContain('Back-off restarting failed container');
  });

  it('keeps warnings of different reasons apart', () =>
    expect(
      markersFromChanges([warning(1, 'BackOff'), warning(2, 'Unhealthy')], sec(0), sec(60), 600),
    ).toHaveLength(2));

  it('leaves out changes outside the range and sorts the rest by time', () => {
    const markers = markersFromChanges(
      [
        deploy(50, 'sha256:bbbbbbbbbbbb'),
        deploy(90, 'sha256:cccccccccccc'),
        deploy(10, 'sha256:aaaaaaaaaaaa'),
      ],
      sec(0),
      sec(60),
      600,
    );
    expect(markers.map((m) => m.label)).toEqual(['aaaaaaaaaaaa', 'bbbbbbbbbbbb']);
  });
});

describe('positionPercent', () => {
  it.each([
    { name: 'the middle of the range', at: 50, expected: 50 },
    { name: 'before the range clamps to the left edge', at: -10, expected: 0 },
    { name: 'after the range clamps to the right edge', at: 500, expected: 100 },
  ])('$name', ({ at: t, expected }) => expect(positionPercent(t, 0, 100)).toBe(expected));
});

describe('alertSegments', () => {
  const alert = (
    id: string,
    start: number,
    end: number | null,
    severity: 'page' | 'ticket' = 'page',
  ): Alert =>
    ({
      id,
      slo: 'checkout-latency',
      severity,
      state: end === null ? 'firing' : 'resolved',
      startedAt: at(start),
      resolvedAt: end === null ? null : at(end),
    }) as Alert;

  it('places a resolved alert between its start and end', () => {
    const [segment] = alertSegments([alert('a', 15, 30)], sec(0), sec(60), sec(60));
    expect(segment!.leftPercent).toBeCloseTo(25);
    expect(segment!.widthPercent).toBeCloseTo(25);
  });
  it('draws a firing alert up to now', () => {
    const [segment] = alertSegments([alert('a', 30, null)], sec(0), sec(60), sec(45));
    expect(segment!.widthPercent).toBeCloseTo(25);
  });
  it('leaves out alerts outside the range', () =>
    expect(alertSegments([alert('old', 0, 5)], sec(10), sec(60), sec(60))).toEqual([]));
});

describe('assignLanes', () => {
  it('keeps markers that do not touch in one lane', () =>
    expect(
      assignLanes([
        { center: 50, width: 40 },
        { center: 200, width: 40 },
      ]),
    ).toEqual({ lanes: [0, 0], count: 1 }));
  it('stacks markers at the same time into lanes so that each stays clickable', () =>
    expect(
      assignLanes([
        { center: 300, width: 100 },
        { center: 302, width: 80 },
        { center: 305, width: 60 },
        { center: 500, width: 60 },
      ]),
    ).toEqual({ lanes: [0, 1, 2, 0], count: 3 }));
  it('reuses a lane once the earlier marker has ended', () =>
    expect(
      assignLanes([
        { center: 10, width: 20 },
        { center: 15, width: 20 },
        { center: 40, width: 20 },
      ]).lanes,
    ).toEqual([0, 1, 0]));
});
