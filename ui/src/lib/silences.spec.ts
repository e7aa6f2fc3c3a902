import { describe, expect, it } from 'vitest';
import type { Silence } from '../api/types.js';
import {
  describeMatchers,
  fieldLabel,
  matcherOf,
  operatorOf,
  silenceBody,
  silencedLine,
} from './silences.js';

const silence = (overrides: Partial<Silence> = {}): Silence => ({
  id: 's1',
  matchers: [{ name: 'slo', value: 'checkout-latency', isRegex: false, isEqual: true }],
  startsAt: '2026-11-10T12:00:00.000Z',
  endsAt: '2026-11-10T16:00:00.000Z',
  untilResolved: false,
  alertId: null,
  createdBy: 'alice',
  comment: 'known incident INC-42',
  createdAt: '2026-11-10T12:00:00.000Z',
  updatedAt: '2026-11-10T12:00:00.000Z',
  status: { state: 'active' },
  ...overrides,
});

describe('matcher operators', () => {
  it.each([
    { operator: '=', isRegex: false, isEqual: true },
    { operator: '!=', isRegex: false, isEqual: false },
    { operator: '=~', isRegex: true, isEqual: true },
    { operator: '!~', isRegex: true, isEqual: false },
  ] as const)(
    '$operator is isRegex $isRegex, isEqual $isEqual, and back',
    ({ operator, isRegex, isEqual }) => {
      expect(matcherOf('team', operator, 'payments')).toEqual({
        name: 'team',
        value: 'payments',
        isRegex,
        isEqual,
      });
      expect(operatorOf({ isRegex, isEqual })).toBe(operator);
    },
  );

  it('describes matchers as amtool writes them', () => {
    expect(
      describeMatchers([
        { name: 'slo', value: 'checkout', isRegex: false, isEqual: true },
        { name: 'team', value: 'pay.*', isRegex: true, isEqual: true },
      ]),
    ).toBe('slo="checkout", team=~"pay.*"');
  });
});

describe('silencedLine', () => {
  it.each([
    {
      name: 'a timed silence names its end',
      s: silence(),
      expected: 'Silenced until 10 Nov, 16:00 by alice — known incident INC-42',
    },
    {
      name: 'a silence until resolved says so',
      s: silence({ endsAt: null, untilResolved: true, createdBy: 'bob', comment: 'on it' }),
      expected: 'Silenced until the alert resolves by bob — on it',
    },
  ])('$name', ({ s, expected }) => {
    expect(silencedLine(s, 'UTC')).toBe(expected);
  });
});

describe('silenceBody', () => {
  const now = new Date('2026-11-10T12:00:00Z');
  const form = {
    matchers: [{ name: 'slo' as const, operator: '=' as const, value: ' checkout-latency ' }],
    length: 4 * 3600,
    createdBy: '',
    comment: 'deploy rollback in progress',
  };
  it('ends a timed silence that long from now, and leaves createdBy to the server when blank', () => {
    expect(silenceBody(form, now)).toEqual({
      matchers: [{ name: 'slo', value: 'checkout-latency', isRegex: false, isEqual: true }],
      endsAt: '2026-11-10T16:00:00.000Z',
      comment: 'deploy rollback in progress',
    });
  });
  it('asks for until resolved without an end', () => {
    expect(silenceBody({ ...form, length: 'untilResolved', createdBy: 'alice' }, now)).toEqual({
      matchers: [{ name: 'slo', value: 'checkout-latency', isRegex: false, isEqual: true }],
      untilResolved: true,
      createdBy: 'alice',
      comment: 'deploy rollback in progress',
    });
  });
});

describe('fieldLabel', () => {
  it.each([
    ['matchers.0.value', 'Matcher 1 value'],
    ['matchers.2.name', 'Matcher 3 label'],
    ['endsAt', 'Ends'],
    ['Authorization', 'API token'],
    ['(body)', '(body)'],
  ])('%s is "%s"', (field, label) => expect(fieldLabel(field)).toBe(label));
});
