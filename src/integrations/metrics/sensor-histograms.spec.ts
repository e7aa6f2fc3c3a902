import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from './prometheus-text.js';
import { countDeltas, histogramsFrom, histogramsFromCompact } from './sensor-histograms.js';

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

  it('adds up the HTTP and HTTPS series of one route (url_scheme is not part of the series)', () => {
    const l = `service_name="checkout",http_request_method="GET",http_route="/api",http_response_status_code="200"`;
    const text = ['http', 'https']
      .flatMap((scheme, i) => [
        `http_server_request_duration_seconds_bucket{${l},url_scheme="${scheme}",le="0.1"} ${1 + i}`,
        `http_server_request_duration_seconds_bucket{${l},url_scheme="${scheme}",le="+Inf"} ${3 + i}`,
      ])
      .join('\n');
    const histograms = histogramsFrom(parsePrometheusText(text).samples);
    expect(histograms).toHaveLength(1);
    expect(histograms[0]!.cumulative).toEqual([3, 7]);
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

/** One series in the sensor's compact form: bounds 0.1 and 0.5, exact counts per threshold listed. */
const compact = (
  series: { status?: number; cumulative: number[]; good: number[] }[],
  thresholds: { ms: number; sinceSeconds: number }[],
  startTimeSeconds = 1000.25,
) => ({
  format: 'burnwatch-histograms/1',
  name: 'http_server_request_duration_seconds',
  startTimeSeconds,
  labelNames: [
    'k8s_namespace_name',
    'k8s_workload_name',
    'service_name',
    'http_request_method',
    'http_route',
    'http_response_status_code',
  ],
  bounds: [0.1, 0.5],
  thresholds,
  refusedThresholdsMs: [],
  series: series.map((s) => ({
    labels: ['shop', 'checkout', 'checkout', 'GET', '/api', String(s.status ?? 200)],
    cumulative: s.cumulative,
    sum: 0,
    good: s.good,
  })),
});

const read = (doc: ReturnType<typeof compact>) => {
  const reading = histogramsFromCompact(doc);
  return [reading.histograms, reading.startTime, reading.thresholds] as const;
};

describe('exact thresholds in the compact form', () => {
  it("reads labels, cumulative counts and each threshold's count", () => {
    const { histograms, startTime, thresholds } = histogramsFromCompact(
      compact([{ cumulative: [3, 5, 6], good: [4] }], [{ ms: 350, sinceSeconds: 1200 }]),
    );
    expect(startTime).toBe(1000.25);
    expect([...thresholds]).toEqual([[350, 1200]]);
    expect(histograms[0]).toMatchObject({
      labels: { namespace: 'shop', workload: 'checkout', route: '/api', statusCode: 200, method: 'GET' },
      bounds: [0.1, 0.5],
      cumulative: [3, 5, 6],
    });
    expect([...histograms[0]!.good!]).toEqual([[350, 4]]);
  });

  it('adds up two series the engine cannot tell apart (HTTP and HTTPS), exact counts too', () => {
    const { histograms } = histogramsFromCompact(
      compact(
        [
          { cumulative: [3, 5, 6], good: [4] },
          { cumulative: [1, 1, 2], good: [1] },
        ],
        [{ ms: 350, sinceSeconds: 1200 }],
      ),
    );
    expect(histograms).toHaveLength(1);
    expect(histograms[0]!.cumulative).toEqual([4, 6, 8]);
    expect([...histograms[0]!.good!]).toEqual([[350, 5]]);
  });

  it('refuses a document of another format', () => {
    expect(() => histogramsFromCompact({ format: 'other' })).toThrow(/burnwatch-histograms\/1/);
  });

  it('skips a series whose counts do not fit the bounds', () => {
    const { histograms } = histogramsFromCompact(compact([{ cumulative: [3, 6], good: [] }], []));
    expect(histograms).toEqual([]);
  });

  const T350 = [{ ms: 350, sinceSeconds: 1200 }];
  it.each([
    {
      name: 'a threshold counted over the whole interval splits its bucket exactly',
      first: compact([{ cumulative: [3, 5, 6], good: [4] }], T350),
      second: compact([{ cumulative: [4, 10, 12], good: [7] }], T350),
      expected: [{ bounds: [0.1, 0.35, 0.5], buckets: [1, 2, 2, 1], requests: 6 }],
    },
    {
      name: 'a threshold new in this reading is not known for the interval: the sensor bounds only',
      first: compact([{ cumulative: [3, 5, 6], good: [] }], []),
      second: compact([{ cumulative: [4, 10, 12], good: [0] }], T350),
      expected: [{ bounds: [0.1, 0.5], buckets: [1, 4, 1], requests: 6 }],
    },
    {
      name: 'a threshold counted again from a later moment (forgotten, then asked for) is not known either',
      first: compact([{ cumulative: [3, 5, 6], good: [4] }], T350),
      second: compact([{ cumulative: [4, 10, 12], good: [1] }], [{ ms: 350, sinceSeconds: 5000 }]),
      expected: [{ bounds: [0.1, 0.5], buckets: [1, 4, 1], requests: 6 }],
    },
    {
      name: 'a series new since the previous reading is counted within the threshold in full',
      first: compact([{ cumulative: [3, 5, 6], good: [4] }], T350),
      second: compact(
        [
          { cumulative: [3, 5, 6], good: [4] },
          { status: 503, cumulative: [0, 3, 3], good: [2] },
        ],
        T350,
      ),
      expected: [{ bounds: [0.1, 0.35, 0.5], buckets: [0, 2, 1, 0], requests: 3 }],
    },
    {
      name: 'a series that reset is counted within the threshold in full',
      first: compact([{ cumulative: [30, 50, 60], good: [40] }], T350),
      second: compact([{ cumulative: [1, 3, 3], good: [2] }], T350),
      expected: [{ bounds: [0.1, 0.35, 0.5], buckets: [1, 1, 1, 0], requests: 3 }],
    },
    {
      name: 'a threshold equal to a bound adds no bound',
      first: compact([{ cumulative: [3, 5, 6], good: [5] }], [{ ms: 500, sinceSeconds: 1200 }]),
      second: compact([{ cumulative: [4, 10, 12], good: [10] }], [{ ms: 500, sinceSeconds: 1200 }]),
      expected: [{ bounds: [0.1, 0.5], buckets: [1, 4, 1], requests: 6 }],
    },
    {
      name: 'a restarted sensor counts in full without exact counts (its thresholds start again)',
      first: compact([{ cumulative: [3, 5, 6], good: [4] }], T350),
      second: compact([{ cumulative: [1, 2, 2], good: [2] }], T350, 9000),
      expected: [{ bounds: [0.1, 0.5], buckets: [1, 1, 0], requests: 2 }],
    },
    {
      name: 'an exact count outside the counts of its bucket is not used',
      first: compact([{ cumulative: [3, 5, 6], good: [4] }], T350),
      second: compact([{ cumulative: [4, 10, 12], good: [20] }], T350),
      expected: [{ bounds: [0.1, 0.5], buckets: [1, 4, 1], requests: 6 }],
    },
  ])('$name', ({ first, second, expected }) => {
    const [h1, s1, t1] = read(first);
    const [h2, s2, t2] = read(second);
    const previous = countDeltas({ startTime: s1, cumulative: new Map() }, h1, s1, t1).next;
    const { deltas } = countDeltas(previous, h2, s2, t2);
    expect(deltas.map(({ bounds, buckets, requests }) => ({ bounds, buckets, requests }))).toEqual(expected);
  });

  it('continues from a text reading (no start time, as the sensor prints it) to a compact one', () => {
    const text = countDeltas(undefined, scrape([{ status: 200, b01: 3, b05: 5, inf: 6 }]), undefined).next;
    const [histograms, startTime, thresholds] = read(compact([{ cumulative: [4, 10, 12], good: [7] }], T350));
    const { deltas } = countDeltas(text, histograms, startTime, thresholds);
    expect(deltas.map(({ bounds, buckets }) => ({ bounds, buckets }))).toEqual([
      { bounds: [0.1, 0.5], buckets: [1, 4, 1] },
    ]);
  });

  it('keeps the exact counts of a series missing from one reading for when it is back', () => {
    const [h1, s1, t1] = read(compact([{ cumulative: [3, 5, 6], good: [4] }], T350));
    const [h2, s2, t2] = read(compact([], T350));
    const [h3, s3, t3] = read(compact([{ cumulative: [4, 10, 12], good: [7] }], T350));
    const one = countDeltas({ startTime: s1, cumulative: new Map() }, h1, s1, t1).next;
    const two = countDeltas(one, h2, s2, t2).next;
    const { deltas } = countDeltas(two, h3, s3, t3);
    expect(deltas.map(({ bounds, buckets }) => ({ bounds, buckets }))).toEqual([
      { bounds: [0.1, 0.35, 0.5], buckets: [1, 2, 2, 1] },
    ]);
  });
});
