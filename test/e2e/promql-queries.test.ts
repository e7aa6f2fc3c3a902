import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PromqlClient } from '../../src/sli/promql/promql-client.js';
import { windowQueries } from '../../src/sli/promql/promql-queries.js';
import { checkPromqlQuery, parsePromql } from '../../src/slo/domain/promql.js';
import type { SloSpec } from '../../src/slo/domain/slo.js';
import { apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo } from '../support/fixtures.js';
import { MetricsServer, startPrometheus, startVictoriaMetrics } from '../support/metrics-servers.js';
import { SensorStandIn } from '../support/sensor-standin.js';

const COUNT = 'http_server_request_duration_seconds_count';
const ERRORS = `${COUNT}{http_response_status_code=~"5.."}`;

/** Every accepted shape of a ratio query, each counting 1 bad request in 10. */
const SHAPES: { name: string; bad?: string; good?: string; total: string }[] = [
  {
    name: '{{window}} placeholders',
    bad: `sum(increase(${ERRORS}[{{window}}]))`,
    total: `sum(increase(${COUNT}[{{ window }}]))`,
  },
  {
    name: "sloth's {{.window}} placeholders",
    bad: `sum(increase(${ERRORS}[{{.window}}]))`,
    total: `sum by (http_route) (increase(${COUNT}[{{.window}}])) * 1`,
  },
  {
    name: "the OpenSLO SDK's {{.Window}} placeholders",
    bad: `sum(increase(${ERRORS}[{{ .Window }}]))`,
    total: `sum(increase(${COUNT}[{{.Window}}]))`,
  },
  { name: 'bare counter selectors', bad: ERRORS, total: COUNT },
  { name: 'sums of counters', bad: `sum(${ERRORS})`, total: `sum(${COUNT})` },
  {
    name: 'sums by a label',
    bad: `sum by (http_response_status_code) (${ERRORS})`,
    total: `sum without (http_route) (${COUNT})`,
  },
  {
    name: 'a difference of counters for the good events',
    good: `sum(${COUNT}) - sum(${ERRORS})`,
    total: `(sum(${COUNT}))`,
  },
];

async function until(condition: () => Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the metrics server');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function ratioSpec(shape: (typeof SHAPES)[number]): SloSpec {
  const { bad, good, total } = shape;
  return {
    name: 'ratio',
    description: '',
    service: { workload: 'checkout' },
    indicator: { type: 'ratio', totalQuery: total, ...(bad ? { badQuery: bad } : { goodQuery: good }) },
    objective: 99,
    window: '28d',
    budgetingMethod: 'occurrences',
    source: { type: 'prometheus' },
  };
}

describe.each([
  { name: 'Prometheus', start: startPrometheus },
  { name: 'VictoriaMetrics', start: startVictoriaMetrics },
])('the ratio queries Burnwatch sends to a real $name', ({ start }) => {
  let sensor: SensorStandIn;
  let server: MetricsServer;
  let traffic: NodeJS.Timeout;
  let client: PromqlClient;
  let served = 0;

  beforeAll(async () => {
    sensor = await new SensorStandIn({ namespace: 'shop', workload: 'checkout' }).start();
    // The series exist at zero before the first scrape, so that every request served after it is counted.
    sensor.record(0, 200, 0.02);
    sensor.record(0, 503, 0.02);
    server = await start(sensor.url);
    client = new PromqlClient(server.url);
    await until(
      async () => ((await client.scalar(`count(${COUNT})`, new Date()).catch(() => null)) ?? 0) >= 2,
    );
    // 10 requests every 100 ms, 1 of them a 503.
    traffic = setInterval(() => {
      sensor.record(9, 200, 0.02);
      sensor.record(1, 503, 0.02);
      served += 10;
    }, 100);
    await until(
      async () =>
        ((await client.scalar(`sum(increase(${COUNT}[1h]))`, new Date()).catch(() => null)) ?? 0) > 1000,
    );
  }, 120_000);

  afterAll(async () => {
    clearInterval(traffic);
    await server?.stop();
    await sensor?.stop();
  });

  it.each(SHAPES)('count the events of a window for $name', async (shape) => {
    expect(checkPromqlQuery(shape.total)).toMatchObject({ ok: true });
    const queries = windowQueries(ratioSpec(shape), 3600);
    const at = new Date();
    const servedThen = served;
    const total = await client.scalar(queries.total, at);
    const numerator = await client.scalar((queries.bad ?? queries.good)!, at);
    const bad = queries.bad !== undefined ? numerator! : total! - numerator!;
    // The hour covers the whole run: every request served so far, less what came after the last scrape (up to a
    // second's worth, 100 requests); Prometheus extrapolates at the edges by up to half a scrape interval.
    expect(total).toBeGreaterThan(servedThen * 0.85);
    expect(total).toBeLessThan(servedThen * 1.05);
    expect(bad / total!).toBeCloseTo(0.1, 1);
  });
});

/** Queries Prometheus parses (or refuses) after its grammar and type rules; Burnwatch's check must agree on each. */
const GRAMMAR_CASES = [
  // Accepted.
  'sum(rate(x{a="b"}[5m]))',
  'x',
  'x{}',
  '{a=~".+"}',
  '{a!~""}',
  'x[5m:1m]',
  'x[5m:]',
  'x[1h30m]',
  'x[5m]',
  '"text"',
  '1 > bool 2',
  'x == bool y',
  'x + bool 1',
  'topk(3, x)',
  'quantile(0.9, x)',
  'count_values("v", x)',
  'sum(x) by (a)',
  'sum without (a) (x)',
  'sum by () (x)',
  'sum by (a) (x) / on(a) group_left y',
  'x and on(a) y',
  'x or 2 > bool 1',
  'histogram_quantile(0.9, sum by (le) (rate(x[5m])))',
  'label_replace(x, "a", "$1", "b", "(.*)")',
  'round(x)',
  'round(x, 0.5)',
  'hour()',
  'time()',
  'pi()',
  'scalar(x) + 1',
  'x # a comment',
  '-x',
  '+x',
  'x @ 100',
  'x offset 5m @ 100',
  'x offset -5m',
  'rate(x[5m] offset 1h)',
  'rate(x[5m:1m])',
  'absent(nonexistent{job="a"})',
  'x{a="b",}',
  '0x1F + 1',
  'Inf',
  '-1e3',
  'x ^ 2 % 3',
  'x atan2 y',
  'x{a=~"(?i)get|post"}',
  'sum(increase(x[1h])) / 2',
  // Refused.
  'sum(',
  'rate(x[5m]',
  'foo bar',
  'foo(x)',
  'sum(x) offset 1h',
  '(sum(x)) - (sum(x) offset 1h)',
  'sum(x) @ 100',
  'rate(x[5m]) offset 1h',
  '(x) offset 5m',
  'sum(x)[5m]',
  '(x)[5m]',
  '{a=""}',
  '{a=~".*"}',
  '{a!="b"}',
  'x{__name__="y"}',
  'x{a=~"("}',
  'rate(x)',
  'rate(x[5m:])[5m:]',
  'sum(x[5m])',
  'sum(x, y)',
  'topk(x)',
  'count_values(1, x)',
  '1 > 2',
  'x and 1',
  '-x[5m]',
  '1 + x[5m]',
  'vector(1) and on(a) 1',
  'x and on(a) group_left y',
  'round(x, 1, 2)',
  'clamp(x, 0)',
  'abs(1)',
  '1h',
  'x[0s]',
  'count by (a)',
  'on',
  'sum',
  'rate',
];

describe('the PromQL check beside a real Prometheus', () => {
  let sensor: SensorStandIn;
  let server: MetricsServer;

  beforeAll(async () => {
    sensor = await new SensorStandIn().start();
    server = await startPrometheus(sensor.url);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await sensor?.stop();
  });

  it('accepts exactly the queries Prometheus accepts', async () => {
    const verdicts = [];
    for (const query of GRAMMAR_CASES) {
      const response = await fetch(new URL('/api/v1/query', server.url), {
        method: 'POST',
        body: new URLSearchParams({ query }),
      });
      const body = (await response.json()) as { status: string; error?: string };
      const ours = parsePromql(query);
      verdicts.push({
        query,
        prometheus: body.status === 'success' ? 'accepts' : `refuses: ${body.error}`,
        burnwatch: ours.ok ? 'accepts' : `refuses: ${ours.message}`,
      });
    }
    const disagreements = verdicts.filter(
      (v) => v.prometheus.startsWith('refuses') !== v.burnwatch.startsWith('refuses'),
    );
    expect(disagreements).toEqual([]);
    // The corpus holds both kinds, so that the agreement means something.
    expect(verdicts.filter((v) => v.prometheus === 'accepts').length).toBeGreaterThan(40);
    expect(verdicts.filter((v) => v.prometheus !== 'accepts').length).toBeGreaterThan(30);
  });
});

describe('PromQL refused over the API', () => {
  it('names the field and the position at create, PUT and PATCH, and stores nothing', async () => {
    await resetDatabase();
    // Validation needs no reachable server; the URL only enables Prometheus-sourced SLOs.
    const burnwatch = await startTestApp({ engine: { prometheusUrl: 'http://127.0.0.1:9' } });
    try {
      const api = apiClient(burnwatch.url);
      const good = errorRateSlo({
        name: 'ratio',
        source: { type: 'prometheus' },
        indicator: { type: 'ratio', badQuery: `sum(${ERRORS})`, totalQuery: `sum(${COUNT})` },
      });
      const broken = { type: 'ratio', badQuery: `sum(${ERRORS}) offset 1h`, totalQuery: `sum(${COUNT}` };
      const expected = [
        {
          field: 'indicator.badQuery',
          message: expect.stringMatching(/offset modifier.*\(at line 1, column 1\)/),
        },
        {
          field: 'indicator.totalQuery',
          message: expect.stringMatching(/ends too early.*\(at line 1, column 47\)/),
        },
      ];

      const created = await api('POST', '/api/v1/slos', { ...good, indicator: broken });
      expect(created.status).toBe(400);
      expect(created.body.errors).toEqual(expected);
      expect((await api('GET', '/api/v1/slos/ratio')).status).toBe(404);

      expect((await api('POST', '/api/v1/slos', good)).status).toBe(201);
      const put = await api('PUT', '/api/v1/slos/ratio', { ...good, indicator: broken });
      expect(put.status).toBe(400);
      expect(put.body.errors).toEqual(expected);
      const patched = await api('PATCH', '/api/v1/slos/ratio', {
        indicator: { badQuery: 'sum(rate(x[{{.window}}]))' },
      });
      expect(patched.status).toBe(400);
      expect(patched.body.errors).toEqual([
        {
          field: 'indicator.badQuery',
          message: expect.stringMatching(/instead of rate.*\(at line 1, column 5\)/),
        },
      ]);
      expect((await api('GET', '/api/v1/slos/ratio')).body.indicator).toEqual(good.indicator);
    } finally {
      await burnwatch.close();
    }
  });
});
