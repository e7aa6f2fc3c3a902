import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  ACTIONS,
  ActionName,
  MAX_REASON_CHARS,
  NOT_REAL_BURN_CALLBACK,
  REASON_ACTION,
  REASON_BLOCK,
} from './alert-actions.js';
import { slackDate } from './slack-message.js';

/**
 * Slack's interactivity as Burnwatch takes it: the request signature (checked before anything is parsed), the
 * `payload=` of a block_actions or view_submission request read into what was asked, and the modal the
 * "Not a real burn…" button opens. Pure: the time is passed in.
 */

/** Slack refuses to be believed about requests older than this (https://docs.slack.dev/authentication/verifying-requests-from-slack). */
export const SIGNATURE_MAX_AGE_SECONDS = 5 * 60;

export interface SignedRequest {
  rawBody: Buffer;
  /** X-Slack-Request-Timestamp: seconds since the epoch. */
  timestamp: string | undefined;
  /** X-Slack-Signature: `v0=` and the hex HMAC-SHA256 of `v0:{timestamp}:{raw body}`. */
  signature: string | undefined;
}

/** The v0 signature Slack sends for a body at a time (what a test signs with, too). */
export function slackSignature(secret: string, timestamp: string, rawBody: Buffer | string): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(rawBody);
  return `v0=${hmac.digest('hex')}`;
}

/** null when the request is Slack's; otherwise why not (for the 401's message: nothing secret in it). */
export function signatureProblem(secret: string, request: SignedRequest, nowMs: number): string | null {
  const { timestamp, signature } = request;
  if (timestamp === undefined || signature === undefined) {
    return 'the request is not signed: it needs the headers X-Slack-Signature and X-Slack-Request-Timestamp';
  }
  if (!/^\d{1,12}$/.test(timestamp)) return 'X-Slack-Request-Timestamp must be seconds since the epoch';
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > SIGNATURE_MAX_AGE_SECONDS) {
    return 'X-Slack-Request-Timestamp is more than 5 minutes from now (a replayed or delayed request)';
  }
  const expected = Buffer.from(slackSignature(secret, timestamp, request.rawBody));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return 'X-Slack-Signature does not match the body (check SLACK_SIGNING_SECRET)';
  }
  return null;
}

export interface SlackUser {
  id: string;
  /** Slack's username (`name` in older payloads); absent for some enterprise users. */
  username: string | null;
}

export type Interaction =
  | { type: 'button'; action: ActionName; alertId: string; user: SlackUser; triggerId: string }
  | { type: 'notRealBurn'; alertId: string; user: SlackUser; reason: string }
  /** A request Burnwatch has nothing to do for (another app's button, a modal closed): answered 200. */
  | { type: 'ignored'; why: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

/**
 * Reads a verified request's form body (`payload=<JSON>`). A malformed payload is a string naming the problem
 * (answered 400): a signed request that is not Slack's shape is a bug worth seeing, not something to guess at.
 */
export function parseInteraction(formBody: string): Interaction | string {
  const raw = new URLSearchParams(formBody).get('payload');
  if (raw === null) return 'the body must be form-encoded with a "payload" field';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return 'payload is not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null) return 'payload must be a JSON object';
  const payload = parsed as RawPayload;
  const user = userOf(payload.user);
  if (payload.type === 'block_actions') {
    const action = Array.isArray(payload.actions)
      ? (payload.actions[0] as { action_id?: unknown; value?: unknown } | undefined)
      : undefined;
    const name = (Object.keys(ACTIONS) as ActionName[]).find((k) => ACTIONS[k] === action?.action_id);
    if (!name || !action)
      return { type: 'ignored', why: `action ${String(action?.action_id)} is not Burnwatch's` };
    if (!user) return 'payload.user.id is missing';
    if (typeof action.value !== 'string' || !UUID.test(action.value))
      return 'the action value is not an alert id';
    if (typeof payload.trigger_id !== 'string') return 'payload.trigger_id is missing';
    return { type: 'button', action: name, alertId: action.value, user, triggerId: payload.trigger_id };
  }
  if (payload.type === 'view_submission') {
    const view = payload.view;
    if (view?.callback_id !== NOT_REAL_BURN_CALLBACK) {
      return { type: 'ignored', why: `view ${String(view?.callback_id)} is not Burnwatch's` };
    }
    if (!user) return 'payload.user.id is missing';
    let alertId: unknown;
    try {
      alertId = (JSON.parse(String(view.private_metadata)) as { alertId?: unknown }).alertId;
    } catch {
      return 'view.private_metadata is not what Burnwatch put there';
    }
    if (typeof alertId !== 'string' || !UUID.test(alertId)) return 'view.private_metadata names no alert';
    const value = view.state?.values?.[REASON_BLOCK]?.[REASON_ACTION]?.value;
    return { type: 'notRealBurn', alertId, user, reason: typeof value === 'string' ? value.trim() : '' };
  }
  return { type: 'ignored', why: `interaction type ${String(payload.type)} is not handled` };
}

/** The parts of Slack's payloads Burnwatch reads, each still to be checked. */
interface RawPayload {
  type?: unknown;
  user?: RawUser;
  actions?: unknown;
  trigger_id?: unknown;
  view?: {
    callback_id?: unknown;
    private_metadata?: unknown;
    state?: { values?: Record<string, Record<string, { value?: unknown } | undefined> | undefined> };
  };
}
interface RawUser {
  id?: unknown;
  username?: unknown;
  name?: unknown;
}

function userOf(user: RawUser | undefined): SlackUser | null {
  if (typeof user?.id !== 'string' || !USER_ID.test(user.id)) return null;
  const username =
    typeof user.username === 'string' ? user.username : typeof user.name === 'string' ? user.name : null;
  return { id: user.id, username };
}

/** Who did it, as silences and corrections record it: `alice (Slack U0123ABCD)`. */
export function createdByOf(user: SlackUser): string {
  return user.username ? `${user.username} (Slack ${user.id})` : `Slack ${user.id}`;
}

/** A view_submission answer that keeps the modal open with a message under the reason field. */
export function reasonError(message: string): { response_action: 'errors'; errors: Record<string, string> } {
  return { response_action: 'errors', errors: { [REASON_BLOCK]: message } };
}

export interface ModalView {
  type: 'modal';
  callback_id: string;
  private_metadata: string;
  title: { type: 'plain_text'; text: string };
  submit: { type: 'plain_text'; text: string };
  close: { type: 'plain_text'; text: string };
  blocks: unknown[];
}

/** The modal of "Not a real burn…": what will be recorded, and the reason. */
export function notRealBurnModal(args: {
  alertId: string;
  sloName: string;
  startIso: string;
  endIso: string | null;
}): ModalView {
  const until = args.endIso ? `to ${slackDate(args.endIso)}` : 'to the moment you submit';
  return {
    type: 'modal',
    callback_id: NOT_REAL_BURN_CALLBACK,
    private_metadata: JSON.stringify({ alertId: args.alertId }),
    title: { type: 'plain_text', text: 'Not a real burn' },
    submit: { type: 'plain_text', text: 'Record' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text:
            `Burnwatch will leave this alert's time, from ${slackDate(args.startIso)} ${until}, out of ` +
            `*${args.sloName}*'s SLI and error budget (a budget correction), and note it on the alert.`,
        },
      },
      {
        type: 'input',
        block_id: REASON_BLOCK,
        label: { type: 'plain_text', text: 'Why is it not a real burn?' },
        element: {
          type: 'plain_text_input',
          action_id: REASON_ACTION,
          multiline: true,
          max_length: MAX_REASON_CHARS,
          placeholder: { type: 'plain_text', text: 'Planned load test, LOAD-17' },
        },
      },
    ],
  };
}
