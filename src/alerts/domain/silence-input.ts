import { z } from 'zod';
import type { FieldError } from '../../common/field-error.js';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from '../../common/storable-text.js';
import { parseTimeParam } from '../../common/time-param.js';
import { toFieldErrors } from '../../slo/domain/slo-schema.js';
import { MATCHER_NAMES, Matcher, matcherMatches, matcherRegExp } from './silence.js';

const MAX_MATCHERS = 20;
const MAX_VALUE = 253;
const MAX_COMMENT = 1000;
const MAX_CREATED_BY = 253;
/** Like a budget correction: a silence longer than a year is a typo or a forgotten alert. */
const MAX_SILENCE_MS = 366 * 86_400_000;
/** Backreferences and lookarounds: not in Alertmanager's (RE2) syntax, and the way to exponential matching. */
const NOT_RE2 = /\\[1-9]|\\k<|\(\?<?[=!]/;

const matcherSchema = z.strictObject({
  name: z.enum(MATCHER_NAMES, { error: `must be one of ${MATCHER_NAMES.join(', ')}` }),
  value: z.string().max(MAX_VALUE),
  isRegex: z.boolean().default(false),
  isEqual: z.boolean().default(true),
});

/** A silence as the API takes it (Alertmanager's postable silence, plus untilResolved and alertId). */
export const silenceInputSchema = z.strictObject({
  matchers: z.array(matcherSchema).max(MAX_MATCHERS).optional(),
  startsAt: z.string().optional().describe('ISO 8601 with a zone; default now, a past time becomes now'),
  endsAt: z
    .string()
    .nullable()
    .optional()
    .describe('ISO 8601 with a zone; null or left out with untilResolved'),
  untilResolved: z
    .boolean()
    .optional()
    .describe('End when the alert (alertId, or the firing alert of slo) resolves'),
  alertId: z.uuid().optional().describe('Only this alert'),
  createdBy: z.string().max(MAX_CREATED_BY).optional().describe('Who made it; "api" when not given'),
  comment: z.string().max(MAX_COMMENT),
});

export interface SilenceInput {
  /** Empty only when alertId is given: the service fills in the alert's SLO. */
  matchers: Matcher[];
  startsAtMs: number;
  endsAtMs: number | null;
  untilResolved: boolean;
  alertId: string | null;
  /** With untilResolved and no alertId: the SLO whose firing alert the silence waits for. */
  untilResolvedSlo: string | null;
  createdBy: string;
  comment: string;
}

/** Checks a silence field by field against the time it is created at; lists every problem, never throws. */
export function parseSilenceInput(body: unknown, nowMs: number): SilenceInput | FieldError[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return [{ field: '(body)', message: 'must be a JSON object describing one silence' }];
  }
  const result = silenceInputSchema.safeParse(body, { reportInput: true });
  if (!result.success) return toFieldErrors(result.error);
  const input = result.data;
  const errors: FieldError[] = [];
  const matchers = input.matchers ?? [];

  matchers.forEach((matcher, i) => {
    const field = `matchers.${i}.value`;
    if (!isStorableText(matcher.value)) errors.push({ field, message: UNSTORABLE_TEXT_MESSAGE });
    else if (matcher.isRegex) {
      const problem = regexProblem(matcher.value);
      if (problem) errors.push({ field, message: problem });
    } else if (matcher.name === 'severity' && !['ticket', 'page'].includes(matcher.value)) {
      errors.push({ field, message: `a severity is "ticket" or "page", not "${matcher.value}"` });
    }
  });
  if (input.alertId === undefined && errors.length === 0) {
    if (matchers.length === 0) {
      errors.push({ field: 'matchers', message: 'are required: at least one, or an alertId' });
    } else if (matchers.every((m) => matcherMatches(m, { slo: '', severity: '' as never }))) {
      // Alertmanager's rule: a silence that also matches alerts without the labels would silence everything.
      errors.push({
        field: 'matchers',
        message: 'at least one matcher must not match the empty string (this silence would hold every alert)',
      });
    }
  }

  const untilResolved = input.untilResolved ?? false;
  const untilResolvedSlo = untilResolved && input.alertId === undefined ? sloOf(matchers) : null;
  if (untilResolved && input.alertId === undefined && untilResolvedSlo === null) {
    errors.push({
      field: 'untilResolved',
      message: 'needs the alert to wait for: an alertId, or a matcher { name: "slo", value: "<name>" }',
    });
  }

  const startsAt = time('startsAt', input.startsAt, errors);
  const startsAtMs = Math.max(startsAt ?? nowMs, nowMs);
  let endsAtMs: number | null = null;
  if (untilResolved) {
    if (input.endsAt !== undefined && input.endsAt !== null) {
      errors.push({ field: 'endsAt', message: 'must be left out (or null) with untilResolved: true' });
    }
  } else if (input.endsAt === undefined || input.endsAt === null) {
    errors.push({
      field: 'endsAt',
      message: 'is required: when the silence ends (ISO 8601 with a zone), or untilResolved: true',
    });
  } else {
    const endsAt = time('endsAt', input.endsAt, errors);
    if (endsAt !== undefined) {
      if (endsAt <= nowMs) errors.push({ field: 'endsAt', message: 'must be in the future' });
      else if (startsAt !== undefined && endsAt <= startsAt) {
        errors.push({ field: 'endsAt', message: 'must be after startsAt' });
      } else if (endsAt - startsAtMs > MAX_SILENCE_MS) {
        errors.push({ field: 'endsAt', message: 'must be at most 366 days after startsAt' });
      } else endsAtMs = endsAt;
    }
  }

  const comment = text('comment', input.comment, errors);
  const createdBy = input.createdBy === undefined ? 'api' : text('createdBy', input.createdBy, errors);
  if (errors.length > 0 || comment === undefined || createdBy === undefined) return errors;
  return {
    matchers,
    startsAtMs,
    endsAtMs,
    untilResolved,
    alertId: input.alertId?.toLowerCase() ?? null,
    untilResolvedSlo,
    createdBy,
    comment,
  };
}

function regexProblem(value: string): string | undefined {
  if (NOT_RE2.test(value))
    return 'backreferences and lookarounds are not supported (RE2 syntax, as in Alertmanager)';
  try {
    matcherRegExp(value);
    return undefined;
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message}`;
  }
}

/** The SLO named by a plain `slo=` matcher, if exactly one. */
function sloOf(matchers: Matcher[]): string | null {
  const named = matchers.filter((m) => m.name === 'slo' && m.isEqual && !m.isRegex);
  return named.length === 1 ? named[0]!.value : null;
}

function time(field: string, value: string | undefined, errors: FieldError[]): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseTimeParam(field, value);
  if (parsed instanceof Date) return parsed.getTime();
  errors.push(parsed);
  return undefined;
}

function text(field: string, value: string, errors: FieldError[]): string | undefined {
  if (value.trim() === '') {
    errors.push({ field, message: field === 'comment' ? 'is required: say why' : 'must not be blank' });
    return undefined;
  }
  if (!isStorableText(value)) {
    errors.push({ field, message: UNSTORABLE_TEXT_MESSAGE });
    return undefined;
  }
  return value.trim();
}
