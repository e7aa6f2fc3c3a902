import { describe, expect, it } from 'vitest';
import { parseOpenSlo } from './openslo.js';

/** A Prometheus ratio SLO whose two metric sources are `source` (a YAML flow mapping without the query). */
const slo = (source: string, indent = '') =>
  `apiVersion: openslo/v1
kind: SLO
metadata: { name: checkout-availability }
spec:
  service: checkout
  indicator:
    metadata: { name: checkout-sli }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { ${source}, spec: { query: 'sum(http_requests_total{code!~"5.."})' } } }
        total: { metricSource: { ${source}, spec: { query: 'sum(http_requests_total)' } } }
  timeWindow: [{ duration: 28d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.999 }]`
    .split('\n')
    .map((line, i) => (i === 0 ? line : indent + line))
    .join('\n');

const dataSource = (type: string, indent = '') =>
  `apiVersion: openslo/v1
kind: DataSource
metadata: { name: thanos }
spec: { type: ${type}, connectionDetails: { url: 'http://thanos:9090' } }`
    .split('\n')
    .map((line, i) => (i === 0 ? line : indent + line))
    .join('\n');

const GOOD = 'documents[0].spec.indicator.spec.ratioMetric.good.metricSource';

describe('parseOpenSlo: YAML lists and metric source references', () => {
  it.each([
    {
      name: 'a top-level YAML list of objects, as the OpenSLO Go SDK and oslo write, is read item by item',
      yaml: `- ${dataSource('Prometheus', '  ')}\n- ${slo('metricSourceRef: thanos', '  ')}`,
      slos: ['checkout-availability'],
      ignored: [
        'documents[0][0]: DataSource "thanos" gives the type "Prometheus" of the metric sources that name it; its connection details are not used: Burnwatch queries the Prometheus it is configured with (BURNWATCH_PROMETHEUS_URL)',
      ],
    },
    {
      name: 'a metricSourceRef naming a DataSource in another document of the request takes its type',
      yaml: `${dataSource('prometheus')}\n---\n${slo('metricSourceRef: thanos')}`,
      slos: ['checkout-availability'],
      ignored: [expect.stringMatching(/^documents\[0\]: DataSource "thanos" gives the type "prometheus"/)],
    },
    {
      name: 'a metricSourceRef beside an inline type of the same DataSource is accepted',
      yaml: `${dataSource('Prometheus')}\n---\n${slo('metricSourceRef: thanos, type: Prometheus')}`,
      slos: ['checkout-availability'],
      ignored: [expect.stringMatching(/^documents\[0\]: DataSource "thanos" gives the type/)],
    },
    {
      name: 'a redundant metricSourceRef naming no DataSource beside an inline source is reported, not refused',
      yaml: slo('metricSourceRef: thanos, type: Prometheus'),
      slos: ['checkout-availability'],
      ignored: [
        `${GOOD}.metricSourceRef: names no DataSource in this request and is not kept: the inline type "Prometheus" and spec are used`,
        `${GOOD.replace('good', 'total')}.metricSourceRef: names no DataSource in this request and is not kept: the inline type "Prometheus" and spec are used`,
      ],
    },
  ])('$name', ({ yaml, slos, ignored }) => {
    const parsed = parseOpenSlo(yaml);
    expect(parsed.ok ? parsed.slos.map((s) => s.name) : parsed.errors).toEqual(slos);
    expect(parsed.ok && parsed.ignored.map((e) => `${e.field}: ${e.message}`)).toEqual(ignored);
  });

  it.each([
    {
      name: 'a metricSourceRef naming nothing, with no inline type, says what to send',
      yaml: slo('metricSourceRef: thanos'),
      field: `${GOOD}.metricSourceRef`,
      message:
        'names no DataSource in this request: "thanos"; send the DataSource document with the SLO, or give the metric source\'s type inline',
    },
    {
      name: 'an inline type that contradicts the DataSource named is refused, naming both',
      yaml: `${dataSource('Datadog')}\n---\n${slo('metricSourceRef: thanos, type: Prometheus')}`,
      field: 'documents[1].spec.indicator.spec.ratioMetric.good.metricSource.type',
      message: 'is "Prometheus", but the DataSource "thanos" it names (documents[0]) is of type "Datadog"',
    },
    {
      name: 'a DataSource of a type Burnwatch cannot read is refused where it is used, naming the DataSource',
      yaml: `${dataSource('Datadog')}\n---\n${slo('metricSourceRef: thanos')}`,
      field: 'documents[1].spec.indicator.spec.ratioMetric.good.metricSource.type',
      message:
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Datadog" (the type of the DataSource "thanos", documents[0])',
    },
    {
      name: 'a DataSource without a type is refused',
      yaml: 'apiVersion: openslo/v1\nkind: DataSource\nmetadata: { name: thanos }\nspec: {}',
      field: 'documents[0].spec.type',
      message: 'is required: the metric source type of the DataSource, such as Prometheus',
    },
    {
      name: 'an item of a YAML list that is not an object is named by its place in the list',
      yaml: `- ${slo('type: Prometheus', '  ')}\n- just text`,
      field: 'documents[0][1]',
      message: 'must be an OpenSLO object with apiVersion, kind, metadata and spec, got "just text"',
    },
    {
      name: 'a document that is neither an object nor a list says that a list would do',
      yaml: 'just text',
      field: 'documents[0]',
      message:
        'must be an OpenSLO object with apiVersion, kind, metadata and spec (or a list of them), got "just text"',
    },
  ])('$name', ({ yaml, field, message }) => {
    const parsed = parseOpenSlo(yaml);
    expect(parsed.ok ? parsed.slos : parsed.errors).toContainEqual({ field, message });
  });

  it("reads a Prometheus query written as Nobl9's spec.promql, and names that path when it is wrong", () => {
    const yaml = slo('type: Prometheus')
      .replace(/query:/g, 'promql:')
      .replace('sum(http_requests_total)', 'sum(');
    const parsed = parseOpenSlo(yaml);
    expect(parsed.ok ? parsed.slos : parsed.errors).toEqual([
      {
        field: 'documents[0].spec.indicator.spec.ratioMetric.total.metricSource.spec.promql',
        message: expect.stringMatching(/^ends too early.*\(Burnwatch's indicator\.totalQuery\)$/),
      },
    ]);
  });
});

describe('calendar windows in OpenSLO', () => {
  const withWindow = (window: string) =>
    slo('type: Prometheus').replace(
      'timeWindow: [{ duration: 28d, isRolling: true }]',
      `timeWindow: [${window}]`,
    );

  it.each([
    {
      name: "the OpenSLO SDK's week from Saturday noon in New York keeps its anchor",
      window:
        '{ duration: 1w, isRolling: false, calendar: { startTime: "2022-01-01 12:00:00", timeZone: America/New_York } }',
      expected: { calendar: 'week', timeZone: 'America/New_York', start: '2022-01-01 12:00:00' },
    },
    {
      name: 'a month from midnight of the 1st needs no anchor',
      window:
        '{ duration: 1M, isRolling: false, calendar: { startTime: "2024-01-01 00:00:00", timeZone: Europe/Berlin } }',
      expected: { calendar: 'month', timeZone: 'Europe/Berlin' },
    },
    {
      name: 'a quarter',
      window:
        '{ duration: 1Q, isRolling: false, calendar: { startTime: "2024-04-01 00:00:00", timeZone: UTC } }',
      expected: { calendar: 'quarter', timeZone: 'UTC' },
    },
  ])('imports $name, and exports it back losslessly', async ({ window, expected }) => {
    const parsed = parseOpenSlo(withWindow(window));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.slos[0]!.window).toEqual(expected);
    const { toOpenSloYaml } = await import('./openslo.js');
    const again = parseOpenSlo(toOpenSloYaml(parsed.slos[0]!));
    if (!again.ok) throw new Error(JSON.stringify(again.errors));
    expect(again.slos[0]).toEqual(parsed.slos[0]);
  });

  it.each([
    {
      window:
        '{ duration: 1d, isRolling: false, calendar: { startTime: "2024-01-01 00:00:00", timeZone: UTC } }',
      field: 'duration',
      says: 'must be 1w, 1M or 1Q',
    },
    {
      window: '{ duration: 1M, isRolling: false, calendar: { startTime: "soon", timeZone: UTC } }',
      field: 'calendar.startTime',
      says: 'must be a date and time',
    },
    {
      window:
        '{ duration: 1M, isRolling: false, calendar: { startTime: "2024-01-01 00:00:00", timeZone: Mars/Olympus } }',
      field: 'calendar.timeZone',
      says: 'IANA time zone',
    },
  ])('refuses a calendar window with a bad $field, naming its path', ({ window, field, says }) => {
    const parsed = parseOpenSlo(withWindow(window));
    expect(parsed.ok ? [] : parsed.errors).toContainEqual({
      field: `documents[0].spec.timeWindow[0].${field}`,
      message: expect.stringContaining(says),
    });
  });
});

describe('YAML that costs more than it is worth', () => {
  it('refuses 50,000 keys before parsing them, naming the limit', () => {
    const text = Array.from({ length: 50_000 }, (_, i) => `k${i}: ${i}`).join('\n');
    const parsed = parseOpenSlo(text);
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      { field: 'documents', message: expect.stringContaining('more than 20000 keys') },
    ]);
  });

  it('refuses 25,000 keys without colons to spare once parsed, in one pass', () => {
    const text = `{${Array.from({ length: 25_000 }, (_, i) => `k${i}: ${i}`).join(', ')}}`;
    const parsed = parseOpenSlo(text);
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      { field: 'documents[0]', message: expect.stringContaining('more than 20000 keys') },
    ]);
  });

  it('refuses a key given twice in one mapping', () => {
    const parsed = parseOpenSlo('apiVersion: openslo/v1\nkind: SLO\nkind: SLI\n');
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      { field: 'documents[0]', message: 'has the key "kind" twice in one mapping' },
    ]);
  });
});

describe('gRPC error codes in OpenSLO', () => {
  it("exports an error rate's gRPC codes in the burnwatch metric source and imports them back", async () => {
    const { toOpenSloYaml } = await import('./openslo.js');
    const { validateSloSpec } = await import('../domain/slo-schema.js');
    const validated = validateSloSpec({
      name: 'greeter-errors',
      service: { workload: 'greeter' },
      indicator: { type: 'errorRate', grpcErrorCodes: ['UNAVAILABLE', 'NOT_FOUND'] },
      objective: 99,
      window: '28d',
    });
    if (!validated.ok) throw new Error(JSON.stringify(validated.errors));
    const yaml = toOpenSloYaml(validated.spec);
    expect(yaml).toContain('grpcErrorCodes');
    const again = parseOpenSlo(yaml);
    if (!again.ok) throw new Error(JSON.stringify(again.errors));
    expect(again.slos[0]!.indicator).toEqual({
      type: 'errorRate',
      errorStatus: '5xx',
      grpcErrorCodes: ['UNAVAILABLE', 'NOT_FOUND'],
    });
  });
});
