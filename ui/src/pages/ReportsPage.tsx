import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { Report, SloReport } from '../api/types.js';
import { EmptyState, ErrorNote, SeverityBadge } from '../components/bits.js';
import { Link } from '../components/Link.js';
import { formatDuration, formatPercent, formatTime } from '../lib/format.js';
import { burnDownPath, readReportQuery, reportSearch } from '../lib/reports.js';
import { navigate, useRefresh } from '../navigation.js';
import { sloPath } from '../router.js';

/** `/reports?period=2026-11&team=payments`: a printable compliance report, per team, with each SLO's burn-down. */
export function ReportsPage({ search }: { search: string }) {
  const query = readReportQuery(search, new Date());
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  useRefresh(
    async (signal) => {
      const result = await api.report(query, signal);
      if (result.ok) {
        setReport(result.value);
        setError(null);
      } else {
        setReport(null);
        setError(`Could not make the report: ${result.message}`);
      }
    },
    3600,
    [query.period, query.team, query.timeZone],
  );

  const teams = report ? groupByTeam(report.items) : [];
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>Compliance report {query.period}</h1>
        {report && (
          <p class="muted">
            {formatTime(report.from)} to {formatTime(report.to)} ({report.timeZone})
            {report.until !== report.to && <> — so far, until {formatTime(report.until)}</>}
          </p>
        )}
      </div>
      <form
        class="filters no-print"
        aria-label="Report period"
        onSubmit={(e) => {
          e.preventDefault();
          const form = new FormData(e.currentTarget);
          navigate(
            `/reports${reportSearch({
              period: String(form.get('period') || query.period),
              team: String(form.get('team') || '') || undefined,
              timeZone: String(form.get('timeZone') || '') || undefined,
            })}`,
          );
        }}
      >
        <label>
          Period
          <input name="period" defaultValue={query.period} placeholder="2026-11, 2026-W48, 2026-Q4" />
        </label>
        <label>
          Team
          <input name="team" defaultValue={query.team ?? ''} placeholder="every team" />
        </label>
        <label>
          Time zone
          <input name="timeZone" defaultValue={query.timeZone ?? ''} placeholder="UTC" />
        </label>
        <button type="submit">Show</button>
        <a class="button" href={`/api/v1/reports${reportSearch(query, { format: 'csv' })}`} download>
          Download CSV
        </a>
        <button type="button" onClick={() => window.print()}>
          Print
        </button>
      </form>
      {error && <ErrorNote message={error} />}
      {report && report.items.length === 0 && (
        <EmptyState title="No SLO to report on">
          <p>
            No SLO{query.team ? ` of team ${query.team}` : ''} exists. <Link href="/">See every SLO</Link>.
          </p>
        </EmptyState>
      )}
      {teams.map(([team, items]) => (
        <section class="report-team" aria-labelledby={`team-${team}`}>
          <h2 id={`team-${team}`}>{team === '' ? 'No team' : `Team ${team}`}</h2>
          <table class="report-table">
            <caption class="visually-hidden">
              Compliance of team {team || 'none'} in {query.period}
            </caption>
            <thead>
              <tr>
                <th scope="col">SLO</th>
                <th scope="col">Objective</th>
                <th scope="col">Achieved</th>
                <th scope="col">Budget spent</th>
                <th scope="col">Paging</th>
                <th scope="col">Ticket</th>
                <th scope="col">Incidents</th>
                <th scope="col">Corrected</th>
                <th scope="col">Burn-down</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <ReportRow item={item} days={periodDays(report!)} />
              ))}
            </tbody>
          </table>
          {items.map((item) => (
            <ReportNotes item={item} />
          ))}
        </section>
      ))}
      {report && <p class="muted small">Generated {formatTime(report.generatedAt)}.</p>}
    </>
  );
}

function ReportRow({ item, days }: { item: SloReport; days: number }) {
  const verdict = item.met === null ? 'no data' : item.met ? 'met' : 'missed';
  return (
    <tr data-slo={item.slo}>
      <th scope="row">
        <Link href={sloPath(item.slo)}>{item.displayName ?? item.slo}</Link>
        <div class="muted small">{item.namespace ? `${item.namespace}/${item.workload}` : item.workload}</div>
      </th>
      <td>{formatPercent(item.objective, 3)}</td>
      <td>
        {formatPercent(item.achievedPercent, 3)}{' '}
        <span class={`verdict verdict-${verdict.replace(' ', '-')}`}>{verdict}</span>
      </td>
      <td>{formatPercent(item.budgetConsumedPercent, 1)}</td>
      <td>{item.pageSeconds > 0 ? formatDuration(item.pageSeconds) : '—'}</td>
      <td>{item.ticketSeconds > 0 ? formatDuration(item.ticketSeconds) : '—'}</td>
      <td>{item.incidents.length}</td>
      <td>{item.corrections.minutes > 0 ? formatDuration(item.corrections.minutes * 60) : '—'}</td>
      <td>
        <BurnDown item={item} days={days} />
      </td>
    </tr>
  );
}

const WIDTH = 160;
const HEIGHT = 36;

function BurnDown({ item, days }: { item: SloReport; days: number }) {
  const { segments, zeroY } = burnDownPath(item.burnDown, days, WIDTH, HEIGHT);
  const last = [...item.burnDown].reverse().find((p) => p.remainingPercent !== null);
  return (
    <svg
      class="burn-down"
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`Budget left over the period, ending at ${last ? formatPercent(last.remainingPercent, 1) : 'no data'}`}
    >
      <line x1="0" x2={WIDTH} y1={zeroY} y2={zeroY} class="burn-down-zero" />
      {segments.map((points) => (
        <polyline points={points} class="burn-down-line" />
      ))}
    </svg>
  );
}

function ReportNotes({ item }: { item: SloReport }) {
  if (item.incidents.length === 0 && item.coverage.complete) return null;
  return (
    <div class="report-notes" data-notes-for={item.slo}>
      <h3 class="small">{item.displayName ?? item.slo}</h3>
      {item.coverage.note && (
        <p class="notice" role="note">
          {item.coverage.note}
        </p>
      )}
      {item.incidents.length > 0 && (
        <ul>
          {item.incidents.map((incident) => (
            <li>
              <SeverityBadge severity={incident.severity} /> {formatTime(incident.startedAt)} →{' '}
              {incident.resolvedAt ? formatTime(incident.resolvedAt) : 'still firing'}
              {incident.suspects[0] && (
                <span class="muted">
                  {' '}
                  — suspect:{' '}
                  {incident.suspects[0].reason ?? incident.suspects[0].image ?? incident.suspects[0].kind}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function periodDays(report: Report): number {
  return Math.round((Date.parse(report.to) - Date.parse(report.from)) / 86_400_000);
}

function groupByTeam(items: SloReport[]): [string, SloReport[]][] {
  const teams = new Map<string, SloReport[]>();
  for (const item of items) {
    const list = teams.get(item.team ?? '') ?? [];
    list.push(item);
    teams.set(item.team ?? '', list);
  }
  return [...teams.entries()].sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
}
