import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from './prometheus-text.js';
import { countDeltas, histogramsFrom } from './sensor-histograms.js';

const exposition = (counts: { status: number; b01: number; b05: number; inf: number }[]) =>
  counts
    .flatMap(({ status, b01, b05, inf }) => {
      const l = `k8s_namespace_name="shop",k8s_workload_name="checkout",service_name="checkout",http_request_method="GET",http_route="/api",http_response_status_code="${status}"`;
      return [
        `http_server_request_duration_seconds_bucket{${l},le="0.1"} ${b01}`,
        `http_server_request_duration_seconds_bucket{${l},le="0.5"} ${b05}`,
        `http_server_request_duration_seconds_bucket{${l},le="+Inf"} ${inf}`,
        `http_server_request_duration_seconds_count{${l}} ${inf}`,
      ];
    })
    .join('\n');

const scrape = (counts: Parameters<typeof exposition>[0]) =>
  histogramsFrom(parsePrometheusText(exposition(counts)).samples);

describe('sensor histograms', () => {
  it('groups bucket samples into one histogram per label set', () => {
    const [histogram] = scrape([{ status: 200, b01: 3, b05: 5, inf: 6 }]);
    expect(histogram).toMatchObject({
      labels: {
        namespace: 'shop',
        workload: 'checkout',
        statusCode: 200,
        route: '/api',
        method: 'GET',
        imageId: '',
      },
      bounds: [0.1, 0.5],
      cumulative: [3, 5, 6],
    });
  });

  it.each([
    {
      name: 'the first scrape of a target is a baseline',
      first: undefined,
      second: [{ status: 200, b01: 3, b05: 5, inf: 6 }],
      expected: [],
    },
    {
      name: 'an increase gives per-bucket requests',
      first: [{ status: 200, b01: 3, b05: 5, inf: 6 }],
      second: [{ status: 200, b01: 4, b05: 8, inf: 10 }],
      expected: [{ buckets: [1, 2, 1], requests: 4 }],
    },
    {
      name: 'a counter that went down is a reset: the whole count is new',
      first: [{ status: 200, b01: 30, b05: 50, inf: 60 }],
      second: [{ status: 200, b01: 1, b05: 1, inf: 2 }],
      expected: [{ buckets: [1, 0, 1], requests: 2 }],
    },
    {
      name: 'a series new on a known target counts in full',
      first: [{ status: 200, b01: 3, b05: 5, inf: 6 }],
      second: [
        { status: 200, b01: 3, b05: 5, inf: 6 },
        { status: 503, b01: 0, b05: 0, inf: 2 },
      ],
      expected: [{ buckets: [0, 0, 2], requests: 2 }],
    },
    {
      name: 'no change gives no delta',
      first: [{ status: 200, b01: 3, b05: 5, inf: 6 }],
      second: [{ status: 200, b01: 3, b05: 5, inf: 6 }],
      expected: [],
    },
  ])('$name', ({ first, second, expected }) => {
    const previous = first
      ? countDeltas({ startTime: 1, cumulative: new Map() }, scrape(first), 1).next
      : undefined;
    const { deltas } = countDeltas(previous, scrape(second), 1);
    expect(deltas.map(({ buckets, requests }) => ({ buckets, requests }))).toEqual(expected);
  });

  it('continues a series missing from one scrape from its last counts when it is back', () => {
    const first = countDeltas(
      undefined,
      scrape([
        { status: 200, b01: 3, b05: 5, inf: 6 },
        { status: 503, b01: 0, b05: 0, inf: 40 },
      ]),
      1,
    ).next;
    const gap = countDeltas(first, scrape([{ status: 200, b01: 4, b05: 6, inf: 7 }]), 1);
    expect(gap.deltas.map((d) => d.requests)).toEqual([1]);
    const back = countDeltas(
      gap.next,
      scrape([
        { status: 200, b01: 4, b05: 6, inf: 7 },
        { status: 503, b01: 0, b05: 0, inf: 42 },
      ]),
      1,
    );
    expect(back.deltas.map((d) => ({ status: d.labels.statusCode, requests: d.requests }))).toEqual([
      { status: 503, requests: 2 },
    ]);
  });

  it('forgets a missing series when the sensor restarted: back, it counts in full', () => {
    const first = countDeltas(
      undefined,
      scrape([
        { status: 200, b01: 3, b05: 5, inf: 6 },
        { status: 503, b01: 0, b05: 0, inf: 40 },
      ]),
      1,
    ).next;
    const restarted = countDeltas(first, scrape([{ status: 200, b01: 1, b05: 1, inf: 1 }]), 2);
    expect(restarted.next.cumulative.size).toBe(1);
    const back = countDeltas(
      restarted.next,
      scrape([
        { status: 200, b01: 1, b05: 1, inf: 1 },
        { status: 503, b01: 0, b05: 0, inf: 3 },
      ]),
      2,
    );
    expect(back.deltas.map((d) => d.requests)).toEqual([3]);
  });

  it('treats a changed sensor start time as a reset of every counter', () => {
    const previous = countDeltas(
      { startTime: 1, cumulative: new Map() },
      scrape([{ status: 200, b01: 3, b05: 5, inf: 6 }]),
      100,
    ).next;
    const { deltas } = countDeltas(previous, scrape([{ status: 200, b01: 4, b05: 6, inf: 7 }]), 200);
    expect(deltas[0]!.requests).toBe(7);
  });
});
