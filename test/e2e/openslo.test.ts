import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { RunningBurnwatch } from '../../src/app.js';
import { apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo, latencySlo, timesliceSlo } from '../support/fixtures.js';

let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  // SLOs on Prometheus need a Prometheus configured; none is queried here (the schedule is off in tests).
  burnwatch = await startTestApp({ engine: { prometheusUrl: 'http://127.0.0.1:9' } });
  api = apiClient(burnwatch.url);
});
afterAll(() => burnwatch.close());
beforeEach(() => resetDatabase());

type Doc = Record<string, any>;

const importYaml = (yaml: string) => api('POST', '/api/v1/openslo', yaml, 'application/yaml');
const yamlOf = (...docs: Doc[]) => docs.map((doc) => stringify(doc)).join('---\n');
const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/openslo/${name}`, import.meta.url), 'utf8');

/** The stored SLO as a user wrote it: the view without what the server adds. */
async function storedSpec(name: string): Promise<Doc | undefined> {
  const response = await api('GET', `/api/v1/slos/${name}`);
  if (response.status === 404) return undefined;
  const {
    id: _id,
    createdAt: _c,
    updatedAt: _u,
    errorBudget: _b,
    effectiveAlerting: _a,
    effectiveGrpcErrorCodes: _g,
    ...spec
  } = response.body;
  return spec;
}

/** An OpenSLO error-rate SLO on the sensor, as Burnwatch exports one; tests change a copy. */
function cartErrors(change: (doc: Doc) => void = () => {}): Doc {
  const selector = { namespace: 'shop', workload: 'cart' };
  const doc: Doc = {
    apiVersion: 'openslo/v1',
    kind: 'SLO',
    metadata: { name: 'cart-errors', displayName: 'Cart errors', labels: { team: 'payments' } },
    spec: {
      description: 'The cart answers without server errors',
      service: 'cart',
      indicator: {
        metadata: { name: 'cart-errors-sli' },
        spec: {
          ratioMetric: {
            counter: true,
            bad: { metricSource: { type: 'burnwatch', spec: { ...selector, errorStatus: '5xx' } } },
            total: { metricSource: { type: 'burnwatch', spec: selector } },
          },
        },
      },
      timeWindow: [{ duration: '28d', isRolling: true }],
      budgetingMethod: 'Occurrences',
      objectives: [{ target: 0.999 }],
    },
  };
  change(doc);
  return doc;
}

const CART_ERRORS_SPEC = {
  name: 'cart-errors',
  displayName: 'Cart errors',
  description: 'The cart answers without server errors',
  team: 'payments',
  service: { namespace: 'shop', workload: 'cart' },
  indicator: { type: 'errorRate', errorStatus: '5xx' },
  objective: 99.9,
  window: '28d',
  budgetingMethod: 'occurrences',
  source: { type: 'sensor' },
};

/** A latency SLO whose indicator lives in its own kind SLI document. */
const CHECKOUT_BY_REFERENCE = `
apiVersion: openslo/v1
kind: SLI
metadata:
  name: checkout-fast
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        type: burnwatch
        spec: { namespace: shop, workload: checkout, route: /api/checkout, method: POST, thresholdMs: 300 }
    total:
      metricSource:
        type: burnwatch
        spec: { namespace: shop, workload: checkout, route: /api/checkout, method: POST }
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-latency
spec:
  service: checkout
  indicatorRef: checkout-fast
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - targetPercent: 95
`;

describe('importing OpenSLO', () => {
  it('creates an SLO from one document with an inline indicator', async () => {
    const response = await importYaml(yamlOf(cartErrors()));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ created: ['cart-errors'], updated: [], ignored: [] });
    expect(response.body.slos[0]).toMatchObject(CART_ERRORS_SPEC);
    expect(await storedSpec('cart-errors')).toEqual(CART_ERRORS_SPEC);
  });

  it('creates several SLOs from a multi-document stream, an SLO finding its SLI by indicatorRef', async () => {
    const response = await importYaml(`${yamlOf(cartErrors())}---\n${CHECKOUT_BY_REFERENCE}`);
    expect(response.status).toBe(200);
    expect(response.body.created).toEqual(['cart-errors', 'checkout-latency']);
    expect(await storedSpec('checkout-latency')).toEqual({
      name: 'checkout-latency',
      description: '',
      service: { namespace: 'shop', workload: 'checkout', route: '/api/checkout', method: 'POST' },
      indicator: { type: 'latency', thresholdMs: 300 },
      objective: 95,
      window: '28d',
      budgetingMethod: 'occurrences',
      source: { type: 'sensor' },
    });
  });

  it('reads a top-level YAML list, a metric source finding its DataSource in the same list', async () => {
    const response = await importYaml(`- apiVersion: openslo/v1
  kind: DataSource
  metadata: { name: thanos }
  spec: { type: Prometheus, connectionDetails: { url: 'http://thanos:9090' } }
- apiVersion: openslo/v1
  kind: SLO
  metadata: { name: listed-availability }
  spec:
    service: listed
    indicator:
      metadata: { name: listed-sli }
      spec:
        ratioMetric:
          counter: true
          bad: { metricSource: { metricSourceRef: thanos, spec: { query: 'sum(requests_total{code=~"5.."})' } } }
          total: { metricSource: { metricSourceRef: thanos, spec: { query: 'sum(requests_total)' } } }
    timeWindow: [{ duration: 28d, isRolling: true }]
    budgetingMethod: Occurrences
    objectives: [{ target: 0.99 }]
`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.created).toEqual(['listed-availability']);
    expect(response.body.ignored).toEqual([
      {
        field: 'documents[0][0]',
        message: expect.stringMatching(/^DataSource "thanos" gives the type "Prometheus"/),
      },
    ]);
    expect(await storedSpec('listed-availability')).toMatchObject({
      source: { type: 'prometheus' },
      indicator: {
        type: 'ratio',
        badQuery: 'sum(requests_total{code=~"5.."})',
        totalQuery: 'sum(requests_total)',
      },
    });
  });

  it('accepts JSON as well as YAML', async () => {
    const response = await api('POST', '/api/v1/openslo', cartErrors());
    expect(response.status).toBe(200);
    expect(response.body.created).toEqual(['cart-errors']);
  });

  it('updates SLOs that exist and creates the others, keeping the id of the updated one', async () => {
    const first = await importYaml(yamlOf(cartErrors()));
    const id = first.body.slos[0].id;

    const second = await importYaml(
      `${yamlOf(cartErrors((d) => (d.spec.objectives[0].target = 0.995)))}---\n${CHECKOUT_BY_REFERENCE}`,
    );
    expect(second.status).toBe(200);
    expect(second.body.created).toEqual(['checkout-latency']);
    expect(second.body.updated).toEqual(['cart-errors']);
    const cart = await api('GET', '/api/v1/slos/cart-errors');
    expect(cart.body.objective).toBe(99.5);
    expect(cart.body.id).toBe(id);
    expect((await api('GET', '/api/v1/slos')).body.total).toBe(2);
  });

  it('stores nothing when one document of several is wrong, and leaves existing SLOs as they were', async () => {
    await importYaml(yamlOf(cartErrors()));
    const response = await importYaml(
      [
        yamlOf(cartErrors((d) => (d.spec.objectives[0].target = 0.9))),
        CHECKOUT_BY_REFERENCE,
        yamlOf(cartErrors((d) => (d.metadata.name = 'broken'))).replace('Occurrences', 'Sometimes'),
      ].join('---\n'),
    );
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      {
        field: 'documents[3].spec.budgetingMethod',
        message: 'must be "Occurrences" or "Timeslices", got "Sometimes"',
      },
    ]);
    expect((await storedSpec('cart-errors'))?.objective).toBe(99.9);
    expect(await storedSpec('checkout-latency')).toBeUndefined();
    expect((await api('GET', '/api/v1/slos')).body.total).toBe(1);
  });

  it('reports what it does not keep in "ignored" instead of dropping it silently', async () => {
    const yaml = [
      yamlOf(
        cartErrors((d) => {
          d.metadata.labels.tier = 'gold';
          d.metadata.annotations = { 'example.com/dashboard': 'https://grafana/d/cart' };
          d.spec.alertPolicies = [{ kind: 'AlertPolicy', metadata: { name: 'page-me' } }];
          d.spec.indicator.metadata.displayName = 'Cart 5xx';
          d.spec.indicator.spec.description = 'Server errors of the cart';
          d.spec.objectives[0].displayName = 'Mostly fine';
        }),
        { apiVersion: 'openslo/v1', kind: 'Service', metadata: { name: 'cart' }, spec: {} },
        {
          apiVersion: 'openslo/v1',
          kind: 'SLI',
          metadata: { name: 'unused' },
          spec: { ratioMetric: {} },
        },
      ),
    ].join('---\n');
    const response = await importYaml(yaml);
    expect(response.status).toBe(200);
    expect(response.body.created).toEqual(['cart-errors']);
    expect(response.body.ignored.map((i: { field: string }) => i.field)).toEqual([
      'documents[1]',
      'documents[0].metadata.labels.tier',
      'documents[0].metadata.annotations.example.com/dashboard',
      'documents[0].spec.alertPolicies',
      'documents[0].spec.objectives[0].displayName',
      'documents[0].spec.indicator.metadata.displayName',
      'documents[0].spec.indicator.spec.description',
      'documents[2]',
    ]);
    for (const notice of response.body.ignored) expect(notice.message).toMatch(/not (kept|stored|used)/);
    expect(await storedSpec('cart-errors')).toEqual(CART_ERRORS_SPEC);
  });

  it.each([
    {
      name: 'a metric source type Burnwatch cannot query',
      doc: cartErrors((d) => (d.spec.indicator.spec.ratioMetric.total.metricSource.type = 'Datadog')),
      field: 'documents[0].spec.indicator.spec.ratioMetric.total.metricSource.type',
      message: 'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Datadog"',
    },
    {
      name: 'a metric source that refers to a DataSource not in the request, without an inline type',
      doc: cartErrors((d) => {
        const source = d.spec.indicator.spec.ratioMetric.total.metricSource;
        delete source.type;
        source.metricSourceRef = 'prom';
      }),
      field: 'documents[0].spec.indicator.spec.ratioMetric.total.metricSource.metricSourceRef',
      message: /^names no DataSource in this request: "prom"; send the DataSource document with the SLO/,
    },
    {
      name: 'a calendar window of two months',
      doc: cartErrors((d) => {
        d.spec.timeWindow = [
          {
            duration: '2M',
            isRolling: false,
            calendar: { startTime: '2024-01-01 00:00:00', timeZone: 'UTC' },
          },
        ];
      }),
      field: 'documents[0].spec.timeWindow[0].duration',
      message: /must be 1w, 1M or 1Q with a calendar/,
    },
    {
      name: 'a window that is not rolling',
      doc: cartErrors((d) => (d.spec.timeWindow[0].isRolling = false)),
      field: 'documents[0].spec.timeWindow[0].duration',
      message: /must be 1w, 1M or 1Q with a calendar/,
    },
    {
      name: 'two windows',
      doc: cartErrors((d) => d.spec.timeWindow.push({ duration: '7d', isRolling: true })),
      field: 'documents[0].spec.timeWindow',
      message: /exactly one window/,
    },
    {
      name: 'the RatioTimeslices budgeting method',
      doc: cartErrors((d) => (d.spec.budgetingMethod = 'RatioTimeslices')),
      field: 'documents[0].spec.budgetingMethod',
      message: /RatioTimeslices is not supported/,
    },
    {
      name: 'two objectives (a composite SLO)',
      doc: cartErrors((d) => d.spec.objectives.push({ target: 0.99 })),
      field: 'documents[0].spec.objectives',
      message: /exactly one objective: Burnwatch has one objective per SLO \(no composite SLOs\), got 2/,
    },
    {
      name: 'an unknown field in spec',
      doc: cartErrors((d) => (d.spec.owner = 'me')),
      field: 'documents[0].spec.owner',
      message: /is not supported by Burnwatch \(known here: description, service/,
    },
    {
      name: 'an unknown field in a sensor selector',
      doc: cartErrors((d) => (d.spec.indicator.spec.ratioMetric.total.metricSource.spec.cluster = 'eu')),
      field: 'documents[0].spec.indicator.spec.ratioMetric.total.metricSource.spec.cluster',
      message: /is not supported by Burnwatch/,
    },
    {
      name: 'a Prometheus metric source with more than a query',
      doc: cartErrors((d) => {
        d.spec.indicator.spec.ratioMetric = {
          good: { metricSource: { type: 'Prometheus', spec: { query: 'a', step: '1m' } } },
          total: { metricSource: { type: 'Prometheus', spec: { query: 'b' } } },
        };
      }),
      field: 'documents[0].spec.indicator.spec.ratioMetric.good.metricSource.spec.step',
      message: /is not supported by Burnwatch \(known here: query, promql\)/,
    },
    {
      name: 'a raw ratio metric',
      doc: cartErrors((d) => (d.spec.indicator.spec.ratioMetric.rawType = 'success')),
      field: 'documents[0].spec.indicator.spec.ratioMetric.rawType',
      message: /is not supported by Burnwatch/,
    },
    {
      name: 'a numerator that selects other requests than the total',
      doc: cartErrors((d) => (d.spec.indicator.spec.ratioMetric.bad.metricSource.spec.workload = 'checkout')),
      field: 'documents[0].spec.indicator.spec.ratioMetric.bad.metricSource.spec.workload',
      message: 'must select the same requests as total (workload "cart"), got "checkout"',
    },
    {
      name: 'good and bad together',
      doc: cartErrors(
        (d) =>
          (d.spec.indicator.spec.ratioMetric.good = {
            metricSource: { type: 'burnwatch', spec: { workload: 'cart' } },
          }),
      ),
      field: 'documents[0].spec.indicator.spec.ratioMetric.good',
      message: 'give exactly one of good and bad',
    },
    {
      name: 'a gauge rather than a counter',
      doc: cartErrors((d) => (d.spec.indicator.spec.ratioMetric.counter = false)),
      field: 'documents[0].spec.indicator.spec.ratioMetric.counter',
      message: 'must be true: Burnwatch reads counters',
    },
    {
      name: 'both target and targetPercent',
      doc: cartErrors((d) => (d.spec.objectives[0].targetPercent = 99.9)),
      field: 'documents[0].spec.objectives[0].targetPercent',
      message: 'give either target or targetPercent, not both',
    },
    {
      name: 'a target given as text',
      doc: cartErrors((d) => (d.spec.objectives[0].target = '99.9%')),
      field: 'documents[0].spec.objectives[0].target',
      message: 'must be a number: a ratio such as 0.999',
    },
    {
      name: 'a target with more precision than Burnwatch keeps',
      doc: cartErrors((d) => (d.spec.objectives[0].target = 0.9999999)),
      field: 'documents[0].spec.objectives[0].target',
      message: "objective has at most 3 decimals, got 99.99999 (Burnwatch's objective)",
    },
    {
      name: 'a value on an objective of a ratio metric',
      doc: cartErrors((d) => (d.spec.objectives[0].value = 300)),
      field: 'documents[0].spec.objectives[0].value',
      message: 'applies only to a thresholdMetric, and this SLI has a ratioMetric',
    },
    {
      name: 'an objective of its own indicator (composite SLO)',
      doc: cartErrors((d) => (d.spec.objectives[0].indicatorRef = 'other')),
      field: 'documents[0].spec.objectives[0].indicatorRef',
      message: /is not supported by Burnwatch/,
    },
    {
      name: 'a window Burnwatch cannot keep',
      doc: cartErrors((d) => (d.spec.timeWindow[0].duration = '1Q')),
      field: 'documents[0].spec.timeWindow[0].duration',
      message: `must be a duration like "5m", "1h" or "28d", got "1Q" (Burnwatch's window)`,
    },
    {
      name: 'a name that is not a DNS label',
      doc: cartErrors((d) => (d.metadata.name = 'Cart_Errors')),
      field: 'documents[0].metadata.name',
      message: /DNS-label form/,
    },
    {
      name: 'a status that is not an HTTP status',
      doc: cartErrors((d) => (d.spec.indicator.spec.ratioMetric.bad.metricSource.spec.errorStatus = '6xx')),
      field: 'documents[0].spec.indicator.spec.ratioMetric.bad.metricSource.spec.errorStatus',
      message: /status classes or codes separated by commas/,
    },
    {
      name: 'a Slack channel annotation that is no channel',
      doc: cartErrors((d) => (d.metadata.annotations = { 'burnwatch.io/slack-channel': 'payments oncall' })),
      field: 'documents[0].metadata.annotations.burnwatch.io/slack-channel',
      message: /must be a channel name/,
    },
    {
      name: 'an unknown burnwatch.io annotation (a typo)',
      doc: cartErrors((d) => (d.metadata.annotations = { 'burnwatch.io/slack-chanel': '#x' })),
      field: 'documents[0].metadata.annotations.burnwatch.io/slack-chanel',
      message: /is not a Burnwatch annotation \(known: /,
    },
    {
      name: 'a namespace annotation on an SLO whose sensor selector names the namespace',
      doc: cartErrors((d) => (d.metadata.annotations = { 'burnwatch.io/namespace': 'other' })),
      field: 'documents[0].metadata.annotations.burnwatch.io/namespace',
      message: /applies only to an SLO on Prometheus queries/,
    },
    {
      name: 'alerting windows that are not JSON',
      doc: cartErrors((d) => (d.metadata.annotations = { 'burnwatch.io/alerting': 'page fast' })),
      field: 'documents[0].metadata.annotations.burnwatch.io/alerting',
      message: 'must be JSON such as {"windows":[…]}',
    },
    {
      name: 'two teams',
      doc: cartErrors((d) => (d.metadata.labels.team = ['payments', 'checkout'])),
      field: 'documents[0].metadata.labels.team',
      message: 'must name one team: a Burnwatch SLO belongs to one team, got 2',
    },
    {
      name: 'a threshold metric compared with "gt"',
      doc: cartErrors((d) => {
        d.spec.indicator.spec = {
          thresholdMetric: {
            metricSource: { type: 'burnwatch', spec: { workload: 'cart', percentile: 95 } },
          },
        };
        d.spec.budgetingMethod = 'Timeslices';
        d.spec.objectives = [{ op: 'gt', value: 300, target: 0.99, timeSliceWindow: '1m' }];
      }),
      field: 'documents[0].spec.objectives[0].op',
      message: /must be "lte" for a latency threshold/,
    },
    {
      name: 'a timeSliceTarget on a threshold metric',
      doc: cartErrors((d) => {
        d.spec.indicator.spec = {
          thresholdMetric: {
            metricSource: { type: 'burnwatch', spec: { workload: 'cart', percentile: 95 } },
          },
        };
        d.spec.budgetingMethod = 'Timeslices';
        d.spec.objectives = [
          { op: 'lte', value: 300, target: 0.99, timeSliceWindow: '1m', timeSliceTarget: 0.95 },
        ];
      }),
      field: 'documents[0].spec.objectives[0].timeSliceTarget',
      message: /is not supported with a thresholdMetric/,
    },
    {
      name: 'Timeslices without a timeSliceWindow',
      doc: cartErrors((d) => {
        d.spec.budgetingMethod = 'Timeslices';
        d.spec.objectives[0].timeSliceTarget = 0.95;
      }),
      field: 'documents[0].spec.objectives[0].timeSliceWindow',
      message: /is required with timeslices budgeting/,
    },
    {
      name: 'an older apiVersion',
      doc: cartErrors((d) => (d.apiVersion = 'openslo/v1alpha')),
      field: 'documents[0].apiVersion',
      message: 'must be "openslo/v1", got "openslo/v1alpha"',
    },
    {
      name: 'a kind OpenSLO does not have',
      doc: cartErrors((d) => (d.kind = 'Slo')),
      field: 'documents[0].kind',
      message:
        'must be one of SLO, SLI, DataSource, Service, AlertPolicy, AlertCondition, AlertNotificationTarget, got "Slo"',
    },
    {
      name: 'an indicatorRef to an SLI that is not in the request',
      doc: cartErrors((d) => {
        delete d.spec.indicator;
        d.spec.indicatorRef = 'elsewhere';
      }),
      field: 'documents[0].spec.indicatorRef',
      message: 'names no SLI document in this request: "elsewhere"',
    },
  ])('rejects $name, naming the OpenSLO path', async ({ doc, field, message }) => {
    const response = await importYaml(yamlOf(doc));
    expect(response.status).toBe(400);
    const error = response.body.errors.find((e: { field: string }) => e.field === field);
    expect(error, JSON.stringify(response.body.errors)).toBeDefined();
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
    expect((await api('GET', '/api/v1/slos')).body.total).toBe(0);
  });

  it('names the document of a YAML syntax error', async () => {
    const response = await importYaml(`${yamlOf(cartErrors())}---\nkind: SLO\n  metadata: [oops\n`);
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('documents[1]');
    expect(response.body.errors[0].message).toMatch(/^is not valid YAML: /);
  });

  it('refuses a YAML alias bomb with 400 rather than expanding it', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      lines.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const response = await importYaml(lines.join('\n'));
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('documents[0]');
  });

  it('refuses an empty body, saying how to send YAML', async () => {
    const response = await importYaml('');
    expect(response.status).toBe(400);
    expect(response.body.errors[0]).toEqual({
      field: '(body)',
      message: 'must hold OpenSLO YAML; send it with Content-Type: application/yaml',
    });
  });

  it('refuses a second SLI with the same name and an SLO defined twice', async () => {
    const sli = CHECKOUT_BY_REFERENCE.split('---')[0]!;
    const twice = await importYaml(`${sli}---\n${CHECKOUT_BY_REFERENCE}`);
    expect(twice.status).toBe(400);
    expect(twice.body.errors).toEqual([
      { field: 'documents[1].metadata.name', message: 'names the SLI "checkout-fast" a second time' },
    ]);
    const sloTwice = await importYaml(`${yamlOf(cartErrors())}---\n${yamlOf(cartErrors())}`);
    expect(sloTwice.status).toBe(400);
    expect(sloTwice.body.errors[0].message).toBe('define the SLO "cart-errors" twice');
  });

  it.each([
    {
      name: 'targetPercent instead of target',
      change: (d: Doc) => (d.spec.objectives = [{ targetPercent: 99.9 }]),
      expected: {},
    },
    {
      name: 'the team label as a list of one (labels may hold lists)',
      change: (d: Doc) => (d.metadata.labels.team = ['payments']),
      expected: {},
    },
    {
      name: 'a window in weeks, kept as days',
      change: (d: Doc) => (d.spec.timeWindow[0].duration = '4w'),
      expected: { window: '28d' },
    },
    {
      name: 'a metric source type in any case',
      change: (d: Doc) => (d.spec.indicator.spec.ratioMetric.total.metricSource.type = 'Burnwatch'),
      expected: {},
    },
    {
      name: 'a timeSliceWindow as a number of minutes',
      change: (d: Doc) => {
        d.spec.budgetingMethod = 'Timeslices';
        d.spec.objectives[0] = { target: 0.99, timeSliceWindow: 5, timeSliceTarget: 0.95 };
      },
      expected: { budgetingMethod: 'timeslices', objective: 99, timeslice: '5m', timesliceTarget: 95 },
    },
    {
      name: 'a timeSliceWindow as a duration',
      change: (d: Doc) => {
        d.spec.budgetingMethod = 'Timeslices';
        d.spec.objectives[0] = { target: 0.99, timeSliceWindow: '1h', timeSliceTarget: 0.9 };
      },
      expected: { budgetingMethod: 'timeslices', objective: 99, timeslice: '1h', timesliceTarget: 90 },
    },
    {
      name: 'the workload taken from spec.service when the selector names none',
      change: (d: Doc) => {
        const ratio = d.spec.indicator.spec.ratioMetric;
        delete ratio.bad.metricSource.spec.workload;
        delete ratio.total.metricSource.spec.workload;
      },
      expected: {},
    },
  ])('accepts $name', async ({ change, expected }) => {
    const response = await importYaml(yamlOf(cartErrors(change)));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(await storedSpec('cart-errors')).toEqual({ ...CART_ERRORS_SPEC, ...expected });
  });
});

describe("the OpenSLO specification's own examples", () => {
  const rejected = (errors: { field: string; message: string }[]) => errors.map((e) => e.field);

  it('rejects the occurrences example for its metric source type "Any", and takes it with the sensor', async () => {
    const original = fixture('spec-occurrences-threshold.yaml');
    const response = await importYaml(original);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      {
        field: 'documents[0].spec.indicator.spec.thresholdMetric.metricSource.type',
        message: 'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Any"',
      },
    ]);

    // The same SLO measured by the sensor: "each search answers within 500 ms, 99 % of them, over two weeks".
    const adapted = original
      .replace('type: Any', 'type: burnwatch')
      .replace('query: Any', 'workload: search')
      .replace('op: lt', 'op: lte');
    const accepted = await importYaml(adapted);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(await storedSpec('search-slo')).toEqual({
      name: 'search-slo',
      displayName: 'Searching time',
      description: 'Regardless of the number of paraller searches it never should be more than 500ms.',
      service: { workload: 'search' },
      indicator: { type: 'latency', thresholdMs: 500 },
      objective: 99,
      window: '14d',
      budgetingMethod: 'occurrences',
      source: { type: 'sensor' },
    });
    expect(accepted.body.ignored.map((i: { field: string }) => i.field)).toEqual([
      'documents[0].spec.alertPolicies',
      'documents[0].spec.objectives[0].displayName',
      'documents[0].spec.indicator.metadata.displayName',
      'documents[0].spec.service',
    ]);
  });

  it('rejects the RatioTimeslices example, naming the method and both metric sources', async () => {
    const response = await importYaml(fixture('spec-ratio-timeslices.yaml'));
    expect(response.status).toBe(400);
    expect(rejected(response.body.errors)).toEqual([
      'documents[0].spec.budgetingMethod',
      'documents[0].spec.indicator.spec.ratioMetric.good.metricSource.type',
      'documents[0].spec.indicator.spec.ratioMetric.total.metricSource.type',
    ]);
  });

  it('rejects the calendar timeslices example for its "1m" calendar and its two objectives', async () => {
    const response = await importYaml(fixture('spec-timeslices-calendar.yaml'));
    expect(response.status).toBe(400);
    expect(rejected(response.body.errors)).toEqual([
      'documents[0].spec.timeWindow[0].duration',
      'documents[0].spec.objectives',
      'documents[0].spec.indicator.spec.ratioMetric.good.metricSource.type',
      'documents[0].spec.indicator.spec.ratioMetric.total.metricSource.type',
    ]);
  });

  it('takes the low-traffic timeslices example once rolling and on the sensor, ignoring its "op"', async () => {
    const original = fixture('spec-low-traffic-timeslices.yaml');
    // Its calendar week (from Saturday noon in New York) is read; its "Any" metric sources are what is refused.
    expect(rejected((await importYaml(original)).body.errors)).toEqual([
      'documents[0].spec.indicator.spec.ratioMetric.good.metricSource.type',
      'documents[0].spec.indicator.spec.ratioMetric.total.metricSource.type',
    ]);
    // On Prometheus queries it is refused too: Burnwatch cuts time slices from the sensor's per-minute data.
    const rolling = parse(original) as Doc;
    rolling.spec.timeWindow = [{ duration: '1w', isRolling: true }];
    const ratio = rolling.spec.indicator.spec.ratioMetric;
    ratio.good.metricSource = { type: 'Prometheus', spec: { query: 'sum(increase(probes_ok[{{window}}]))' } };
    ratio.total.metricSource = { type: 'Prometheus', spec: { query: 'sum(increase(probes[{{window}}]))' } };
    expect((await importYaml(stringify(rolling))).body.errors).toEqual([
      {
        field: 'documents[0].spec.budgetingMethod',
        message:
          'must be "occurrences" with a Prometheus source (timeslices need the sensor data) (Burnwatch\'s budgetingMethod)',
      },
    ]);
    // Slices of the sensor's requests, good when 95 % of their requests are not server errors.
    rolling.spec.indicator.spec.ratioMetric = {
      bad: {
        metricSource: { type: 'burnwatch', spec: { workload: 'web-availability', errorStatus: '5xx' } },
      },
      total: { metricSource: { type: 'burnwatch', spec: { workload: 'web-availability' } } },
    };
    const accepted = await importYaml(stringify(rolling));
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(await storedSpec('service-availability')).toEqual({
      name: 'service-availability',
      displayName: 'SLO for this important service',
      description: '',
      service: { workload: 'web-availability' },
      indicator: { type: 'errorRate', errorStatus: '5xx' },
      objective: 99.95,
      window: '7d',
      budgetingMethod: 'timeslices',
      timeslice: '1m',
      timesliceTarget: 95,
      source: { type: 'sensor' },
    });
    expect(accepted.body.ignored).toContainEqual({
      field: 'documents[0].spec.objectives[0].op',
      message: 'has no meaning for a ratioMetric (the target is the share of good events) and is not kept',
    });
  });

  it('rejects the inline-SLI example for its Datadog DataSource and its missing window and method', async () => {
    const response = await importYaml(fixture('spec-inline-sli-datadog.yaml'));
    expect(response.status).toBe(400);
    expect(rejected(response.body.errors)).toEqual([
      'documents[0].spec.timeWindow',
      'documents[0].spec.budgetingMethod',
      'documents[0].spec.indicator.spec.ratioMetric.good.metricSource.type',
      'documents[0].spec.indicator.spec.ratioMetric.total.metricSource.type',
    ]);
  });

  it('takes the ratioMetric Prometheus example by indicatorRef, its redundant metricSourceRef reported', async () => {
    const accepted = await importYaml(fixture('spec-ratio-metric-prometheus.yaml'));
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({ created: ['localhost-availability'] });
    expect(rejected(accepted.body.ignored)).toEqual([
      'documents[0].spec.ratioMetric.good.metricSource.metricSourceRef',
      'documents[0].spec.ratioMetric.total.metricSource.metricSourceRef',
    ]);
    expect(await storedSpec('localhost-availability')).toMatchObject({
      service: { workload: 'localhost' },
      indicator: {
        type: 'ratio',
        goodQuery: 'sum(localhost_server_requests{code=~"2xx|3xx",host="*",instance="127.0.0.1:9090"})',
        totalQuery: 'localhost_server_requests{code="total",host="*",instance="127.0.0.1:9090"}',
      },
      objective: 99.95,
      source: { type: 'prometheus' },
    });
  });

  it('refuses an SLO on Prometheus when this Burnwatch has no Prometheus, naming the document', async () => {
    const withoutPrometheus = await startTestApp();
    try {
      const original = fixture('spec-ratio-metric-prometheus.yaml');
      const response = await apiClient(withoutPrometheus.url)(
        'POST',
        '/api/v1/openslo',
        original.replace(/\n\s+metricSourceRef: prometheus-datasource/g, ''),
        'application/yaml',
      );
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        {
          field: 'documents[1]',
          message:
            '"prometheus" needs BURNWATCH_PROMETHEUS_URL to be set on the Burnwatch service (Burnwatch\'s source.type)',
        },
      ]);
    } finally {
      await withoutPrometheus.close();
    }
  });

  it('reads the general-schema labels: a list of two teams is refused, the other labels reported', async () => {
    const original = fixture('spec-general-schema-metadata.yaml');
    const response = await importYaml(original);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      {
        field: 'documents[0].metadata.labels.team',
        message: 'must name one team: a Burnwatch SLO belongs to one team, got 2',
      },
    ]);
    const accepted = await importYaml(original.replace(/\n\s+- ['"]rbac['"]/, ''));
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(await storedSpec('identity-errors')).toMatchObject({ team: 'identity', window: '28d' });
    expect(accepted.body.ignored.map((i: { field: string }) => i.field)).toEqual([
      'documents[0].metadata.labels.organization',
      'documents[0].metadata.labels.costCentre',
      'documents[0].metadata.labels.serviceTier',
      'documents[0].metadata.annotations.openslo.com/key1',
      'documents[0].metadata.annotations.fooimplementation.com/key2',
    ]);
  });
});

describe('exporting OpenSLO', () => {
  it('answers with one openslo/v1 SLO document as YAML', async () => {
    await api('POST', '/api/v1/slos', latencySlo({ displayName: 'Checkout latency' }));
    const response = await api('GET', '/api/v1/slos/checkout-latency/openslo');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(parse(response.body as string)).toEqual({
      apiVersion: 'openslo/v1',
      kind: 'SLO',
      metadata: {
        name: 'checkout-latency',
        displayName: 'Checkout latency',
        labels: { team: 'payments' },
        annotations: { 'burnwatch.io/slack-channel': '#payments-oncall' },
      },
      spec: {
        description: 'Checkout answers fast',
        service: 'checkout',
        indicator: {
          metadata: { name: 'checkout-latency-sli' },
          spec: {
            ratioMetric: {
              counter: true,
              good: {
                metricSource: {
                  type: 'burnwatch',
                  spec: {
                    namespace: 'shop',
                    workload: 'checkout',
                    route: '/api/checkout',
                    method: 'POST',
                    thresholdMs: 300,
                  },
                },
              },
              total: {
                metricSource: {
                  type: 'burnwatch',
                  spec: { namespace: 'shop', workload: 'checkout', route: '/api/checkout', method: 'POST' },
                },
              },
            },
          },
        },
        timeWindow: [{ duration: '28d', isRolling: true }],
        budgetingMethod: 'Occurrences',
        objectives: [{ target: 0.95 }],
      },
    });
  });

  const customWindows = {
    windows: [
      { severity: 'page', longWindow: '1h', shortWindow: '5m', burnRate: 14.4 },
      { severity: 'ticket', longWindow: '3d', shortWindow: '6h', burnRate: 1 },
    ],
    minEvents: 50,
  };

  it.each([
    {
      kind: 'latency, occurrences, with team, Slack channel and displayName',
      body: latencySlo({ displayName: 'Checkout latency' }),
    },
    { kind: 'latency, timeslices with a percentile', body: timesliceSlo() },
    {
      kind: 'error rate with explicit status codes, no namespace, no team',
      body: errorRateSlo({
        team: undefined,
        service: { workload: 'nginx' },
        indicator: { type: 'errorRate', errorStatus: '500,503,429' },
      }),
    },
    {
      kind: 'error rate, timeslices with a timesliceTarget',
      body: errorRateSlo({
        budgetingMethod: 'timeslices',
        timeslice: '5m',
        timesliceTarget: 99.5,
        objective: 99.25,
      }),
    },
    {
      kind: 'Prometheus ratio counting good events',
      body: errorRateSlo({
        name: 'api-availability',
        source: { type: 'prometheus' },
        indicator: {
          type: 'ratio',
          goodQuery: 'sum(increase(http_requests_total{code!~"5.."}[{{window}}]))',
          totalQuery: 'sum(http_requests_total)',
        },
      }),
    },
    {
      kind: 'Prometheus ratio counting bad events, about one route and method',
      body: errorRateSlo({
        name: 'api-errors',
        service: { namespace: 'shop', workload: 'checkout', route: '/api/pay', method: 'POST' },
        source: { type: 'prometheus' },
        indicator: {
          type: 'ratio',
          badQuery: 'sum(increase(http_requests_total{code=~"5.."}[{{.Window}}]))',
          totalQuery: 'sum(increase(http_requests_total[{{ .window }}]))',
        },
      }),
    },
    { kind: 'latency on a Prometheus source', body: latencySlo({ source: { type: 'prometheus' } }) },
    { kind: 'custom alerting windows and minEvents', body: errorRateSlo({ alerting: customWindows }) },
    { kind: 'alerting switched off', body: errorRateSlo({ alerting: { windows: [] } }) },
    {
      kind: 'a description with YAML-hostile text',
      body: errorRateSlo({ description: 'Errors: "5xx" # not 4xx\n---\nsecond line' }),
    },
  ])('round-trips $kind losslessly: export, import, export', async ({ body }) => {
    const created = await api('POST', '/api/v1/slos', body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const name = created.body.name as string;
    const before = await storedSpec(name);
    const exported = (await api('GET', `/api/v1/slos/${name}/openslo`)).body as string;

    // Into an empty database: the same SLO comes back, with nothing to report as ignored.
    expect((await api('DELETE', `/api/v1/slos/${name}`)).status).toBe(204);
    const imported = await importYaml(exported);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toMatchObject({ created: [name], updated: [], ignored: [] });
    expect(await storedSpec(name)).toEqual(before);
    expect((await api('GET', `/api/v1/slos/${name}/openslo`)).body).toBe(exported);

    // And over itself: an update that changes nothing.
    const again = await importYaml(exported);
    expect(again.body).toMatchObject({ created: [], updated: [name] });
    expect(await storedSpec(name)).toEqual(before);
  });

  it('names the inline SLI within the 63 characters OpenSLO allows, also for the longest SLO name', async () => {
    const name = `a${'b'.repeat(61)}c`;
    expect((await api('POST', '/api/v1/slos', errorRateSlo({ name }))).status).toBe(201);
    const exported = parse((await api('GET', `/api/v1/slos/${name}/openslo`)).body as string) as Doc;
    expect(exported.spec.indicator.metadata.name).toBe(name);
  });

  it('exports every stored SLO as documents that import back together', async () => {
    const bodies = [latencySlo(), timesliceSlo(), errorRateSlo()];
    for (const body of bodies) expect((await api('POST', '/api/v1/slos', body)).status).toBe(201);
    const stream = [];
    for (const body of bodies) stream.push((await api('GET', `/api/v1/slos/${body.name}/openslo`)).body);
    const yaml = stream.join('---\n');
    expect(parseAllDocuments(yaml)).toHaveLength(3);
    const response = await importYaml(yaml);
    expect(response.body).toMatchObject({ created: [], updated: bodies.map((b) => b.name), ignored: [] });
  });
});
