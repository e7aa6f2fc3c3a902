import { z } from 'zod';
import { FieldError } from '../../common/field-error.js';
import { UNSTORABLE_TEXT_MESSAGE, isStorableText } from '../../common/storable-text.js';
import { CALENDAR_UNITS, parseWallTime } from './calendar-window.js';
import { parseDurationSeconds } from './duration.js';
import { isTimeZone } from './zoned-time.js';
import { checkPromqlQuery } from './promql.js';
import { grpcStatusName } from './grpc-status.js';
import { tierProblem } from '../../alerts/domain/alert-policy.js';
import { HTTP_METHODS, SloSpec, allowedBadRatio, windowSeconds } from './slo.js';

const HOUR = 3600;
const DAY = 86400;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const ERROR_STATUS_TOKEN = /^([1-5]xx|[1-5]\d\d)$/;
const SLACK_CHANNEL = /^(#[a-z0-9][a-z0-9._-]{0,79}|[CGD][A-Z0-9]{6,})$/;

const dnsLabel = (what: string) =>
  z
    .string()
    .regex(
      DNS_LABEL,
      `must be ${what} in DNS-label form: lower-case letters, digits and '-', at most 63 characters`,
    );

const duration = (min: number, max: number, hint: string) =>
  z.string().superRefine((text, ctx) => {
    const seconds = parseDurationSeconds(text, ['m', 'h', 'd']);
    if (seconds === undefined) {
      ctx.addIssue({ code: 'custom', message: `must be a duration like "5m", "1h" or "28d", got "${text}"` });
    } else if (seconds < min || seconds > max) {
      ctx.addIssue({ code: 'custom', message: `must be ${hint}, got "${text}"` });
    }
  });

const percent = (field: string) =>
  z.number().superRefine((value, ctx) => {
    if (value > 0 && value < 1) {
      const asPercent = +(value * 100).toFixed(3);
      ctx.addIssue({
        code: 'custom',
        message: `is a percentage, not a ratio: for ${asPercent} % write ${asPercent}, not ${value}`,
      });
    } else if (!Number.isFinite(value) || value <= 0 || value >= 100) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a percentage greater than 0 and less than 100, such as 99.9',
      });
    } else if (Math.abs(value * 1000 - Math.round(value * 1000)) > 1e-6) {
      ctx.addIssue({ code: 'custom', message: `${field} has at most 3 decimals, got ${value}` });
    }
  });

const errorStatus = z
  .string()
  .transform((text) => text.replace(/\s+/g, '').toLowerCase())
  .refine((text) => text.split(',').every((token) => ERROR_STATUS_TOKEN.test(token)), {
    message: 'must be status classes or codes separated by commas, such as "5xx", "4xx,5xx" or "500,503,429"',
  });

/** gRPC codes by name or number, stored by name: `["UNAVAILABLE", 13]` → `["UNAVAILABLE", "INTERNAL"]`. */
const grpcErrorCodes = z
  .array(z.union([z.string(), z.number()]))
  .min(1, 'must list at least one gRPC status code (leave the field out for the default)')
  .superRefine((codes, ctx) =>
    codes.forEach((code, i) => {
      if (grpcStatusName(code) === null)
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `${JSON.stringify(code)} is not a gRPC status code: use a name such as UNAVAILABLE or a number from 0 to 16`,
        });
    }),
  )
  .transform((codes) => [...new Set(codes.map((code) => grpcStatusName(code)!))]);

/** A ratio SLO's query: real PromQL (Prometheus's grammar and type rules) that counts the events of a window. */
const promqlQuery = (counts: string) =>
  z
    .string()
    .trim()
    .min(1, `must be a PromQL query counting ${counts}`)
    .max(10_000, 'must be at most 10000 characters')
    .superRefine((query, ctx) => {
      const check = checkPromqlQuery(query);
      if (!check.ok) ctx.addIssue({ code: 'custom', message: check.message });
    });

const indicatorSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('errorRate'),
      errorStatus: errorStatus.default('5xx'),
      grpcErrorCodes: grpcErrorCodes.optional(),
    }),
    z.strictObject({
      type: z.literal('latency'),
      thresholdMs: z
        .number()
        .positive('must be a positive number of milliseconds')
        .max(3_600_000, 'must be at most 3600000 ms (one hour)'),
      percentile: z
        .number()
        .gt(0, 'must be greater than 0 and less than 100, such as 95')
        .lt(100, 'must be greater than 0 and less than 100, such as 95')
        .optional(),
    }),
    z.strictObject({
      type: z.literal('ratio'),
      goodQuery: promqlQuery('good events').optional(),
      badQuery: promqlQuery('bad events').optional(),
      totalQuery: promqlQuery('all events'),
    }),
  ],
  { error: 'must have a "type" of "errorRate", "latency" or "ratio"' },
);

const burnRateWindowSchema = z.strictObject({
  severity: z.enum(['page', 'ticket'], { error: 'must be "page" or "ticket"' }),
  longWindow: duration(5 * 60, 90 * DAY, 'from 5m to 90d'),
  shortWindow: duration(60, 90 * DAY, 'from 1m to 90d'),
  burnRate: z
    .number()
    .positive('must be a positive factor, such as 14.4')
    .max(10_000, 'must be at most 10000'),
});

const rollingWindowSchema = duration(HOUR, 90 * DAY, 'a rolling window from 1h to 90d');
const calendarWindowSchema = z.strictObject({
  calendar: z.enum(CALENDAR_UNITS, { error: `must be one of ${CALENDAR_UNITS.join(', ')}` }),
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as "Europe/Berlin" or "UTC"'),
  start: z
    .string()
    .refine(
      (text) => parseWallTime(text) !== undefined,
      'must be a wall time such as "2022-01-01 12:00:00" that one period starts at',
    )
    .optional(),
});

/** A rolling window ("28d") or a calendar one ({ calendar, timeZone }), each with its own field errors. */
const windowSchema = z.unknown().transform((value, ctx): string | z.infer<typeof calendarWindowSchema> => {
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (typeof value !== 'string' && !isObject) {
    ctx.addIssue({
      code: 'custom',
      message:
        'must be a rolling window such as "28d", or a calendar window such as { "calendar": "month", "timeZone": "Europe/Berlin" }',
    });
    return z.NEVER;
  }
  const result = isObject ? calendarWindowSchema.safeParse(value) : rollingWindowSchema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues)
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

export const sloInputSchema = z
  .strictObject({
    name: dnsLabel('a name'),
    displayName: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(253, 'must be at most 253 characters')
      .optional(),
    description: z.string().max(1024, 'must be at most 1024 characters').default(''),
    team: z.string().trim().min(1, 'must not be empty').max(63, 'must be at most 63 characters').optional(),
    service: z.strictObject({
      namespace: dnsLabel('a Kubernetes namespace').optional(),
      workload: z.string().trim().min(1, 'must name the workload').max(253, 'must be at most 253 characters'),
      route: z
        .string()
        .startsWith('/', 'must be an HTTP route starting with "/", such as "/api/checkout"')
        .max(256, 'must be at most 256 characters')
        .optional(),
      method: z
        .enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(', ')} (upper case)` })
        .optional(),
    }),
    indicator: indicatorSchema,
    objective: percent('objective'),
    window: windowSchema,
    budgetingMethod: z
      .enum(['occurrences', 'timeslices'], { error: 'must be "occurrences" or "timeslices"' })
      .default('occurrences'),
    timeslice: duration(60, DAY, 'from 1m to 1d').optional(),
    timesliceTarget: percent('timesliceTarget').optional(),
    alerting: z
      .strictObject({
        windows: z.array(burnRateWindowSchema).max(8, 'may hold at most 8 windows').optional(),
        minEvents: z.int('must be a whole number').min(0, 'must be 0 or more').max(1_000_000).optional(),
      })
      .optional(),
    notify: z
      .strictObject({
        slackChannel: z
          .string()
          .regex(
            SLACK_CHANNEL,
            'must be a channel name such as "#payments-oncall" or a channel ID such as "C0123ABCD"',
          )
          .optional(),
      })
      .optional(),
    source: z
      .discriminatedUnion(
        'type',
        [z.strictObject({ type: z.literal('sensor') }), z.strictObject({ type: z.literal('prometheus') })],
        {
          error: 'must have a "type" of "sensor" or "prometheus"',
        },
      )
      .default({ type: 'sensor' }),
  })
  .superRefine((slo, ctx) => {
    // A calendar period is whole days (23 or 25 hours across a clock change): its slices must divide an hour.
    const windowSeconds =
      typeof slo.window === 'string' ? parseDurationSeconds(slo.window, ['m', 'h', 'd']) : HOUR;
    if (slo.budgetingMethod === 'timeslices') {
      if (slo.timeslice === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['timeslice'],
          message: 'is required with timeslices budgeting, such as "1m"',
        });
      } else {
        const sliceSeconds = parseDurationSeconds(slo.timeslice, ['m', 'h', 'd']);
        if (windowSeconds && sliceSeconds && windowSeconds % sliceSeconds !== 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['timeslice'],
            message:
              typeof slo.window === 'string'
                ? `must divide the window (${slo.window}) evenly`
                : 'must divide an hour evenly with a calendar window (its days can be 23 or 25 hours long)',
          });
        }
      }
      if (slo.indicator.type === 'latency' && slo.indicator.percentile === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['indicator', 'percentile'],
          message:
            'is required for a latency SLO with timeslices budgeting: a slice is good when this percentile is within thresholdMs',
        });
      }
      if (slo.indicator.type === 'latency' && slo.timesliceTarget !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['timesliceTarget'],
          message:
            'applies only to error-rate and ratio indicators: a latency slice is good when its indicator.percentile is within thresholdMs',
        });
      }
      if (slo.indicator.type !== 'latency' && slo.timesliceTarget === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['timesliceTarget'],
          message:
            'is required with timeslices budgeting of an error rate: the percent of good requests that makes a slice good',
        });
      }
    } else {
      if (slo.timeslice !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['timeslice'],
          message: 'applies only with budgetingMethod "timeslices"',
        });
      }
      if (slo.timesliceTarget !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['timesliceTarget'],
          message: 'applies only with budgetingMethod "timeslices"',
        });
      }
      if (slo.indicator.type === 'latency' && slo.indicator.percentile !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['indicator', 'percentile'],
          message:
            'applies only with budgetingMethod "timeslices"; with occurrences the objective is the percentile (P95 ≤ 300 ms is objective 95)',
        });
      }
    }
    if (
      slo.indicator.type === 'ratio' &&
      (slo.indicator.goodQuery === undefined) === (slo.indicator.badQuery === undefined)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['indicator', 'goodQuery'],
        message: 'give exactly one of goodQuery and badQuery',
      });
    }
    if (slo.source.type === 'prometheus' && slo.budgetingMethod === 'timeslices') {
      ctx.addIssue({
        code: 'custom',
        path: ['budgetingMethod'],
        message: 'must be "occurrences" with a Prometheus source (timeslices need the sensor data)',
      });
    }
    if (slo.indicator.type === 'ratio' && slo.source.type !== 'prometheus') {
      ctx.addIssue({
        code: 'custom',
        path: ['indicator', 'type'],
        message: '"ratio" needs PromQL queries, so source.type must be "prometheus"',
      });
    }
    slo.alerting?.windows?.forEach((window, i) => {
      const long = parseDurationSeconds(window.longWindow, ['m', 'h', 'd']);
      const short = parseDurationSeconds(window.shortWindow, ['m', 'h', 'd']);
      if (long && short && short >= long) {
        ctx.addIssue({
          code: 'custom',
          path: ['alerting', 'windows', i, 'shortWindow'],
          message: 'must be shorter than longWindow',
        });
      }
      const problem = tierProblem(window.burnRate, allowedBadRatio(slo), slo.objective);
      if (problem) {
        ctx.addIssue({ code: 'custom', path: ['alerting', 'windows', i, 'burnRate'], message: problem });
      }
      const sloSeconds = typeof slo.window === 'string' ? windowSeconds : nominalSeconds(slo.window.calendar);
      if (long && sloSeconds && long > sloSeconds) {
        ctx.addIssue({
          code: 'custom',
          path: ['alerting', 'windows', i, 'longWindow'],
          message: `must not be longer than the SLO window (${typeof slo.window === 'string' ? slo.window : `a ${slo.window.calendar}`})`,
        });
      }
    });
  });

function nominalSeconds(calendar: (typeof CALENDAR_UNITS)[number]): number {
  return windowSeconds({ window: { calendar, timeZone: 'UTC' } });
}

export type SloValidation = { ok: true; spec: SloSpec } | { ok: false; errors: FieldError[] };

/** Validates a whole SLO as the API receives it; lists every problem, never throws. */
export function validateSloSpec(input: unknown): SloValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ field: '(body)', message: 'must be a JSON object describing one SLO' }] };
  }
  const result = sloInputSchema.safeParse(input, { reportInput: true });
  if (!result.success) return { ok: false, errors: toFieldErrors(result.error) };
  const unstorable = unstorableTextFields(result.data, '');
  if (unstorable.length > 0) return { ok: false, errors: unstorable };
  return { ok: true, spec: pruneUndefined(result.data) as SloSpec };
}

/** Text the database would refuse, found in a validated SLO (whose shape bounds the depth). */
function unstorableTextFields(value: unknown, path: string): FieldError[] {
  if (typeof value === 'string')
    return isStorableText(value) ? [] : [{ field: path, message: UNSTORABLE_TEXT_MESSAGE }];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    unstorableTextFields(child, path ? `${path}.${key}` : key),
  );
}

export function toFieldErrors(error: z.ZodError): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        // An empty key would make an empty field name; quote it so that the client sees which one.
        const name = key === '' ? '""' : key;
        errors.push({ field: field ? `${field}.${name}` : name, message: 'is not a known field' });
      }
      continue;
    }
    errors.push({ field: field || '(body)', message: describeIssue(issue) });
  }
  return errors;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const input = (issue as { input?: unknown }).input;
    if (input === undefined) return 'is required';
    return `must be ${article(issue.expected)}, got ${describeValue(input)}`;
  }
  return issue.message;
}

function article(expected: string): string {
  const name = expected === 'int' ? 'whole number' : expected;
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function pruneUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
