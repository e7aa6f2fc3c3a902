import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackStandIn } from '../support/slack-standin.js';

/** The stand-in answers as Slack's Web API does, so the other Slack tests can trust it. */
let standIn: SlackStandIn;
const TOKEN = 'xoxb-stand-in-test';

beforeAll(async () => {
  standIn = await SlackStandIn.start({ token: TOKEN });
});
afterAll(() => standIn.close());

async function call(method: string, body: string, headers: Record<string, string>) {
  const response = await fetch(standIn.url + method, { method: 'POST', body, headers });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text.startsWith('{') ? JSON.parse(text) : text,
  };
}

const bearer = () => ({ authorization: `Bearer ${TOKEN}` });
const json = { 'content-type': 'application/json; charset=utf-8' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('the Slack stand-in', () => {
  it('takes JSON bodies with a bearer token and form bodies with JSON-valued fields', async () => {
    const posted = await call(
      'chat.postMessage',
      JSON.stringify({ channel: '#payments-oncall', text: 'hi' }),
      {
        ...json,
        ...bearer(),
      },
    );
    expect(posted.body).toMatchObject({
      ok: true,
      channel: 'C0PAYMENTS',
      ts: expect.stringMatching(/^\d+\.\d{6}$/),
    });

    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'in thread' } }];
    const reply = await call(
      'chat.postMessage',
      new URLSearchParams({
        channel: 'C0PAYMENTS',
        text: 'r',
        thread_ts: posted.body.ts,
        blocks: JSON.stringify(blocks),
      }).toString(),
      { ...form, ...bearer() },
    );
    expect(reply.body.ok).toBe(true);
    expect(standIn.calls('chat.postMessage')[1]!.args.blocks).toEqual(blocks);
    expect(standIn.history('C0PAYMENTS').map((m) => m.threadTs)).toEqual([undefined, posted.body.ts]);
  });

  it.each([
    { name: 'no token', headers: { ...json }, body: { channel: '#alerts', text: 'x' }, error: 'not_authed' },
    {
      name: 'a wrong token',
      headers: { ...json, authorization: 'Bearer xoxb-nope' },
      body: { channel: '#alerts', text: 'x' },
      error: 'invalid_auth',
    },
    {
      name: 'an unknown channel',
      headers: { ...json, ...bearer() },
      body: { channel: '#nowhere', text: 'x' },
      error: 'channel_not_found',
    },
    {
      name: 'a channel the bot is not in',
      headers: { ...json, ...bearer() },
      body: { channel: '#not-joined', text: 'x' },
      error: 'not_in_channel',
    },
    {
      name: 'no text and no blocks',
      headers: { ...json, ...bearer() },
      body: { channel: '#alerts' },
      error: 'no_text',
    },
    {
      name: 'a missing thread',
      headers: { ...json, ...bearer() },
      body: { channel: '#alerts', text: 'x', thread_ts: '1.000001' },
      error: 'thread_not_found',
    },
  ])('refuses $name with HTTP 200 and ok: false', async ({ headers, body, error }) => {
    const response = await call('chat.postMessage', JSON.stringify(body), headers);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ok: false, error });
  });

  it('answers 429 with Retry-After and 500s while a fault is injected, then recovers', async () => {
    standIn.inject({ status: 429, retryAfterSeconds: 7 }, 1, 'auth.test');
    standIn.inject({ status: 500 }, 1, 'auth.test');
    const limited = await call('auth.test', '', bearer());
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await call('auth.test', '', bearer())).status).toBe(500);
    expect((await call('auth.test', '', bearer())).body).toMatchObject({ ok: true, team: 'Burnwatch Test' });
  });

  it('edits a message by channel ID and returns metadata only when asked', async () => {
    const metadata = { event_type: 'burnwatch_notification', event_payload: { notification_id: 'n1' } };
    const posted = await call(
      'chat.postMessage',
      JSON.stringify({ channel: 'C0DEFAULT1', text: 'v1', metadata }),
      {
        ...json,
        ...bearer(),
      },
    );
    const byName = await call(
      'chat.update',
      JSON.stringify({ channel: '#alerts', ts: posted.body.ts, text: 'v2' }),
      {
        ...json,
        ...bearer(),
      },
    );
    expect(byName.body).toEqual({ ok: false, error: 'channel_not_found' });
    const updated = await call(
      'chat.update',
      JSON.stringify({ channel: 'C0DEFAULT1', ts: posted.body.ts, text: 'v2' }),
      {
        ...json,
        ...bearer(),
      },
    );
    expect(updated.body).toMatchObject({ ok: true, ts: posted.body.ts, text: 'v2' });

    const plain = await call('conversations.history', JSON.stringify({ channel: 'C0DEFAULT1' }), {
      ...json,
      ...bearer(),
    });
    expect(plain.body.messages[0].metadata).toBeUndefined();
    const withMetadata = await call(
      'conversations.history',
      JSON.stringify({ channel: 'C0DEFAULT1', include_all_metadata: true }),
      { ...json, ...bearer() },
    );
    expect(withMetadata.body.messages[0]).toMatchObject({ text: 'v2', metadata });
  });
});
