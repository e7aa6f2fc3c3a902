import { describe, expect, it } from 'vitest';
import { parseWindow, resolveRange, stepFor } from './time-range.js';

describe('stepFor', () => {
  it.each([
    { name: 'an hour is drawn per minute', seconds: 3_600, expected: 60 },
    { name: 'a day in five-minute steps', seconds: 86_400, expected: 300 },
    { name: 'a 28-day window in two-hour steps', seconds: 28 * 86_400, expected: 7_200 },
  ])('$name', ({ seconds, expected }) => expect(stepFor(seconds)).toBe(expected));
});

describe('resolveRange', () => {
  const now = 1_764_079_330; // 2026-11-25T14:02:10Z
  it('covers the whole SLO window by default, ending at the next step boundary', () => {
    const range = resolveRange('window', 28 * 86_400, now);
    expect(range.to % range.step).toBe(0);
    expect(range.to).toBeGreaterThanOrEqual(now);
    expect(range.to - range.from).toBe(28 * 86_400);
  });
  it('never reaches further back than the window', () =>
    expect(resolveRange('7d', 86_400, now).to - resolveRange('7d', 86_400, now).from).toBe(86_400));
  it('falls back to the whole window for an unknown key', () =>
    expect(resolveRange('bogus', 3 * 86_400, now).key).toBe('window'));
});

describe('parseWindow', () => {
  it.each([
    { text: '28d', expected: 2_419_200 },
    { text: '1w', expected: 604_800 },
    { text: '12h', expected: 43_200 },
    { text: 'soon', expected: null },
  ])('reads $text', ({ text, expected }) => expect(parseWindow(text)).toBe(expected));
});
