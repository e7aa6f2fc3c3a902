import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseOpenSlo } from './openslo.js';

const FIXTURES = new URL('../../../test/fixtures/openslo/', import.meta.url);
const fixture = (file: string) => readFileSync(new URL(file, FIXTURES), 'utf8');

/**
 * Public OpenSLO v1 documents (sources in test/fixtures/openslo/README.md), each with what Burnwatch makes of it:
 * the SLOs it would import, or every refusal with its OpenSLO path and reason. Refusals are Burnwatch's honest
 * limits (calendar windows, two teams, other metric sources…); none may be a message that hides the cause.
 */
const cases: { file: string; imports?: string[]; refusals?: [string, string][] }[] = [
  { file: 'go-sdk-decode-sequence-of-objects.yaml', imports: [] },
  {
    file: 'go-sdk-decode-v1-slos.yaml',
    refusals: [
      [
        'documents[0][0].spec.timeWindow',
        'must hold exactly one window, such as [{ duration: 28d, isRolling: true }]',
      ],
      [
        'documents[0][0].spec.indicator.spec.ratioMetric.good.metricSource.spec.dimensions',
        'is not supported by Burnwatch (known here: query, promql)',
      ],
      [
        'documents[0][0].spec.indicator.spec.ratioMetric.total.metricSource.spec.dimensions',
        'is not supported by Burnwatch (known here: query, promql)',
      ],
    ],
  },
  { file: 'go-sdk-examples-data-sources.yaml', imports: [] },
  { file: 'go-sdk-examples-slis.yaml', imports: [] },
  {
    file: 'go-sdk-examples-slos.yaml',
    refusals: [
      [
        'documents[0][0].metadata.labels.team',
        'must name one team: a Burnwatch SLO belongs to one team, got 2',
      ],
    ],
  },
  {
    file: 'go-sdk-export-v1-slo.yaml',
    refusals: [
      [
        'documents[0][0].spec.indicator.spec.thresholdMetric.metricSource.type',
        'must be "burnwatch" for a threshold metric: latency thresholds come from the sensor',
      ],
    ],
  },
  {
    file: 'go-sdk-inline-v1-slo.yaml',
    refusals: [
      [
        'documents[0][0].spec.indicator.spec.thresholdMetric.metricSource.type',
        'must be "burnwatch" for a threshold metric: latency thresholds come from the sensor',
      ],
      [
        'documents[0][2].spec.thresholdMetric.metricSource.type',
        'must be "burnwatch" for a threshold metric: latency thresholds come from the sensor',
      ],
    ],
  },
  { file: 'nobl9-openslo-v1-data-sources.yaml', imports: [] },
  {
    file: 'nobl9-openslo-v1-slos.yaml',
    refusals: [
      [
        'documents[0][0].metadata.labels.team',
        'must name one team: a Burnwatch SLO belongs to one team, got 2',
      ],
      [
        'documents[0][1].metadata.labels.team',
        'must name one team: a Burnwatch SLO belongs to one team, got 2',
      ],
      [
        'documents[0][2].spec.thresholdMetric.metricSource.type',
        'must be "burnwatch" for a threshold metric: latency thresholds come from the sensor',
      ],
    ],
  },
  { file: 'openslo-schema-test-data-source.yaml', imports: [] },
  { file: 'openslo-schema-test-sli-description-ratio-good-metricsourceref.yaml', imports: [] },
  { file: 'openslo-schema-test-sli-description-threshold-inline-metricsource.yaml', imports: [] },
  { file: 'openslo-schema-test-sli-no-description-ratio-bad-inline-metricsource.yaml', imports: [] },
  { file: 'openslo-schema-test-sli-ratio-good-and-bad.yaml', imports: [] },
  {
    file: 'openslo-schema-test-slo-indicatorref-calendar-alerts.yaml',
    refusals: [
      ['documents[0].spec.timeWindow[0].duration', 'must be 1w, 1M or 1Q with a calendar, got "1d"'],
      ['documents[0].spec.indicatorRef', 'names no SLI document in this request: "indicatorRefString"'],
    ],
  },
  {
    file: 'openslo-schema-test-slo-indicatorref-calendar-no-alerts.yaml',
    refusals: [
      ['documents[0].spec.timeWindow[0].duration', 'must be 1w, 1M or 1Q with a calendar, got "1d"'],
      ['documents[0].spec.indicatorRef', 'names no SLI document in this request: "indicatorRefString"'],
    ],
  },
  {
    file: 'openslo-schema-test-slo-indicatorref-rolling-alerts.yaml',
    refusals: [
      ['documents[0].spec.indicatorRef', 'names no SLI document in this request: "indicatorRefString"'],
    ],
  },
  {
    file: 'openslo-schema-test-slo-indicatorref-rolling-no-alerts.yaml',
    refusals: [
      ['documents[0].spec.indicatorRef', 'names no SLI document in this request: "indicatorRefString"'],
    ],
  },
  {
    file: 'openslo-schema-test-slo-no-indicatorref-calendar-alerts.yaml',
    refusals: [
      ['documents[0].spec.timeWindow[0].duration', 'must be 1w, 1M or 1Q with a calendar, got "1d"'],
      [
        'documents[0].spec.indicator.spec.ratioMetric.good.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Datadog"',
      ],
      [
        'documents[0].spec.indicator.spec.ratioMetric.total.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Datadog"',
      ],
    ],
  },
  {
    file: 'openslo-schema-test-slo-no-indicatorref-calendar-no-alerts.yaml',
    refusals: [
      ['documents[0].spec.timeWindow[0].duration', 'must be 1w, 1M or 1Q with a calendar, got "1d"'],
      [
        'documents[0].spec.indicator.spec.ratioMetric.good.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Datadog"',
      ],
      [
        'documents[0].spec.indicator.spec.ratioMetric.total.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Datadog"',
      ],
    ],
  },
  {
    file: 'openslo-schema-test-slo-no-indicatorref-rolling-alerts.yaml',
    refusals: [
      [
        'documents[0].spec.indicator.spec.ratioMetric.good.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Datadog"',
      ],
      [
        'documents[0].spec.indicator.spec.ratioMetric.total.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Datadog"',
      ],
    ],
  },
  {
    file: 'openslo-schema-test-slo-no-indicatorref-rolling-no-alerts.yaml',
    refusals: [
      [
        'documents[0].spec.indicator.spec.ratioMetric.good.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Datadog"',
      ],
      [
        'documents[0].spec.indicator.spec.ratioMetric.total.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Datadog"',
      ],
    ],
  },
  { file: 'oslo-format-two-documents.yaml', imports: [] },
  {
    file: 'oslo-slo-composite-no-indicatorref.yaml',
    refusals: [
      [
        'documents[0].spec.objectives',
        'must hold exactly one objective: Burnwatch has one objective per SLO (no composite SLOs), got 2',
      ],
      ['documents[0].spec.indicator', 'is required (inline, or indicatorRef naming an SLI document)'],
    ],
  },
  {
    file: 'oslo-slo-indicatorref-rolling-cloudwatch.yaml',
    refusals: [['documents[0].spec.indicatorRef', 'names no SLI document in this request: "foo-sli"']],
  },
  {
    file: 'oslo-slo-with-annotations.yaml',
    refusals: [['documents[0].spec.indicator.spec', 'is required']],
  },
  {
    file: 'oslo-slo-with-labels.yaml',
    refusals: [['documents[0].spec.indicator.spec', 'is required']],
  },
  {
    file: 'oslo-validate-v1.yaml',
    refusals: [
      [
        'documents[0][0].metadata.labels.team',
        'must name one team: a Burnwatch SLO belongs to one team, got 2',
      ],
    ],
  },
  {
    file: 'slogen-sumologic-logs-req-rolling.yaml',
    refusals: [
      [
        'documents[0].spec.indicator.spec.ratioMetric.good.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "sumologic-logs"',
      ],
      [
        'documents[0].spec.indicator.spec.ratioMetric.total.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "sumologic-logs"',
      ],
    ],
  },
  {
    file: 'spec-general-schema-metadata.yaml',
    refusals: [
      ['documents[0].metadata.labels.team', 'must name one team: a Burnwatch SLO belongs to one team, got 2'],
    ],
  },
  {
    file: 'spec-inline-sli-datadog.yaml',
    refusals: [
      [
        'documents[0].spec.timeWindow',
        'must hold exactly one window, such as [{ duration: 28d, isRolling: true }]',
      ],
      ['documents[0].spec.budgetingMethod', 'must be "Occurrences" or "Timeslices", got undefined'],
      [
        'documents[0].spec.indicator.spec.ratioMetric.good.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Datadog"',
      ],
      [
        'documents[0].spec.indicator.spec.ratioMetric.total.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Datadog"',
      ],
    ],
  },
  {
    file: 'spec-low-traffic-timeslices.yaml',
    refusals: [
      [
        'documents[0].spec.indicator.spec.ratioMetric.good.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Any"',
      ],
      [
        'documents[0].spec.indicator.spec.ratioMetric.total.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Any"',
      ],
    ],
  },
  {
    file: 'spec-occurrences-threshold.yaml',
    refusals: [
      [
        'documents[0].spec.indicator.spec.thresholdMetric.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Any"',
      ],
    ],
  },
  { file: 'spec-ratio-metric-prometheus.yaml', imports: ['localhost-availability'] },
  {
    file: 'spec-ratio-timeslices.yaml',
    refusals: [
      [
        'documents[0].spec.budgetingMethod',
        'RatioTimeslices is not supported: use Occurrences, or Timeslices with a timeSliceTarget',
      ],
      [
        'documents[0].spec.indicator.spec.ratioMetric.good.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Any"',
      ],
      [
        'documents[0].spec.indicator.spec.ratioMetric.total.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Any"',
      ],
    ],
  },
  {
    file: 'spec-timeslices-calendar.yaml',
    refusals: [
      ['documents[0].spec.timeWindow[0].duration', 'must be 1w, 1M or 1Q with a calendar, got "1m"'],
      [
        'documents[0].spec.objectives',
        'must hold exactly one objective: Burnwatch has one objective per SLO (no composite SLOs), got 2',
      ],
      [
        'documents[0].spec.indicator.spec.ratioMetric.good.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Any"',
      ],
      [
        'documents[0].spec.indicator.spec.ratioMetric.total.metricSource.type',
        'must be "burnwatch" (the eBPF sensor) or "Prometheus", got "Any"',
      ],
    ],
  },
];

describe('public OpenSLO v1 documents', () => {
  it.each(cases)('$file', ({ file, imports, refusals }) => {
    const parsed = parseOpenSlo(fixture(file));
    if (imports) {
      expect(parsed.ok ? parsed.slos.map((slo) => slo.name) : parsed.errors).toEqual(imports);
    } else {
      expect(parsed.ok ? parsed.slos : parsed.errors.map((e) => [e.field, e.message])).toEqual(refusals);
    }
  });

  it('has an outcome for every fixture, and every fixture a source in the README', () => {
    const files = readdirSync(FIXTURES).filter((file) => file.endsWith('.yaml'));
    expect(cases.map((c) => c.file).sort()).toEqual(files.sort());
    const readme = fixture('README.md');
    for (const file of files) expect(readme).toContain(`\`${file}\``);
  });
});
