import { describe, expect, it } from 'vitest';
import { describeSlackError, isTransientSlackError, retryDelayMs } from './delivery-policy.js';

const policy = { retryBaseMs: 1000, retryMaxMs: 60_000 };
const noJitter = () => 0;

describe('retryDelayMs', () => {
  it.each([
    { name: 'waits the base delay after the first attempt', attempts: 1, expected: 1000 },
    { name: 'doubles with every attempt', attempts: 4, expected: 8000 },
    { name: 'never waits longer than the maximum', attempts: 30, expected: 60_000 },
  ])('$name', ({ attempts, expected }) => {
    expect(retryDelayMs(attempts, policy, undefined, noJitter)).toBe(expected);
  });

  it('waits at least what Retry-After asks for, even when the backoff is shorter', () => {
    expect(retryDelayMs(1, policy, 30_000, noJitter)).toBe(30_000);
  });

  it('keeps the longer backoff when Retry-After asks for less', () => {
    expect(retryDelayMs(5, policy, 2000, noJitter)).toBe(16_000);
  });

  it('adds at most a fifth of jitter', () => {
    expect(retryDelayMs(1, policy, undefined, () => 1)).toBe(1200);
  });
});

describe('Slack errors', () => {
  it.each([
    { error: 'channel_not_found', transient: false },
    { error: 'invalid_auth', transient: false },
    { error: 'not_in_channel', transient: false },
    { error: 'internal_error', transient: true },
    { error: 'ratelimited', transient: true },
  ])('$error is transient: $transient', ({ error, transient }) => {
    expect(isTransientSlackError(error)).toBe(transient);
  });

  it('explains the errors a user can fix', () => {
    expect(describeSlackError('not_in_channel')).toBe(
      'not_in_channel: the bot is not a member of the channel: invite it with /invite @<bot name>',
    );
    expect(describeSlackError('something_new')).toBe('something_new');
  });
});
