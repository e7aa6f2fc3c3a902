import type { Severity } from '../../../alerts/domain/alert-policy.js';
import type { AlertAnnotation } from '../../../alerts/domain/alert-annotation.js';
import type { AlertSnapshot, TransitionKind } from '../../../alerts/domain/alert-transition.js';
import type { SloSpec } from '../../../slo/domain/slo.js';
import { describeDuration } from '../../../slo/domain/duration.js';
import { ACTIONS, ACTIONS_BLOCK_ID } from './alert-actions.js';
import { Correlation, shortDigest } from './correlation.js';

/** Block Kit, as far as Burnwatch uses it. */
export type TextObject =
  { type: 'mrkdwn'; text: string } | { type: 'plain_text'; text: string; emoji?: boolean };
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: boolean } }
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' }
  | { type: 'actions'; block_id: string; elements: ButtonElement[] };

export interface ButtonElement {
  type: 'button';
  action_id: string;
  text: { type: 'plain_text'; text: string; emoji: boolean };
  value: string;
  style?: 'primary' | 'danger';
}

/** What the root message shows beyond the transition when Slack's buttons are in use. */
export interface RootInteraction {
  alertId: string;
  /** Oldest first; the latest few are shown. */
  annotations: AlertAnnotation[];
  /** Buttons only when SLACK_SIGNING_SECRET is set: without it Slack's clicks could not be received. */
  buttons: boolean;
}

/** A message as chat.postMessage and chat.update take it: blocks plus the plain-text fallback. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/** One transition as the outbox keeps it (JSON: times as ISO text). */
export interface NotifiedTransition {
  kind: TransitionKind;
  severity: Severity;
  previousSeverity: Severity | null;
  at: string;
  alertStartedAt: string;
  slo: Pick<SloSpec, 'name' | 'displayName' | 'team' | 'service' | 'objective'>;
  snapshot: AlertSnapshot;
}

/** Slack's limits (https://docs.slack.dev/reference/block-kit/blocks), with a margin for the fallback text. */
export const LIMITS = {
  blocks: 50,
  headerChars: 150,
  sectionChars: 3000,
  fieldChars: 2000,
  fields: 10,
  contextElements: 10,
  fallbackChars: 3000,
  suspects: 3,
  annotations: 5,
  images: 3,
  events: 5,
  eventMessageChars: 200,
} as const;

/** The root message: the alert's current state, posted when it fires and updated on escalation and resolve. */
export function rootMessage(
  t: NotifiedTransition,
  correlation: Correlation | null,
  sloUrl: string,
  interaction?: RootInteraction,
): SlackMessage {
  const resolved = t.kind === 'resolved';
  const title = displayName(t);
  const header = resolved
    ? `✅ Resolved: ${title}`
    : `${t.severity === 'page' ? '🔴' : '🟠'} ${t.severity === 'page' ? 'Page' : 'Ticket'}: ${title} is burning its error budget`;
  const who = [
    resolved ? `Was *${t.severity}*` : `Severity *${t.severity}*`,
    t.slo.team ? `team *${escape(t.slo.team)}*` : undefined,
    `\`${escape(workloadOf(t))}\``,
  ].filter(Boolean);
  const when = resolved
    ? `Burned from ${slackDate(t.alertStartedAt)} to ${slackDate(t.at)} (${describeDuration(secondsBetween(t.alertStartedAt, t.at))})`
    : `Since ${slackDate(t.alertStartedAt)}`;
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(header, LIMITS.headerChars), emoji: true } },
    mrkdwnSection(`${who.join(' · ')}\n${when}`),
    { type: 'section', fields: snapshotFields(t) },
  ];
  const dataWarning = resolved ? null : dataStateWarning(t.snapshot);
  if (dataWarning) blocks.splice(2, 0, mrkdwnSection(`⚠️ ${dataWarning}`));
  const burn = burnRateLines(t.snapshot);
  if (burn) blocks.push(mrkdwnSection(burn));
  if (correlation) blocks.push(...correlationBlocks(correlation));
  const said = interaction ? annotationsBlock(interaction.annotations) : null;
  if (said) blocks.push(said);
  blocks.push(linkContext(t, sloUrl));
  if (interaction?.buttons && !resolved) blocks.push(actionsBlock(interaction.alertId));
  const text = resolved
    ? `Resolved: ${title} (was ${t.severity}) after ${describeDuration(secondsBetween(t.alertStartedAt, t.at))}. ${numbersInWords(t.snapshot)} ${sloUrl}`
    : `[${t.severity.toUpperCase()}] ${title} is burning its error budget since ${plainDate(t.alertStartedAt)}. ${dataWarning ? `${dataWarning} ` : ''}${numbersInWords(t.snapshot)}${suspectInWords(correlation)} ${sloUrl}`;
  return { text: clip(text, LIMITS.fallbackChars), blocks: blocks.slice(0, LIMITS.blocks) };
}

/** A firing alert whose SLO stopped reporting or cannot be evaluated says so: its numbers are from the past. */
export function dataStateWarning(s: AlertSnapshot): string | null {
  const state = s.dataState;
  if (state?.state === 'stale') {
    return `No data since ${state.since ? plainDate(state.since) : 'a while'}: the numbers are from then, and the alert stays open until data shows the burn has stopped.`;
  }
  if (state?.state === 'error') {
    return `Cannot evaluate this SLO since ${plainDate(state.since)} (${clip(state.reason, 300)}): the numbers are from then.`;
  }
  return null;
}

/** The reply in the alert's thread for an escalation or a resolve. */
export function threadReply(t: NotifiedTransition, sloUrl: string): SlackMessage {
  const title = displayName(t);
  let headline: string;
  let text: string;
  if (t.kind === 'escalated') {
    headline = `⬆️ Escalated from *${t.previousSeverity ?? 'ticket'}* to *${t.severity}*: the budget burns faster.`;
    text = `Escalated: ${title} is now a ${t.severity} (was ${t.previousSeverity ?? 'ticket'}). ${numbersInWords(t.snapshot)}`;
  } else if (t.kind === 'resolved') {
    const lasted = describeDuration(secondsBetween(t.alertStartedAt, t.at));
    headline = `✅ Resolved after ${lasted}: the burn rates are back under their thresholds.`;
    text = `Resolved: ${title} after ${lasted}. ${numbersInWords(t.snapshot)}`;
  } else {
    throw new Error('a firing is the root message, not a reply');
  }
  const blocks: SlackBlock[] = [mrkdwnSection(headline), { type: 'section', fields: snapshotFields(t) }];
  const burn = burnRateLines(t.snapshot);
  if (burn) blocks.push(mrkdwnSection(burn));
  blocks.push(linkContext(t, sloUrl));
  return { text: clip(text, LIMITS.fallbackChars), blocks };
}

/** What POST /api/v1/notifications/test sends, so a user can check the token and the channel. */
export function testMessage(channel: string, publicUrl: string, at: Date): SlackMessage {
  const line = `This is a test message from Burnwatch for ${channel}. Alerts for SLOs that notify this channel will arrive here.`;
  return {
    text: `Burnwatch test message: ${line}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: '👋 Burnwatch test message', emoji: true } },
      mrkdwnSection(escape(line)),
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: `Sent ${slackDate(at.toISOString())} · <${publicUrl}|Open Burnwatch>` },
        ],
      },
    ],
  };
}

/** Who is on it, and what they did: one line each, the latest few (a context block holds at most 10). */
function annotationsBlock(annotations: AlertAnnotation[]): SlackBlock | null {
  if (annotations.length === 0) return null;
  const shown = annotations.slice(-LIMITS.annotations);
  const elements: TextObject[] = shown.map((a) => mrkdwn(clip(describeAnnotation(a), LIMITS.fieldChars)));
  if (annotations.length > shown.length) {
    elements.unshift(mrkdwn(`_${annotations.length - shown.length} earlier not shown_`));
  }
  return { type: 'context', elements };
}

export function describeAnnotation(a: AlertAnnotation): string {
  const who = a.slackUserId ? `<@${a.slackUserId}>` : escape(a.createdBy);
  const when = slackDate(a.at);
  switch (a.kind) {
    case 'acknowledged':
      return `✋ Acknowledged by ${who} at ${when}`;
    case 'silenced': {
      const until = a.silence?.endsAt ? `until ${slackDate(a.silence.endsAt)}` : 'until the alert resolves';
      return `🔕 Silenced ${until} by ${who} (notifications held; the alert is still evaluated)`;
    }
    case 'notARealBurn': {
      const range = a.correction
        ? ` ${slackDate(a.correction.start)} to ${slackDate(a.correction.end)} left out of the budget.`
        : '';
      return `📝 Not a real burn, says ${who}: ${escape(a.comment ?? '')}.${range}`;
    }
  }
}

function actionsBlock(alertId: string): SlackBlock {
  const button = (action: keyof typeof ACTIONS, text: string, style?: 'primary'): ButtonElement => ({
    type: 'button',
    action_id: ACTIONS[action],
    text: { type: 'plain_text', text, emoji: true },
    value: alertId,
    ...(style ? { style } : {}),
  });
  return {
    type: 'actions',
    block_id: ACTIONS_BLOCK_ID,
    elements: [
      button('acknowledge', 'Acknowledge', 'primary'),
      button('silence1h', 'Silence 1 h'),
      button('silence4h', 'Silence 4 h'),
      button('silenceUntilResolved', 'Silence until resolved'),
      button('notRealBurn', 'Not a real burn…'),
    ],
  };
}

function snapshotFields(t: NotifiedTransition): TextObject[] {
  const s = t.snapshot;
  const fields: TextObject[] = [
    mrkdwn(
      `*SLI*\n${s.sliPercent === null ? 'no data' : `${percent(s.sliPercent)} %`} (objective ${percent(s.objective)} %)`,
    ),
    mrkdwn(
      `*Budget left*\n${s.budgetRemainingPercent === null ? 'unknown' : `${percent(s.budgetRemainingPercent)} %`}`,
    ),
  ];
  if (t.kind !== 'resolved') fields.push(mrkdwn(`*Budget runs out*\n${exhaustion(s, t.at)}`));
  return fields.slice(0, LIMITS.fields).map((f) => ({ ...f, text: clip(f.text, LIMITS.fieldChars) }));
}

function exhaustion(s: AlertSnapshot, at: string): string {
  if (s.budgetRemainingPercent !== null && s.budgetRemainingPercent <= 0) return 'already spent';
  if (!s.exhaustionAt) return 'not at the current burn rate';
  const seconds = secondsBetween(at, s.exhaustionAt);
  return `in ${describeDuration(roundedForReading(seconds))} (${slackDate(s.exhaustionAt)})`;
}

/** One line per window: long / short burn rate against the threshold, the firing ones marked. */
function burnRateLines(s: AlertSnapshot): string | null {
  if (s.burnRates.length === 0) return null;
  const lines = s.burnRates.map((w) => {
    const mark = w.firing ? '🔥 ' : '';
    return `${mark}${w.longWindow} / ${w.shortWindow}: *${rate(w.longBurnRate)}* / *${rate(w.shortBurnRate)}* (${w.severity} at ${rate(w.threshold)})`;
  });
  return clip(`*Burn rate, long / short window*\n${lines.join('\n')}`, LIMITS.sectionChars);
}

function correlationBlocks(c: Correlation): SlackBlock[] {
  const blocks: SlackBlock[] = [{ type: 'divider' }];
  if (c.suspects.length > 0) {
    const lines = capped(c.suspects, LIMITS.suspects, (s) => `• ${describeSuspect(s)}`);
    blocks.push(mrkdwnSection(`*Suspected change${c.suspects.length > 1 ? 's' : ''}*\n${lines}`));
  }
  if (c.imageComparison.length > 0) {
    const lines = capped(c.imageComparison, LIMITS.images, (i) => {
      const score =
        i.errorPercent !== undefined
          ? `${percent(i.errorPercent)} % errors`
          : i.sliPercent !== undefined
            ? `SLI ${percent(i.sliPercent)} %`
            : 'no data';
      const total = i.total !== undefined ? ` over ${i.total.toLocaleString('en-US')} requests` : '';
      return `• \`${shortDigest(i.digest)}\`: ${score}${total}`;
    });
    blocks.push(mrkdwnSection(`*By image*\n${lines}`));
  }
  if (c.events.length > 0) {
    const lines = capped(c.events, LIMITS.events, (e) => {
      const where = e.object ? ` on \`${escape(e.object)}\`` : '';
      const count = e.count !== undefined && e.count > 1 ? ` ×${e.count}` : '';
      const message = e.message ? `: ${escape(clip(e.message, LIMITS.eventMessageChars))}` : '';
      return `• *${escape(e.reason)}*${where}${count}${message}`;
    });
    blocks.push(mrkdwnSection(`*Kubernetes warnings*\n${lines}`));
  }
  return blocks;
}

const CHANGE_KINDS = new Map([
  ['deploy', 'Deploy of'],
  ['configRollout', 'Config rollout of'],
  ['scale', 'Scale of'],
]);

function describeSuspect(s: Suspect): string {
  const what = CHANGE_KINDS.get(s.kind) ?? `${capitalise(escape(s.kind))} of`;
  const workload = ` \`${escape([s.namespace, s.workload].filter(Boolean).join('/') || 'a workload')}\``;
  const at = s.at ? ` (${slackDate(s.at)})` : '';
  if (s.kind !== 'deploy' && s.reason) return `${what}${workload}: ${escape(s.reason)}${at}`;
  const image = s.digest
    ? ` image \`${shortDigest(s.digest)}\`${s.previousDigest ? ` (was \`${shortDigest(s.previousDigest)}\`)` : ''}`
    : s.image
      ? ` image \`${escape(s.image)}\``
      : '';
  const before =
    s.minutesBeforeBurn !== undefined ? `, ${Math.round(s.minutesBeforeBurn)} min before the burn began` : '';
  const failed = s.reason?.includes('the rollout failed') ? ', the rollout failed' : '';
  return `${what}${workload}${image}${before}${failed}${at}`;
}

type Suspect = Correlation['suspects'][number];

function suspectInWords(c: Correlation | null): string {
  const top = c?.suspects[0];
  if (!top) return '';
  const workload = [top.namespace, top.workload].filter(Boolean).join('/');
  const digest = top.digest ? ` (${shortDigest(top.digest)})` : '';
  const before =
    top.minutesBeforeBurn !== undefined ? ` ${Math.round(top.minutesBeforeBurn)} min before` : '';
  const what = (CHANGE_KINDS.get(top.kind) ?? `${top.kind} of`).toLowerCase();
  return ` Suspected: ${what} ${workload || 'a workload'}${digest}${before}.`;
}

function numbersInWords(s: AlertSnapshot): string {
  const firing = s.burnRates.find((w) => w.firing) ?? s.burnRates[0];
  const parts = [
    `SLI ${s.sliPercent === null ? 'no data' : `${percent(s.sliPercent)} %`} (objective ${percent(s.objective)} %)`,
    firing ? `burn rate ${rate(firing.longBurnRate)} over ${firing.longWindow}` : undefined,
    s.budgetRemainingPercent === null ? undefined : `budget left ${percent(s.budgetRemainingPercent)} %`,
  ].filter(Boolean);
  return `${parts.join(', ')}.`;
}

function linkContext(t: NotifiedTransition, sloUrl: string): SlackBlock {
  return {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `<${sloUrl}|Open ${escape(t.slo.name)} in Burnwatch>` }],
  };
}

/** Up to `max` lines, then "and N more". */
function capped<T>(items: T[], max: number, line: (item: T) => string): string {
  const shown = items.slice(0, max).map(line);
  if (items.length > max) shown.push(`_and ${items.length - max} more_`);
  return shown.join('\n');
}

function mrkdwnSection(text: string): SlackBlock {
  return { type: 'section', text: mrkdwn(clip(text, LIMITS.sectionChars)) };
}

function mrkdwn(text: string): TextObject {
  return { type: 'mrkdwn', text };
}

function displayName(t: NotifiedTransition): string {
  return t.slo.displayName ?? t.slo.name;
}

function workloadOf(t: NotifiedTransition): string {
  return [t.slo.service.namespace, t.slo.service.workload].filter(Boolean).join('/');
}

/** Slack shows `<!date^…>` in each reader's own time zone; the text after | is the fallback. */
export function slackDate(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${plainDate(iso)}>`;
}

function plainDate(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function secondsBetween(from: string, to: string): number {
  return Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
}

/** Forecasts are rough: minutes are enough, and whole hours beyond a day. */
function roundedForReading(seconds: number): number {
  if (seconds >= 86_400) return Math.round(seconds / 3600) * 3600;
  return Math.max(60, Math.round(seconds / 60) * 60);
}

/** 99.9 → "99.9", 93.21347 → "93.21". */
export function percent(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function rate(value: number | null): string {
  if (value === null) return '–';
  return `${value >= 10 ? Math.round(value * 10) / 10 : Math.round(value * 100) / 100}×`;
}

/** Slack's mrkdwn needs &, < and > escaped in text that is not markup. */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Cuts text to `max` characters with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
