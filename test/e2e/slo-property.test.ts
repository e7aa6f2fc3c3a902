import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { RunningBurnwatch } from '../../src/app.js';
import { apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo, latencySlo, timesliceSlo } from '../support/fixtures.js';

/**
 * Property: whatever malformed body a client sends to POST, PUT or PATCH, the answer is a 4xx listing at least
 * one { field, message }, never a 5xx, and the stored SLOs do not change. Every generated body carries at least
 * one defect by construction (a wrong type, a number out of range, an unknown field, a null where a value is
 * required, an array for an object, text too long or unstorable, nesting no SLO has, broken JSON), so a body
 * that the API accepted would be a bug the listing comparison catches.
 */

let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;

const STORED = [latencySlo(), errorRateSlo(), timesliceSlo()];
type Body = Record<string, unknown>;

beforeAll(async () => {
  burnwatch = await startTestApp({ engine: { prometheusUrl: 'http://127.0.0.1:9' } });
  api = apiClient(burnwatch.url);
  await resetDatabase();
  for (const body of STORED) expect((await api('POST', '/api/v1/slos', body)).status).toBe(201);
});
afterAll(() => burnwatch.close());

async function listing(): Promise<unknown> {
  const page = await api('GET', '/api/v1/slos?limit=500');
  expect(page.status).toBe(200);
  return page.body;
}

// ---- Defects: values that make a field wrong whatever else the body holds ----

const nested = (depth: number, leaf: unknown = 1): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { deeper: value };
  return value;
};
const notAString = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
);
const notANumber = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.integer(), { maxKeys: 3 }),
  fc.constantFrom('99.9', '95%', '', '1e3'),
);
const notAnObject = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
);
/** Text PostgreSQL cannot store: NUL characters and unpaired surrogates. */
const unstorableText = fc
  .tuple(fc.string({ unit: 'binary', maxLength: 20 }), fc.constantFrom('\u0000', '\ud800', '\udfff'))
  .map(([text, bad]) => text + bad);
const hugeText = (min: number) => fc.integer({ min, max: 300_000 }).map((n) => 'x'.repeat(n));
const unicodeText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 });
/** A duration the API never takes: wrong unit, no unit, negative, zero, or not text. */
const badDuration = fc.oneof(
  fc.constantFrom('28', '28D', '1y', '2w', '0d', '-1h', '1.5h', 'PT1H', '', ' 1h', '99999999999999999999d'),
  unicodeText.map((t) => `${t}y`),
  notAString,
);

interface Defect {
  path: string[];
  value: fc.Arbitrary<unknown>;
}

const defects: Record<string, Defect[]> = {
  'wrong type': [
    { path: ['description'], value: notAString },
    { path: ['team'], value: notAString },
    { path: ['displayName'], value: notAString },
    { path: ['objective'], value: notANumber },
    { path: ['service', 'workload'], value: notAString },
    { path: ['service', 'namespace'], value: notAString },
    { path: ['indicator', 'thresholdMs'], value: notANumber },
    {
      path: ['indicator', 'type'],
      value: fc.oneof(notAString, fc.constantFrom('Latency', 'ratio ', '__proto__')),
    },
    {
      path: ['budgetingMethod'],
      value: fc.oneof(notAString, fc.constantFrom('Occurrences', 'RatioTimeslices')),
    },
    { path: ['window'], value: badDuration },
    { path: ['service', 'method'], value: fc.oneof(notAString, fc.constantFrom('get', 'CONNECT', 'TRACE')) },
    { path: ['alerting', 'minEvents'], value: fc.oneof(notANumber, fc.double({ min: 0.1, max: 0.9 })) },
  ],
  'out-of-range number': [
    {
      path: ['objective'],
      value: fc.oneof(
        fc.double({ max: 0, noNaN: true, noDefaultInfinity: true }),
        fc.double({ min: 100, noNaN: true, noDefaultInfinity: true }),
        fc.double({ min: 0.0001, max: 0.9999, noNaN: true }),
        fc.constantFrom(99.9999, 12.3456),
      ),
    },
    {
      path: ['indicator', 'thresholdMs'],
      value: fc.oneof(
        fc.double({ max: 0, noNaN: true, noDefaultInfinity: true }),
        fc.double({ min: 3_600_001, noNaN: true, noDefaultInfinity: true }),
      ),
    },
    {
      path: ['alerting', 'minEvents'],
      value: fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 1_000_001 })),
    },
    {
      path: ['alerting', 'windows'],
      value: fc
        .double({ max: 0, noNaN: true, noDefaultInfinity: true })
        .map((burnRate) => [{ severity: 'page', longWindow: '1h', shortWindow: '5m', burnRate }]),
    },
  ],
  'unknown field': [
    { path: ['x-unknown'], value: fc.jsonValue({ maxDepth: 2 }) },
    { path: ['service', 'cluster'], value: fc.jsonValue({ maxDepth: 2 }) },
    { path: ['notify', 'email'], value: fc.emailAddress() },
    { path: ['Objective'], value: fc.double() },
    { path: ['constructor'], value: fc.constant({ prototype: { polluted: true } }) },
  ],
  'null for a required value': [
    { path: ['service'], value: fc.constant(null) },
    { path: ['service', 'workload'], value: fc.constant(null) },
    { path: ['indicator'], value: fc.constant(null) },
    { path: ['indicator', 'type'], value: fc.constant(null) },
    { path: ['objective'], value: fc.constant(null) },
    { path: ['window'], value: fc.constant(null) },
  ],
  'array for an object': [
    { path: ['service'], value: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }) },
    { path: ['indicator'], value: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }) },
    { path: ['notify'], value: fc.array(fc.string(), { maxLength: 2 }) },
    { path: ['alerting'], value: fc.array(fc.integer(), { maxLength: 2 }) },
    { path: ['alerting', 'windows'], value: fc.array(notAnObject, { minLength: 1, maxLength: 3 }) },
  ],
  'huge text': [
    { path: ['description'], value: hugeText(1025) },
    { path: ['team'], value: hugeText(64) },
    { path: ['service', 'workload'], value: hugeText(254) },
    { path: ['service', 'route'], value: hugeText(257).map((t) => `/${t}`) },
    { path: ['displayName'], value: hugeText(254) },
  ],
  'unicode where the API wants ASCII, or unstorable text': [
    { path: ['service', 'namespace'], value: unicodeText.map((t) => `ns-${t}É`) },
    { path: ['notify', 'slackChannel'], value: unicodeText.map((t) => `#${t}É`) },
    { path: ['window'], value: unicodeText.map((t) => `${t}٢٨d`) },
    { path: ['description'], value: unstorableText },
    { path: ['team'], value: unstorableText },
    { path: ['service', 'workload'], value: unstorableText },
  ],
  'deep nesting': [
    { path: ['service'], value: fc.integer({ min: 2, max: 1_000 }).map((d) => nested(d)) },
    {
      path: ['indicator', 'thresholdMs'],
      value: fc.integer({ min: 1, max: 1_000 }).map((d) => nested(d, 300)),
    },
    { path: ['x-deep'], value: fc.integer({ min: 1, max: 1_000 }).map((d) => nested(d)) },
  ],
};
const CATEGORIES = Object.keys(defects);

/** Changes that may be valid; mixed in so that defects hide among realistic edits. */
const noise: Defect[] = [
  { path: ['description'], value: unicodeText },
  { path: ['team'], value: fc.constantFrom('payments', 'search', 'équipe-paiement') },
  { path: ['objective'], value: fc.constantFrom(90, 99, 99.5, 99.95) },
  { path: ['notify', 'slackChannel'], value: fc.constantFrom('#oncall', 'C0123ABCD') },
];

const defectArb = fc
  .constantFrom(...CATEGORIES)
  .chain((category) =>
    fc
      .constantFrom(...defects[category]!)
      .chain(({ path, value }) => value.map((v) => ({ category, path, value: v }))),
  );
const noiseArb = fc.constantFrom(...noise).chain(({ path, value }) => value.map((v) => ({ path, value: v })));

function setPath(target: Body, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const child = node[key];
    if (typeof child !== 'object' || child === null) node[key] = {};
    node = node[key] as Body;
  }
  // defineProperty so that "constructor" and the like become plain own fields.
  Object.defineProperty(node, path[path.length - 1]!, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

interface Attempt {
  method: 'POST' | 'PUT' | 'PATCH';
  path: string;
  body: unknown;
  contentType?: string;
  category: string;
}

/** A valid SLO (or, for PATCH, a patch) with noise, then one to three defects on distinct top-level fields. */
const mutated = fc
  .record({
    method: fc.constantFrom('POST', 'PUT', 'PATCH') as fc.Arbitrary<Attempt['method']>,
    target: fc.constantFrom(...STORED),
    noise: fc.array(noiseArb, { maxLength: 2 }),
    defects: fc.uniqueArray(defectArb, { minLength: 1, maxLength: 3, selector: (d) => d.path[0] }),
    truncate: fc.option(fc.double({ min: 0, max: 0.999, noNaN: true }), { freq: 8 }),
  })
  .map(({ method, target, noise, defects, truncate }): Attempt => {
    const base: Body =
      method === 'PATCH' ? {} : structuredClone(method === 'POST' ? { ...target, name: 'prop-new' } : target);
    for (const change of noise) setPath(base, change.path, change.value);
    for (const defect of defects) {
      // A defect replaces whatever noise put there.
      if (noise.some((n) => n.path[0] === defect.path[0])) delete base[defect.path[0]!];
      setPath(base, defect.path, defect.value);
    }
    const path = method === 'POST' ? '/api/v1/slos' : `/api/v1/slos/${target.name}`;
    if (truncate !== null) {
      const json = JSON.stringify(base);
      // At least "{": an empty body would be read as {}, a valid (empty) patch.
      const cut = Math.max(1, Math.floor(json.length * truncate));
      return { method, path, body: json.slice(0, cut), category: 'broken JSON' };
    }
    return { method, path, body: base, category: defects[0]!.category };
  });

/** Arbitrary JSON as the whole body; objects sent as a PATCH get an unknown field, as {} is a valid patch. */
const arbitraryJson = fc
  .record({
    method: fc.constantFrom('POST', 'PUT', 'PATCH') as fc.Arbitrary<Attempt['method']>,
    target: fc.constantFrom(...STORED),
    body: fc.jsonValue({ maxDepth: 5 }),
    unknownKey: fc.constantFrom('x-unknown', '__proto__', 'constructor', 'toString', ''),
    contentType: fc.constantFrom(
      'application/json',
      'application/json',
      'application/merge-patch+json',
      'text/plain',
      'application/yaml',
      'application/xml',
    ),
  })
  .map(({ method, target, body, unknownKey, contentType }): Attempt => {
    let sent: unknown = body;
    if (method === 'PATCH' && typeof body === 'object' && body !== null && !Array.isArray(body)) {
      const withUnknown: Body = {};
      setPath(withUnknown, [unknownKey], 1);
      for (const [key, value] of Object.entries(body))
        if (key !== unknownKey) setPath(withUnknown, [key], value);
      sent = withUnknown;
    }
    const path = method === 'POST' ? '/api/v1/slos' : `/api/v1/slos/${target.name}`;
    // Bodies of primitive JSON go as text: fetch would send a bare string unquoted.
    return { method, path, body: JSON.stringify(sent), contentType, category: 'arbitrary JSON' };
  });

describe('malformed SLO bodies (property-based)', () => {
  it('1,000 of them to POST, PUT and PATCH get a 4xx naming a field, never a 5xx, and change nothing', async () => {
    const before = await listing();
    const seen = new Map<string, number>();
    const count = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);

    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ arbitrary: mutated, weight: 3 }, { arbitrary: arbitraryJson, weight: 1 }),
        async (attempt) => {
          count(attempt.method);
          count(attempt.category);
          const response = await api(attempt.method, attempt.path, attempt.body, attempt.contentType);
          const what = `${attempt.method} ${attempt.path} (${attempt.category}) answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`;
          expect(response.status, what).toBeGreaterThanOrEqual(400);
          expect(response.status, what).toBeLessThan(500);
          const errors = (response.body as { errors?: unknown }).errors;
          expect(Array.isArray(errors) && errors.length > 0, what).toBe(true);
          for (const error of errors as { field: unknown; message: unknown }[]) {
            expect(typeof error.field === 'string' && error.field.length > 0, what).toBe(true);
            expect(typeof error.message === 'string' && error.message.length > 0, what).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );

    expect(await listing()).toEqual(before);
    // The generators reached every method and every kind of defect.
    for (const key of ['POST', 'PUT', 'PATCH', ...CATEGORIES, 'broken JSON', 'arbitrary JSON'])
      expect(seen.get(key) ?? 0, key).toBeGreaterThan(0);
  });
});

describe('bodies nested far deeper than JSON.stringify can build', () => {
  // Written as text: 100,000 levels, as a hostile client would send them.
  const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);

  it.each([
    ['POST', '/api/v1/slos', `{"service":${deep}}`],
    ['PUT', `/api/v1/slos/${STORED[0]!.name}`, `{"service":${deep}}`],
    ['PATCH', `/api/v1/slos/${STORED[0]!.name}`, `{"service":${deep}}`],
    ['PATCH', `/api/v1/slos/${STORED[0]!.name}`, `{"displayName":${deep}}`],
    ['POST', '/api/v1/openslo', deep],
  ])('%s %s answers 400', async (method, path, body) => {
    const before = await listing();
    const response = await api(method, path, body);
    expect(response.status).toBe(400);
    expect((response.body as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
    expect(await listing()).toEqual(before);
  });
});

describe('malformed OpenSLO imports (property-based)', () => {
  const valid = {
    apiVersion: 'openslo/v1',
    kind: 'SLO',
    metadata: { name: 'fuzz-errors', labels: { team: 'payments' } },
    spec: {
      service: 'cart',
      indicator: {
        metadata: { name: 'fuzz-errors-sli' },
        spec: {
          ratioMetric: {
            counter: true,
            bad: { metricSource: { type: 'burnwatch', spec: { workload: 'cart', errorStatus: '5xx' } } },
            total: { metricSource: { type: 'burnwatch', spec: { workload: 'cart' } } },
          },
        },
      },
      timeWindow: [{ duration: '28d', isRolling: true }],
      budgetingMethod: 'Occurrences',
      objectives: [{ target: 0.999 }],
    },
  };
  const paths = [
    ['apiVersion'],
    ['kind'],
    ['metadata'],
    ['metadata', 'name'],
    ['metadata', 'labels'],
    ['metadata', 'labels', 'team'],
    ['metadata', 'annotations'],
    ['spec', 'service'],
    ['spec', 'indicator'],
    ['spec', 'indicator', 'spec', 'ratioMetric'],
    ['spec', 'indicator', 'spec', 'ratioMetric', 'bad', 'metricSource'],
    ['spec', 'indicator', 'spec', 'ratioMetric', 'total', 'metricSource', 'type'],
    ['spec', 'indicator', 'spec', 'ratioMetric', 'total', 'metricSource', 'spec'],
    ['spec', 'timeWindow'],
    ['spec', 'timeWindow', '0'],
    ['spec', 'budgetingMethod'],
    ['spec', 'objectives'],
    ['spec', 'objectives', '0', 'target'],
    ['spec', 'objectives', '0', 'timeSliceWindow'],
    ['spec', 'indicatorRef'],
  ];

  it('300 mutated documents get 200 or a 400 naming an OpenSLO path, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.record({
            path: fc.constantFrom(...paths),
            value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), unstorableText, notAnObject),
          }),
          { minLength: 1, maxLength: 4, selector: (m) => m.path.join('.') },
        ),
        async (mutations) => {
          const doc = structuredClone(valid) as Body;
          for (const { path, value } of mutations) setPath(doc, path, value);
          const response = await api('POST', '/api/v1/openslo', stringify(doc), 'application/yaml');
          const what = `${JSON.stringify(mutations).slice(0, 300)} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`;
          expect([200, 400], what).toContain(response.status);
          if (response.status === 400) {
            const errors = (response.body as { errors: { field: string }[] }).errors;
            expect(errors.length, what).toBeGreaterThan(0);
            for (const error of errors) expect(error.field, what).toMatch(/^(documents|\(body\))/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
