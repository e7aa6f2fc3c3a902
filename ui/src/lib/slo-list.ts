import type { Slo, SloStatus, SloStatusName, SloStatusSummary } from '../api/types.js';
import { describeWindow } from './time-range.js';

/** One line of the SLO list: what the list page shows, already shaped. */
export interface SloRow {
  name: string;
  team: string | null;
  namespace: string | null;
  workload: string;
  /** "unknown" when the server has no status API (an older Burnwatch): only the definition is known. */
  status: SloStatusName | 'unknown';
  objective: number;
  window: string;
  sliPercent: number | null;
  sliApproximate: boolean;
  budgetRemainingPercent: number | null;
  fastestBurn: { rate: number; window: string; threshold: number } | null;
  forecast: { secondsToExhaustion: number | null; exhaustionAt: string | null } | null;
  firingAlerts: number;
  /** Why the numbers are not current (stale or error), as one sentence; null when they are. */
  statusNote: string | null;
}

/** A row from a status: the summary the list reads, or a full status (which holds every field of it). */
export function rowFromStatus(status: SloStatusSummary): SloRow {
  return {
    name: status.slo,
    team: status.team ?? null,
    namespace: status.namespace ?? null,
    workload: status.workload,
    status: status.status,
    objective: status.objective,
    window: describeWindow(status.window),
    sliPercent: status.sli.percent,
    sliApproximate: status.sli.approximate,
    budgetRemainingPercent: status.errorBudget.remainingPercent,
    fastestBurn: fastestBurn(status.burnRates),
    forecast: status.forecast,
    firingAlerts: status.alerts?.length ?? 0,
    statusNote: statusNote(status),
  };
}

/** Why an SLO's numbers are not current, in one sentence; null when they are. */
export function statusNote(status: Pick<SloStatus, 'status' | 'staleSince' | 'error'>): string | null {
  if (status.status === 'stale')
    return `No data since ${status.staleSince ?? 'a while'}: the numbers describe the past; alerts neither fire nor resolve.`;
  if (status.status === 'error')
    return `Cannot evaluate since ${status.error?.since ?? 'now'}: ${status.error?.reason ?? 'unknown error'}`;
  return null;
}

export function rowFromSlo(slo: Slo): SloRow {
  return {
    name: slo.name,
    team: slo.team ?? null,
    namespace: slo.service.namespace ?? null,
    workload: slo.service.workload,
    status: 'unknown',
    objective: slo.objective,
    window: describeWindow(slo.window),
    sliPercent: null,
    sliApproximate: false,
    budgetRemainingPercent: null,
    fastestBurn: null,
    forecast: null,
    firingAlerts: 0,
    statusNote: null,
  };
}

/** The highest burn rate over the long windows (what spends the budget), with the window it was seen in. */
export function fastestBurn(rates: SloStatusSummary['burnRates']): SloRow['fastestBurn'] {
  let best: SloRow['fastestBurn'] = null;
  for (const rate of rates) {
    if (rate.long === null) continue;
    if (best === null || rate.long > best.rate)
      best = { rate: rate.long, window: rate.longWindow, threshold: rate.threshold };
  }
  return best;
}

export interface ListFilter {
  team?: string;
  namespace?: string;
  status?: SloRow['status'];
}

export function filterRows(rows: SloRow[], filter: ListFilter): SloRow[] {
  return rows.filter(
    (row) =>
      (!filter.team || row.team === filter.team) &&
      (!filter.namespace || row.namespace === filter.namespace) &&
      (!filter.status || row.status === filter.status),
  );
}

export type SortOrder = 'asc' | 'desc';

/** By budget left (least first when ascending); SLOs without a budget yet always go last, then by name. */
export function sortRows(rows: SloRow[], order: SortOrder): SloRow[] {
  const sign = order === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a.budgetRemainingPercent;
    const y = b.budgetRemainingPercent;
    if (x === null && y === null) return a.name.localeCompare(b.name);
    if (x === null) return 1;
    if (y === null) return -1;
    return x === y ? a.name.localeCompare(b.name) : sign * (x - y);
  });
}

/** The choices the filters offer: every team and namespace present, sorted. */
export function filterOptions(rows: SloRow[]): { teams: string[]; namespaces: string[] } {
  const unique = (values: (string | null)[]) =>
    [...new Set(values.filter((v): v is string => v !== null && v !== ''))].sort();
  return { teams: unique(rows.map((r) => r.team)), namespaces: unique(rows.map((r) => r.namespace)) };
}

/** How the budget bar looks: its width (0 to 100) and a level that picks the colour. */
export function budgetBar(remainingPercent: number | null): {
  widthPercent: number;
  level: 'healthy' | 'low' | 'exhausted' | 'none';
} {
  if (remainingPercent === null) return { widthPercent: 0, level: 'none' };
  const widthPercent = Math.min(100, Math.max(0, remainingPercent));
  if (remainingPercent <= 0) return { widthPercent, level: 'exhausted' };
  return { widthPercent, level: remainingPercent < 25 ? 'low' : 'healthy' };
}

export const STATUS_LABELS: Record<SloRow['status'], string> = {
  ok: 'OK',
  ticket: 'Ticket',
  page: 'Page',
  noData: 'No data',
  stale: 'Stale',
  error: 'Error',
  unknown: 'Unknown',
};

/** Filters live in the address (?team=&namespace=&status=&sort=) so a filtered list can be shared. */
export function readListQuery(search: string): ListFilter & { sort: SortOrder } {
  const params = new URLSearchParams(search);
  const status = params.get('status');
  return {
    team: params.get('team') || undefined,
    namespace: params.get('namespace') || undefined,
    status: status && status in STATUS_LABELS ? (status as SloRow['status']) : undefined,
    sort: params.get('sort') === 'desc' ? 'desc' : 'asc',
  };
}

export function writeListQuery(query: ListFilter & { sort: SortOrder }): string {
  const params = new URLSearchParams();
  if (query.team) params.set('team', query.team);
  if (query.namespace) params.set('namespace', query.namespace);
  if (query.status) params.set('status', query.status);
  if (query.sort === 'desc') params.set('sort', 'desc');
  const text = params.toString();
  return text ? `?${text}` : '';
}
