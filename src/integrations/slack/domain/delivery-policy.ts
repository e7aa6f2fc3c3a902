/**
 * How the outbox reacts to a failed Slack call: which errors are worth retrying, and when to try again.
 * Slack answers most refusals with HTTP 200 and `{ ok: false, error }`; those are permanent unless listed here.
 */
const TRANSIENT_SLACK_ERRORS = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);

export function isTransientSlackError(error: string): boolean {
  return TRANSIENT_SLACK_ERRORS.has(error);
}

/** Hints for the errors a user can fix, shown in the API beside Slack's own code. */
const HINTS: Record<string, string> = {
  channel_not_found:
    'the channel does not exist or the bot cannot see it (private channels need the bot invited)',
  not_in_channel: 'the bot is not a member of the channel: invite it with /invite @<bot name>',
  is_archived: 'the channel is archived',
  invalid_auth: 'SLACK_BOT_TOKEN is not a valid token',
  not_authed: 'no token was sent: set SLACK_BOT_TOKEN',
  token_revoked: 'SLACK_BOT_TOKEN has been revoked',
  token_expired: 'SLACK_BOT_TOKEN has expired',
  account_inactive: 'the bot user behind SLACK_BOT_TOKEN is deactivated',
  missing_scope: 'the Slack app lacks a scope: it needs chat:write (see docs/slack.md)',
  msg_too_long: 'the message is longer than Slack accepts',
  invalid_blocks: 'Slack refused the message blocks',
};

export function describeSlackError(error: string): string {
  const hint = HINTS[error];
  return hint ? `${error}: ${hint}` : error;
}

/** Errors about the channel (the user's input) rather than the token or Slack itself. */
export function isChannelError(error: string): boolean {
  return ['channel_not_found', 'not_in_channel', 'is_archived'].includes(error);
}

export interface BackoffPolicy {
  retryBaseMs: number;
  retryMaxMs: number;
}

/**
 * Delay before attempt `attempts + 1`: base × 2^(attempts − 1), capped, with up to 20 % jitter so that replicas do
 * not retry in step; never sooner than Slack's Retry-After.
 */
export function retryDelayMs(
  attempts: number,
  policy: BackoffPolicy,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  const jittered = Math.round(exponential * (1 + 0.2 * random()));
  return Math.max(jittered, retryAfterMs ?? 0);
}
