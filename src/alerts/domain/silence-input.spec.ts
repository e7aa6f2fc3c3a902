import { describe, expect, it } from 'vitest';
import { parseSilenceInput } from './silence-input.js';

const NOW = Date.parse('2026-11-10T12:00:00Z');
const HOUR = 3_600_000;
const ALERT = '0b3c8a9e-5a7d-4c1e-9f55-2d6a1c7e8b90';
const base = {
  matchers: [{ name: 'slo', value: 'checkout-errors' }],
  endsAt: '2026-11-10T16:00:00Z',
  comment: 'known incident INC-42',
};

describe('parseSilenceInput accepts', () => {
  it('Alertmanager\'s shape; startsAt defaults to now, isRegex to false, isEqual to true, createdBy to "api"', () => {
    expect(parseSilenceInput(base, NOW)).toEqual({
      matchers: [{ name: 'slo', value: 'checkout-errors', isRegex: false, isEqual: true }],
      startsAtMs: NOW,
      endsAtMs: NOW + 4 * HOUR,
      untilResolved: false,
      alertId: null,
      untilResolvedSlo: null,
      createdBy: 'api',
      comment: 'known incident INC-42',
    });
  });

  it.each([
    {
      name: 'a start in the future makes a pending silence',
      startsAt: '2026-11-10T13:00:00Z',
      expected: NOW + HOUR,
    },
    {
      name: 'a start in the past becomes now, as in Alertmanager',
      startsAt: '2026-11-10T10:00:00Z',
      expected: NOW,
    },
  ])('$name', ({ startsAt, expected }) => {
    expect(parseSilenceInput({ ...base, startsAt }, NOW)).toMatchObject({ startsAtMs: expected });
  });

  it.each([
    {
      name: 'until resolved, for one alert, with no matchers (the service fills in its SLO)',
      body: { untilResolved: true, alertId: ALERT, comment: 'on it' },
      expected: { untilResolved: true, endsAtMs: null, alertId: ALERT, matchers: [], untilResolvedSlo: null },
    },
    {
      name: 'until resolved, for the firing alert of an SLO named by a matcher',
      body: {
        untilResolved: true,
        endsAt: null,
        matchers: [{ name: 'slo', value: 'checkout-errors' }],
        comment: 'x',
      },
      expected: { untilResolved: true, endsAtMs: null, alertId: null, untilResolvedSlo: 'checkout-errors' },
    },
    {
      name: 'regex and negative matchers on team, namespace, workload and severity',
      body: {
        ...base,
        matchers: [
          { name: 'team', value: 'payments|search', isRegex: true },
          { name: 'namespace', value: 'staging', isEqual: false },
          { name: 'workload', value: 'checkout-.*', isRegex: true },
          { name: 'severity', value: 'ticket' },
        ],
      },
      expected: { untilResolved: false },
    },
  ])('$name', ({ body, expected }) => {
    expect(parseSilenceInput(body, NOW)).toMatchObject(expected);
  });
});

describe('parseSilenceInput refuses, naming the field', () => {
  it.each([
    { name: 'a body that is not an object', body: [], fields: ['(body)'] },
    { name: 'no comment', body: { ...base, comment: undefined }, fields: ['comment'] },
    { name: 'a blank comment', body: { ...base, comment: '   ' }, fields: ['comment'] },
    { name: 'no matchers and no alert', body: { ...base, matchers: [] }, fields: ['matchers'] },
    {
      name: 'an unknown label',
      body: { ...base, matchers: [{ name: 'pod', value: 'x' }] },
      fields: ['matchers.0.name'],
    },
    {
      name: 'an unknown field of a matcher',
      body: { ...base, matchers: [{ name: 'slo', value: 'x', regex: true }] },
      fields: ['matchers.0.regex'],
    },
    { name: 'an unknown field', body: { ...base, id: 'abc' }, fields: ['id'] },
    {
      name: 'an invalid regex',
      body: { ...base, matchers: [{ name: 'slo', value: '(', isRegex: true }] },
      fields: ['matchers.0.value'],
    },
    {
      name: 'a backreference',
      body: { ...base, matchers: [{ name: 'slo', value: '(a)\\1', isRegex: true }] },
      fields: ['matchers.0.value'],
    },
    {
      name: 'a severity that does not exist',
      body: { ...base, matchers: [{ name: 'severity', value: 'critical' }] },
      fields: ['matchers.0.value'],
    },
    {
      name: 'matchers that all match the empty string',
      body: { ...base, matchers: [{ name: 'team', value: '.*', isRegex: true }] },
      fields: ['matchers'],
    },
    { name: 'no endsAt and not until resolved', body: { ...base, endsAt: undefined }, fields: ['endsAt'] },
    { name: 'an endsAt in the past', body: { ...base, endsAt: '2026-11-10T11:00:00Z' }, fields: ['endsAt'] },
    {
      name: 'an endsAt before startsAt',
      body: { ...base, startsAt: '2026-11-10T18:00:00Z', endsAt: '2026-11-10T17:00:00Z' },
      fields: ['endsAt'],
    },
    {
      name: 'an endsAt more than a year away',
      body: { ...base, endsAt: '2028-01-01T00:00:00Z' },
      fields: ['endsAt'],
    },
    { name: 'a time without a zone', body: { ...base, endsAt: '2026-11-10T16:00' }, fields: ['endsAt'] },
    { name: 'until resolved with an end', body: { ...base, untilResolved: true }, fields: ['endsAt'] },
    {
      name: 'until resolved with neither an alert nor one SLO',
      body: { untilResolved: true, matchers: [{ name: 'team', value: 'payments' }], comment: 'x' },
      fields: ['untilResolved'],
    },
    { name: 'an alertId that is not a uuid', body: { ...base, alertId: 'nope' }, fields: ['alertId'] },
    {
      name: 'a matcher value that is not text',
      body: { ...base, matchers: [{ name: 'slo', value: 5 }] },
      fields: ['matchers.0.value'],
    },
  ])('$name', ({ body, fields }) => {
    const result = parseSilenceInput(body, NOW);
    expect(Array.isArray(result)).toBe(true);
    expect((result as { field: string }[]).map((e) => e.field)).toEqual(fields);
  });

  it('every problem at once', () => {
    const result = parseSilenceInput({ matchers: [{ name: 'pod', value: 'x' }], endsAt: 'soon' }, NOW);
    expect((result as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'comment',
      'matchers.0.name',
    ]);
  });
});
