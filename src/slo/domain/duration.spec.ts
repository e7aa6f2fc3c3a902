import { describe, expect, it } from 'vitest';
import { describeDuration, formatDuration, parseDurationSeconds } from './duration.js';

describe('durations', () => {
  it.each([
    { text: '30s', seconds: 30 },
    { text: '5m', seconds: 300 },
    { text: '1h', seconds: 3600 },
    { text: '28d', seconds: 28 * 86400 },
    { text: '2w', seconds: 14 * 86400 },
  ])('parses $text as $seconds seconds', ({ text, seconds }) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each(['', '1', 'h', '1.5h', '-1h', '0m', '1y', '1 h', '1H'])('rejects "%s"', (text) => {
    expect(parseDurationSeconds(text)).toBeUndefined();
  });

  it('accepts only the units a caller allows', () => {
    expect(parseDurationSeconds('30s', ['m', 'h', 'd'])).toBeUndefined();
    expect(parseDurationSeconds('30m', ['m', 'h', 'd'])).toBe(1800);
  });

  it.each([
    { seconds: 28 * 86400, text: '28d' },
    { seconds: 7200, text: '2h' },
    { seconds: 90 * 60, text: '90m' },
    { seconds: 45, text: '45s' },
  ])('formats $seconds seconds as $text', ({ seconds, text }) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('describes a duration for people', () => {
    expect(describeDuration(16 * 3600 + 48 * 60)).toBe('16 h 48 m');
    expect(describeDuration(28 * 86400)).toBe('28 d');
  });
});
