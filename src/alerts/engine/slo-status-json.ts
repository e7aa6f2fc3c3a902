import { SloSpec, budgetPeriodAt } from '../../slo/domain/slo.js';
import type { AlertView } from '../alert.view.js';
import type { EngineEvaluation } from './slo-engine.service.js';
import type { SloStatusSummary, SloStatusView } from './slo-status.view.js';

/** An SLO's status as the API shows it: its spec, its latest evaluation and its firing alerts, at `now`. */
export function viewOf(
  spec: SloSpec,
  evaluation: EngineEvaluation,
  firing: AlertView[],
  now: Date,
): SloStatusView {
  const { lastDataMinute: _l, sli, evaluatedAt, approximate, ...rest } = evaluation;
  return {
    ...specFieldsOf(spec),
    budgetPeriod: calendarPeriodView(spec, now),
    ...rest,
    sli: { ...sli, approximate },
    alerts: firing,
    dataFreshness: dataFreshnessOf(evaluation, now),
    evaluatedAt: evaluatedAt.toISOString(),
  };
}

/** The fields of a status that come from the SLO's definition, in the view's order. */
function specFieldsOf(spec: SloSpec) {
  return {
    slo: spec.name,
    team: spec.team ?? null,
    namespace: spec.service.namespace ?? null,
    workload: spec.service.workload,
    objective: spec.objective,
    window: spec.window,
  };
}

/** The summary of a status: what the SLO list shows (SloStatusSummary). */
export function summaryOf(view: SloStatusView): SloStatusSummary {
  return {
    slo: view.slo,
    team: view.team,
    namespace: view.namespace,
    workload: view.workload,
    status: view.status,
    objective: view.objective,
    window: view.window,
    sli: { percent: view.sli.percent, approximate: view.sli.approximate },
    errorBudget: { remainingPercent: view.errorBudget.remainingPercent },
    burnRates: view.burnRates.map((r) => ({
      severity: r.severity,
      longWindow: r.longWindow,
      threshold: r.threshold,
      long: r.long,
    })),
    forecast: {
      exhaustionAt: view.forecast.exhaustionAt,
      secondsToExhaustion: view.forecast.secondsToExhaustion,
    },
    alerts: view.alerts.map(alertSummaryOf),
    staleSince: view.staleSince,
    error: view.error,
    evaluatedAt: view.evaluatedAt,
  };
}

function alertSummaryOf(a: AlertView): SloStatusSummary['alerts'][number] {
  return { id: a.id, severity: a.severity, state: a.state, startedAt: a.startedAt };
}

function calendarPeriodView(spec: SloSpec, now: Date): { from: string; to: string } | null {
  const period = budgetPeriodAt(spec, now.getTime());
  if (!period.calendar) return null;
  return { from: new Date(period.startMs).toISOString(), to: new Date(period.endMs).toISOString() };
}

function dataFreshnessOf(evaluation: EngineEvaluation, now: Date): SloStatusView['dataFreshness'] {
  const { lastDataMinute } = evaluation;
  // The end of the last minute with data, but never later than now (the current minute is still filling).
  const lastDataAt =
    lastDataMinute === null ? null : new Date(Math.min((lastDataMinute + 1) * 60_000, now.getTime()));
  return {
    lastDataAt: lastDataAt?.toISOString() ?? null,
    ageSeconds:
      lastDataAt === null ? null : Math.max(0, Math.round((now.getTime() - lastDataAt.getTime()) / 1000)),
  };
}

/** An object's JSON without its braces, to be spliced between other members. */
const members = (value: object) => JSON.stringify(value).slice(1, -1);

/**
 * The JSON of list items, made from pieces kept per spec and per evaluation: an evaluation's numbers are most of an
 * item's bytes and change only when the engine evaluates again (each evaluation is a new object), and a spec only
 * when the SLO is written (the SLO list's views are shared and frozen). What depends on the clock or on the alert
 * store (budget period, firing alerts, data freshness) is serialised per list, and is small. The output is exactly
 * `JSON.stringify(viewOf(...))` and `JSON.stringify(summaryOf(viewOf(...)))` (slo-status-json.spec.ts).
 */
export class StatusItemJson {
  private readonly specs = new WeakMap<SloSpec, string>();
  private readonly evaluations = new WeakMap<
    EngineEvaluation,
    {
      spec: SloSpec;
      full: { body: string; tail: string };
      summary: { head: string; tail: string } | undefined;
    }
  >();

  full(spec: SloSpec, evaluation: EngineEvaluation, firing: AlertView[], now: Date): string {
    const { full } = this.of(spec, evaluation);
    return (
      `{${this.specMembers(spec)},"budgetPeriod":${JSON.stringify(calendarPeriodView(spec, now))},${full.body}` +
      `,"alerts":${JSON.stringify(firing)},"dataFreshness":${JSON.stringify(dataFreshnessOf(evaluation, now))}` +
      `${full.tail}}`
    );
  }

  summary(spec: SloSpec, evaluation: EngineEvaluation, firing: AlertView[], now: Date): string {
    const cached = this.of(spec, evaluation);
    if (cached.summary === undefined) {
      // Nothing in a summary but its alerts depends on the clock or the alert store.
      const {
        alerts: _a,
        staleSince,
        error,
        evaluatedAt,
        ...head
      } = summaryOf(viewOf(spec, evaluation, [], now));
      cached.summary = { head: members(head), tail: members({ staleSince, error, evaluatedAt }) };
    }
    const { head, tail } = cached.summary;
    return `{${head},"alerts":${JSON.stringify(firing.map(alertSummaryOf))},${tail}}`;
  }

  private specMembers(spec: SloSpec): string {
    let json = this.specs.get(spec);
    if (json === undefined) {
      json = members(specFieldsOf(spec));
      this.specs.set(spec, json);
    }
    return json;
  }

  private of(spec: SloSpec, evaluation: EngineEvaluation) {
    let cached = this.evaluations.get(evaluation);
    if (cached === undefined || cached.spec !== spec) {
      const { lastDataMinute: _l, sli, evaluatedAt, approximate, ...rest } = evaluation;
      cached = {
        spec,
        full: {
          body: members({ ...rest, sli: { ...sli, approximate } }),
          tail: `,"evaluatedAt":${JSON.stringify(evaluatedAt.toISOString())}`,
        },
        summary: undefined,
      };
      this.evaluations.set(evaluation, cached);
    }
    return cached;
  }
}
