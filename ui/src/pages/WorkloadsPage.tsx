import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { useApiToken } from '../api/token.js';
import type { Slo, WorkloadsView } from '../api/types.js';
import { EmptyState, ErrorNote } from '../components/bits.js';
import { WorkloadCards } from '../components/Workloads.js';
import { formatTime } from '../lib/format.js';
import { useRefresh } from '../navigation.js';

const REFRESH_SECONDS = 30;

/** What the sensor reports, busiest first, each workload with a form that creates an SLO from what was observed. */
export function WorkloadsPage() {
  const [view, setView] = useState<WorkloadsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [token, setToken] = useApiToken();

  useRefresh(
    async (signal) => {
      const result = await api.workloads(signal);
      if (result.ok) {
        setView(result.value);
        setError(null);
      } else setError(`Could not load the workloads: ${result.message}`);
    },
    REFRESH_SECONDS,
    [reload],
  );

  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>Workloads</h1>
        <p class="muted">
          What the sensor reported in the last hour. Rates, 5xx share and P95 are over the last five minutes;
          the P95 is approximate (interpolated between histogram bucket bounds).
          {view && ` Updated ${formatTime(view.recent.to)}; refreshes every ${REFRESH_SECONDS} s.`}
        </p>
      </div>
      {error && <ErrorNote message={error} />}
      {view === null ? (
        !error && <p aria-busy="true">Loading…</p>
      ) : view.items.length === 0 ? (
        <NoWorkloadsYet />
      ) : (
        <WorkloadCards
          workloads={view.items}
          headingLevel={2}
          token={token}
          onToken={setToken}
          onCreated={(_slo: Slo) => setReload((n) => n + 1)}
        />
      )}
    </>
  );
}

export function NoWorkloadsYet({ headingLevel = 2 }: { headingLevel?: 2 | 3 }) {
  return (
    <EmptyState title="No workloads reported yet" headingLevel={headingLevel}>
      <p>
        Workloads show here within a minute of their first request once Burnwatch scrapes a sensor: run{' '}
        <code>npm run sensor</code> as root on this machine, or the sensor DaemonSet in a cluster, and list
        its <code>/metrics</code> addresses in <code>BURNWATCH_SCRAPE_TARGETS</code> (in a cluster they are
        found by themselves).
      </p>
    </EmptyState>
  );
}
