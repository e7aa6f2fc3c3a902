import { describe, expect, it } from 'vitest';
import { validateSloSpec } from './slo-schema.js';

const checkoutLatency = () => ({
  name: 'checkout-latency',
  description: 'Checkout answers fast',
  team: 'payments',
  service: { namespace: 'shop', workload: 'checkout', route: '/api/checkout', method: 'POST' },
  indicator: { type: 'latency', thresholdMs: 300 },
  objective: 95,
  window: '28d',
  budgetingMethod: 'occurrences',
  notify: { slackChannel: '#payments-oncall' },
});

const errorsOf = (body: unknown) => {
  const result = validateSloSpec(body);
  if (result.ok) throw new Error('expected a validation failure');
  return result.errors;
};

describe('validateSloSpec', () => {
  it('accepts the documented example and fills defaults', () => {
    const result = validateSloSpec(checkoutLatency());
    expect(result).toEqual({ ok: true, spec: { ...checkoutLatency(), source: { type: 'sensor' } } });
  });

  it('defaults an error-rate SLO to 5xx errors and occurrences budgeting', () => {
    const result = validateSloSpec({
      name: 'api-errors',
      service: { workload: 'api' },
      indicator: { type: 'errorRate' },
      objective: 99.9,
      window: '30d',
    });
    expect(result.ok && result.spec).toMatchObject({
      description: '',
      indicator: { type: 'errorRate', errorStatus: '5xx' },
      budgetingMethod: 'occurrences',
    });
  });

  it('stores gRPC error codes given by name or number by their names, once each', () => {
    const result = validateSloSpec({
      name: 'greeter-errors',
      service: { workload: 'greeter' },
      indicator: { type: 'errorRate', grpcErrorCodes: ['unavailable', 13, '14', 'DEADLINE_EXCEEDED'] },
      objective: 99.9,
      window: '30d',
    });
    expect(result.ok && result.spec.indicator).toEqual({
      type: 'errorRate',
      errorStatus: '5xx',
      grpcErrorCodes: ['UNAVAILABLE', 'INTERNAL', 'DEADLINE_EXCEEDED'],
    });
  });

  it.each([
    {
      name: 'a ratio given as objective suggests the percentage',
      patch: { objective: 0.999 },
      field: 'objective',
      message: /for 99\.9 % write 99\.9/,
    },
    {
      name: 'an objective of 100 is refused',
      patch: { objective: 100 },
      field: 'objective',
      message: /less than 100/,
    },
    {
      name: 'an objective with 4 decimals is refused',
      patch: { objective: 99.9999 },
      field: 'objective',
      message: /at most 3 decimals/,
    },
    {
      name: 'a text objective names the type',
      patch: { objective: '99.9' },
      field: 'objective',
      message: /must be a number, got a string/,
    },
    {
      name: 'a name that is not a DNS label',
      patch: { name: 'Checkout_Latency' },
      field: 'name',
      message: /DNS-label/,
    },
    {
      name: 'a window shorter than an hour',
      patch: { window: '30m' },
      field: 'window',
      message: /from 1h to 90d/,
    },
    {
      name: 'a window longer than 90 days',
      patch: { window: '91d' },
      field: 'window',
      message: /from 1h to 90d/,
    },
    {
      name: 'a window that is not a duration',
      patch: { window: 'a month' },
      field: 'window',
      message: /duration like/,
    },
    {
      name: 'an unknown budgeting method',
      patch: { budgetingMethod: 'events' },
      field: 'budgetingMethod',
      message: /"occurrences" or "timeslices"/,
    },
    {
      name: 'an unknown field at the top',
      patch: { owner: 'me' },
      field: 'owner',
      message: /not a known field/,
    },
    {
      name: 'an unknown indicator type',
      patch: { indicator: { type: 'saturation' } },
      field: 'indicator.type',
      message: /"errorRate", "latency" or "ratio"/,
    },
    {
      name: 'a latency without threshold',
      patch: { indicator: { type: 'latency' } },
      field: 'indicator.thresholdMs',
      message: /is required/,
    },
    {
      name: 'a negative threshold',
      patch: { indicator: { type: 'latency', thresholdMs: -5 } },
      field: 'indicator.thresholdMs',
      message: /positive/,
    },
    {
      name: 'a malformed error status',
      patch: { indicator: { type: 'errorRate', errorStatus: '5XX;4xx' } },
      field: 'indicator.errorStatus',
      message: /separated by commas/,
    },
    {
      name: 'a gRPC code that does not exist, by its position in the list',
      patch: { indicator: { type: 'errorRate', grpcErrorCodes: ['UNAVAILABLE', 'UNAVAILIBLE'] } },
      field: 'indicator.grpcErrorCodes.1',
      message: /"UNAVAILIBLE" is not a gRPC status code/,
    },
    {
      name: 'an empty list of gRPC codes',
      patch: { indicator: { type: 'errorRate', grpcErrorCodes: [] } },
      field: 'indicator.grpcErrorCodes',
      message: /at least one/,
    },
    {
      name: 'gRPC codes not given as a list',
      patch: { indicator: { type: 'errorRate', grpcErrorCodes: 'UNAVAILABLE' } },
      field: 'indicator.grpcErrorCodes',
      message: /must be an array/,
    },
    {
      name: 'a lower-case method',
      patch: { service: { workload: 'checkout', method: 'post' } },
      field: 'service.method',
      message: /upper case/,
    },
    {
      name: 'a missing workload',
      patch: { service: { namespace: 'shop' } },
      field: 'service.workload',
      message: /is required/,
    },
    {
      name: 'a route without leading slash',
      patch: { service: { workload: 'w', route: 'api' } },
      field: 'service.route',
      message: /starting with "\/"/,
    },
    {
      name: 'a bad Slack channel',
      patch: { notify: { slackChannel: 'payments oncall' } },
      field: 'notify.slackChannel',
      message: /channel name/,
    },
    {
      name: 'timeslices without a timeslice',
      patch: {
        budgetingMethod: 'timeslices',
        indicator: { type: 'latency', thresholdMs: 300, percentile: 95 },
      },
      field: 'timeslice',
      message: /is required/,
    },
    {
      name: 'timeslices latency without a percentile',
      patch: { budgetingMethod: 'timeslices', timeslice: '1m' },
      field: 'indicator.percentile',
      message: /is required/,
    },
    {
      name: 'a timesliceTarget on a latency SLO, whose slices are judged by their percentile',
      patch: {
        budgetingMethod: 'timeslices',
        timeslice: '1m',
        timesliceTarget: 95,
        indicator: { type: 'latency', thresholdMs: 300, percentile: 95 },
      },
      field: 'timesliceTarget',
      message: /applies only to error-rate and ratio indicators/,
    },
    {
      name: 'a percentile with occurrences',
      patch: { indicator: { type: 'latency', thresholdMs: 300, percentile: 95 } },
      field: 'indicator.percentile',
      message: /only with budgetingMethod "timeslices"/,
    },
    {
      name: 'a ratio indicator on the sensor source',
      patch: { indicator: { type: 'ratio', goodQuery: 'a', totalQuery: 'b' } },
      field: 'indicator.type',
      message: /source.type must be "prometheus"/,
    },
    {
      name: 'an alert short window longer than its long window',
      patch: {
        alerting: { windows: [{ severity: 'page', longWindow: '1h', shortWindow: '2h', burnRate: 14.4 }] },
      },
      field: 'alerting.windows.0.shortWindow',
      message: /shorter than longWindow/,
    },
  ])('rejects $name', ({ patch, field, message }) => {
    const errors = errorsOf({ ...checkoutLatency(), ...patch });
    const error = errors.find((e) => e.field === field);
    expect(error, JSON.stringify(errors)).toBeDefined();
    expect(error!.message).toMatch(message);
  });

  it.each([
    { name: 'a NUL character', text: 'a\u0000b' },
    { name: 'an unpaired high surrogate', text: 'a\ud800b' },
    { name: 'an unpaired low surrogate', text: '\udc00' },
  ])('rejects text with $name, which PostgreSQL cannot store, naming the field', ({ text }) => {
    expect(errorsOf({ ...checkoutLatency(), description: text, service: { workload: text } })).toEqual([
      { field: 'description', message: 'must not contain NUL characters or unpaired UTF-16 surrogates' },
      { field: 'service.workload', message: 'must not contain NUL characters or unpaired UTF-16 surrogates' },
    ]);
  });

  it('accepts text in any script, emoji included', () => {
    const result = validateSloSpec({
      ...checkoutLatency(),
      description: 'Kasse antwortet schnell ✓ 支付 🚀',
    });
    expect(result.ok).toBe(true);
  });

  it('names an unknown empty key as "" rather than with an empty field', () => {
    expect(errorsOf({ ...checkoutLatency(), '': 1 })).toEqual([
      { field: '""', message: 'is not a known field' },
    ]);
  });

  it('refuses PromQL that Prometheus would not run, naming the query field and the position', () => {
    const errors = errorsOf({
      ...checkoutLatency(),
      source: { type: 'prometheus' },
      indicator: {
        type: 'ratio',
        goodQuery: 'sum(increase(ok_total[{{window}}])',
        totalQuery: 'sum(requests_total) offset 1h',
      },
    });
    expect(errors).toEqual([
      {
        field: 'indicator.goodQuery',
        message: expect.stringMatching(/ends too early.*\(at line 1, column 35\)/),
      },
      {
        field: 'indicator.totalQuery',
        message: expect.stringMatching(
          /offset modifier after "sum\(requests_total\)".*\(at line 1, column 1\)/,
        ),
      },
    ]);
  });

  it('lists every problem at once', () => {
    const errors = errorsOf({ ...checkoutLatency(), name: 'BAD', objective: 0, window: 'x', extra: 1 });
    expect(errors.map((e) => e.field).sort()).toEqual(['extra', 'name', 'objective', 'window']);
  });

  it.each([null, [], 'slo', 42])('rejects a body that is not an object (%s)', (body) => {
    expect(errorsOf(body)).toEqual([
      { field: '(body)', message: 'must be a JSON object describing one SLO' },
    ]);
  });
});

describe('calendar windows', () => {
  it.each([
    { name: 'a month in a time zone', window: { calendar: 'month', timeZone: 'Europe/Berlin' } },
    {
      name: 'a week anchored at an OpenSLO startTime',
      window: { calendar: 'week', timeZone: 'America/New_York', start: '2022-01-01 12:00:00' },
    },
    { name: 'a quarter in UTC', window: { calendar: 'quarter', timeZone: 'UTC' } },
  ])('accepts $name', ({ window }) => {
    const result = validateSloSpec({ ...checkoutLatency(), window });
    expect(result.ok && result.spec.window).toEqual(window);
  });

  it.each([
    {
      name: 'an unknown unit',
      window: { calendar: 'fortnight', timeZone: 'UTC' },
      field: 'window.calendar',
      message: /week, month, quarter/,
    },
    {
      name: 'an unknown time zone',
      window: { calendar: 'month', timeZone: 'Mars/Olympus' },
      field: 'window.timeZone',
      message: /IANA time zone/,
    },
    {
      name: 'a start that is no wall time',
      window: { calendar: 'week', timeZone: 'UTC', start: '2022-02-30 00:00:00' },
      field: 'window.start',
      message: /wall time/,
    },
    {
      name: 'neither a duration nor a calendar',
      window: 42,
      field: 'window',
      message: /rolling window such as "28d", or a calendar window/,
    },
  ])('refuses $name, naming the field', ({ window, field, message }) => {
    expect(errorsOf({ ...checkoutLatency(), window })).toEqual([
      { field, message: expect.stringMatching(message) },
    ]);
  });

  it("asks a calendar window's timeslices to divide an hour (days can be 23 or 25 hours)", () => {
    const errors = errorsOf({
      ...checkoutLatency(),
      indicator: { type: 'latency', thresholdMs: 300, percentile: 95 },
      budgetingMethod: 'timeslices',
      timeslice: '7m',
      window: { calendar: 'month', timeZone: 'Europe/Berlin' },
    });
    expect(errors).toEqual([{ field: 'timeslice', message: expect.stringMatching(/divide an hour/) }]);
  });
});
