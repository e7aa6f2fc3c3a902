/**
 * Slack's interaction requests as Slack sends them: block_actions and view_submission payloads shaped like Slack's,
 * form-encoded as `payload=`, signed with the real v0 algorithm over the exact bytes sent.
 */
import { slackSignature } from '../../src/integrations/slack/domain/slack-interaction.js';

export const ALICE = { id: 'U0ALICE01', username: 'alice', name: 'alice', team_id: 'T0TEST' };

export interface Signing {
  secret?: string;
  timestamp?: number;
  unsigned?: boolean;
  tamper?: (body: string) => string;
}

/** The payload builders and the sender, signing with `secret` at the time `now()` gives. */
export function slackInteractions(secret: string, now: () => Date) {
  function blockActions(actionId: string, alertId: string, ts: string) {
    return {
      type: 'block_actions',
      user: ALICE,
      api_app_id: 'A0BURNWATCH',
      token: 'legacy-verification-token',
      container: { type: 'message', message_ts: ts, channel_id: 'C0PAYMENTS', is_ephemeral: false },
      trigger_id: '4012345678.1234567890.0f1e2d3c4b5a69788796a5b4c3d2e1f0',
      team: { id: 'T0TEST', domain: 'burnwatch-test' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: 'C0PAYMENTS', name: 'payments-oncall' },
      message: { type: 'message', ts, bot_id: 'B0BOT', text: '[TICKET] checkout-latency …', blocks: [] },
      state: { values: {} },
      response_url: 'https://hooks.slack.com/actions/T0TEST/4012345678/abcdef',
      actions: [
        {
          type: 'button',
          action_id: actionId,
          block_id: 'burnwatch_alert_actions',
          text: { type: 'plain_text', text: 'Silence 1 h', emoji: true },
          value: alertId,
          action_ts: `${Math.floor(now().getTime() / 1000)}.123456`,
        },
      ],
    };
  }

  function viewSubmission(privateMetadata: string, reason: string) {
    return {
      type: 'view_submission',
      team: { id: 'T0TEST', domain: 'burnwatch-test' },
      user: ALICE,
      api_app_id: 'A0BURNWATCH',
      token: 'legacy-verification-token',
      trigger_id: '4012345679.1234567890.aa11bb22cc33dd44ee55ff6677889900',
      view: {
        id: 'V0000001',
        team_id: 'T0TEST',
        type: 'modal',
        blocks: [],
        private_metadata: privateMetadata,
        callback_id: 'burnwatch_not_real_burn',
        state: { values: { reason: { reason: { type: 'plain_text_input', value: reason } } } },
        hash: '1790000000.abcdef',
        title: { type: 'plain_text', text: 'Not a real burn' },
        previous_view_id: null,
        root_view_id: 'V0000001',
        app_id: 'A0BURNWATCH',
        external_id: '',
        bot_id: 'B0BOT',
      },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
  }

  /** POSTs a payload the way Slack does. */
  async function send(url: string, payload: unknown, signing: Signing = {}) {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const timestamp = String(signing.timestamp ?? Math.floor(now().getTime() / 1000));
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (!signing.unsigned) {
      headers['x-slack-request-timestamp'] = timestamp;
      headers['x-slack-signature'] = slackSignature(signing.secret ?? secret, timestamp, body);
    }
    const response = await fetch(`${url}/api/v1/slack/interactions`, {
      method: 'POST',
      headers,
      body: signing.tamper ? signing.tamper(body) : body,
    });
    const text = await response.text();
    return { status: response.status, text, body: text ? (JSON.parse(text) as any) : undefined };
  }

  return { blockActions, viewSubmission, send };
}
