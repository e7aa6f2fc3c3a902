import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { BudgetBar, ErrorNote, StatusBadge } from '../components/bits.js';
import { Link } from '../components/Link.js';
import { NoSlosYet } from '../components/Examples.js';
import { formatBurnRate, formatForecast, formatPercent, formatTime } from '../lib/format.js';
import {
  STATUS_LABELS,
  SloRow,
  filterOptions,
  filterRows,
  readListQuery,
  rowFromSlo,
  rowFromStatus,
  sortRows,
  writeListQuery,
} from '../lib/slo-list.js';
import { navigate, useRefresh } from '../navigation.js';
import { sloPath } from '../router.js';

export const REFRESH_SECONDS = 30;

interface Loaded {
  rows: SloRow[];
  /** false: the server has no status API, only definitions are shown. */
  withStatus: boolean;
  at: Date;
}

export function SloListPage({ search }: { search: string }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const query = readListQuery(search);

  useRefresh(
    async (signal) => {
      const statuses = await api.statuses(signal);
      if (statuses.ok) {
        setLoaded({ rows: statuses.value.items.map(rowFromStatus), withStatus: true, at: new Date() });
        setError(null);
        return;
      }
      if (!statuses.notFound) {
        setError(`Could not load the SLOs' status: ${statuses.message}`);
        return;
      }
      const slos = await api.slos(signal);
      if (!slos.ok) {
        setError(`Could not load the SLOs: ${slos.message}`);
        return;
      }
      setLoaded({ rows: slos.value.items.map(rowFromSlo), withStatus: false, at: new Date() });
      setError(null);
    },
    REFRESH_SECONDS,
    [reload],
  );

  const setQuery = (change: Partial<typeof query>) =>
    navigate(`/${writeListQuery({ ...query, ...change })}`, true);

  if (!loaded) {
    return (
      <>
        <h1 tabIndex={-1}>Service level objectives</h1>
        {error ? <ErrorNote message={error} /> : <p aria-busy="true">Loading…</p>}
      </>
    );
  }
  if (loaded.rows.length === 0) {
    return (
      <>
        <h1 tabIndex={-1}>Service level objectives</h1>
        {error && <ErrorNote message={error} />}
        <NoSlosYet onCreated={() => setReload((n) => n + 1)} />
      </>
    );
  }

  const options = filterOptions(loaded.rows);
  const rows = sortRows(filterRows(loaded.rows, query), query.sort);
  const statuses = loaded.withStatus
    ? (['page', 'ticket', 'error', 'stale', 'ok', 'noData'] as const)
    : (['unknown'] as const);
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>Service level objectives</h1>
        <p class="muted" aria-live="polite">
          Updated {formatTime(loaded.at.toISOString())}; refreshes every {REFRESH_SECONDS} s.
        </p>
      </div>
      {error && <ErrorNote message={error} />}
      {!loaded.withStatus && (
        <p class="notice" role="status">
          This Burnwatch server does not report budgets yet (no status API): the list shows the definitions
          only.
        </p>
      )}
      <form class="filters" role="search" aria-label="Filter SLOs" onSubmit={(e) => e.preventDefault()}>
        <label>
          Team
          <select
            name="team"
            value={query.team ?? ''}
            onChange={(e) => setQuery({ team: e.currentTarget.value || undefined })}
          >
            <option value="">All teams</option>
            {options.teams.map((t) => (
              <option value={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Namespace
          <select
            name="namespace"
            value={query.namespace ?? ''}
            onChange={(e) => setQuery({ namespace: e.currentTarget.value || undefined })}
          >
            <option value="">All namespaces</option>
            {options.namespaces.map((n) => (
              <option value={n}>{n}</option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select
            name="status"
            value={query.status ?? ''}
            onChange={(e) =>
              setQuery({ status: (e.currentTarget.value || undefined) as SloRow['status'] | undefined })
            }
          >
            <option value="">Any status</option>
            {statuses.map((s) => (
              <option value={s}>{STATUS_LABELS[s]}</option>
            ))}
          </select>
        </label>
        {(query.team || query.namespace || query.status) && (
          <button
            type="button"
            class="link-button"
            onClick={() => setQuery({ team: undefined, namespace: undefined, status: undefined })}
          >
            Clear filters
          </button>
        )}
        <p class="muted count" aria-live="polite">
          {rows.length} of {loaded.rows.length} SLOs shown
        </p>
      </form>
      {rows.length === 0 ? (
        <p class="notice">No SLO matches these filters.</p>
      ) : (
        <div class="table-wrap">
          <table class="slo-table">
            <caption class="visually-hidden">
              SLOs with their status and error budget, sorted by budget left
            </caption>
            <thead>
              <tr>
                <th scope="col">SLO</th>
                <th scope="col">Status</th>
                <th scope="col">Objective</th>
                <th scope="col">SLI now</th>
                <th scope="col" aria-sort={query.sort === 'asc' ? 'ascending' : 'descending'}>
                  <button
                    type="button"
                    class="sort-button"
                    onClick={() => setQuery({ sort: query.sort === 'asc' ? 'desc' : 'asc' })}
                  >
                    Budget left <span aria-hidden="true">{query.sort === 'asc' ? '▲' : '▼'}</span>
                    <span class="visually-hidden">
                      , sorted {query.sort === 'asc' ? 'least first' : 'most first'}; activate to reverse
                    </span>
                  </button>
                </th>
                <th scope="col">Fastest burn</th>
                <th scope="col">Budget runs out</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.name} data-slo={row.name}>
                  <th scope="row">
                    <Link href={sloPath(row.name)}>{row.name}</Link>
                    <div class="muted small">
                      {[row.team, row.namespace ? `${row.namespace}/${row.workload}` : row.workload]
                        .filter(Boolean)
                        .join(' · ')}
                    </div>
                  </th>
                  <td>
                    <StatusBadge status={row.status} />
                    {row.statusNote && <div class="muted small status-note">{row.statusNote}</div>}
                  </td>
                  <td>
                    {formatPercent(row.objective, 3)} <span class="muted">/ {row.window}</span>
                  </td>
                  <td>
                    {row.sliApproximate && row.sliPercent !== null ? '≈ ' : ''}
                    {formatPercent(row.sliPercent, 3)}
                  </td>
                  <td class="budget-cell">
                    <BudgetBar
                      remainingPercent={row.budgetRemainingPercent}
                      label={`Error budget left for ${row.name}`}
                    />
                  </td>
                  <td>
                    {row.fastestBurn ? (
                      <span class={row.fastestBurn.rate >= row.fastestBurn.threshold ? 'over-threshold' : ''}>
                        {formatBurnRate(row.fastestBurn.rate)}{' '}
                        <span class="muted">over {row.fastestBurn.window}</span>
                      </span>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    {row.status === 'unknown'
                      ? '—'
                      : formatForecast(row.forecast, row.budgetRemainingPercent)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
