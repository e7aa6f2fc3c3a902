import { describe, expect, it } from 'vitest';
import {
  formatBurnRate,
  formatDuration,
  formatForecast,
  formatPercent,
  formatRelative,
  formatTime,
  shortDigest,
  shortImage,
} from './format.js';

describe('formatPercent', () => {
  it.each([
    { name: 'drops trailing zeros', value: 99.9, expected: '99.9 %' },
    { name: 'rounds to two decimals', value: 42.1234, expected: '42.12 %' },
    { name: 'keeps a negative budget negative', value: -12.5, expected: '-12.5 %' },
    { name: 'shows a dash without data', value: null, expected: '—' },
    { name: 'shows whole numbers without a point', value: 100, expected: '100 %' },
  ])('$name', ({ value, expected }) => expect(formatPercent(value)).toBe(expected));
});

describe('formatBurnRate', () => {
  it.each([
    { name: 'one decimal for fast burns', value: 14.4, expected: '14.4×' },
    { name: 'two decimals for slow burns', value: 0.042, expected: '0.04×' },
    { name: 'a dash without data', value: null, expected: '—' },
  ])('$name', ({ value, expected }) => expect(formatBurnRate(value)).toBe(expected));
});

describe('formatDuration', () => {
  it.each([
    { name: 'days and hours', seconds: 3 * 86_400 + 4 * 3_600 + 59, expected: '3 d 4 h' },
    { name: 'minutes alone', seconds: 45 * 60, expected: '45 m' },
    { name: 'hours without a zero minute', seconds: 2 * 3_600 + 5, expected: '2 h' },
    { name: 'zero', seconds: 0, expected: '0 s' },
    { name: 'a dash for null', seconds: null, expected: '—' },
  ])('$name', ({ seconds, expected }) => expect(formatDuration(seconds)).toBe(expected));
});

describe('shortDigest and shortImage', () => {
  it('keeps twelve hex digits of a sha256 digest, like docker', () =>
    expect(shortDigest('sha256:4f1c9a0b2e7d8899aabbccddeeff')).toBe('4f1c9a0b2e7d'));
  it('keeps the last path segment and tag of an image', () =>
    expect(shortImage('registry.example/shop/checkout:1.4.2@sha256:abc')).toBe('checkout:1.4.2'));
});

describe('formatTime and formatRelative', () => {
  it('prints day and 24-hour time in the given zone', () =>
    expect(formatTime('2026-11-25T14:02:00Z', 'UTC')).toBe('25 Nov, 14:02'));
  it('accepts epoch seconds', () => expect(formatTime(1_764_079_320, 'UTC')).toBe('25 Nov, 14:02'));
  it('says how long ago a past time was', () =>
    expect(formatRelative('2026-11-25T12:00:00Z', new Date('2026-11-25T14:30:00Z'))).toBe('2 h 30 m ago'));
  it('says how far away a future time is', () =>
    expect(formatRelative('2026-11-27T14:00:00Z', new Date('2026-11-25T14:00:00Z'))).toBe('in 2 d'));
});

describe('formatForecast', () => {
  it.each([
    {
      name: 'a burning budget runs out in a duration',
      forecast: { secondsToExhaustion: 90_000, exhaustionAt: '2026-11-26T15:00:00Z' },
      remaining: 40,
      expected: 'in 1 d 1 h',
    },
    {
      name: 'a budget that does not run out says so',
      forecast: { secondsToExhaustion: null, exhaustionAt: null },
      remaining: 80,
      expected: 'not at this rate',
    },
    {
      name: 'a spent budget is exhausted whatever the forecast',
      forecast: { secondsToExhaustion: null, exhaustionAt: null },
      remaining: -3,
      expected: 'exhausted',
    },
    {
      name: 'no budget yet (no data) has no forecast',
      forecast: { secondsToExhaustion: null, exhaustionAt: null },
      remaining: null,
      expected: '—',
    },
  ])('$name', ({ forecast, remaining, expected }) =>
    expect(formatForecast(forecast, remaining)).toBe(expected),
  );
});
