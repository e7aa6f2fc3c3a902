import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLOCK, Clock } from '../../common/clock.js';
import { BurnwatchError } from '../../common/errors.js';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import { namedPeriod } from '../../slo/domain/calendar-window.js';
import { minutesCovered } from '../../slo/domain/corrections.js';
import { SloSpec } from '../../slo/domain/slo.js';
import { timesliceMinutes } from '../../slo/domain/timeslice.js';
import { isTimeZone } from '../../slo/domain/zoned-time.js';
import { SloService } from '../../slo/slo.service.js';
import { AlertHistory, compliance, timeBurning } from '../domain/report.js';
import type { Severity } from '../domain/alert-policy.js';
import { SloStatusService } from '../engine/slo-status.service.js';
import type { Report, ReportIncident, SloReport } from './report.view.js';
export type { Report, ReportIncident, SloReport } from './report.view.js';

/** Compliance reports over a calendar period for every SLO (or a team's), from the stored data and alerts. */
@Injectable()
export class ReportsService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SloService) private readonly slos: SloService,
    @Inject(SloStatusService) private readonly statuses: SloStatusService,
  ) {}

  async report(query: { period?: string; timeZone?: string; team?: string }): Promise<Report> {
    const now = this.clock.now();
    const timeZone = query.timeZone || 'UTC';
    const errors = [];
    if (!isTimeZone(timeZone))
      errors.push({
        field: 'timeZone',
        message: `must be an IANA time zone such as "Europe/Berlin", got "${timeZone}"`,
      });
    const name = query.period ?? '';
    const period = isTimeZone(timeZone) ? namedPeriod(name, timeZone) : undefined;
    if (!name)
      errors.push({
        field: 'period',
        message: 'is required: a month "2026-11", an ISO week "2026-W48" or a quarter "2026-Q4"',
      });
    else if (!period && isTimeZone(timeZone))
      errors.push({
        field: 'period',
        message: `must be a month "2026-11", an ISO week "2026-W48" or a quarter "2026-Q4", got "${name}"`,
      });
    if (errors.length > 0 || !period) throw BurnwatchError.invalid(errors);
    if (period.startMs > now.getTime())
      throw BurnwatchError.invalid([{ field: 'period', message: `"${name}" has not begun yet` }]);

    const untilMs = Math.min(period.endMs, now.getTime());
    const specs = await this.slos.allSpecs({ team: query.team });
    const alerts = await this.alertsOverlapping(period.startMs, untilMs);
    const retainedFromMs = now.getTime() - this.config.engine.retentionDays * 86_400_000;
    const items: SloReport[] = [];
    for (const spec of specs) {
      items.push(await this.sloReport(spec, period, untilMs, alerts.get(spec.name) ?? [], retainedFromMs));
    }
    return {
      period: name,
      calendar: period.calendar,
      timeZone,
      from: new Date(period.startMs).toISOString(),
      to: new Date(period.endMs).toISOString(),
      until: new Date(untilMs).toISOString(),
      team: query.team ?? null,
      items,
      generatedAt: now.toISOString(),
    };
  }

  private async sloReport(
    spec: SloSpec,
    period: { startMs: number; endMs: number },
    untilMs: number,
    alerts: (AlertHistory & { id: string; correlation: unknown })[],
    retainedFromMs: number,
  ): Promise<SloReport> {
    const fromMinute = Math.floor(period.startMs / 60_000);
    const toMinute = Math.ceil(untilMs / 60_000);
    const { counts, corrected } = await this.statuses.countsByMinute(spec, fromMinute, toMinute);
    const periodMinutes = Math.round((period.endMs - period.startMs) / 60_000);
    const correctedInPeriod = minutesCovered(corrected, fromMinute, Math.round(period.endMs / 60_000));
    const slicesInPeriod =
      spec.budgetingMethod === 'timeslices'
        ? Math.floor((periodMinutes - correctedInPeriod) / timesliceMinutes(spec))
        : undefined;
    const numbers = compliance(
      { objective: spec.objective, budgetingMethod: spec.budgetingMethod, byMinute: counts, slicesInPeriod },
      period,
      untilMs,
    );
    const burning = timeBurning(alerts, period, untilMs);
    const prometheus = spec.source.type === 'prometheus';
    const pruned = retainedFromMs > period.startMs;
    const dataFrom = prometheus ? null : new Date(Math.max(period.startMs, retainedFromMs)).toISOString();
    const note = prometheus
      ? 'a Prometheus SLO: its per-minute numbers live in Prometheus, not here; the report shows its alerts only'
      : pruned
        ? `per-minute data before ${dataFrom} was pruned (BURNWATCH_RETENTION_DAYS=${this.config.engine.retentionDays}): the SLI and budget cover the rest of the period only`
        : null;
    return {
      slo: spec.name,
      displayName: spec.displayName ?? null,
      team: spec.team ?? null,
      namespace: spec.service.namespace ?? null,
      workload: spec.service.workload,
      objective: spec.objective,
      budgetingMethod: spec.budgetingMethod,
      ...numbers,
      pageSeconds: burning.pageSeconds,
      ticketSeconds: burning.ticketSeconds,
      incidents: alerts.map((a) => incidentOf(a)),
      corrections: {
        minutes: correctedInPeriod,
        ranges: corrected.map((r) => ({
          from: new Date(r.fromMinute * 60_000).toISOString(),
          to: new Date(r.toMinute * 60_000).toISOString(),
        })),
      },
      coverage: { dataFrom, complete: note === null, note },
    };
  }

  /** Every alert that burned within [fromMs, toMs), with its transitions, by SLO name. */
  private async alertsOverlapping(
    fromMs: number,
    toMs: number,
  ): Promise<Map<string, (AlertHistory & { id: string; correlation: unknown })[]>> {
    const rows: {
      id: string;
      slo_name: string;
      correlation: unknown;
      kind: 'fired' | 'escalated' | 'resolved';
      severity: Severity;
      at: Date;
    }[] = await this.dataSource.query(
      `SELECT a."id", a."slo_name", a."correlation", t."kind", t."severity", t."at"
       FROM "alerts" a JOIN "alert_transitions" t ON t."alert_id" = a."id"
       WHERE a."started_at" < $2 AND (a."resolved_at" IS NULL OR a."resolved_at" > $1)
       ORDER BY a."started_at", a."id", t."at"`,
      [new Date(fromMs), new Date(toMs)],
    );
    const byAlert = new Map<string, AlertHistory & { id: string; correlation: unknown; slo: string }>();
    for (const row of rows) {
      const alert = byAlert.get(row.id) ?? {
        id: row.id,
        slo: row.slo_name,
        correlation: row.correlation,
        transitions: [],
      };
      alert.transitions.push({ kind: row.kind, severity: row.severity, atMs: row.at.getTime() });
      byAlert.set(row.id, alert);
    }
    const bySlo = new Map<string, (AlertHistory & { id: string; correlation: unknown })[]>();
    for (const alert of byAlert.values()) {
      const list = bySlo.get(alert.slo) ?? [];
      list.push(alert);
      bySlo.set(alert.slo, list);
    }
    return bySlo;
  }
}

function incidentOf(alert: AlertHistory & { id: string; correlation: unknown }): ReportIncident {
  const fired = alert.transitions[0]!;
  const resolved = alert.transitions.find((t) => t.kind === 'resolved');
  const severity: Severity = alert.transitions.some((t) => t.kind === 'escalated') ? 'page' : fired.severity;
  const raw = (alert.correlation as { suspects?: unknown } | null)?.suspects;
  const suspects = Array.isArray(raw)
    ? raw
        .filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null)
        .slice(0, 3)
        .map((s) => ({
          kind: String(s.kind ?? 'change'),
          ...(typeof s.image === 'string' ? { image: s.image } : {}),
          ...(typeof s.digest === 'string' ? { digest: s.digest } : {}),
          ...(typeof s.at === 'string' ? { at: s.at } : {}),
          ...(typeof s.reason === 'string' ? { reason: s.reason } : {}),
        }))
    : [];
  return {
    alertId: alert.id,
    severity,
    startedAt: new Date(fired.atMs).toISOString(),
    resolvedAt: resolved ? new Date(resolved.atMs).toISOString() : null,
    suspects,
  };
}

/** One line per SLO, for spreadsheets: the report's numbers without the burn-down and incident details. */
export function reportCsv(report: Report): string {
  const header = [
    'period',
    'slo',
    'team',
    'namespace',
    'workload',
    'objective',
    'budgeting_method',
    'achieved_percent',
    'met',
    'total',
    'bad',
    'allowed_bad',
    'budget_consumed_percent',
    'page_minutes',
    'ticket_minutes',
    'incidents',
    'corrected_minutes',
    'coverage_complete',
    'coverage_note',
  ];
  const lines = report.items.map((r) =>
    [
      report.period,
      r.slo,
      r.team,
      r.namespace,
      r.workload,
      r.objective,
      r.budgetingMethod,
      r.achievedPercent,
      r.met,
      r.total,
      r.bad,
      r.allowedBad,
      r.budgetConsumedPercent,
      round2(r.pageSeconds / 60),
      round2(r.ticketSeconds / 60),
      r.incidents.length,
      r.corrections.minutes,
      r.coverage.complete,
      r.coverage.note,
    ]
      .map(csvField)
      .join(','),
  );
  return [header.join(','), ...lines].join('\r\n') + '\r\n';
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** RFC 4180: quote fields holding a comma, quote or line break; empty for null. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // A leading =, +, - or @ would be a formula in a spreadsheet: keep it text.
  const safe = /^[=+\-@]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
