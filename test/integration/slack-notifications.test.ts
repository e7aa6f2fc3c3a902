import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { AlertStore } from '../../src/alerts/alert-store.js';
import { NotificationDispatcher } from '../../src/integrations/slack/notification-dispatcher.js';
import { apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { alertSnapshot, eventually, slackConfig, sloSpec } from '../support/slack.js';
import { SlackStandIn } from '../support/slack-standin.js';

let standIn: SlackStandIn;
let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;
let store: AlertStore;

const T0 = new Date('2026-11-25T17:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

beforeAll(async () => {
  standIn = await SlackStandIn.start();
  burnwatch = await startTestApp({ slack: slackConfig(standIn, { defaultChannel: '#alerts' }) });
  api = apiClient(burnwatch.url);
  store = burnwatch.app.get(AlertStore);
});
afterAll(async () => {
  await burnwatch.close();
  await standIn.close();
});
beforeEach(() => resetDatabase());
afterEach(() => standIn.reset());

describe('a firing alert', () => {
  it('posts the Block Kit message to the SLO channel with its numbers and a link', async () => {
    const event = await store.apply(sloSpec(), { kind: 'fired', severity: 'page' }, alertSnapshot(), T0);

    await eventually(() => expect(standIn.okCalls('chat.postMessage')).toHaveLength(1));
    const [post] = standIn.okCalls('chat.postMessage');
    expect(post!.token).toBe(standIn.token);
    expect(post!.args.channel).toBe('#payments-oncall');
    expect(post!.args.thread_ts).toBeUndefined();
    expect(post!.args.text).toBe(
      '[PAGE] checkout-latency is burning its error budget since 2026-11-25 17:00 UTC. SLI 93.2 % (objective 95 %), ' +
        'burn rate 15.2× over 1h, budget left 41.5 %. http://burnwatch.test/slos/checkout-latency',
    );
    expect(post!.args.blocks).toEqual([
      {
        type: 'header',
        text: {
          type: 'plain_text',
          text: '🔴 Page: checkout-latency is burning its error budget',
          emoji: true,
        },
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: 'Severity *page* · team *payments* · `shop/checkout`\nSince <!date^1795626000^{date_short_pretty} {time}|2026-11-25 17:00 UTC>',
        },
      },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*SLI*\n93.2 % (objective 95 %)' },
          { type: 'mrkdwn', text: '*Budget left*\n41.5 %' },
          {
            type: 'mrkdwn',
            text: '*Budget runs out*\nin 3 h 40 m (<!date^1795639200^{date_short_pretty} {time}|2026-11-25 20:40 UTC>)',
          },
        ],
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*Burn rate, long / short window*\n🔥 1h / 5m: *15.2×* / *16×* (page at 13.4×)\n6h / 30m: *3.1×* / *4.2×* (page at 5.6×)',
        },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: '<http://burnwatch.test/slos/checkout-latency|Open checkout-latency in Burnwatch>',
          },
        ],
      },
    ]);
    expect(post!.args.metadata).toEqual({
      event_type: 'burnwatch_notification',
      event_payload: { notification_id: expect.any(String) },
    });

    await eventually(async () => {
      const alert = await api('GET', `/api/v1/alerts/${event!.alertId}`);
      expect(alert.body.notifications).toEqual([
        expect.objectContaining({
          kind: 'fired',
          channel: '#payments-oncall',
          state: 'sent',
          attempts: 1,
          error: null,
        }),
      ]);
      expect(Date.parse(alert.body.notifications[0].sentAt)).not.toBeNaN();
    });
  });

  it('goes to SLACK_DEFAULT_CHANNEL when the SLO names none', async () => {
    await store.apply(
      sloSpec({ notify: undefined }),
      { kind: 'fired', severity: 'ticket' },
      alertSnapshot(),
      T0,
    );
    await eventually(() => expect(standIn.okCalls('chat.postMessage')).toHaveLength(1));
    expect(standIn.okCalls('chat.postMessage')[0]!.args.channel).toBe('#alerts');
  });
});

describe('escalation and resolve', () => {
  it('reply in the firing thread and bring the root message to the current state', async () => {
    const slo = sloSpec();
    await store.apply(slo, { kind: 'fired', severity: 'ticket' }, alertSnapshot(), T0);
    await store.apply(
      slo,
      { kind: 'escalated', severity: 'page' },
      alertSnapshot({ budgetRemainingPercent: 30 }),
      minutes(10),
    );
    const resolved = await store.apply(
      slo,
      { kind: 'resolved' },
      alertSnapshot({ sliPercent: 95.4, budgetRemainingPercent: 28.25, exhaustionAt: null, burnRates: [] }),
      minutes(73),
    );

    await eventually(() => expect(standIn.okCalls('chat.update')).toHaveLength(2));
    const posts = standIn.okCalls('chat.postMessage');
    expect(posts).toHaveLength(3);
    const rootTs = posts[0]!.response!.ts as string;
    expect(posts[0]!.args.thread_ts).toBeUndefined();

    // Escalation: a reply in the thread (in the channel Slack named by ID), then the root edited.
    expect(posts[1]!.args).toMatchObject({ channel: 'C0PAYMENTS', thread_ts: rootTs });
    expect(posts[1]!.args.text).toBe(
      'Escalated: checkout-latency is now a page (was ticket). SLI 93.2 % (objective 95 %), burn rate 15.2× over 1h, budget left 30 %.',
    );
    expect((posts[1]!.args.blocks as any[])[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '⬆️ Escalated from *ticket* to *page*: the budget burns faster.' },
    });
    const [escalationUpdate, resolveUpdate] = standIn.okCalls('chat.update');
    expect(escalationUpdate!.args).toMatchObject({ channel: 'C0PAYMENTS', ts: rootTs });
    expect((escalationUpdate!.args.blocks as any[])[0].text.text).toBe(
      '🔴 Page: checkout-latency is burning its error budget',
    );

    // Resolve: the reply, then the root says "Resolved" with how long it burned.
    expect(posts[2]!.args).toMatchObject({ channel: 'C0PAYMENTS', thread_ts: rootTs });
    expect(posts[2]!.args.blocks).toEqual([
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '✅ Resolved after 1 h 13 m: the burn rates are back under their thresholds.',
        },
      },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*SLI*\n95.4 % (objective 95 %)' },
          { type: 'mrkdwn', text: '*Budget left*\n28.25 %' },
        ],
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: '<http://burnwatch.test/slos/checkout-latency|Open checkout-latency in Burnwatch>',
          },
        ],
      },
    ]);
    expect(resolveUpdate!.args).toMatchObject({ channel: 'C0PAYMENTS', ts: rootTs });
    expect((resolveUpdate!.args.blocks as any[]).slice(0, 2)).toEqual([
      { type: 'header', text: { type: 'plain_text', text: '✅ Resolved: checkout-latency', emoji: true } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text:
            'Was *page* · team *payments* · `shop/checkout`\nBurned from <!date^1795626000^{date_short_pretty} {time}|2026-11-25 17:00 UTC> ' +
            'to <!date^1795630380^{date_short_pretty} {time}|2026-11-25 18:13 UTC> (1 h 13 m)',
        },
      },
    ]);

    // What the channel shows: one root message, edited to "resolved", with two replies under it.
    const channel = standIn.history('C0PAYMENTS');
    expect(channel.map((m) => m.threadTs ?? 'root')).toEqual(['root', rootTs, rootTs]);
    expect(channel[0]!.text).toMatch(/^Resolved: checkout-latency \(was page\) after 1 h 13 m/);

    await eventually(async () => {
      const alert = await api('GET', `/api/v1/alerts/${resolved!.alertId}`);
      expect(alert.body.notifications.map((n: any) => [n.kind, n.state, n.threadTs])).toEqual([
        ['fired', 'sent', null],
        ['escalated', 'sent', rootTs],
        ['resolved', 'sent', rootTs],
      ]);
    });
  });

  it('shows the suspected deploy, the image comparison and Kubernetes warnings when the alert has a correlation', async () => {
    const slo = sloSpec();
    // The correlation is written in the firing's transaction, as the Kubernetes part does.
    const dataSource = burnwatch.app.get(AlertStore)['dataSource'];
    await dataSource.transaction(async (manager) => {
      const event = await store.apply(slo, { kind: 'fired', severity: 'page' }, alertSnapshot(), T0, manager);
      await manager.query(`UPDATE alerts SET correlation = $1 WHERE id = $2`, [
        JSON.stringify({
          suspects: [
            {
              kind: 'deploy',
              workload: 'checkout',
              namespace: 'shop',
              image: 'registry.example/checkout:1.4.2',
              digest: 'sha256:3f9a1c2b7d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4',
              at: '2026-11-25T16:56:00.000Z',
              minutesBeforeBurn: 4,
              score: 0.92,
            },
          ],
          events: [
            {
              reason: 'BackOff',
              object: 'Pod/checkout-7d9f',
              count: 12,
              firstSeen: '2026-11-25T16:57:00.000Z',
              lastSeen: '2026-11-25T17:01:00.000Z',
              message: 'Back-off restarting failed container',
            },
          ],
          imageComparison: [
            { digest: 'sha256:3f9a1c2b7d4e5f60718293a4b5c6d7e8', errorPercent: 7.12, total: 1204 },
            { digest: 'sha256:0badc0ffee00112233445566', errorPercent: 0.1, total: 5100 },
          ],
        }),
        event!.alertId,
      ]);
    });

    await eventually(() => expect(standIn.okCalls('chat.postMessage')).toHaveLength(1));
    const blocks = standIn.okCalls('chat.postMessage')[0]!.args.blocks as any[];
    const texts = blocks.filter((b) => b.type === 'section' && b.text).map((b) => b.text.text);
    expect(texts).toContain(
      '*Suspected change*\n• Deploy of `shop/checkout` image `3f9a1c2b7d4e`, 4 min before the burn began ' +
        '(<!date^1795625760^{date_short_pretty} {time}|2026-11-25 16:56 UTC>)',
    );
    expect(texts).toContain(
      '*By image*\n• `3f9a1c2b7d4e`: 7.12 % errors over 1,204 requests\n• `0badc0ffee00`: 0.1 % errors over 5,100 requests',
    );
    expect(texts).toContain(
      '*Kubernetes warnings*\n• *BackOff* on `Pod/checkout-7d9f` ×12: Back-off restarting failed container',
    );
    expect(standIn.okCalls('chat.postMessage')[0]!.args.text).toContain(
      'Suspected: deploy of shop/checkout (3f9a1c2b7d4e) 4 min before.',
    );
  });
});

describe('delivery through Slack failures', () => {
  it('retries 500s and 429s (waiting as long as Retry-After says), then delivers every transition once, in order', async () => {
    standIn.inject({ status: 500 }, 3, 'chat.postMessage');
    standIn.inject({ status: 429, retryAfterSeconds: 1 }, 2, 'chat.postMessage');
    const checkout = sloSpec();
    const search = sloSpec({ name: 'search-latency' });
    await store.apply(checkout, { kind: 'fired', severity: 'ticket' }, alertSnapshot(), T0);
    await store.apply(search, { kind: 'fired', severity: 'page' }, alertSnapshot(), T0);
    await store.apply(checkout, { kind: 'escalated', severity: 'page' }, alertSnapshot(), minutes(5));
    await store.apply(checkout, { kind: 'resolved' }, alertSnapshot(), minutes(30));
    await store.apply(search, { kind: 'resolved' }, alertSnapshot(), minutes(40));

    await eventually(() => expect(standIn.okCalls('chat.postMessage')).toHaveLength(5), 30_000);
    const failures = standIn.calls('chat.postMessage').filter((r) => r.status !== 200);
    expect(failures.map((r) => r.status)).toEqual([500, 500, 500, 429, 429]);

    // Never sooner than Retry-After after a 429.
    const all = standIn.calls('chat.postMessage');
    for (const [i, request] of all.entries()) {
      if (request.status === 429) expect(all[i + 1]!.at - request.at).toBeGreaterThanOrEqual(1000);
    }

    // Per alert: the firing first, then its replies in the order of the transitions, each exactly once.
    const bySlo = (name: string) =>
      standIn
        .okCalls('chat.postMessage')
        .filter((r) => String(r.args.text).includes(name))
        .map((r) =>
          String(r.args.text)
            .split(':')[0]!
            .replace(/^\[(PAGE|TICKET)\].*/, 'fired'),
        );
    expect(bySlo('checkout-latency')).toEqual(['fired', 'Escalated', 'Resolved']);
    expect(bySlo('search-latency')).toEqual(['fired', 'Resolved']);
    expect(standIn.history('C0PAYMENTS')).toHaveLength(5);
    await eventually(() => expect(standIn.okCalls('chat.update')).toHaveLength(3));

    await eventually(async () => {
      const list = await api('GET', '/api/v1/notifications');
      expect(list.body.items.map((n: any) => n.state)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
      expect(list.body.items.some((n: any) => n.attempts > 1)).toBe(true);
    });
  });

  it('does not post twice when Slack stored the message but answered 500: it looks first', async () => {
    standIn.inject({ status: 500, afterCommit: true }, 1, 'chat.postMessage');
    await store.apply(sloSpec(), { kind: 'fired', severity: 'page' }, alertSnapshot(), T0);

    await eventually(async () => {
      const list = await api('GET', '/api/v1/notifications');
      expect(list.body.items[0]).toMatchObject({ state: 'sent', attempts: 2 });
    });
    expect(standIn.history('C0PAYMENTS')).toHaveLength(1);
    expect(standIn.calls('chat.postMessage')).toHaveLength(1);
    // The channel's ID came from an earlier answer (or conversations.list): history needs an ID.
    expect(standIn.calls('conversations.history')[0]!.args).toMatchObject({
      channel: 'C0PAYMENTS',
      include_all_metadata: 'true',
    });
    const list = await api('GET', '/api/v1/notifications');
    expect(list.body.items[0].ts).toBe(standIn.history('C0PAYMENTS')[0]!.ts);
  });

  it('stops on a permanent error, keeps it, and shows it on the alert', async () => {
    const slo = sloSpec({ notify: { slackChannel: '#does-not-exist' } });
    const fired = await store.apply(slo, { kind: 'fired', severity: 'page' }, alertSnapshot(), T0);
    await store.apply(slo, { kind: 'resolved' }, alertSnapshot(), minutes(20));

    await eventually(async () => {
      const alert = await api('GET', `/api/v1/alerts/${fired!.alertId}`);
      expect(alert.body.notifications.map((n: any) => n.state)).toEqual(['failed', 'failed']);
    });
    const alert = await api('GET', `/api/v1/alerts/${fired!.alertId}`);
    expect(alert.body.notifications[0]).toMatchObject({
      kind: 'fired',
      channel: '#does-not-exist',
      attempts: 1,
      error:
        'channel_not_found: the channel does not exist or the bot cannot see it (private channels need the bot invited)',
    });

    // Further dispatcher rounds do not try again.
    const dispatcher = burnwatch.app.get(NotificationDispatcher);
    for (let i = 0; i < 3; i++) await dispatcher.dispatchDue();
    expect(standIn.calls('chat.postMessage')).toHaveLength(2);
  });
});

describe('self-metrics', () => {
  it('count what was sent, what failed and what waits, and time the delivery', async () => {
    const metric = async (pattern: RegExp) => {
      const text = (await api('GET', '/metrics')).body as string;
      return Number(pattern.exec(text)?.[1] ?? 0);
    };
    const sent = /^burnwatch_slack_notifications_sent_total\{kind="fired",mode="slack"\} (\d+)$/m;
    const failed =
      /^burnwatch_slack_notifications_failed_total\{kind="fired",error="channel_not_found"\} (\d+)$/m;
    const timed = /^burnwatch_slack_notification_delivery_seconds_count\{kind="fired"\} (\d+)$/m;
    const before = { sent: await metric(sent), failed: await metric(failed), timed: await metric(timed) };

    standIn.inject({ status: 503 }, 1000, 'chat.postMessage');
    await store.apply(sloSpec(), { kind: 'fired', severity: 'page' }, alertSnapshot(), T0);
    await eventually(async () =>
      expect(await metric(/^burnwatch_slack_notifications_pending (\d+)$/m)).toBe(1),
    );
    await eventually(async () =>
      expect(
        await metric(/^burnwatch_slack_notification_retries_total\{error="http_503"\} (\d+)$/m),
      ).toBeGreaterThan(0),
    );

    standIn.reset();
    await store.apply(
      sloSpec({ name: 'lost', notify: { slackChannel: '#gone' } }),
      { kind: 'fired', severity: 'page' },
      alertSnapshot(),
      T0,
    );
    await eventually(async () => expect(await metric(sent)).toBe(before.sent + 1));
    await eventually(async () => expect(await metric(failed)).toBe(before.failed + 1));
    expect(await metric(timed)).toBe(before.timed + 1);
    expect(await metric(/^burnwatch_slack_notifications_pending (\d+)$/m)).toBe(0);
  });
});

describe('POST /api/v1/notifications/test', () => {
  it('sends a sample message to the channel and returns its delivery', async () => {
    const response = await api('POST', '/api/v1/notifications/test', { channel: '#payments-oncall' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      kind: 'test',
      channel: '#payments-oncall',
      state: 'sent',
      error: null,
    });
    const [post] = standIn.okCalls('chat.postMessage');
    expect(post!.args.channel).toBe('#payments-oncall');
    expect(post!.args.thread_ts).toBeUndefined();
    expect(post!.args.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: '👋 Burnwatch test message', emoji: true } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: 'This is a test message from Burnwatch for #payments-oncall. Alerts for SLOs that notify this channel will arrive here.',
        },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: expect.stringMatching(
              /^Sent <!date\^\d+\^\{date_short_pretty\} \{time\}\|.+ UTC> · <http:\/\/burnwatch.test\|Open Burnwatch>$/,
            ),
          },
        ],
      },
    ]);
    expect(response.body.ts).toBe(post!.response!.ts);
  });

  it('names the field when the channel is malformed', async () => {
    const response = await api('POST', '/api/v1/notifications/test', { channel: 'Payments On Call' });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      {
        field: 'channel',
        message: 'must be a channel name such as "#payments-oncall" or an ID such as "C0123ABCD"',
      },
    ]);
    const unknownField = await api('POST', '/api/v1/notifications/test', { chanel: '#alerts' });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors).toEqual([{ field: 'chanel', message: 'is not a known field' }]);
    expect(standIn.requests).toHaveLength(0);
  });

  it("surfaces Slack's refusal of the channel as a 400 with Slack's error", async () => {
    const response = await api('POST', '/api/v1/notifications/test', { channel: '#not-joined' });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      {
        field: 'channel',
        message:
          'Slack refused the message: not_in_channel: the bot is not a member of the channel: invite it with /invite @<bot name>',
      },
    ]);
    const list = await api('GET', '/api/v1/notifications?state=failed');
    expect(list.body.items).toHaveLength(1);
  });

  it('says when Slack refuses the token', async () => {
    await using app = await appWith({ botToken: 'xoxb-revoked-or-wrong' });
    const response = await apiClient(app.url)('POST', '/api/v1/notifications/test', {
      channel: '#payments-oncall',
    });
    expect(response.status).toBe(503);
    expect(response.body.errors).toEqual([
      {
        field: 'SLACK_BOT_TOKEN',
        message: 'Slack refused the message: invalid_auth: SLACK_BOT_TOKEN is not a valid token',
      },
    ]);
  });
});

describe('two replicas', () => {
  it('share the outbox without sending anything twice', async () => {
    await using second = await appWith({});
    const names = Array.from({ length: 8 }, (_, i) => `slo-${i}`);
    await Promise.all(
      names.map((name, i) =>
        (i % 2 ? second.store : store).apply(
          sloSpec({ name }),
          { kind: 'fired', severity: 'page' },
          alertSnapshot(),
          T0,
        ),
      ),
    );
    await Promise.all(
      names.map((name) => store.apply(sloSpec({ name }), { kind: 'resolved' }, alertSnapshot(), minutes(9))),
    );
    await eventually(() => expect(standIn.okCalls('chat.update')).toHaveLength(8));
    const texts = standIn.okCalls('chat.postMessage').map((r) => String(r.args.text));
    expect(texts).toHaveLength(16);
    for (const name of names) {
      expect(texts.filter((t) => t.startsWith(`[PAGE] ${name} `))).toHaveLength(1);
      expect(texts.filter((t) => t.startsWith(`Resolved: ${name} `))).toHaveLength(1);
    }
  });
});

/** Another app instance on the same database and stand-in, closed by `await using`. */
async function appWith(overrides: Parameters<typeof slackConfig>[1]) {
  const app = await startTestApp({ slack: slackConfig(standIn, overrides) });
  return {
    url: app.url,
    store: app.app.get(AlertStore),
    [Symbol.asyncDispose]: () => app.close(),
  };
}
