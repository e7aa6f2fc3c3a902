import { useMemo, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import { api, Result } from '../api/client.js';
import type {
  Alert,
  DeployCosts,
  KubernetesStatus,
  RawChange,
  Slo,
  SloStatus,
  Timeseries,
} from '../api/types.js';
import { kubernetesConnection, normalizeChanges } from '../lib/changes.js';
import { BudgetBar, Code, EmptyState, ErrorNote, SeverityBadge, StatusBadge } from '../components/bits.js';
import { COLORS, Chart } from '../components/Chart.js';
import { Link } from '../components/Link.js';
import {
  NONE,
  formatBurnRate,
  formatDuration,
  formatForecast,
  formatPercent,
  formatRelative,
  formatTime,
  shortDigest,
  shortImage,
  trimNumber,
} from '../lib/format.js';
import { alertSegments, markersFromChanges } from '../lib/markers.js';
import {
  budgetData,
  budgetRange,
  burnRange,
  burnRateCharts,
  hasData,
  sliData,
  sliRange,
  zeroStop,
} from '../lib/series.js';
import { fastestBurn, statusNote } from '../lib/slo-list.js';
import { RANGES, describeWindow, resolveRange, windowLengthSeconds } from '../lib/time-range.js';
import { navigate, useRefresh } from '../navigation.js';
import { sloPath } from '../router.js';

const REFRESH_SECONDS = 60;
/** Warnings of one reason within this span are one marker. */
const FOLD_SECONDS = 15 * 60;

interface PageData {
  slo: Result<Slo>;
  status: Result<SloStatus> | null;
  alerts: Alert[];
  openslo: Result<string> | null;
  kubernetes: Result<KubernetesStatus> | null;
  deploys?: Result<DeployCosts> | null;
}

interface RangeData {
  range: { key: string; from: number; to: number; step: number };
  timeseries: Result<Timeseries>;
  changes: Result<{ items: RawChange[] }>;
}

export function SloPage({ name, search }: { name: string; search: string }) {
  const rangeKey = new URLSearchParams(search).get('range') ?? 'window';
  const [page, setPage] = useState<PageData | null>(null);
  const [ranged, setRanged] = useState<RangeData | null>(null);

  useRefresh(
    async (signal) => {
      const slo = await api.slo(name, signal);
      if (!slo.ok) {
        setPage({ slo, status: null, alerts: [], openslo: null, kubernetes: null });
        return;
      }
      const [status, alerts, openslo, kubernetes, deploys] = await Promise.all([
        api.status(name, signal),
        api.alerts({ slo: name, limit: 100 }, signal),
        api.openslo(name, signal),
        api.kubernetes(signal),
        api.deploys(name, signal),
      ]);
      setPage({ slo, status, alerts: alerts.ok ? alerts.value.items : [], openslo, kubernetes, deploys });
      const windowSeconds = windowLengthSeconds(slo.value.window) ?? 28 * 86_400;
      const range = resolveRange(rangeKey, windowSeconds, Date.now() / 1000);
      const [timeseries, changes] = await Promise.all([
        api.timeseries(name, range.from, range.to, range.step, signal),
        api.changes(
          {
            namespace: slo.value.service.namespace,
            workload: slo.value.service.workload,
            from: range.from,
            to: range.to,
          },
          signal,
        ),
      ]);
      setRanged({ range, timeseries, changes });
    },
    REFRESH_SECONDS,
    [name, rangeKey],
  );

  if (!page) {
    return (
      <>
        <h1 tabIndex={-1}>{name}</h1>
        <p aria-busy="true">Loading…</p>
      </>
    );
  }
  if (!page.slo.ok) {
    return (
      <>
        <h1 tabIndex={-1}>{name}</h1>
        {page.slo.notFound ? (
          <EmptyState title="No such SLO">
            <p>
              There is no SLO named <code>{name}</code>. It may have been deleted or renamed.{' '}
              <Link href="/">See every SLO</Link>.
            </p>
          </EmptyState>
        ) : (
          <ErrorNote message={`Could not load the SLO: ${page.slo.message}`} />
        )}
      </>
    );
  }
  const slo = page.slo.value;
  const status = page.status?.ok ? page.status.value : null;
  return (
    <>
      <nav aria-label="Breadcrumb" class="breadcrumb">
        <Link href="/">SLOs</Link> <span aria-hidden="true">›</span>{' '}
        <span aria-current="page">{slo.name}</span>
      </nav>
      <div class="page-head">
        <h1 tabIndex={-1}>
          {slo.displayName ?? slo.name} {status && <StatusBadge status={status.status} />}
        </h1>
        <p class="muted">
          {slo.description || 'No description.'} · {slo.team ? `team ${slo.team} · ` : ''}
          {slo.service.namespace ? `${slo.service.namespace}/` : ''}
          {slo.service.workload}
        </p>
      </div>
      <Summary slo={slo} status={status} statusMissing={page.status !== null && !page.status.ok} />
      <RangePicker name={slo.name} current={RANGES.some((r) => r.key === rangeKey) ? rangeKey : 'window'} />
      {ranged ? (
        <Charts slo={slo} ranged={ranged} alerts={page.alerts} kubernetes={page.kubernetes} />
      ) : (
        <p aria-busy="true">Loading the charts…</p>
      )}
      <ImageComparison alerts={page.alerts} />
      {page.deploys?.ok && <DeployCostTable costs={page.deploys.value} />}
      <Definition slo={slo} openslo={page.openslo} />
    </>
  );
}

/** What each deploy cost: per image digest, its errors and its share of the budget, next to the one it replaced. */
function DeployCostTable({ costs }: { costs: DeployCosts }) {
  if (costs.items.length === 0) return null;
  return (
    <section aria-labelledby="deploy-cost-title" class="deploy-costs">
      <h2 id="deploy-cost-title" class="chart-title">
        What each deploy cost
      </h2>
      <p class="chart-caption">
        Per container image, {formatTime(costs.from)} to {formatTime(costs.to)}: the requests it served, its
        error share and the share of the budget it spent.{' '}
        {costs.note && <span class="muted">({costs.note})</span>}
      </p>
      <table class="deploy-cost-table">
        <thead>
          <tr>
            <th scope="col">Image</th>
            <th scope="col">Served</th>
            <th scope="col">Requests</th>
            <th scope="col">Errors</th>
            <th scope="col">Budget spent</th>
            <th scope="col">Compared with the one before</th>
          </tr>
        </thead>
        <tbody>
          {costs.items.map((c) => (
            <tr data-image={c.imageId}>
              <th scope="row">
                <code title={c.imageId}>{shortDigest(c.imageId)}</code>
              </th>
              <td>
                {formatTime(c.from)} → {formatTime(c.to)}
              </td>
              <td>{c.total.toLocaleString('en')}</td>
              <td>{formatPercent(c.errorPercent, 3)}</td>
              <td>{formatPercent(c.budgetConsumedPercent, 1)}</td>
              <td>
                {c.previous === null
                  ? '—'
                  : c.errorRatioVsPrevious !== null
                    ? `${trimNumber(c.errorRatioVsPrevious, 2)}× the errors of ${shortDigest(c.previous.imageId)}`
                    : `${shortDigest(c.previous.imageId)} had ${formatPercent(c.previous.errorPercent, 3)} errors`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Allowed bad events: whole numbers once there are some, decimals while a young window allows fewer than 10. */
function formatAllowed(total: number): string {
  return total >= 10 ? Math.round(total).toLocaleString('en') : trimNumber(total, 2);
}

function Summary({
  slo,
  status,
  statusMissing,
}: {
  slo: Slo;
  status: SloStatus | null;
  statusMissing: boolean;
}) {
  if (!status) {
    return statusMissing ? (
      <p class="notice" role="status">
        This Burnwatch server does not report this SLO's status yet: the budget and burn rates show once the
        burn-rate engine runs.
      </p>
    ) : null;
  }
  const fastest = fastestBurn(status.burnRates);
  const note = statusNote(status);
  return (
    <section aria-label="Current state" class="summary">
      {note && (
        <p class={`notice status-note-${status.status}`} role="status">
          {note}
        </p>
      )}
      <dl class="stats">
        <div>
          <dt>
            {typeof status.window === 'string'
              ? `SLI over ${status.window}`
              : `SLI this ${status.window.calendar}`}
          </dt>
          <dd>
            {status.sli.approximate && status.sli.percent !== null ? '≈ ' : ''}
            {formatPercent(status.sli.percent, 3)}
            <span class="muted"> / objective {formatPercent(slo.objective, 3)}</span>
          </dd>
        </div>
        <div class="stat-budget">
          <dt>Error budget left</dt>
          <dd>
            <BudgetBar remainingPercent={status.errorBudget.remainingPercent} label="Error budget left" />
            <span class="muted small">
              {status.errorBudget.consumedEvents.toLocaleString('en')} of{' '}
              {formatAllowed(status.errorBudget.totalEvents)} allowed bad{' '}
              {slo.budgetingMethod === 'timeslices' ? 'slices' : 'events'} spent
            </span>
          </dd>
        </div>
        <div>
          <dt>Fastest burn</dt>
          <dd>{fastest ? `${formatBurnRate(fastest.rate)} over ${fastest.window}` : NONE}</dd>
        </div>
        <div>
          <dt>Budget runs out</dt>
          <dd>{formatForecast(status.forecast, status.errorBudget.remainingPercent)}</dd>
        </div>
        {status.corrections && status.corrections.excludedMinutes > 0 && (
          <div>
            <dt>Corrected</dt>
            <dd>
              {status.corrections.excludedMinutes.toLocaleString('en')} min left out
              {status.corrections.activeNow && <span class="muted"> (one is active now)</span>}
            </dd>
          </div>
        )}
        <div>
          <dt>Latest data</dt>
          <dd>
            {status.dataFreshness.lastDataAt
              ? formatRelative(status.dataFreshness.lastDataAt, new Date())
              : 'none yet'}
          </dd>
        </div>
      </dl>
    </section>
  );
}

function RangePicker({ name, current }: { name: string; current: string }) {
  return (
    <div class="range-picker" role="group" aria-label="Time range of the charts">
      <span class="range-label" aria-hidden="true">
        Time range
      </span>
      {RANGES.map((range) => (
        <button
          type="button"
          aria-pressed={range.key === current}
          onClick={() =>
            navigate(`${sloPath(name)}${range.key === 'window' ? '' : `?range=${range.key}`}`, true)
          }
        >
          {range.label}
        </button>
      ))}
    </div>
  );
}

function Charts(props: {
  slo: Slo;
  ranged: RangeData;
  alerts: Alert[];
  kubernetes: Result<KubernetesStatus> | null;
}) {
  const { slo, ranged } = props;
  const { from, to } = ranged.range;
  const markers = useMemo(
    () =>
      markersFromChanges(
        ranged.changes.ok ? normalizeChanges(ranged.changes.value.items) : [],
        from,
        to,
        FOLD_SECONDS,
      ),
    [ranged],
  );
  const k8s = kubernetesConnection(props.kubernetes?.ok ? props.kubernetes.value : null);
  const k8sConnected = k8s.connected;

  const k8sNote = !k8sConnected ? (
    <EmptyState title="Kubernetes not connected" headingLevel={3}>
      <p>
        Deploys and Kubernetes warning events are drawn on these charts when Burnwatch watches the cluster:
        run it in a pod with its ServiceAccount (RBAC to list and watch Deployments, ReplicaSets,
        StatefulSets, DaemonSets, Pods and Events in <code>{slo.service.namespace ?? 'the namespace'}</code>),
        or set <code>KUBECONFIG</code>, and leave <code>BURNWATCH_KUBERNETES</code> at <code>auto</code>.
        {k8s.message && <> Burnwatch says: “{k8s.message}”.</>}
        {props.kubernetes &&
          !props.kubernetes.ok &&
          !props.kubernetes.notFound &&
          ` (${props.kubernetes.message})`}
      </p>
    </EmptyState>
  ) : null;

  if (!ranged.timeseries.ok) {
    return (
      <>
        {ranged.timeseries.notFound ? (
          <EmptyState title="No history on this server yet">
            <p>
              This Burnwatch server does not keep the SLI history that the charts draw (its burn-rate engine
              is older). The definition below is still current.
            </p>
          </EmptyState>
        ) : (
          <ErrorNote message={`Could not load the charts: ${ranged.timeseries.message}`} />
        )}
        {k8sNote}
      </>
    );
  }
  const ts = ranged.timeseries.value;
  if (!hasData(ts)) {
    return (
      <>
        <EmptyState title="No data yet">
          {slo.source?.type === 'prometheus' ? (
            <p>
              The Prometheus queries of this SLO returned nothing in this range. Check that{' '}
              <code>BURNWATCH_PROMETHEUS_URL</code> points at the server that has these series, and try the
              queries of the definition below in its query page. The charts fill in at the next evaluation.
            </p>
          ) : (
            <p>
              No requests of{' '}
              <code>
                {slo.service.namespace ? `${slo.service.namespace}/` : ''}
                {slo.service.workload}
              </code>
              {slo.service.route ? (
                <>
                  {' '}
                  on{' '}
                  <code>
                    {slo.service.method ?? ''} {slo.service.route}
                  </code>
                </>
              ) : null}{' '}
              were measured in this range. Check that the Burnwatch sensor runs on the nodes of this workload
              (one pod per node, <code>kubectl get ds -A | grep burnwatch</code>), that Burnwatch scrapes it (
              <code>BURNWATCH_SCRAPE_TARGETS</code>), that the workload gets traffic, and that the namespace,
              workload and route in the definition below match it. The charts fill in within a minute of the
              first requests.
            </p>
          )}
        </EmptyState>
        {k8sNote}
        <ChangeList changes={markers} kubernetesConnected={k8sConnected} />
      </>
    );
  }
  return (
    <>
      <section aria-labelledby="charts-title" class="charts">
        <h2 id="charts-title" class="visually-hidden">
          Charts
        </h2>
        <BudgetChart ts={ts} from={from} to={to} markers={markers} />
        <SliChart ts={ts} objective={slo.objective} from={from} to={to} markers={markers} />
        <BurnRateCharts ts={ts} from={from} to={to} markers={markers} />
        <AlertTimeline alerts={props.alerts} from={from} to={to} />
        <ResolutionNote ts={ts} />
        <CorrectionList ts={ts} />
      </section>
      {k8sNote}
      <ChangeList changes={markers} kubernetesConnected={k8sConnected} />
    </>
  );
}

const pct = (v: number) => `${trimNumber(v, 2)} %`;

function BudgetChart(props: {
  ts: Timeseries;
  from: number;
  to: number;
  markers: ReturnType<typeof markersFromChanges>;
}) {
  const data = useMemo(() => budgetData(props.ts), [props.ts]);
  const series = useMemo<uPlot.Series[]>(
    () => [
      {
        label: 'Budget left',
        value: (_u, v) => (v === null ? NONE : pct(v)),
        stroke: (u) => zeroGradient(u, COLORS.good, COLORS.bad),
        fill: (u) => zeroGradient(u, COLORS.goodFill, COLORS.badFill),
        fillTo: 0,
        width: 2,
        spanGaps: false,
      },
    ],
    [],
  );
  const last = [...props.ts.budgetRemainingPercent].reverse().find((v) => v !== null);
  return (
    <Chart
      id="budget"
      title="Error budget left"
      caption="How much of this window's error budget is left, and when was it spent? (green above zero, red when overspent)"
      summary={`Error budget left over the range, ending at ${last === undefined ? 'no data' : pct(last ?? 0)}`}
      data={data}
      series={series}
      yRange={budgetRange(props.ts.budgetRemainingPercent)}
      yFormat={pct}
      from={props.from}
      to={props.to}
      markers={props.markers}
      bands={correctedBands(props.ts)}
      height={240}
    />
  );
}

/** A gradient with a hard stop at zero: one colour above, the other below (pyrra's ErrorBudgetGraph). */
function zeroGradient(u: uPlot, above: string, below: string): CanvasGradient | string {
  const top = u.bbox.top;
  const height = u.bbox.height;
  const zeroY = u.valToPos(0, 'y', true);
  // Before the first layout the scale is not known yet.
  if (!(height > 0) || !Number.isFinite(top) || !Number.isFinite(zeroY)) return above;
  const stop = zeroStop(top, height, zeroY);
  const gradient = u.ctx.createLinearGradient(0, top, 0, top + height);
  gradient.addColorStop(0, above);
  gradient.addColorStop(stop, above);
  gradient.addColorStop(stop, below);
  gradient.addColorStop(1, below);
  return gradient;
}

function SliChart(props: {
  ts: Timeseries;
  objective: number;
  from: number;
  to: number;
  markers: ReturnType<typeof markersFromChanges>;
}) {
  const data = useMemo(() => sliData(props.ts, props.objective), [props.ts, props.objective]);
  const series = useMemo<uPlot.Series[]>(
    () => [
      { label: 'SLI', stroke: COLORS.line, width: 2, value: (_u, v) => (v === null ? NONE : pct(v)) },
      {
        label: 'Objective',
        stroke: COLORS.reference,
        dash: [6, 4],
        width: 1.5,
        value: (_u, v) => (v === null ? NONE : pct(v)),
      },
    ],
    [],
  );
  return (
    <Chart
      id="sli"
      title="SLI and objective"
      caption="Is the service meeting its objective, and since when not? (the SLI over the SLO window ending at each point)"
      summary={`SLI against the objective of ${pct(props.objective)}`}
      data={data}
      series={series}
      yRange={sliRange(props.ts.sliPercent, props.objective)}
      yFormat={pct}
      from={props.from}
      to={props.to}
      markers={props.markers}
      bands={correctedBands(props.ts)}
    />
  );
}

function BurnRateCharts(props: {
  ts: Timeseries;
  from: number;
  to: number;
  markers: ReturnType<typeof markersFromChanges>;
}) {
  const charts = useMemo(() => burnRateCharts(props.ts), [props.ts]);
  if (charts.length === 0) return null;
  return (
    <section class="burn-rates" aria-labelledby="burn-title">
      <h2 id="burn-title" class="chart-title">
        Burn rate per alert window
      </h2>
      <p class="chart-caption">
        Is any alert window burning its budget faster than its threshold? (1× spends the budget exactly over
        the SLO window; an alert fires when the long and short windows both cross the dashed line)
      </p>
      <div class="small-multiples">
        {charts.map((chart) => (
          <BurnRateChart
            key={chart.key}
            chart={chart}
            from={props.from}
            to={props.to}
            markers={props.markers}
          />
        ))}
      </div>
    </section>
  );
}

function BurnRateChart(props: {
  chart: ReturnType<typeof burnRateCharts>[number];
  from: number;
  to: number;
  markers: ReturnType<typeof markersFromChanges>;
}) {
  const { chart } = props;
  const color = chart.severity === 'page' ? COLORS.page : COLORS.ticket;
  const series = useMemo<uPlot.Series[]>(
    () => [
      { label: 'Burn rate', stroke: COLORS.line, width: 1.5, value: (_u, v) => formatBurnRate(v) },
      { label: 'Threshold', stroke: color, dash: [6, 4], width: 1.5, value: (_u, v) => formatBurnRate(v) },
    ],
    [color],
  );
  return (
    <Chart
      id={`burn-${chart.key}`}
      title={chart.title}
      caption={`Alerts (${chart.severity}) above ${formatBurnRate(chart.threshold)}`}
      summary={`Burn rate over the ${chart.title} against its threshold of ${formatBurnRate(chart.threshold)}`}
      data={chart.data}
      series={series}
      yRange={burnRange(chart.data[1]!, chart.threshold)}
      yFormat={(v) => `${trimNumber(v, 1)}×`}
      from={props.from}
      to={props.to}
      markers={props.markers}
      markerButtons={false}
      height={150}
      headingLevel={3}
    />
  );
}

/** Budget corrections as chart bands, in epoch seconds. */
function correctedBands(ts: Timeseries): { from: number; to: number }[] {
  return (ts.corrected ?? []).map((r) => ({ from: Date.parse(r.from) / 1000, to: Date.parse(r.to) / 1000 }));
}

/** Data older than 26 h is stored per hour: said under the charts when they reach into it. */
function ResolutionNote({ ts }: { ts: Timeseries }) {
  const until = ts.resolution?.hourlyUntil;
  if (!until) return null;
  return (
    <p class="chart-caption resolution-note">
      Before {formatTime(Date.parse(until) / 1000)} the data is stored per hour: the charts spread each hour
      over its minutes with data (exact per hour, smoothed within it).
    </p>
  );
}

function CorrectionList({ ts }: { ts: Timeseries }) {
  const ranges = ts.corrected ?? [];
  if (ranges.length === 0) return null;
  return (
    <section class="corrections" aria-labelledby="corrections-title">
      <h2 id="corrections-title" class="chart-title">
        Budget corrections
      </h2>
      <p class="chart-caption">
        Time left out of the SLI, the budget and every alert (the grey bands above): planned load tests,
        maintenance, upstream outages.
      </p>
      <ul class="correction-list">
        {ranges.map((r) => (
          <li>
            {formatTime(Date.parse(r.from) / 1000)} → {formatTime(Date.parse(r.to) / 1000)}
          </li>
        ))}
      </ul>
    </section>
  );
}

function AlertTimeline(props: { alerts: Alert[]; from: number; to: number }) {
  const segments = alertSegments(props.alerts, props.from, props.to, Date.now() / 1000);
  return (
    <section class="timeline" aria-labelledby="timeline-title">
      <h2 id="timeline-title" class="chart-title">
        Alert timeline
      </h2>
      <p class="chart-caption">When did this SLO alert, how severely, and for how long?</p>
      {segments.length === 0 ? (
        <p class="muted">No alert in this range.</p>
      ) : (
        <>
          <div class="timeline-track" aria-hidden="true">
            {segments.map((s) => (
              <div
                class={`timeline-bar severity-${s.severity}`}
                style={{ left: `${s.leftPercent}%`, width: `${s.widthPercent}%` }}
                title={`${s.severity} from ${formatTime(s.startedAt)} to ${s.resolvedAt ? formatTime(s.resolvedAt) : 'now'}`}
              />
            ))}
          </div>
          <div class="timeline-axis muted small" aria-hidden="true">
            <span>{formatTime(props.from)}</span>
            <span>{formatTime(props.to)}</span>
          </div>
          <ul class="timeline-list">
            {segments.map((s) => (
              <li>
                <SeverityBadge severity={s.severity} /> {formatTime(s.startedAt)} →{' '}
                {s.resolvedAt ? formatTime(s.resolvedAt) : 'still firing'}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function ChangeList({
  changes,
  kubernetesConnected,
}: {
  changes: ReturnType<typeof markersFromChanges>;
  kubernetesConnected: boolean;
}) {
  if (changes.length === 0 && !kubernetesConnected) return null;
  return (
    <section aria-labelledby="changes-title" class="changes">
      <h2 id="changes-title">Changes in this range</h2>
      {changes.length === 0 ? (
        <p class="muted">No deploy, rollout or Kubernetes warning for this workload in this range.</p>
      ) : (
        <table>
          <caption class="visually-hidden">Deploys and folded Kubernetes warnings, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {changes.map((m) => (
              <tr data-kind={m.kind}>
                <td>{formatTime(m.at)}</td>
                <td>
                  <span class={`change-kind kind-${m.kind}`}>
                    {m.kind === 'configRollout' ? 'config' : m.kind}
                  </span>{' '}
                  {m.label}
                </td>
                <td>{m.details.join(' · ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ImageComparison({ alerts }: { alerts: Alert[] }) {
  const withComparison = alerts.find(
    (a) => a.correlation?.imageComparison && a.correlation.imageComparison.length > 0,
  );
  if (!withComparison) return null;
  const rows = withComparison.correlation!.imageComparison!;
  return (
    <section aria-labelledby="images-title">
      <h2 id="images-title">Per-image comparison</h2>
      <p class="chart-caption">
        Did one image serve worse than the others? (requests during the alert of{' '}
        {formatTime(withComparison.startedAt)}, by the image that answered them)
      </p>
      <table class="images">
        <thead>
          <tr>
            <th scope="col">Image</th>
            <th scope="col">Digest</th>
            <th scope="col">Requests</th>
            <th scope="col">Bad</th>
            <th scope="col">SLI</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td>{shortImage(r.image)}</td>
              <td>
                <code>{shortDigest(r.digest)}</code>
              </td>
              <td>{r.total.toLocaleString('en')}</td>
              <td>{r.bad.toLocaleString('en')}</td>
              <td>{formatPercent(r.sliPercent, 3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function describeIndicator(slo: Slo): string {
  const i = slo.indicator;
  switch (i.type) {
    case 'latency':
      return i.percentile !== undefined
        ? `Latency: P${i.percentile} within ${i.thresholdMs} ms per ${slo.timeslice ?? 'slice'}`
        : `Latency: requests within ${i.thresholdMs} ms are good`;
    case 'errorRate':
      return `Errors: responses with status ${i.errorStatus} are bad`;
    case 'ratio':
      return `Ratio of PromQL queries (${i.goodQuery ? 'good' : 'bad'} over total)`;
  }
}

function Definition({ slo, openslo }: { slo: Slo; openslo: Result<string> | null }) {
  return (
    <section aria-labelledby="definition-title" class="definition">
      <h2 id="definition-title">Definition</h2>
      <dl class="definition-list">
        <dt>Workload</dt>
        <dd>
          {slo.service.namespace ? `${slo.service.namespace}/` : ''}
          {slo.service.workload}
          {slo.service.route ? ` · ${slo.service.method ?? 'any method'} ${slo.service.route}` : ''}
        </dd>
        <dt>Indicator</dt>
        <dd>{describeIndicator(slo)}</dd>
        {slo.effectiveGrpcErrorCodes ? (
          <>
            <dt>gRPC errors</dt>
            <dd>
              gRPC calls ending with {slo.effectiveGrpcErrorCodes.codes.join(', ')} are bad
              {slo.effectiveGrpcErrorCodes.source === 'default'
                ? ' (the default set: this SLO names no grpcErrorCodes)'
                : " (this SLO's grpcErrorCodes)"}
            </dd>
          </>
        ) : null}
        <dt>Objective</dt>
        <dd>
          {formatPercent(slo.objective, 4)}{' '}
          {typeof slo.window === 'string'
            ? `over a rolling ${slo.window}`
            : `per ${describeWindow(slo.window)}`}{' '}
          ({slo.budgetingMethod})
        </dd>
        <dt>Error budget</dt>
        <dd>{slo.errorBudget.description}</dd>
        <dt>Notifications</dt>
        <dd>{slo.notify?.slackChannel ? `Slack ${slo.notify.slackChannel}` : 'none'}</dd>
      </dl>
      {slo.effectiveAlerting.windows.length > 0 ? (
        <table class="windows">
          <caption>
            Alert windows (
            {slo.effectiveAlerting.policy === 'default' ? 'the default policy' : 'a custom policy'}; a window
            is not judged with fewer than {slo.effectiveAlerting.minEvents} events)
          </caption>
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Long window</th>
              <th scope="col">Short window</th>
              <th scope="col">Burn-rate threshold</th>
            </tr>
          </thead>
          <tbody>
            {slo.effectiveAlerting.windows.map((w) => (
              <tr>
                <td>
                  <SeverityBadge severity={w.severity} />
                </td>
                <td>{w.longWindow}</td>
                <td>{w.shortWindow}</td>
                <td>{formatBurnRate(w.burnRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>Alerting is switched off for this SLO.</p>
      )}
      <h3 id="openslo-title">OpenSLO</h3>
      {openslo?.ok ? (
        <>
          <p class="muted small">
            The same SLO as an OpenSLO document (
            <a href={`/api/v1/slos/${encodeURIComponent(slo.name)}/openslo`}>download</a>
            ).
          </p>
          <Code label="OpenSLO YAML of this SLO">{openslo.value}</Code>
        </>
      ) : (
        <p class="muted">{openslo ? `Not available: ${openslo.message}` : 'Loading…'}</p>
      )}
      <p class="muted small">
        Created {formatTime(slo.createdAt ?? null)}, last changed {formatTime(slo.updatedAt ?? null)}.
        Duration of the window: {formatDuration(windowLengthSeconds(slo.window))}
        {typeof slo.window === 'string'
          ? ''
          : ' (nominal: the alert tiers use it; the budget resets with each period)'}
        .
      </p>
    </section>
  );
}
