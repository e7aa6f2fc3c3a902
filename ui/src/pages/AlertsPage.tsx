import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { Alert } from '../api/types.js';
import { EmptyState, ErrorNote, SeverityBadge } from '../components/bits.js';
import { Link } from '../components/Link.js';
import { correlatedChanges, deliverySummary, describeAnnotation, splitAlerts } from '../lib/alerts.js';
import { formatDuration, formatPercent, formatTime } from '../lib/format.js';
import { silencedLine } from '../lib/silences.js';
import { useRefresh } from '../navigation.js';
import { sloPath } from '../router.js';

const REFRESH_SECONDS = 30;

export function AlertsPage() {
  const [alerts, setAlerts] = useState<{ items: Alert[]; at: Date } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useRefresh(
    async (signal) => {
      const result = await api.alerts({ limit: 200 }, signal);
      if (result.ok) {
        setAlerts({ items: result.value.items, at: new Date() });
        setError(null);
      } else setError(`Could not load the alerts: ${result.message}`);
    },
    REFRESH_SECONDS,
    [],
  );
  if (!alerts) {
    return (
      <>
        <h1 tabIndex={-1}>Alerts</h1>
        {error ? <ErrorNote message={error} /> : <p aria-busy="true">Loading…</p>}
      </>
    );
  }
  const { firing, recent } = splitAlerts(alerts.items);
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>Alerts</h1>
        <p class="muted" aria-live="polite">
          Updated {formatTime(alerts.at.toISOString())}; refreshes every {REFRESH_SECONDS} s.
        </p>
      </div>
      {error && <ErrorNote message={error} />}
      {alerts.items.length === 0 ? (
        <EmptyState title="No alerts yet">
          <p>
            An alert fires when an SLO burns its error budget faster than one of its alert windows allows
            (both the long and the short window above the threshold): a page for fast burns, a ticket for slow
            ones. Firing and resolved alerts show here with the changes that most likely caused them and
            whether Slack was told.
          </p>
        </EmptyState>
      ) : (
        <>
          <section aria-labelledby="firing-title">
            <h2 id="firing-title">Firing ({firing.length})</h2>
            {firing.length === 0 ? (
              <p class="muted">No alert is firing.</p>
            ) : (
              <AlertTable alerts={firing} label="Firing alerts" firing />
            )}
          </section>
          <section aria-labelledby="recent-title">
            <h2 id="recent-title">Recent ({recent.length})</h2>
            {recent.length === 0 ? (
              <p class="muted">No resolved alert yet.</p>
            ) : (
              <AlertTable alerts={recent} label="Resolved alerts" />
            )}
          </section>
        </>
      )}
    </>
  );
}

function AlertTable({ alerts, label, firing = false }: { alerts: Alert[]; label: string; firing?: boolean }) {
  return (
    <div class="table-wrap">
      <table class="alert-table">
        <caption class="visually-hidden">{label}, newest first</caption>
        <thead>
          <tr>
            <th scope="col">SLO</th>
            <th scope="col">Severity</th>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
            <th scope="col">At the last evaluation</th>
            <th scope="col">Correlated changes</th>
            <th scope="col">Notification</th>
            <th scope="col">Acknowledged, notes</th>
            {firing && <th scope="col">Silence</th>}
          </tr>
        </thead>
        <tbody>
          {alerts.map((alert) => {
            const delivery = deliverySummary(alert.notifications);
            const changes = correlatedChanges(alert);
            return (
              <tr key={alert.id} data-alert={alert.id} data-slo={alert.slo}>
                <th scope="row">
                  <Link href={sloPath(alert.slo)}>{alert.slo}</Link>
                </th>
                <td>
                  <SeverityBadge severity={alert.severity} />
                </td>
                <td>{formatTime(alert.startedAt)}</td>
                <td>
                  {formatDuration(alert.durationSeconds)}
                  {alert.state === 'firing' ? <span class="muted"> so far</span> : null}
                </td>
                <td class="small">
                  SLI {formatPercent(alert.snapshot?.sliPercent ?? null, 3)}
                  <br />
                  budget {formatPercent(alert.snapshot?.budgetRemainingPercent ?? null, 1)} left
                </td>
                <td class="small">
                  {changes.length === 0 ? (
                    <span class="muted">{alert.correlation ? 'none found' : 'not correlated'}</span>
                  ) : (
                    <ul class="plain">
                      {changes.map((c) => (
                        <li>{c}</li>
                      ))}
                    </ul>
                  )}
                </td>
                <td class="delivery">
                  <span class={`badge delivery-${delivery.state}`}>{delivery.text}</span>
                  {delivery.errors.map((e) => (
                    <div class="delivery-error small">{e}</div>
                  ))}
                </td>
                <td class="annotations small">
                  {alert.annotations?.length ? (
                    <ul class="plain">
                      {alert.annotations.map((a) => (
                        <li data-kind={a.kind}>{describeAnnotation(a)}</li>
                      ))}
                    </ul>
                  ) : (
                    <span class="muted">none</span>
                  )}
                </td>
                {firing && (
                  <td class="silence small">
                    {alert.silence ? (
                      <span class="silenced">{silencedLine(alert.silence)}</span>
                    ) : (
                      <Link href={`/silences?slo=${encodeURIComponent(alert.slo)}`}>Silence this alert…</Link>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
