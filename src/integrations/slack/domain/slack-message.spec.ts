import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertSnapshot } from '../../../alerts/domain/alert-transition.js';
import { Correlation, readCorrelation, shortDigest } from './correlation.js';
import {
  LIMITS,
  NotifiedTransition,
  SlackBlock,
  rootMessage,
  testMessage,
  threadReply,
} from './slack-message.js';

const URL = 'https://burnwatch.example/slos/checkout-latency';

const snapshot = (overrides: Partial<AlertSnapshot> = {}): AlertSnapshot => ({
  sliPercent: 99.12345,
  objective: 99.9,
  budgetRemainingPercent: 62.5,
  burnRates: [
    {
      severity: 'page',
      longWindow: '1h',
      shortWindow: '5m',
      threshold: 14.4,
      longBurnRate: 15.234,
      shortBurnRate: 9.5,
      firing: true,
    },
  ],
  exhaustionAt: '2026-11-27T17:00:00.000Z',
  ...overrides,
});

const transition = (overrides: Partial<NotifiedTransition> = {}): NotifiedTransition => ({
  kind: 'fired',
  severity: 'page',
  previousSeverity: null,
  at: '2026-11-25T17:00:00.000Z',
  alertStartedAt: '2026-11-25T17:00:00.000Z',
  slo: {
    name: 'checkout-latency',
    team: 'payments',
    service: { namespace: 'shop', workload: 'checkout' },
    objective: 99.9,
  },
  snapshot: snapshot(),
  ...overrides,
});

const textsOf = (blocks: SlackBlock[]): string[] =>
  blocks.flatMap((b) => {
    if (b.type === 'header') return [b.text.text];
    if (b.type === 'section') return [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)];
    if (b.type === 'context') return b.elements.map((e) => e.text);
    return [];
  });

describe('rootMessage', () => {
  it('says how bad, since when and where to look, for a firing page', () => {
    expect(rootMessage(transition(), null, URL)).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "emoji": true,
              "text": "🔴 Page: checkout-latency is burning its error budget",
              "type": "plain_text",
            },
            "type": "header",
          },
          {
            "text": {
              "text": "Severity *page* · team *payments* · \`shop/checkout\`
      Since <!date^1795626000^{date_short_pretty} {time}|2026-11-25 17:00 UTC>",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "fields": [
              {
                "text": "*SLI*
      99.12 % (objective 99.9 %)",
                "type": "mrkdwn",
              },
              {
                "text": "*Budget left*
      62.5 %",
                "type": "mrkdwn",
              },
              {
                "text": "*Budget runs out*
      in 2 d (<!date^1795798800^{date_short_pretty} {time}|2026-11-27 17:00 UTC>)",
                "type": "mrkdwn",
              },
            ],
            "type": "section",
          },
          {
            "text": {
              "text": "*Burn rate, long / short window*
      🔥 1h / 5m: *15.2×* / *9.5×* (page at 14.4×)",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "elements": [
              {
                "text": "<https://burnwatch.example/slos/checkout-latency|Open checkout-latency in Burnwatch>",
                "type": "mrkdwn",
              },
            ],
            "type": "context",
          },
        ],
        "text": "[PAGE] checkout-latency is burning its error budget since 2026-11-25 17:00 UTC. SLI 99.12 % (objective 99.9 %), burn rate 15.2× over 1h, budget left 62.5 %. https://burnwatch.example/slos/checkout-latency",
      }
    `);
  });

  it.each([
    {
      name: 'a ticket is orange and says ticket',
      t: transition({ severity: 'ticket' }),
      expected: '🟠 Ticket: checkout-latency is burning its error budget',
    },
    {
      name: 'a display name is preferred to the name',
      t: transition({ slo: { ...transition().slo, displayName: 'Checkout answers fast' } }),
      expected: '🔴 Page: Checkout answers fast is burning its error budget',
    },
    {
      name: 'a resolve says so',
      t: transition({ kind: 'resolved' }),
      expected: '✅ Resolved: checkout-latency',
    },
  ])('$name', ({ t, expected }) => {
    const [header] = rootMessage(t, null, URL).blocks;
    expect(header).toEqual({ type: 'header', text: { type: 'plain_text', text: expected, emoji: true } });
  });

  it.each([
    {
      name: 'a spent budget says so',
      s: snapshot({ budgetRemainingPercent: -3 }),
      expected: 'already spent',
    },
    {
      name: 'no forecast when the budget does not run out',
      s: snapshot({ exhaustionAt: null }),
      expected: 'not at the current burn rate',
    },
    {
      name: 'a forecast beyond a day is rounded to hours',
      s: snapshot({ exhaustionAt: '2026-11-27T17:29:00.000Z' }),
      expected: 'in 2 d (<!date^1795800540^{date_short_pretty} {time}|2026-11-27 17:29 UTC>)',
    },
  ])('$name', ({ s, expected }) => {
    const texts = textsOf(rootMessage(transition({ snapshot: s }), null, URL).blocks);
    expect(texts).toContain(`*Budget runs out*\n${expected}`);
  });

  it('says "no data" rather than a number when there is no SLI', () => {
    const texts = textsOf(
      rootMessage(transition({ snapshot: snapshot({ sliPercent: null }) }), null, URL).blocks,
    );
    expect(texts).toContain('*SLI*\nno data (objective 99.9 %)');
  });

  it('escapes the characters Slack reads as markup', () => {
    const t = transition({ slo: { ...transition().slo, team: 'a&b <ops>' } });
    expect(textsOf(rootMessage(t, null, URL).blocks)[1]).toContain('team *a&amp;b &lt;ops&gt;*');
  });

  it('shows the first suspects, images and events, and how many more there are', () => {
    const correlation: Correlation = {
      suspects: Array.from({ length: 5 }, (_, i) => ({
        kind: 'deploy',
        workload: `w${i}`,
        namespace: 'shop',
        digest: `sha256:${String(i).repeat(64)}`,
        minutesBeforeBurn: i + 0.4,
      })),
      events: Array.from({ length: 8 }, (_, i) => ({ reason: 'OOMKilling', object: `Pod/p${i}`, count: 1 })),
      imageComparison: [{ digest: 'sha256:abc', sliPercent: 97.5 }],
    };
    const texts = textsOf(rootMessage(transition(), correlation, URL).blocks);
    expect(texts).toContain(
      '*Suspected changes*\n' +
        '• Deploy of `shop/w0` image `000000000000`, 0 min before the burn began\n' +
        '• Deploy of `shop/w1` image `111111111111`, 1 min before the burn began\n' +
        '• Deploy of `shop/w2` image `222222222222`, 2 min before the burn began\n' +
        '_and 2 more_',
    );
    expect(texts).toContain('*By image*\n• `abc`: SLI 97.5 %');
    const events = texts.find((t) => t.startsWith('*Kubernetes warnings*'))!;
    expect(events.split('\n')).toHaveLength(7);
    expect(events).toMatch(/• \*OOMKilling\* on `Pod\/p4`\n_and 3 more_$/);
  });

  it.each([
    {
      name: "a config rollout is told in the correlation's words",
      suspect: {
        kind: 'configRollout',
        namespace: 'shop',
        workload: 'checkout',
        reason: 'pod template changed without a new image, 3 min before the burn',
      },
      expected:
        '• Config rollout of `shop/checkout`: pod template changed without a new image, 3 min before the burn',
    },
    {
      name: "a scale is told in the correlation's words",
      suspect: {
        kind: 'scale',
        namespace: 'shop',
        workload: 'checkout',
        reason: 'scaled from 4 to 1 replicas, 2 min before the burn',
      },
      expected: '• Scale of `shop/checkout`: scaled from 4 to 1 replicas, 2 min before the burn',
    },
    {
      name: 'a failed deploy says so',
      suspect: {
        kind: 'deploy',
        namespace: 'shop',
        workload: 'checkout',
        digest: 'sha256:aaaaaaaaaaaaaaaa',
        previousDigest: null,
        minutesBeforeBurn: 6,
        reason: 'deploy of app: a → b, 6 min before the burn; the rollout failed',
      },
      expected:
        '• Deploy of `shop/checkout` image `aaaaaaaaaaaa`, 6 min before the burn began, the rollout failed',
    },
  ])('$name', ({ suspect, expected }) => {
    const correlation = readCorrelation({
      lookbackMinutes: 30,
      suspects: [suspect],
      events: [],
      imageComparison: null,
    });
    const texts = textsOf(rootMessage(transition(), correlation, URL).blocks);
    expect(texts).toContain(`*Suspected change*\n${expected}`);
  });

  it("names an event's object by kind and name, as the correlation writes them", () => {
    const correlation = readCorrelation({
      suspects: [],
      events: [
        {
          reason: 'FailedScheduling',
          objectKind: 'Pod',
          objectName: 'checkout-1',
          namespace: 'shop',
          count: 3,
          message: '0/3 nodes are available',
        },
      ],
      imageComparison: [{ digest: 'sha256:abcdef', image: null, total: 0, bad: 0, sliPercent: null }],
    });
    const texts = textsOf(rootMessage(transition(), correlation, URL).blocks);
    expect(texts).toContain(
      '*Kubernetes warnings*\n• *FailedScheduling* on `Pod/checkout-1` ×3: 0/3 nodes are available',
    );
    expect(texts).toContain('*By image*\n• `abcdef`: no data over 0 requests');
  });

  it('stays within Slack limits whatever the correlation holds', () => {
    const long = fc.string({ minLength: 0, maxLength: 5000 });
    const correlation = fc.record({
      suspects: fc.array(
        fc.record({
          // Object.prototype's names too: a lookup table must not answer for them.
          kind: fc.oneof(long, fc.constantFrom('deploy', 'scale', 'configRollout', 'toString', '__proto__')),
          workload: long,
          namespace: long,
          image: long,
          reason: long,
        }),
        { maxLength: 30 },
      ),
      events: fc.array(fc.record({ reason: long, object: long, message: long, count: fc.nat() }), {
        maxLength: 30,
      }),
      imageComparison: fc.array(fc.record({ digest: long, errorPercent: fc.double({ noNaN: true }) }), {
        maxLength: 30,
      }),
    });
    fc.assert(
      fc.property(correlation, long, (raw, name) => {
        const t = transition({ slo: { ...transition().slo, displayName: name || 'x' } });
        for (const message of [
          rootMessage(t, readCorrelation(raw), URL),
          threadReply({ ...t, kind: 'resolved' }, URL),
        ]) {
          expect(message.blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
          expect(message.text.length).toBeLessThanOrEqual(LIMITS.fallbackChars);
          for (const block of message.blocks) {
            if (block.type === 'header')
              expect(block.text.text.length).toBeLessThanOrEqual(LIMITS.headerChars);
            if (block.type === 'section') {
              expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(LIMITS.sectionChars);
              expect(block.fields?.length ?? 0).toBeLessThanOrEqual(LIMITS.fields);
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('a firing alert whose numbers are not current', () => {
  it.each([
    {
      name: 'a stale SLO says since when there has been no data, and that the alert stays open',
      dataState: { state: 'stale' as const, since: '2026-11-02T09:05:00.000Z' },
      says: 'No data since 2026-11-02 09:05 UTC',
    },
    {
      name: 'an SLO that cannot be evaluated says why',
      dataState: {
        state: 'error' as const,
        since: '2026-11-02T09:05:00.000Z',
        reason: 'connect ECONNREFUSED 127.0.0.1:9090',
      },
      says: 'Cannot evaluate this SLO since 2026-11-02 09:05 UTC (connect ECONNREFUSED 127.0.0.1:9090)',
    },
  ])('$name', ({ dataState, says }) => {
    const message = rootMessage(transition({ snapshot: snapshot({ dataState }) }), null, URL);
    expect(textsOf(message.blocks)[2]).toContain(`⚠️ ${says}`);
    expect(message.text).toContain(says);
  });

  it('shows no warning on current data, nor once resolved', () => {
    const fresh = rootMessage(
      transition({ snapshot: snapshot({ dataState: { state: 'fresh', since: null } }) }),
      null,
      URL,
    );
    expect(fresh.text).not.toContain('⚠️');
    const resolved = rootMessage(
      transition({
        kind: 'resolved',
        snapshot: snapshot({ dataState: { state: 'stale', since: '2026-11-02T09:05:00.000Z' } }),
      }),
      null,
      URL,
    );
    expect(textsOf(resolved.blocks).join(' ')).not.toContain('No data since');
  });
});

describe('threadReply', () => {
  it('says what escalated, from what to what', () => {
    const reply = threadReply(transition({ kind: 'escalated', previousSeverity: 'ticket' }), URL);
    expect(reply.text).toBe(
      'Escalated: checkout-latency is now a page (was ticket). SLI 99.12 % (objective 99.9 %), burn rate 15.2× over 1h, budget left 62.5 %.',
    );
    expect(textsOf(reply.blocks)[0]).toBe('⬆️ Escalated from *ticket* to *page*: the budget burns faster.');
  });

  it('says how long a resolved alert lasted', () => {
    const reply = threadReply(transition({ kind: 'resolved', at: '2026-11-25T19:05:30.000Z' }), URL);
    expect(textsOf(reply.blocks)[0]).toBe(
      '✅ Resolved after 2 h 5 m 30 s: the burn rates are back under their thresholds.',
    );
  });

  it('refuses to make a reply of a firing', () => {
    expect(() => threadReply(transition(), URL)).toThrow('a firing is the root message');
  });
});

describe('testMessage', () => {
  it('names the channel and links to Burnwatch', () => {
    expect(testMessage('#payments-oncall', 'https://burnwatch.example', new Date('2026-11-25T17:00:00Z')))
      .toMatchInlineSnapshot(`
        {
          "blocks": [
            {
              "text": {
                "emoji": true,
                "text": "👋 Burnwatch test message",
                "type": "plain_text",
              },
              "type": "header",
            },
            {
              "text": {
                "text": "This is a test message from Burnwatch for #payments-oncall. Alerts for SLOs that notify this channel will arrive here.",
                "type": "mrkdwn",
              },
              "type": "section",
            },
            {
              "elements": [
                {
                  "text": "Sent <!date^1795626000^{date_short_pretty} {time}|2026-11-25 17:00 UTC> · <https://burnwatch.example|Open Burnwatch>",
                  "type": "mrkdwn",
                },
              ],
              "type": "context",
            },
          ],
          "text": "Burnwatch test message: This is a test message from Burnwatch for #payments-oncall. Alerts for SLOs that notify this channel will arrive here.",
        }
      `);
  });
});

describe('the correlation', () => {
  it.each([
    { name: 'nothing is no correlation', raw: null, expected: null },
    { name: 'empty lists are no correlation', raw: { suspects: [], events: [] }, expected: null },
    {
      name: 'unusable entries are dropped and missing lists are empty',
      raw: { suspects: [{ workload: 'checkout', score: 'high' }], events: [{ message: 'no reason' }, 42] },
      expected: {
        suspects: [{ kind: 'change', workload: 'checkout' }],
        events: [],
        imageComparison: [],
      },
    },
  ])('$name', ({ raw, expected }) => {
    const read = readCorrelation(raw);
    expect(read === null ? null : JSON.parse(JSON.stringify(read))).toEqual(expected);
  });

  it.each([
    { digest: 'sha256:3f9a1c2b7d4e5f60718293a4b5c6d7e8', expected: '3f9a1c2b7d4e' },
    { digest: '3f9a1c2b7d4e5f60718293a4b5c6d7e8', expected: '3f9a1c2b7d4e' },
    { digest: 'sha256:abc', expected: 'abc' },
  ])('shortens $digest to $expected', ({ digest, expected }) => {
    expect(shortDigest(digest)).toBe(expected);
  });
});

describe('rootMessage with Slack buttons', () => {
  const ALERT = '3f9c2b1e-1d2a-4c3b-9e8f-0a1b2c3d4e5f';
  const at = '2026-11-25T17:05:00.000Z';

  it('ends a firing alert with the five buttons, each carrying the alert id', () => {
    const { blocks } = rootMessage(transition(), null, URL, {
      alertId: ALERT,
      annotations: [],
      buttons: true,
    });
    const last = blocks.at(-1)!;
    expect(last.type).toBe('actions');
    if (last.type !== 'actions') return;
    expect(last.elements.map((e) => [e.action_id, e.text.text, e.value])).toEqual([
      ['burnwatch_acknowledge', 'Acknowledge', ALERT],
      ['burnwatch_silence_1h', 'Silence 1 h', ALERT],
      ['burnwatch_silence_4h', 'Silence 4 h', ALERT],
      ['burnwatch_silence_until_resolved', 'Silence until resolved', ALERT],
      ['burnwatch_not_real_burn', 'Not a real burn…', ALERT],
    ]);
  });

  it('shows no buttons without interactivity, nor once resolved', () => {
    const off = rootMessage(transition(), null, URL, { alertId: ALERT, annotations: [], buttons: false });
    const resolved = rootMessage(transition({ kind: 'resolved' }), null, URL, {
      alertId: ALERT,
      annotations: [],
      buttons: true,
    });
    expect([...off.blocks, ...resolved.blocks].some((b) => b.type === 'actions')).toBe(false);
    expect(off).toEqual(rootMessage(transition(), null, URL));
  });

  const annotationCases = [
    {
      name: 'says who acknowledged, mentioning the Slack user',
      annotation: {
        kind: 'acknowledged' as const,
        createdBy: 'alice (Slack U0ALICE01)',
        slackUserId: 'U0ALICE01',
        at,
      },
      text: /^✋ Acknowledged by <@U0ALICE01> at <!date\^1795626300\^/,
    },
    {
      name: 'says until when it is silenced',
      annotation: {
        kind: 'silenced' as const,
        createdBy: 'alice (Slack U0ALICE01)',
        slackUserId: 'U0ALICE01',
        at,
        silence: { id: 's', endsAt: '2026-11-25T18:05:00.000Z' },
      },
      text: /^🔕 Silenced until <!date\^1795629900\^\{date_short_pretty\} \{time\}\|2026-11-25 18:05 UTC> by <@U0ALICE01>/,
    },
    {
      name: 'says a silence lasts until the alert resolves',
      annotation: {
        kind: 'silenced' as const,
        createdBy: 'bob',
        slackUserId: null,
        at,
        silence: { id: 's', endsAt: null },
      },
      text: /^🔕 Silenced until the alert resolves by bob/,
    },
    {
      name: 'gives the reason and the corrected range of a burn that was not real, escaped',
      annotation: {
        kind: 'notARealBurn' as const,
        createdBy: 'alice',
        slackUserId: 'U0ALICE01',
        at,
        comment: 'load test <LOAD-17>',
        correction: { id: 'c', start: '2026-11-25T17:00:00.000Z', end: at },
      },
      text: /^📝 Not a real burn, says <@U0ALICE01>: load test &lt;LOAD-17&gt;\. <!date\^1795626000.* left out of the budget\.$/,
    },
  ];
  it.each(annotationCases)('$name', ({ annotation, text }) => {
    const { blocks } = rootMessage(transition(), null, URL, {
      alertId: ALERT,
      annotations: [annotation],
      buttons: true,
    });
    const context = blocks.at(-3)!;
    expect(context.type).toBe('context');
    if (context.type === 'context') expect(context.elements[0]!.text).toMatch(text);
  });

  it('shows the latest five annotations and counts the rest', () => {
    const annotation = { kind: 'acknowledged' as const, createdBy: 'x', slackUserId: null, at };
    const { blocks } = rootMessage(transition(), null, URL, {
      alertId: ALERT,
      annotations: Array.from({ length: 7 }, (_, i) => ({ ...annotation, createdBy: `user${i}` })),
      buttons: true,
    });
    const context = blocks.at(-3)!;
    if (context.type !== 'context') throw new Error('no context block');
    expect(context.elements.map((e) => e.text.split(' at ')[0])).toEqual([
      '_2 earlier not shown_',
      ...[2, 3, 4, 5, 6].map((i) => `✋ Acknowledged by user${i}`),
    ]);
  });
});
