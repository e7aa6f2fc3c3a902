import { describe, expect, it } from 'vitest';
import { ACTIONS } from './alert-actions.js';
import {
  createdByOf,
  notRealBurnModal,
  parseInteraction,
  signatureProblem,
  slackSignature,
} from './slack-interaction.js';

// Slack's worked example (https://docs.slack.dev/authentication/verifying-requests-from-slack).
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const EXAMPLE_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const EXAMPLE_TIMESTAMP = '1531420618';
const EXAMPLE_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const NOW_MS = Number(EXAMPLE_TIMESTAMP) * 1000;
const ALERT = '3f9c2b1e-1d2a-4c3b-9e8f-0a1b2c3d4e5f';

const signed = (overrides: Partial<{ body: string; timestamp?: string; signature?: string }> = {}) => ({
  rawBody: Buffer.from(overrides.body ?? EXAMPLE_BODY),
  timestamp: 'timestamp' in overrides ? overrides.timestamp : EXAMPLE_TIMESTAMP,
  signature: 'signature' in overrides ? overrides.signature : EXAMPLE_SIGNATURE,
});

describe('slackSignature', () => {
  it("gives Slack's own worked example", () => {
    expect(slackSignature(SECRET, EXAMPLE_TIMESTAMP, EXAMPLE_BODY)).toBe(EXAMPLE_SIGNATURE);
  });
});

describe('signatureProblem', () => {
  const cases: {
    name: string;
    request: ReturnType<typeof signed>;
    nowMs?: number;
    problem: RegExp | null;
  }[] = [
    { name: "accepts Slack's example at its own time", request: signed(), problem: null },
    { name: 'accepts a request 4 minutes old', request: signed(), nowMs: NOW_MS + 240_000, problem: null },
    {
      name: 'refuses a request 6 minutes old (replayed)',
      request: signed(),
      nowMs: NOW_MS + 360_000,
      problem: /5 minutes/,
    },
    {
      name: 'refuses a request from 6 minutes ahead',
      request: signed(),
      nowMs: NOW_MS - 360_000,
      problem: /5 minutes/,
    },
    { name: 'refuses an unsigned request', request: signed({ signature: undefined }), problem: /not signed/ },
    {
      name: 'refuses a request without a timestamp',
      request: signed({ timestamp: undefined }),
      problem: /not signed/,
    },
    {
      name: 'refuses a timestamp that is not a number',
      request: signed({ timestamp: '1e9' }),
      problem: /seconds/,
    },
    {
      name: 'refuses a tampered body',
      request: signed({ body: EXAMPLE_BODY.replace('roadrunner', 'coyote') }),
      problem: /does not match/,
    },
    {
      name: 'refuses a signature of another length',
      request: signed({ signature: 'v0=abc' }),
      problem: /does not match/,
    },
    {
      name: 'refuses a signature made with another secret',
      request: signed({ signature: slackSignature('another-secret', EXAMPLE_TIMESTAMP, EXAMPLE_BODY) }),
      problem: /does not match/,
    },
    {
      name: 'refuses a timestamp moved forward with the old signature',
      request: signed({ timestamp: String(Number(EXAMPLE_TIMESTAMP) + 1) }),
      problem: /does not match/,
    },
  ];
  it.each(cases)('$name', ({ request, nowMs, problem }) => {
    const found = signatureProblem(SECRET, request, nowMs ?? NOW_MS);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toMatch(problem);
  });
});

const form = (payload: unknown) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
const user = { id: 'U0ALICE01', username: 'alice', name: 'alice', team_id: 'T0TEST' };
const blockActions = (actionId: string, value = ALERT) => ({
  type: 'block_actions',
  user,
  api_app_id: 'A0BURN',
  token: 'legacy-verification-token',
  container: {
    type: 'message',
    message_ts: '1790000000.000100',
    channel_id: 'C0PAYMENTS',
    is_ephemeral: false,
  },
  trigger_id: '1234.5678.abcd',
  team: { id: 'T0TEST', domain: 'burnwatch-test' },
  channel: { id: 'C0PAYMENTS', name: 'payments-oncall' },
  message: { type: 'message', ts: '1790000000.000100', text: '[PAGE] …', bot_id: 'B0BOT' },
  state: { values: {} },
  response_url: 'https://hooks.slack.com/actions/T0TEST/1/abc',
  actions: [
    {
      type: 'button',
      action_id: actionId,
      block_id: 'burnwatch_alert_actions',
      value,
      action_ts: '1790000001.1',
    },
  ],
});
const viewSubmission = (
  metadata: string,
  reason: string | undefined,
  callbackId = 'burnwatch_not_real_burn',
) => ({
  type: 'view_submission',
  team: { id: 'T0TEST', domain: 'burnwatch-test' },
  user,
  api_app_id: 'A0BURN',
  token: 'legacy-verification-token',
  trigger_id: '1234.5678.efgh',
  view: {
    id: 'V0MODAL',
    type: 'modal',
    callback_id: callbackId,
    private_metadata: metadata,
    state: { values: { reason: { reason: { type: 'plain_text_input', value: reason } } } },
  },
  response_urls: [],
});

describe('parseInteraction', () => {
  const cases: { name: string; body: string; expected: unknown }[] = [
    {
      name: 'reads a Silence 1 h click',
      body: form(blockActions(ACTIONS.silence1h)),
      expected: {
        type: 'button',
        action: 'silence1h',
        alertId: ALERT,
        user: { id: 'U0ALICE01', username: 'alice' },
        triggerId: '1234.5678.abcd',
      },
    },
    {
      name: 'reads a Not a real burn submission with its reason, trimmed',
      body: form(viewSubmission(JSON.stringify({ alertId: ALERT }), '  load test LOAD-17 ')),
      expected: {
        type: 'notRealBurn',
        alertId: ALERT,
        user: { id: 'U0ALICE01', username: 'alice' },
        reason: 'load test LOAD-17',
      },
    },
    {
      name: 'reads an empty reason as empty (the service asks again)',
      body: form(viewSubmission(JSON.stringify({ alertId: ALERT }), undefined)),
      expected: expect.objectContaining({ type: 'notRealBurn', reason: '' }),
    },
    {
      name: "ignores another app's button",
      body: form(blockActions('other_button')),
      expected: expect.objectContaining({ type: 'ignored' }),
    },
    {
      name: "ignores another app's modal",
      body: form(viewSubmission('{}', 'x', 'other')),
      expected: expect.objectContaining({ type: 'ignored' }),
    },
    {
      name: 'ignores a view closed',
      body: form({ type: 'view_closed', user }),
      expected: expect.objectContaining({ type: 'ignored' }),
    },
    { name: 'refuses a body without payload', body: 'token=abc', expected: expect.stringMatching(/payload/) },
    { name: 'refuses a payload that is not JSON', body: 'payload=%7Bnope', expected: 'payload is not JSON' },
    {
      name: 'refuses a button whose value is no alert id',
      body: form(blockActions(ACTIONS.acknowledge, 'x')),
      expected: expect.stringMatching(/alert id/),
    },
    {
      name: 'refuses a submission whose metadata names no alert',
      body: form(viewSubmission('{"alertId":1}', 'x')),
      expected: expect.stringMatching(/names no alert/),
    },
    {
      name: 'refuses a click without a user',
      body: form({ ...blockActions(ACTIONS.acknowledge), user: undefined }),
      expected: expect.stringMatching(/user/),
    },
  ];
  it.each(cases)('$name', ({ body, expected }) => {
    expect(parseInteraction(body)).toEqual(expected);
  });
});

describe('createdByOf', () => {
  it('names the Slack user and their id', () => {
    expect(createdByOf({ id: 'U0ALICE01', username: 'alice' })).toBe('alice (Slack U0ALICE01)');
    expect(createdByOf({ id: 'U0ALICE01', username: null })).toBe('Slack U0ALICE01');
  });
});

describe('notRealBurnModal', () => {
  it('carries the alert id, says what will be recorded and asks for a reason', () => {
    const view = notRealBurnModal({
      alertId: ALERT,
      sloName: 'checkout-latency',
      startIso: '2026-11-10T12:00:00Z',
      endIso: null,
    });
    expect(JSON.parse(view.private_metadata)).toEqual({ alertId: ALERT });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    expect(JSON.stringify(view.blocks)).toMatch(/checkout-latency.*error budget/);
    expect(view.blocks[1]).toMatchObject({
      type: 'input',
      block_id: 'reason',
      element: { action_id: 'reason' },
    });
  });
});
