import type { Matcher, MatcherName, Silence } from '../api/types.js';
import { formatTime } from './format.js';

export const MATCHER_NAMES: MatcherName[] = ['slo', 'team', 'namespace', 'workload', 'severity'];

/** Alertmanager's four operators, as amtool writes them. */
export type MatcherOperator = '=' | '!=' | '=~' | '!~';
export const OPERATORS: MatcherOperator[] = ['=', '!=', '=~', '!~'];

export function operatorOf(matcher: Pick<Matcher, 'isRegex' | 'isEqual'>): MatcherOperator {
  if (matcher.isRegex) return matcher.isEqual ? '=~' : '!~';
  return matcher.isEqual ? '=' : '!=';
}

export function matcherOf(name: MatcherName, operator: MatcherOperator, value: string): Matcher {
  return { name, value, isRegex: operator.endsWith('~'), isEqual: !operator.startsWith('!') };
}

/** `slo="checkout", team=~"pay.*"`: the matchers as amtool shows them. */
export function describeMatchers(matchers: Matcher[]): string {
  return matchers.map((m) => `${m.name}${operatorOf(m)}"${m.value}"`).join(', ');
}

/** "Silenced until Nov 10, 16:00 by alice — known incident": what the alerts page says about a held alert. */
export function silencedLine(silence: Silence, timeZone?: string): string {
  const until =
    silence.endsAt === null ? 'until the alert resolves' : `until ${formatTime(silence.endsAt, timeZone)}`;
  return `Silenced ${until} by ${silence.createdBy} — ${silence.comment}`;
}

/** How long a silence made in the UI lasts: a duration in seconds, or until the alert resolves. */
export type SilenceLength = number | 'untilResolved';

export const LENGTHS: { value: SilenceLength; label: string }[] = [
  { value: 3600, label: '1 hour' },
  { value: 4 * 3600, label: '4 hours' },
  { value: 24 * 3600, label: '1 day' },
  { value: 7 * 24 * 3600, label: '1 week' },
  { value: 'untilResolved', label: 'Until the alert resolves' },
];

export interface SilenceForm {
  matchers: { name: MatcherName; operator: MatcherOperator; value: string }[];
  length: SilenceLength;
  createdBy: string;
  comment: string;
}

/** The POST /api/v1/silences body for a form; the server checks it and names each wrong field. */
export function silenceBody(form: SilenceForm, now: Date): Record<string, unknown> {
  const body: Record<string, unknown> = {
    matchers: form.matchers.map((m) => matcherOf(m.name, m.operator, m.value.trim())),
    comment: form.comment,
  };
  if (form.createdBy.trim()) body.createdBy = form.createdBy.trim();
  if (form.length === 'untilResolved') body.untilResolved = true;
  else body.endsAt = new Date(now.getTime() + form.length * 1000).toISOString();
  return body;
}

/** A form field's label for an API field name ("matchers.0.value" → "Matcher 1 value"). */
export function fieldLabel(field: string): string {
  const matcher = /^matchers\.(\d+)\.(\w+)$/.exec(field);
  if (matcher) return `Matcher ${Number(matcher[1]) + 1} ${matcher[2] === 'name' ? 'label' : matcher[2]}`;
  const names: Record<string, string> = {
    matchers: 'Matchers',
    endsAt: 'Ends',
    untilResolved: 'Until resolved',
    comment: 'Comment',
    createdBy: 'Created by',
    Authorization: 'API token',
  };
  return names[field] ?? field;
}
