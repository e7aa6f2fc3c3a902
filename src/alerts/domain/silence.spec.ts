import { describe, expect, it } from 'vitest';
import {
  AlertLabels,
  Matcher,
  Silence,
  activeSilence,
  holdingSilence,
  holdsTransition,
  matcherMatches,
  silenceMatches,
  silenceState,
} from './silence.js';

const labels: AlertLabels = {
  slo: 'checkout-errors',
  team: 'payments',
  namespace: 'shop',
  workload: 'checkout',
  severity: 'page',
};
const matcher = (overrides: Partial<Matcher>): Matcher => ({
  name: 'slo',
  value: 'checkout-errors',
  isRegex: false,
  isEqual: true,
  ...overrides,
});
const silence = (overrides: Partial<Silence> = {}): Silence => ({
  id: 's1',
  matchers: [matcher({})],
  startsAtMs: 1_000,
  endsAtMs: 5_000,
  untilResolved: false,
  alertId: null,
  ...overrides,
});
const alert = { id: 'a1', labels };

describe('matcherMatches', () => {
  it.each([
    { name: 'an equal value matches', m: matcher({}), expected: true },
    { name: 'another value does not', m: matcher({ value: 'checkout-latency' }), expected: false },
    { name: 'isEqual false inverts a match', m: matcher({ isEqual: false }), expected: false },
    {
      name: 'isEqual false matches another value',
      m: matcher({ value: 'search', isEqual: false }),
      expected: true,
    },
    {
      name: 'a regex is anchored at both ends',
      m: matcher({ value: 'checkout', isRegex: true }),
      expected: false,
    },
    {
      name: 'a regex matches the whole label',
      m: matcher({ value: 'checkout-.*', isRegex: true }),
      expected: true,
    },
    {
      name: 'an alternation is anchored as a whole',
      m: matcher({ name: 'team', value: 'search|payments', isRegex: true }),
      expected: true,
    },
    {
      name: 'a negative regex matches what it does not match',
      m: matcher({ name: 'namespace', value: 'prod-.*', isRegex: true, isEqual: false }),
      expected: true,
    },
    {
      name: 'severity matches the current severity',
      m: matcher({ name: 'severity', value: 'page' }),
      expected: true,
    },
    {
      name: 'a ticket silence does not match a page',
      m: matcher({ name: 'severity', value: 'ticket' }),
      expected: false,
    },
    {
      name: 'workload matches the SLO service workload',
      m: matcher({ name: 'workload', value: 'checkout' }),
      expected: true,
    },
  ])('$name', ({ m, expected }) => {
    expect(matcherMatches(m, labels)).toBe(expected);
  });

  it.each([
    {
      name: 'a missing label equals the empty string',
      m: matcher({ name: 'team', value: '' }),
      expected: true,
    },
    {
      name: 'a missing label does not equal a value',
      m: matcher({ name: 'team', value: 'payments' }),
      expected: false,
    },
    {
      name: 'a missing label matches ".*"',
      m: matcher({ name: 'team', value: '.*', isRegex: true }),
      expected: true,
    },
  ])('$name', ({ m, expected }) => {
    expect(matcherMatches(m, { slo: 'x', severity: 'ticket' })).toBe(expected);
  });
});

describe('silenceMatches', () => {
  it.each([
    {
      name: 'every matcher must match',
      s: silence({ matchers: [matcher({}), matcher({ name: 'team', value: 'payments' })] }),
      expected: true,
    },
    {
      name: 'one failing matcher is enough to miss',
      s: silence({ matchers: [matcher({}), matcher({ name: 'team', value: 'search' })] }),
      expected: false,
    },
    { name: 'a silence of one alert matches that alert', s: silence({ alertId: 'a1' }), expected: true },
    {
      name: 'a silence of one alert does not match another alert of the SLO',
      s: silence({ alertId: 'a2' }),
      expected: false,
    },
  ])('$name', ({ s, expected }) => {
    expect(silenceMatches(s, alert)).toBe(expected);
  });
});

describe('silenceState', () => {
  it.each([
    { name: 'before startsAt it is pending', now: 999, expected: 'pending' },
    { name: 'at startsAt it is active', now: 1_000, expected: 'active' },
    { name: 'just before endsAt it is active', now: 4_999, expected: 'active' },
    { name: 'at endsAt it has expired', now: 5_000, expected: 'expired' },
  ])('$name', ({ now, expected }) => {
    expect(silenceState(silence(), now)).toBe(expected);
  });

  it('a silence until resolved without an end stays active', () => {
    expect(silenceState(silence({ endsAtMs: null, untilResolved: true }), 10 ** 13)).toBe('active');
  });
});

describe('holdsTransition', () => {
  it.each([
    { name: 'an active matching silence holds', s: silence(), at: 2_000, expected: true },
    { name: 'a pending silence does not hold yet', s: silence(), at: 500, expected: false },
    { name: 'an expired silence no longer holds', s: silence(), at: 5_000, expected: false },
    {
      name: 'a silence until resolved holds the resolve that ended it',
      s: silence({ untilResolved: true, alertId: 'a1', endsAtMs: 3_000 }),
      at: 3_000,
      expected: true,
    },
    {
      name: 'a silence until resolved holds nothing after that',
      s: silence({ untilResolved: true, alertId: 'a1', endsAtMs: 3_000 }),
      at: 3_001,
      expected: false,
    },
    {
      name: 'a silence that does not match holds nothing',
      s: silence({ matchers: [matcher({ value: 'search' })] }),
      at: 2_000,
      expected: false,
    },
  ])('$name', ({ s, at, expected }) => {
    expect(holdsTransition(s, alert, at)).toBe(expected);
  });
});

describe('holdingSilence', () => {
  it('names the silence that lasts longest, until-resolved first', () => {
    const short = silence({ id: 'short', endsAtMs: 3_000 });
    const long = silence({ id: 'long', endsAtMs: 9_000 });
    const untilResolved = silence({ id: 'until', endsAtMs: null, untilResolved: true, alertId: 'a1' });
    const other = silence({ id: 'other', endsAtMs: null, matchers: [matcher({ value: 'search' })] });
    expect(holdingSilence([short, long], alert, 2_000)?.id).toBe('long');
    expect(holdingSilence([short, untilResolved, long, other], alert, 2_000)?.id).toBe('until');
    expect(holdingSilence([other], alert, 2_000)).toBeUndefined();
  });
});

describe('activeSilence', () => {
  it('does not count a silence until resolved that just ended, nor a pending one', () => {
    const ended = silence({ id: 'ended', untilResolved: true, alertId: 'a1', endsAtMs: 3_000 });
    const pending = silence({ id: 'pending', startsAtMs: 4_000, endsAtMs: 9_000 });
    expect(activeSilence([ended, pending], alert, 3_000)).toBeUndefined();
    expect(activeSilence([ended, pending], alert, 4_000)?.id).toBe('pending');
  });
});
