import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { useApiToken } from '../api/token.js';
import type { SensorStatusView, Slo, WorkloadsView } from '../api/types.js';
import { EmptyState, ErrorNote } from '../components/bits.js';
import { WorkloadCards } from '../components/Workloads.js';
import { formatTime } from '../lib/format.js';
import { useRefresh } from '../navigation.js';

const REFRESH_SECONDS = 30;

/** What the sensor reports, busiest first, each workload with a form that creates an SLO from what was observed. */
export function WorkloadsPage() {
  const [view, setView] = useState<WorkloadsView | null>(null);
  const [sensor, setSensor] = useState<SensorStatusView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [token, setToken] = useApiToken();

  useRefresh(
    async (signal) => {
      const [result, sensorStatus] = await Promise.all([api.workloads(signal), api.sensor(signal)]);
      // A server without GET /api/v1/sensor (or an error there) simply shows no sensor line.
      setSensor(sensorStatus.ok ? sensorStatus.value : null);
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
      {sensor && <SensorLine status={sensor} />}
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

/** The sensor the service starts on this machine: one sentence on what it is doing, and what to do when it is not. */
export function SensorLine({ status }: { status: SensorStatusView }) {
  if (status.state === 'running')
    return (
      <p class="notice" role="status">
        The sensor on this machine is running (pid {status.pid}) and scraped at{' '}
        <code>{status.metricsUrl}</code>
        {status.restarts > 0 &&
          `; it was restarted ${status.restarts} time${status.restarts === 1 ? '' : 's'}`}
        .
      </p>
    );
  if (status.state === 'starting')
    return (
      <p class="notice" role="status">
        The sensor on this machine is starting.
      </p>
    );
  return (
    <p class="notice" role="status">
      {status.state === 'off'
        ? 'The sensor on this machine is off'
        : 'The sensor on this machine is not running'}
      : {status.reason}. To change that: {status.action}.
    </p>
  );
}

export function NoWorkloadsYet({ headingLevel = 2 }: { headingLevel?: 2 | 3 }) {
  return (
    <EmptyState title="No workloads reported yet" headingLevel={headingLevel}>
      <p>
        Workloads show here within a minute of their first request once Burnwatch scrapes a sensor: started as
        root on Linux, <code>npm start</code> runs one on this machine by itself; in a cluster the sensor
        DaemonSet's pods are found by themselves; elsewhere list sensors' <code>/metrics</code> addresses in{' '}
        <code>BURNWATCH_SCRAPE_TARGETS</code>.
      </p>
    </EmptyState>
  );
}
