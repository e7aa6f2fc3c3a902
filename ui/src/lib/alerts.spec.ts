import { describe, expect, it } from 'vitest';
import type { Alert, AlertAnnotation, Notification } from '../api/types.js';
import { correlatedChanges, deliverySummary, describeAnnotation, splitAlerts } from './alerts.js';

const note = (state: Notification['state'], extra: Partial<Notification> = {}): Notification => ({
  id: 'delivery-1',
  alertId: 'alert-1',
  channel: '#payments-oncall',
  kind: 'fired',
  state,
  attempts: 1,
  error: null,
  createdAt: '2026-11-25T12:00:00Z',
  sentAt: state === 'sent' ? '2026-11-25T12:00:00Z' : null,
  nextAttemptAt: null,
  ts: null,
  threadTs: null,
  silenceId: null,
  ...extra,
});

describe('deliverySummary', () => {
  it('says where a delivered alert went', () =>
    expect(deliverySummary([note('sent'), note('sent', { kind: 'escalated' })])).toEqual({
      state: 'sent',
      text: 'Sent to #payments-oncall',
      errors: [],
    }));
  it('shows a failure with the Slack error, even when other notifications went out', () =>
    expect(
      deliverySummary([note('sent'), note('failed', { error: 'channel_not_found', attempts: 5 })]),
    ).toEqual({
      state: 'failed',
      text: 'Failed (1 of 2)',
      errors: ['#payments-oncall: channel_not_found (5 attempts)'],
    }));
  it('shows a notification still being retried as pending', () =>
    expect(deliverySummary([note('pending', { attempts: 2, error: 'rate_limited' })]).text).toBe(
      'Pending (1 of 1, retrying after 2 attempts)',
    ));
  it('says when Slack was not told because no token is set', () =>
    expect(deliverySummary([note('dry-run')])).toMatchObject({
      state: 'dry-run',
      text: 'Dry run: not sent to #payments-oncall (no Slack token)',
    }));
  it('says a silence holds what it has not sent, and what went out once the silence ended', () => {
    expect(deliverySummary([note('sent'), note('held', { kind: 'escalated' })])).toMatchObject({
      state: 'held',
      text: 'Held by a silence (1 of 2)',
    });
    expect(deliverySummary([note('held'), note('sent')]).state).toBe('sent');
  });
  it('tells no notification apart from a server that does not report them', () => {
    expect(deliverySummary([]).state).toBe('none');
    expect(deliverySummary(undefined).state).toBe('unknown');
  });
});

describe('splitAlerts', () => {
  it('lists firing alerts apart from resolved ones, newest first', () => {
    const alerts = [
      { id: 'old', state: 'resolved', startedAt: '2026-11-24T10:00:00Z' },
      { id: 'now', state: 'firing', startedAt: '2026-11-25T10:00:00Z' },
      { id: 'recent', state: 'resolved', startedAt: '2026-11-25T09:00:00Z' },
    ] as Alert[];
    const { firing, recent } = splitAlerts(alerts);
    expect(firing.map((a) => a.id)).toEqual(['now']);
    expect(recent.map((a) => a.id)).toEqual(['recent', 'old']);
  });
});

describe('correlatedChanges', () => {
  it('describes a suspect deploy with its short digest, time and reason, then the warnings around the burn', () => {
    const alert = {
      correlation: {
        suspects: [
          {
            kind: 'deploy',
            at: '2026-11-25T11:58:00Z',
            namespace: 'shop',
            workload: 'checkout',
            image: 'registry.example/shop/checkout:1.4.3',
            digest: 'sha256:9e8d7c6b5a4f3e2d1c',
            reason: 'deployed 2 min before the burn began',
          },
        ],
        events: [{ reason: 'BackOff', objectName: 'checkout-7f9c-x2x', namespace: 'shop', count: 5 }],
      },
    } as unknown as Alert;
    expect(correlatedChanges(alert, 'UTC')).toEqual([
      'Deploy of shop/checkout → 9e8d7c6b5a4f (checkout:1.4.3) at 25 Nov, 11:58 — deployed 2 min before the burn began',
      '5× warning BackOff on checkout-7f9c-x2x',
    ]);
  });
  it('is empty without a correlation', () =>
    expect(correlatedChanges({ correlation: null } as Alert)).toEqual([]));
});

describe('describeAnnotation', () => {
  const fromSlack = {
    createdBy: 'alice (Slack U0ALICE01)',
    slackUserId: 'U0ALICE01',
    at: '2026-11-10T10:02:00Z',
  };
  it.each<{ name: string; a: AlertAnnotation; expected: string }>([
    {
      name: 'an acknowledgement from Slack names the Slack user and when',
      a: { kind: 'acknowledged', ...fromSlack },
      expected: 'Acknowledged by @alice at 10 Nov, 10:02',
    },
    {
      name: 'someone who did not act from Slack keeps the name as recorded',
      a: { kind: 'acknowledged', createdBy: 'bob', slackUserId: null, at: '2026-11-10T10:02:00Z' },
      expected: 'Acknowledged by bob at 10 Nov, 10:02',
    },
    {
      name: 'a Slack user whose name was not sent is shown by their Slack id',
      a: { kind: 'acknowledged', ...fromSlack, createdBy: '(Slack U0ALICE01)' },
      expected: 'Acknowledged by U0ALICE01 at 10 Nov, 10:02',
    },
    {
      name: 'a silence from a button says until when',
      a: { kind: 'silenced', ...fromSlack, silence: { id: 's1', endsAt: '2026-11-10T11:02:00Z' } },
      expected: 'Silenced until 10 Nov, 11:02 by @alice at 10 Nov, 10:02',
    },
    {
      name: 'a silence until resolved says so',
      a: { kind: 'silenced', ...fromSlack, silence: { id: 's1', endsAt: null } },
      expected: 'Silenced until the alert resolves by @alice at 10 Nov, 10:02',
    },
    {
      name: 'not a real burn gives the reason and the time left out of the budget',
      a: {
        kind: 'notARealBurn',
        ...fromSlack,
        comment: 'planned load test LOAD-17',
        correction: { id: 'c1', start: '2026-11-10T09:40:00Z', end: '2026-11-10T10:02:00Z' },
      },
      expected:
        'Not a real burn, says @alice at 10 Nov, 10:02: planned load test LOAD-17 (10 Nov, 09:40 to 10 Nov, 10:02 left out of the budget)',
    },
  ])('$name', ({ a, expected }) => expect(describeAnnotation(a, 'UTC')).toBe(expected));
});
