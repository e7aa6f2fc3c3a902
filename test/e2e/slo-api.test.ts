import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo, latencySlo, timesliceSlo } from '../support/fixtures.js';

let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  burnwatch = await startTestApp();
  api = apiClient(burnwatch.url);
});
afterAll(() => burnwatch.close());
beforeEach(() => resetDatabase());

describe('the SLO resource', () => {
  it('creates an SLO and returns it with id, timestamps and its budget in words', async () => {
    const created = await api('POST', '/api/v1/slos', latencySlo());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...latencySlo(), source: { type: 'sensor' } });
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(created.body.createdAt)).not.toBeNaN();
    expect(created.body.errorBudget).toEqual({
      percent: 5,
      description: '5 % of requests over 28 d may take longer than 300 ms',
    });

    const fetched = await api('GET', '/api/v1/slos/checkout-latency');
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);
  });

  it('describes a 99.9 % error-rate budget as the issue asks', async () => {
    const created = await api('POST', '/api/v1/slos', errorRateSlo({ window: '28d' }));
    expect(created.body.errorBudget.description).toBe('0.1 % of requests over 28 d may fail');
    expect(created.body.effectiveAlerting.policy).toBe('default');
    // The workbook's 14.4× over windows scaled to 28 d (docs/burn-rate-math.md), not a 13.44× over 1 h.
    expect(created.body.effectiveAlerting.windows[0]).toEqual({
      severity: 'page',
      longWindow: '56m',
      shortWindow: '5m',
      burnRate: 14.4,
    });
    expect(created.body.effectiveAlerting.notes).toEqual([
      expect.stringContaining('windows scaled by 0.9333'),
    ]);
  });

  it('refuses explicit tiers that would alert while the SLO is met or could never fire, naming each', async () => {
    const response = await api(
      'POST',
      '/api/v1/slos',
      errorRateSlo({
        objective: 90,
        alerting: {
          windows: [
            { severity: 'ticket', longWindow: '3d', shortWindow: '6h', burnRate: 0.7 },
            { severity: 'page', longWindow: '1h', shortWindow: '5m', burnRate: 14.4 },
            { severity: 'page', longWindow: '6h', shortWindow: '30m', burnRate: 6 },
          ],
        },
      }),
    );
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'alerting.windows.0.burnRate', message: expect.stringContaining('must be at least 1') },
      { field: 'alerting.windows.1.burnRate', message: expect.stringContaining('must be at most 10') },
    ]);
  });

  it('describes a timeslices budget in bad slices', async () => {
    const created = await api('POST', '/api/v1/slos', timesliceSlo());
    expect(created.status).toBe(201);
    expect(created.body.errorBudget.description).toBe(
      '1 % of 1 m slices over 28 d may be bad (6 h 43 m 12 s), a slice being bad when its P95 is above 250 ms',
    );
  });

  it('refuses a second SLO with the same name with 409', async () => {
    await api('POST', '/api/v1/slos', latencySlo());
    const duplicate = await api('POST', '/api/v1/slos', latencySlo({ objective: 90 }));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors).toEqual([
      {
        field: 'name',
        message:
          'an SLO named "checkout-latency" already exists; use PUT /api/v1/slos/checkout-latency to change it',
      },
    ]);
    expect((await api('GET', '/api/v1/slos/checkout-latency')).body.objective).toBe(95);
  });

  it('answers 404 naming the SLO for get, put, patch, delete and export of an unknown name', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/v1/slos/nope', undefined],
      ['PUT', '/api/v1/slos/nope', latencySlo({ name: 'nope' })],
      ['PATCH', '/api/v1/slos/nope', { objective: 90 }],
      ['DELETE', '/api/v1/slos/nope', undefined],
      ['GET', '/api/v1/slos/nope/openslo', undefined],
    ] as const) {
      const response = await api(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body.errors).toEqual([{ field: 'name', message: 'no SLO is named "nope"' }]);
    }
  });

  it('replaces an SLO with PUT, keeping its id and creation time', async () => {
    const created = await api('POST', '/api/v1/slos', latencySlo());
    const replaced = await api(
      'PUT',
      '/api/v1/slos/checkout-latency',
      errorRateSlo({ name: 'checkout-latency' }),
    );
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      id: created.body.id,
      createdAt: created.body.createdAt,
      indicator: { type: 'errorRate' },
    });
    expect(replaced.body.notify).toBeUndefined();
    expect(Date.parse(replaced.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.body.updatedAt));
  });

  it('accepts a PUT of what GET returned (read-only fields are ignored) and without a name', async () => {
    const created = await api('POST', '/api/v1/slos', latencySlo());
    const roundTrip = await api('PUT', '/api/v1/slos/checkout-latency', { ...created.body, objective: 97.5 });
    expect(roundTrip.status).toBe(200);
    expect(roundTrip.body.objective).toBe(97.5);
    const { name: _name, ...withoutName } = latencySlo();
    expect((await api('PUT', '/api/v1/slos/checkout-latency', withoutName)).status).toBe(200);
  });

  it('refuses to rename through PUT', async () => {
    await api('POST', '/api/v1/slos', latencySlo());
    const renamed = await api('PUT', '/api/v1/slos/checkout-latency', latencySlo({ name: 'other' }));
    expect(renamed.status).toBe(400);
    expect(renamed.body.errors[0].field).toBe('name');
  });

  it('patches with a JSON merge patch, null removing a field, and validates the result', async () => {
    await api('POST', '/api/v1/slos', latencySlo());
    const patched = await api('PATCH', '/api/v1/slos/checkout-latency', {
      objective: 99,
      notify: null,
      service: { route: '/api/pay' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.objective).toBe(99);
    expect(patched.body.notify).toBeUndefined();
    expect(patched.body.service).toEqual({
      namespace: 'shop',
      workload: 'checkout',
      route: '/api/pay',
      method: 'POST',
    });

    const merged = await api(
      'PATCH',
      '/api/v1/slos/checkout-latency',
      { indicator: { thresholdMs: -1 } },
      'application/merge-patch+json',
    );
    expect(merged.status).toBe(400);
    expect(merged.body.errors).toEqual([
      { field: 'indicator.thresholdMs', message: 'must be a positive number of milliseconds' },
    ]);
    expect((await api('GET', '/api/v1/slos/checkout-latency')).body.indicator.thresholdMs).toBe(300);
  });

  it('deletes with 204 and the SLO is gone', async () => {
    await api('POST', '/api/v1/slos', latencySlo());
    const deleted = await api('DELETE', '/api/v1/slos/checkout-latency');
    expect(deleted.status).toBe(204);
    expect((await api('GET', '/api/v1/slos/checkout-latency')).status).toBe(404);
  });
});

describe('listing SLOs', () => {
  beforeEach(async () => {
    const bodies = [
      latencySlo({
        name: 'a-checkout',
        team: 'payments',
        service: { namespace: 'shop', workload: 'checkout' },
      }),
      errorRateSlo({ name: 'b-cart', team: 'payments', service: { namespace: 'shop', workload: 'cart' } }),
      errorRateSlo({
        name: 'c-search',
        team: 'discovery',
        service: { namespace: 'search', workload: 'search' },
      }),
      errorRateSlo({ name: 'd-local', team: 'discovery', service: { workload: 'nginx' } }),
      latencySlo({
        name: 'e-checkout-p99',
        team: 'payments',
        service: { namespace: 'shop', workload: 'checkout' },
      }),
    ];
    for (const body of bodies) expect((await api('POST', '/api/v1/slos', body)).status).toBe(201);
  });

  it.each([
    { query: '', names: ['a-checkout', 'b-cart', 'c-search', 'd-local', 'e-checkout-p99'] },
    { query: '?namespace=shop', names: ['a-checkout', 'b-cart', 'e-checkout-p99'] },
    { query: '?workload=checkout', names: ['a-checkout', 'e-checkout-p99'] },
    { query: '?team=discovery', names: ['c-search', 'd-local'] },
    { query: '?team=payments&workload=cart', names: ['b-cart'] },
    { query: '?namespace=nowhere', names: [] },
  ])('filters by "$query"', async ({ query, names }) => {
    const page = await api('GET', `/api/v1/slos${query}`);
    expect(page.status).toBe(200);
    expect(page.body.items.map((s: { name: string }) => s.name)).toEqual(names);
    expect(page.body.total).toBe(names.length);
  });

  it('pages through every SLO exactly once with limit and cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { body: { items: { name: string }[]; nextCursor: string | null; total: number } } =
        await api('GET', `/api/v1/slos?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      expect(page.body.total).toBe(5);
      seen.push(...page.body.items.map((s) => s.name));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual(['a-checkout', 'b-cart', 'c-search', 'd-local', 'e-checkout-p99']);
  });

  it.each(['0', '501', 'ten', '2.5'])('rejects limit=%s naming the parameter', async (limit) => {
    const response = await api('GET', `/api/v1/slos?limit=${limit}`);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'limit', message: `must be a whole number from 1 to 500, got "${limit}"` },
    ]);
  });
});

describe('bad requests', () => {
  it('lists every problem by field, with 400', async () => {
    const response = await api(
      'POST',
      '/api/v1/slos',
      latencySlo({ objective: 0.999, window: '2y', extra: true }),
    );
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'objective', message: 'is a percentage, not a ratio: for 99.9 % write 99.9, not 0.999' },
      { field: 'window', message: 'must be a duration like "5m", "1h" or "28d", got "2y"' },
      { field: 'extra', message: 'is not a known field' },
    ]);
  });

  it('answers 400, not 500, to a body that is not JSON', async () => {
    const response = await api('POST', '/api/v1/slos', '{"name": "x",', 'application/json');
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('(body)');
  });

  it('answers 400 to a missing body', async () => {
    const response = await api('POST', '/api/v1/slos');
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toEqual({
      field: '(body)',
      message: 'must be a JSON object describing one SLO',
    });
  });

  it('answers 404, not 500, to a name PostgreSQL could not even compare (a NUL character)', async () => {
    for (const method of ['GET', 'DELETE'] as const) {
      const response = await api(method, '/api/v1/slos/a%00b');
      expect(response.status, method).toBe(404);
      expect(response.body.errors[0].field).toBe('name');
    }
    expect((await api('PATCH', '/api/v1/slos/a%00b', { objective: 90 })).status).toBe(404);
    expect((await api('GET', '/api/v1/slos/a%00b/openslo')).status).toBe(404);
  });

  it('answers 400 to a list filter with a NUL character', async () => {
    const response = await api('GET', '/api/v1/slos?team=a%00b');
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'team', message: 'must not contain NUL characters or unpaired UTF-16 surrogates' },
    ]);
  });

  it('refuses a "__proto__" field in a merge patch as unknown instead of merging it', async () => {
    await api('POST', '/api/v1/slos', latencySlo());
    const response = await api(
      'PATCH',
      '/api/v1/slos/checkout-latency',
      '{"__proto__": {"displayName": "sneaked in"}}',
    );
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: '__proto__', message: 'is not a known field' }]);
    expect((await api('GET', '/api/v1/slos/checkout-latency')).body.displayName).toBeUndefined();
  });

  it('answers 404 with the error shape for an unknown route', async () => {
    const response = await api('GET', '/api/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body.errors[0].field).toBe('(request)');
  });
});

describe('operations endpoints', () => {
  it('says it is alive and ready with migrations applied', async () => {
    expect((await api('GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await api('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: 'ok', migrations: 'ok' });
  });

  it('serves the OpenAPI document with the SLO paths and schemas', async () => {
    const docs = await api('GET', '/api/docs-json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/slos',
        '/api/v1/slos/{name}',
        '/api/v1/openslo',
        '/api/v1/slos/{name}/openslo',
      ]),
    );
    expect(docs.body.components.schemas.SloInput.properties.objective).toBeDefined();
    expect((await fetch(`${burnwatch.url}/api/docs`)).status).toBe(200);
  });

  it('exports API request durations by matched route in /metrics', async () => {
    await api('GET', '/api/v1/slos/whatever');
    const metrics = await api('GET', '/metrics');
    expect(metrics.body).toMatch(
      /burnwatch_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/slos\/:name",status_code="404"\} [1-9]/,
    );
    expect(metrics.body).toContain('process_cpu_user_seconds_total');
  });
});

describe('with BURNWATCH_API_TOKEN set', () => {
  const token = 'test-token-0123456789';
  let secured: RunningBurnwatch;

  beforeAll(async () => {
    secured = await startTestApp({ apiToken: token });
  });
  afterAll(() => secured.close());

  it('refuses writes without the token with 401 and a reason', async () => {
    const response = await apiClient(secured.url)('POST', '/api/v1/slos', latencySlo());
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
    expect(response.body.errors[0].field).toBe('Authorization');
    expect((await apiClient(secured.url, 'wrong-token-000000000')('DELETE', '/api/v1/slos/x')).status).toBe(
      401,
    );
  });

  it('accepts writes with the token and keeps reads open', async () => {
    expect((await apiClient(secured.url, token)('POST', '/api/v1/slos', latencySlo())).status).toBe(201);
    expect((await apiClient(secured.url)('GET', '/api/v1/slos/checkout-latency')).status).toBe(200);
  });
});

describe('patching unknown fields', () => {
  it('refuses a null for a field SLOs do not have, rather than ignoring it', async () => {
    await api('POST', '/api/v1/slos', latencySlo());
    const response = await api('PATCH', '/api/v1/slos/checkout-latency', { 'x-unknown': null });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field: 'x-unknown', message: 'is not a known field' }]);
  });

  it.each([
    { name: 'an empty patch', patch: {} },
    { name: 'a patch of read-only fields only', patch: { id: 'x', createdAt: '2026-01-01T00:00:00Z' } },
  ])('answers 400 naming the body to $name, which would change nothing', async ({ patch }) => {
    await api('POST', '/api/v1/slos', latencySlo());
    const before = await api('GET', '/api/v1/slos/checkout-latency');
    const response = await api('PATCH', '/api/v1/slos/checkout-latency', patch);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      {
        field: '(body)',
        message: 'changes nothing: a merge patch names at least one SLO field (read-only fields are ignored)',
      },
    ]);
    expect((await api('GET', '/api/v1/slos/checkout-latency')).body).toEqual(before.body);
  });
});
